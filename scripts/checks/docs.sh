#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The documentation names only things that exist: every ``literal`` in
# Documentation/**/*.rst and README.md that looks like a project path must be
# a file or directory of the checkout, and every ``name()`` must be defined
# as a Rust fn, a shell function or a Python def somewhere in the tree.
cd "$(dirname "$0")/../.." || exit 1
. tools/testing/selftests/lib/ktap.sh

docs=$(git ls-files --cached --others --exclude-standard 'Documentation/*.rst' README.md)
ktap_plan $(($(wc -w <<<"$docs") * 2))
src=$(git ls-files --cached --others --exclude-standard '*.rs' '*.sh' '*.py' '*.c' | grep -v '/fixtures/')

for doc in $docs; do
	bad=""
	# Path-like literals: relative, with a slash, made of path characters.
	while read -r lit; do
		p=${lit%%:*}
		case $p in
		/* | ~* | *'$'* | *'<'* | *'*'* | http* | *' '*) continue ;;
		esac
		[[ $p == */* ]] || continue
		[[ -e $p || -e ${p%/} ]] && continue
		# Paths inside the kernel tree (e.g. rust/kernel/net/phy.rs upstream)
		# are allowed when they say so: a leading "linux:" marker.
		bad+=" $p"
	done < <(grep -oE '``[^`]+``' "$doc" | sed 's/``//g')
	if [[ -z $bad ]]; then
		ktap_ok "$doc: every path it names exists"
	else
		ktap_fail "$doc: paths that do not exist:$bad"
	fi
	bad=""
	while read -r fn; do
		name=${fn%()}
		name=${name##*::}
		name=${name##*.}
		grep -qE "(fn|def) +$name\b|^$name\(\)|^function +$name\b" $src 2>/dev/null || bad+=" $fn"
	done < <(grep -oE '``[A-Za-z_][A-Za-z0-9_:.]*\(\)``' "$doc" | sed 's/``//g' | sort -u)
	if [[ -z $bad ]]; then
		ktap_ok "$doc: every function it names exists"
	else
		ktap_fail "$doc: functions that do not exist:$bad"
	fi
done
ktap_finish
