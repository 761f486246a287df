// SPDX-License-Identifier: GPL-2.0
/*
 * TCG plugin for QEMU (measurement only): exact execution counts of every
 * guest kernel translation block, written out and reset on SIGUSR2.
 *
 * With "-icount shift=0,sleep=off" the guest's rates depend only on the
 * instructions it executes; this plugin says which instructions those are:
 * for each translation block at a kernel address, how often it ran and the
 * offsets of its instructions. report.py maps them to functions with the
 * guest's /proc/kallsyms. Unlike sampling, the counts are exact, so two
 * drivers can be compared function by function, per packet.
 *
 * Only the plugin API entry points it uses are declared here (the API is
 * stable across versions since its minimum version 2: QEMU 8.x-10.x).
 *
 *   qemu-system-x86_64 ... -plugin insn_count.so,out=/tmp/bb
 *   kill -USR2 <qemu pid>   # writes /tmp/bb.N.txt (N = 0, 1, ...), resets
 *
 * Line format: "<tb address hex> <executions> <insn offset hex>...".
 */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct {
	const char *target_name;
	struct {
		int min, cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*vcpu_udata_cb_t)(unsigned int, void *);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, vcpu_udata_cb_t,
					  int flags, void *);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);

__attribute__((visibility("default"))) int qemu_plugin_version = 2;

/*
 * One entry per (address, length): icount mode retranslates blocks with
 * fewer instructions at the same address when a timer is due mid-block.
 */
struct block {
	uint64_t addr;
	uint64_t count;
	uint32_t n;
	uint32_t *off;
};

#define TABLE_SIZE (1u << 21)
static struct block *table;
static volatile sig_atomic_t dump_requested;
static int dumps;
static const char *prefix = "/tmp/insn";

static struct block *lookup(uint64_t addr, uint32_t n)
{
	uint64_t h = ((addr ^ ((uint64_t)n << 40)) * 0x9E3779B97F4A7C15ull) >> 43;

	for (;; h++) {
		struct block *b = &table[h & (TABLE_SIZE - 1)];

		if ((b->addr == addr && b->n == n) || !b->addr)
			return b;
	}
}

static void dump(void)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%d.txt", prefix, dumps++);
	f = fopen(path, "w");
	for (uint32_t i = 0; i < TABLE_SIZE; i++) {
		struct block *b = &table[i];

		if (!b->addr || !b->count)
			continue;
		if (f) {
			fprintf(f, "%llx %llu", (unsigned long long)b->addr,
				(unsigned long long)b->count);
			for (uint32_t k = 0; k < b->n; k++)
				fprintf(f, " %x", b->off[k]);
			fputc('\n', f);
		}
		b->count = 0;
	}
	if (f)
		fclose(f);
}

/* With icount, one thread runs all vCPUs: no concurrent updates. */
static void on_exec(unsigned int vcpu, void *udata)
{
	if (dump_requested) {
		dump_requested = 0;
		dump();
	}
	((struct block *)udata)->count++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t addr = qemu_plugin_tb_vaddr(tb);
	uint32_t n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	/* Kernel text only (x86-64: the top half of the address space). */
	if (!(addr >> 63))
		return;
	b = lookup(addr, n);
	if (!b->addr) {
		b->off = malloc(n * sizeof(*b->off));
		if (!b->off)
			return;
		for (uint32_t k = 0; k < n; k++)
			b->off[k] = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, k)) - addr;
		b->n = n;
		b->addr = addr;
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, 0, b);
}

static void on_sigusr2(int sig)
{
	dump_requested = 1;
}

__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			prefix = argv[i] + 4;
	table = calloc(TABLE_SIZE, sizeof(*table));
	if (!table)
		return -1;
	signal(SIGUSR2, on_sigusr2);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
