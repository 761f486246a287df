#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Exact instruction counts per packet, rigb vs igb (or rust_loopback vs lo),
# in the UDP flood of `make bench` (or a TCP stream, or per TCP request/response
# transaction), function by function:
# where the Rust driver spends more (or less) than the C one. One VM boot with QEMU's instruction clock and the
# insn_count.c TCG plugin; the report goes to OUT/report.md (default
# bench/insn/). A developer tool, not a test. It builds the modules first
# (scripts/modules.sh): a module left by `make clippy` is built by
# clippy-driver, without rustc's MIR optimisations, and counts some tens of
# instructions per packet more.
#   tools/bench/insn/run.sh [OUT] [SECONDS] [nic|tcp|rr|lo]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
. "$root/scripts/lib.sh"
out=$(mkdir -p "${1:-$root/bench/insn}" && cd "${1:-$root/bench/insn}" && pwd)
secs=${2:-4}
bash "$root/scripts/modules.sh" >/dev/null
rm -f "$out"/blocks.*.txt "$out"/ack* "$out"/kallsyms.*
gcc -O2 -Wall -shared -fPIC -fvisibility=hidden -o "$out/insn_count.so" "$here/insn_count.c"
export RIGB_QEMU_OPTS="-icount shift=0,sleep=off -plugin $out/insn_count.so,out=$out/blocks"
# Each marker the guest prints becomes a dump of the counts (SIGUSR2 to QEMU),
# then an acknowledgement file the guest waits for.
bash "$root/scripts/vm.sh" --no-rigb --out "$out" --timeout 1800 \
	--cmd "bash $root/tools/bench/insn/guest.sh $secs ${3:-nic}" |
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		*INSN-MARK*)
			n=${line##*INSN-MARK }
			n=${n%%[!0-9]*}
			pid=$(pgrep -f "^[^ ]*qemu-system[^ ]* .*$out/insn_count.so" | head -n1)
			[[ -n $pid ]] && kill -USR2 "$pid"
			sleep 0.5
			touch "$out/ack$n"
			;;
		esac
	done | tee "$out/console.txt"
python3 "$here/report.py" "$out" "${3:-nic}" | tee "$out/report.md"
