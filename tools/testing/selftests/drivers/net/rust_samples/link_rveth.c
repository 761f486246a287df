// SPDX-License-Identifier: GPL-2.0
/*
 * iproute2 plugin for the `rveth` link kind of samples/rust/rust_veth.
 *
 * `ip` looks up an unknown link kind KIND as the symbol KIND_link_util in
 * $IP_LIB_DIR/link_KIND.so. rveth takes the same options as veth
 * (`peer name NAME ...`, sent as VETH_INFO_PEER), so this plugin clones the
 * `veth_link_util` that the ip binary exports and renames it.
 *
 *   cc -shared -fPIC -o "$dir/link_rveth.so" link_rveth.c -ldl
 *   IP_LIB_DIR=$dir ip link add a type rveth peer name b
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

/* The leading members of iproute2's struct link_util, unchanged since 2007. */
struct link_util_head {
	void *next;
	const char *id;
};

/* Large enough for struct link_util of any iproute2 version. */
unsigned char rveth_link_util[512] __attribute__((aligned(16)));

__attribute__((constructor)) static void rveth_init(void)
{
	const void *veth = dlsym(RTLD_DEFAULT, "veth_link_util");
	const ElfW(Sym) *sym = NULL;
	Dl_info info;
	size_t size;
	struct link_util_head *h = (struct link_util_head *)rveth_link_util;

	if (!veth || !dladdr1(veth, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym)
		return;
	size = sym->st_size;
	if (size > sizeof(rveth_link_util))
		size = sizeof(rveth_link_util);
	memcpy(rveth_link_util, veth, size);
	h->next = NULL;
	h->id = "rveth";
}
