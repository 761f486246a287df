#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel: extract Debian's linux-source-6.12 once, lay the
# project's rust/ overlay over it (only files whose content changed are
# copied, so make rebuilds only what depends on them), configure it from
# kernel/rigb.config and build bzImage + in-tree modules with LLVM=1.
#
# The build directory is keyed by the kernel source version, the config
# fragment and this script; the overlay is applied incrementally inside it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | sort -V | tail -n1)
[[ -n $tarball ]] || die "linux-source-6.12 is not installed: run 'make deps' as root"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || basename "$tarball")
# Bump when the way the tree is configured or built changes.
RECIPE=1
key=$(printf '%s %s\n' "$srcver" "$RECIPE" | cat - "$RIGB_ROOT/kernel/rigb.config" | sha256sum | cut -c1-12)
# RIGB_KVARIANT=debug adds kernel/debug.config (KASAN, kmemleak, lockdep,
# fault injection) in its own build directory, from the same source tree.
fragments=("$RIGB_ROOT/kernel/rigb.config")
outkey=$key
if [[ -n ${RIGB_KVARIANT:-} ]]; then
	fragments+=("$RIGB_ROOT/kernel/$RIGB_KVARIANT.config")
	[[ -f ${fragments[1]} ]] || die "no config fragment for variant '$RIGB_KVARIANT'"
	outkey=$RIGB_KVARIANT-$(cat "${fragments[@]}" | printf '%s %s\n' "$key" "$(sha256sum)" | sha256sum | cut -c1-12)
fi

# A variant gets its own source tree too, so that its overlay and builds
# never race with the default build's.
KSRC=$RIGB_CACHE/linux-src-$key${RIGB_KVARIANT:+-$RIGB_KVARIANT}
KOUT=$RIGB_CACHE/linux-build-$outkey
mkdir -p "$KOUT"

if [[ ! -f $KSRC/.rigb-extracted ]]; then
	info "extracting $(basename "$tarball") into $KSRC"
	rm -rf "$KSRC" "$KSRC.tmp"
	mkdir -p "$KSRC.tmp"
	tar -C "$KSRC.tmp" --strip-components=1 -xf "$tarball"
	touch "$KSRC.tmp/.rigb-extracted"
	mv "$KSRC.tmp" "$KSRC"
fi

# Apply the overlay: copy a file only when its content differs, so that
# unchanged files keep their timestamps and make stays incremental. Files the
# overlay stops providing are restored from the pristine tarball.
apply_overlay() {
	local f rel manifest=$KOUT/.rigb-overlay-files new
	new=$(cd "$RIGB_ROOT" && { find rust -type f 2>/dev/null \( -name '*.rs' -o -name '*.c' -o -name '*.h' -o -name Makefile \) || true; } | sort)
	if [[ -f $manifest ]]; then
		while read -r rel; do
			[[ -z $rel ]] && continue
			if ! grep -qxF "$rel" <<<"$new"; then
				info "overlay: restoring $rel"
				if ! tar -C "$KSRC" --strip-components=1 -xf "$tarball" "linux-source-6.12/$rel" 2>/dev/null; then
					rm -f "$KSRC/$rel"
				fi
			fi
		done <"$manifest"
	fi
	for rel in $new; do
		f=$RIGB_ROOT/$rel
		if ! cmp -s "$f" "$KSRC/$rel"; then
			mkdir -p "$(dirname "$KSRC/$rel")"
			cp "$f" "$KSRC/$rel"
		fi
	done
	printf '%s\n' "$new" >"$manifest"
}
apply_overlay

export PATH=$LLVM_BIN:$PATH
KMAKE=(make -C "$KSRC" O="$KOUT" LLVM=1 RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CLIPPY_DRIVER=/usr/bin/clippy-driver BINDGEN="$CARGO_BIN/bindgen"
	RUSTFMT="$(command -v rustfmt || echo rustfmt)" -j"$(($(nproc) + 1))")

if [[ ! -f $KOUT/.config ]]; then
	info "configuring kernel in $KOUT"
	"${KMAKE[@]}" -s tinyconfig
	"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" "$KOUT/.config" "${fragments[@]}" >/dev/null
	"${KMAKE[@]}" -s olddefconfig
	# Every line of the fragment must have survived: a dropped Rust option
	# would otherwise show up much later as a confusing build failure.
	missing=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=[ym]' | while read -r l; do
		grep -qxF "$l" "$KOUT/.config" || echo "$l"
	done)
	if [[ -n $missing ]]; then
		rm -f "$KOUT/.config"
		die "config options not accepted by the kernel (missing dependency?): $(echo $missing)"
	fi
fi

cmd=${1:-build}
case $cmd in
build)
	info "building kernel (log: $KOUT/build.log)"
	start=$(date +%s)
	if ! "${KMAKE[@]}" bzImage modules >"$KOUT/build.log" 2>&1; then
		grep -m 40 -E 'error|Error' "$KOUT/build.log" >&2 || true
		die "kernel build failed, full log: $KOUT/build.log"
	fi
	info "kernel ready in $(($(date +%s) - start))s: $KOUT/arch/x86/boot/bzImage"
	;;
clippy)
	# The kernel crate (our rust/ overlay) is part of vmlinux: make it
	# recompile under clippy-driver by touching its root, then fail on any
	# warning. The normal build afterwards recompiles it once more.
	info "clippy on the kernel crate (log: $KOUT/clippy.log)"
	touch "$KSRC/rust/kernel/lib.rs"
	if ! "${KMAKE[@]}" CLIPPY=1 bzImage >"$KOUT/clippy.log" 2>&1; then
		grep -m 40 -E 'error|Error' "$KOUT/clippy.log" >&2 || true
		die "kernel build under clippy failed, full log: $KOUT/clippy.log"
	fi
	if grep -E '^(warning|error)' "$KOUT/clippy.log" >&2; then
		grep -B2 -A12 -E '^warning' "$KOUT/clippy.log" | head -200 >&2
		die "clippy warnings in the kernel crate (rust/), see $KOUT/clippy.log"
	fi
	info "kernel crate clippy-clean"
	;;
env)
	# For the Makefile: where things are.
	echo "KSRC=$KSRC"
	echo "KOUT=$KOUT"
	;;
*) die "usage: $0 [build|clippy|env]" ;;
esac
