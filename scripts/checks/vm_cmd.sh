#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm CMD='...'` passes any command intact: make hands CMD to vm.sh
# through the environment ($RIGB_VM_CMD), never through a recipe's shell
# text. Checked on the host by reading RIGB_VM_CMD back from a recipe of the
# real Makefile, for commands with quotes, newlines, $ and backslashes.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0 failed=0
cases=(
	'echo "a b"'
	"echo 'single' \"double\" \`uname\`"
	$'echo one\necho two'
	'echo $HOME $(nproc) $$ ${x:-y}'
	'printf "%s\n" a\\b "c\"d"'
)
echo "TAP version 13"
echo "1..$((${#cases[@]} + 1))"
for c in "${cases[@]}"; do
	n=$((n + 1))
	got=$(make -s --no-print-directory -C "$root" -f Makefile -f - rigb-vm-cmd-probe CMD="$c" \
		<<<$'rigb-vm-cmd-probe:\n\t@printf %s "$$RIGB_VM_CMD"' 2>&1)
	if [[ $got == "$c" ]]; then
		echo "ok $n - make vm CMD= keeps: ${c//$'\n'/\\n}"
	else
		echo "not ok $n - make vm CMD= changed '${c//$'\n'/\\n}' into '${got//$'\n'/\\n}'"
		failed=1
	fi
done
n=$((n + 1))
# The vm recipe itself must not paste CMD's text into the shell line.
if sed -n '/^vm:/,/^$/p' "$root/Makefile" | grep -q '\$(CMD)'; then
	echo "not ok $n - the vm recipe does not expand \$(CMD) into its shell text"
	failed=1
else
	echo "ok $n - the vm recipe does not expand \$(CMD) into its shell text"
fi
exit $failed
