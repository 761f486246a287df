#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Source rules that the kernel's review would enforce, as TAP:
#  - drivers and samples call safe abstractions: no `bindings::`, no
#    `unsafe`, no unwrap()/expect() a device or user could reach;
#  - every unsafe block in rust/ carries a `// SAFETY:` comment;
#  - every source file starts with an SPDX line;
#  - rust/, drivers and samples are formatted by rustfmt with the kernel's
#    settings (its .rustfmt.toml: edition 2021, the defaults otherwise).
cd "$(dirname "$0")/../.." || exit 1
. tools/testing/selftests/lib/ktap.sh
ktap_plan 6

drv=$(git ls-files --cached --others --exclude-standard 'drivers/*.rs' 'samples/*.rs')
check_none() {
	local name=$1 pat=$2 hits
	hits=$(grep -nE "$pat" $drv /dev/null 2>/dev/null)
	if [[ -z $hits ]]; then
		ktap_ok "$name"
	else
		ktap_fail "$name"
		printf '%s\n' "$hits" | head -n 10 | sed 's/^/#   /'
	fi
}
check_none "no bindings:: in drivers/ and samples/" 'bindings::'
check_none "no unsafe in drivers/ and samples/" '(^|[^_[:alnum:]])unsafe[[:space:]]*(\{|fn|impl)'
check_none "no unwrap()/expect() in drivers/ and samples/" '\.unwrap\(\)|\.expect\('

rs=$(git ls-files --cached --others --exclude-standard 'rust/*.rs' 'drivers/*.rs' 'samples/*.rs')
# Upstream files carried in the overlay are checked too: they comply.
missing=$(awk '
	FNR == 1 { p1 = ""; p2 = ""; p3 = "" }
	/unsafe[[:space:]]*\{/ && $0 !~ /SAFETY/ && p1 !~ /SAFETY/ && p2 !~ /SAFETY/ && p3 !~ /SAFETY/ {
		# a multi-line SAFETY comment: look further up the comment block
		if (!(incomment && sawsafety)) printf "%s:%d\n", FILENAME, FNR
	}
	/^[[:space:]]*\/\// { if (!incomment) sawsafety = 0; incomment = 1; if ($0 ~ /SAFETY/) sawsafety = 1; p3 = p2; p2 = p1; p1 = $0; next }
	{ incomment = 0; p3 = p2; p2 = p1; p1 = $0 }' $rs /dev/null)
if [[ -z $missing ]]; then
	ktap_ok "every unsafe block has a SAFETY comment"
else
	ktap_fail "every unsafe block has a SAFETY comment"
	printf '%s\n' "$missing" | head -n 10 | sed 's/^/#   /'
fi

src=$(git ls-files --cached --others --exclude-standard '*.rs' '*.c' '*.h' '*.sh' 'Makefile' 'Kbuild' '*/Makefile' | grep -v '^tools/netpath/tests/fixtures/')
nospdx=$(for f in $src; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier' || echo "$f"; done)
if [[ -z $nospdx ]]; then
	ktap_ok "SPDX header on every source file"
else
	ktap_fail "SPDX header on every source file"
	printf '%s\n' "$nospdx" | head -n 10 | sed 's/^/#   /'
fi

if command -v rustfmt >/dev/null; then
	# skip_children: rust/'s module files name upstream files this overlay
	# does not carry.
	unformatted=$(rustfmt --check --edition 2021 --config newline_style=Unix --config skip_children=true $rs 2>&1 | awk '/^Diff in/ {print $3}' | cut -d: -f1 | sort -u)
	if [[ -z $unformatted ]]; then
		ktap_ok "rustfmt: rust/, drivers/ and samples/ formatted"
	else
		ktap_fail "rustfmt: rust/, drivers/ and samples/ formatted"
		printf '%s\n' "$unformatted" | head -n 10 | sed 's/^/#   not formatted: /'
	fi
else
	ktap_skip "rustfmt: rust/, drivers/ and samples/ formatted" "rustfmt not installed"
fi
ktap_finish
