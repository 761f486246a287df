#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's modules (rigb.ko, rust_veth.ko, rust_loopback.ko) as
# external modules against the kernel built by kernel.sh. Extra arguments are
# passed to make (e.g. CLIPPY=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
eval "$("$here/kernel.sh" env)"
[[ -f $KOUT/Module.symvers ]] || die "kernel not built yet: run 'make kernel'"
export PATH=$LLVM_BIN:$PATH
info "building modules"
make -C "$KSRC" O="$KOUT" M="$RIGB_ROOT" LLVM=1 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CLIPPY_DRIVER=/usr/bin/clippy-driver \
	BINDGEN="$CARGO_BIN/bindgen" -j"$(($(nproc) + 1))" "$@" modules ||
	die "module build failed"
