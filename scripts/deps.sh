#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build, the VM and the tests need, by package name only:
# Debian packages through apt (bookworm + bookworm-backports), bindgen-cli
# through cargo, virtme-ng through pip. Idempotent: a stamp keyed by this
# file's content skips the work when nothing changed and all tools exist.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

APT_PKGS=(
	# kernel build
	linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
	cpio kmod xz-utils rsync python3
	# Rust for the kernel: Debian's rustc-web has the rust-src the kernel needs
	rustc-web rust-web-src rust-web-clippy
	clang-19 lld-19 llvm-19 libclang-19-dev
	# VM
	qemu-system-x86 busybox-static
	# guest userspace (virtme-ng shares the host's root filesystem)
	udev iproute2 ethtool iperf3 iputils-ping procps psmisc kmod socat netcat-openbsd
	python3-pip python3-venv python3-yaml
	# the book lab (make book): nft for NAT and dropped packets, conntrack,
	# matplotlib for its SVG plots (ss is iproute2's)
	nftables conntrack python3-matplotlib
	# PTP hardware clocks (phc_ctl)
	linuxptp
	# XDP: libbpf (headers for the test programs, the loader's library),
	# xdp-tools (xdp-loader, xdp-bench, xdpdump) and bpftool
	libbpf-dev xdp-tools bpftool
)
BINDGEN_VERSION=0.71.1
VNG_VERSION=1.42

stamp="$RIGB_CACHE/deps.stamp"
key=$(sha256sum "$0" | cut -c1-16)
if [[ -f $stamp && $(cat "$stamp") == "$key" ]] && have_tools; then
	exit 0
fi

# bookworm-backports has linux-source-6.12, clang-19 and QEMU with igb.
# Use the URI the machine's own Debian sources already use.
add_backports() {
	local suite uri list=/etc/apt/sources.list.d/rigb-backports.sources
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")-backports
	if grep -rqs "$suite" /etc/apt/sources.list /etc/apt/sources.list.d/ \
		--include='*.list' --include='*.sources' 2>/dev/null; then
		return 0
	fi
	uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{print $2}' | grep -E '/debian/?$' | head -n1)
	if [[ -z $uri ]]; then
		uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '{for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' |
			grep -E '/debian/?$' | head -n1)
	fi
	[[ -n $uri ]] || die "cannot find a Debian mirror in the apt sources to add $suite"
	info "adding $suite from $uri"
	cat >"$list" <<EOT
Types: deb
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
}

need_root
add_backports
info "apt-get update"
apt-get update -qq || die "apt-get update failed: check the machine's apt sources"
bpo=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")-backports
info "installing Debian packages"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	-t "$bpo" "${APT_PKGS[@]}" >/dev/null ||
	die "apt-get install failed for one of: ${APT_PKGS[*]}"

if ! "$CARGO_BIN/bindgen" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	info "installing bindgen-cli $BINDGEN_VERSION (cargo)"
	cargo install --locked --quiet --root "$RIGB_CACHE/cargo" "bindgen-cli@$BINDGEN_VERSION" ||
		die "cargo install bindgen-cli failed"
fi

if ! "$RIGB_CACHE/venv/bin/vng" --version 2>/dev/null | grep -q "$VNG_VERSION"; then
	info "installing virtme-ng $VNG_VERSION (pip)"
	python3 -m venv "$RIGB_CACHE/venv"
	"$RIGB_CACHE/venv/bin/pip" install -q "virtme-ng==$VNG_VERSION" ||
		die "pip install virtme-ng failed"
fi

have_tools || die "tools still missing after install"
echo "$key" >"$stamp"
info "dependencies ready"
