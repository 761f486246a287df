# SPDX-License-Identifier: GPL-2.0
# Shared settings for the rigb scripts. Sourced, not run.

RIGB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RIGB_CACHE=${RIGB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rigb}
CARGO_BIN=$RIGB_CACHE/cargo/bin
LLVM_BIN=/usr/lib/llvm-19/bin
mkdir -p "$RIGB_CACHE"

info() { printf '[rigb] %s\n' "$*" >&2; }
die() {
	printf '[rigb] error: %s\n' "$*" >&2
	exit 1
}
need_root() {
	[[ $(id -u) -eq 0 ]] || die "run as root (apt-get installs packages): sudo make ${MAKE_TARGET:-vm}"
}

have_tools() {
	local t
	for t in /usr/bin/rustc "$LLVM_BIN/clang" "$LLVM_BIN/ld.lld" "$CARGO_BIN/bindgen" \
		/usr/bin/qemu-system-x86_64 "$RIGB_CACHE/venv/bin/vng"; do
		[[ -x $t ]] || return 1
	done
	ls /usr/src/linux-source-6.12*.tar.xz >/dev/null 2>&1
}
