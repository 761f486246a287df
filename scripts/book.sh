#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make book [CH=N]: one VM boot runs the book lab's experiments
# (tools/book/, one per chapter of "Understanding Linux Networking"), prints
# the table and writes book/results.json and book/results.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ch=${1:-}
out=$RIGB_ROOT/book
mkdir -p "$out"
rm -f "$out/results.json" "$out/results.md"
info "book lab${ch:+: chapter $ch} (results in $out)"
rc=0
bash "$here/vm.sh" --out "$out" --timeout "${RIGB_BOOK_TIMEOUT:-1800}" \
	--cmd "bash $RIGB_ROOT/tools/book/guest.sh --out $out${ch:+ --ch $ch}" || rc=$?
[[ -f $out/results.json ]] || die "the guest wrote no results (exit $rc)"
if [[ -f $RIGB_ROOT/tools/book/plots.py ]] && /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
	/usr/bin/python3 "$RIGB_ROOT/tools/book/plots.py" "$out" || info "plots failed (results are kept)"
fi
echo
cat "$out/results.md"
exit $rc
