# SPDX-License-Identifier: GPL-2.0
#
# Shared by the netpath tests (sourced): where the netpath binary is, how
# to run it around a command and read its JSON report, and the sysfs
# counters the tests compare it with.
_np_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_np_dir/../lib/ktap.sh"
. "$_np_dir/../lib/netdev.sh"

# Built on the host by `make tools`; the guest sees the host's filesystem.
NETPATH=${NETPATH:-${RIGB_CACHE:-/root/.cache/rigb}/target/release/netpath}
# Reports are kept for a look after the run: in the results directory when
# run by check.sh (shared with the host), else under /tmp.
if [[ -n ${RIGB_OUT:-} && -d $RIGB_OUT ]]; then
	NP_TMP=$RIGB_OUT/netpath_reports
else
	NP_TMP=/tmp/netpath_reports
fi
mkdir -p "$NP_TMP"

# port_iface PCI: the port's interface name, once udev has renamed it. A
# freshly bound driver registers ethN and udev renames it (enp1s0) a moment
# later: a name read too early is gone by the time it is used.
port_iface() {
	local pci=$1 n="" prev="" i
	command -v udevadm >/dev/null && udevadm settle -t 10 >/dev/null 2>&1
	for ((i = 0; i < 20; i++)); do
		n=$(pci_iface "$pci")
		[[ -n $n && $n == "$prev" ]] && break
		prev=$n
		sleep 0.25
	done
	echo "$n"
}

# np_run OUT -i IF... -- CMD...: run `netpath --json run` and keep the whole
# stdout in OUT.txt (the command's own output comes first) and the report,
# its last line, in OUT.json. Returns netpath's exit code (the command's).
np_run() {
	local out=$1 rc
	shift
	"$NETPATH" --json run "$@" >"$out.txt" 2>"$out.err"
	rc=$?
	tail -n 1 "$out.txt" >"$out.json"
	return $rc
}

# np_q REPORT.json EXPR: evaluate a Python expression over the report and
# print it ("null" for None). In EXPR: r (the report), rx / tx (stages by
# id), and
#   val(c)                a count's value (None for n/a)
#   total(st)             val of the stage total
#   iface(st, IF)         the stage's per-interface value for IF
#   detail(st, LABEL)     a detail's value by label ("Icmp OutEchos")
#   qsum(st, IF)          sum of the per-queue values of IF (None: no queues)
np_q() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
rx = {s["id"]: s for s in r["rx_path"]}
tx = {s["id"]: s for s in r["tx_path"]}
def val(c):
    return c["value"]
def total(st):
    return st["total"]["value"]
def iface(st, name):
    v = [i["value"] for i in st["per_iface"] if i.get("iface") == name]
    return v[0] if v else None
def detail(st, label):
    v = [i["value"] for i in st["details"] if i["label"] == label]
    return v[0] if v else None
def qsum(st, name):
    v = [i["value"] for i in st["per_queue"] if i.get("iface") == name]
    return sum(x or 0 for x in v) if v else None
v = eval(sys.argv[2])
print("null" if v is None else v)
' "$1" "$2"
}

# np_valid REPORT.json: the report parses and is a netpath/1 delta report.
np_valid() {
	[[ $(np_q "$1" 'r["schema"] + " " + r["mode"]' 2>&1) == "netpath/1 delta" ]] || {
		echo "not a netpath/1 delta report:"
		head -c 400 "$1"
		return 1
	}
}

# ge NAME VALUE MIN / eq NAME EXPECTED VALUE / gt0 NAME VALUE: numeric checks
# that also fail on "null" (a stage netpath could not read).
is_num() { [[ $1 =~ ^[0-9]+$ ]]; }
check_ge() {
	if is_num "$2" && [[ $2 -ge $3 ]]; then
		ktap_ok "$1 ($2 >= $3)"
	else
		ktap_fail "$1: got '$2', want >= $3"
	fi
}
check_eq() {
	if is_num "$3" && [[ $2 -eq $3 ]]; then
		ktap_ok "$1 ($3)"
	else
		ktap_fail "$1: expected $2, got '$3'"
	fi
}
check_gt0() {
	if is_num "$2" && [[ $2 -gt 0 ]]; then
		ktap_ok "$1 ($2)"
	else
		ktap_fail "$1: got '$2', want > 0"
	fi
}
