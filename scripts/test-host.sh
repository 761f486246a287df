#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests: every cargo crate of the project (pure driver logic with
# #[path] includes, the path viewer, ...) and the project's own checks.
# Each test set writes <name>.tap/.rc into the result directory $1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
out=${1:-$RIGB_CACHE/results/host}
mkdir -p "$out"
rc_all=0

# cargo test output -> TAP: one line per test.
cargo_tap() {
	awk '
	/^test .* \.\.\. ok$/      { n++; sub(/^test /,""); sub(/ \.\.\. ok$/,""); print "ok " n " - " $0; next }
	/^test .* \.\.\. ignored/  { n++; sub(/^test /,""); sub(/ \.\.\. ignored.*$/,""); print "ok " n " - " $0 " # SKIP ignored"; next }
	/^test .* \.\.\. FAILED$/  { n++; sub(/^test /,""); sub(/ \.\.\. FAILED$/,""); print "not ok " n " - " $0; next }
	{ print "# " $0 }'
}

# One target directory per checkout: test binaries embed their checkout's path
# (CARGO_MANIFEST_DIR, for fixtures), and cargo does not rebuild them when the
# same sources sit at another path.
target=$RIGB_CACHE/target-host-$(printf '%s' "$RIGB_ROOT" | sha256sum | cut -c1-8)

while read -r manifest; do
	crate=$(basename "$(dirname "$manifest")")
	info "cargo test: ${manifest#"$RIGB_ROOT"/}"
	rc=0
	CARGO_TARGET_DIR=$target cargo test --manifest-path "$manifest" 2>&1 |
		cargo_tap >"$out/$crate.tap"
	rc=${PIPESTATUS[0]}
	echo "$rc" >"$out/$crate.rc"
	grep -E '^(not ok|ok)' "$out/$crate.tap" | grep -v '^ok' | head -n 20
	[[ $rc -eq 0 ]] || rc_all=1
done < <(cd "$RIGB_ROOT" && git ls-files --cached --others --exclude-standard '*Cargo.toml' | sed "s|^|$RIGB_ROOT/|" | sort)

for t in "$RIGB_ROOT"/scripts/checks/*.sh; do
	[[ -f $t ]] || continue
	name=$(basename "$t" .sh)
	bash "$t" >"$out/$name.tap" 2>&1
	echo $? >"$out/$name.rc"
done
exit $rc_all
