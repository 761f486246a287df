#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rust_loopback (samples/rust/rust_loopback.ko): rlo%d devices that receive
# what they transmit, through netif_rx and the NET_RX softirq.
#  - raw frames sent with a packet socket come back: in = out, and the
#    device counters match the frames sent exactly;
#  - TCP moves data through rlo0 (policy routing sends traffic between two
#    local addresses out of rlo0 instead of lo) and the counters see it;
#  - the module unloads while TCP traffic is flowing through it;
#  - no WARN/BUG/oops in dmesg.
. "$(dirname "$0")/lib.sh"

N=500
TCP_BYTES=$((16 * 1024 * 1024))
A=10.77.0.1
B=10.77.0.2
TABLE=177

ktap_plan 15
dmesg_mark

cleanup() {
	$IP rule del pref 100 2>/dev/null
	$IP rule del pref 1000 lookup local 2>/dev/null
	$IP rule show | grep -q "^0:.*lookup local" || $IP rule add pref 0 lookup local 2>/dev/null
	$IP route flush table $TABLE 2>/dev/null
	[[ -n ${BG:-} ]] && kill "$BG" 2>/dev/null
	mod_loaded rust_loopback && rmmod rust_loopback 2>/dev/null
	true
}
trap cleanup EXIT

mod_loaded rust_loopback && rmmod rust_loopback
ktap_check "insmod rust_loopback" insmod "$MODDIR/rust_loopback.ko"
ktap_check "rlo0 and rlo1 exist" test -d /sys/class/net/rlo0 -a -d /sys/class/net/rlo1

flags=$(cat /sys/class/net/rlo0/flags 2>/dev/null)
type=$(cat /sys/class/net/rlo0/type 2>/dev/null)
# IFF_LOOPBACK = 0x8, ARPHRD_LOOPBACK = 772
ktap_eq "rlo0 is a loopback device (flags, type)" "0x8 772" "$flags $type"

sysctl -qw net.ipv6.conf.rlo0.disable_ipv6=1
$IP link set rlo0 up
ktap_eq "rlo0 is up with carrier" "1" "$(cat /sys/class/net/rlo0/carrier 2>/dev/null)"

# Raw frames: send N frames of an experimental EtherType on rlo0 and count,
# on a packet socket bound to rlo0, the outgoing copies and the frames that
# came back in.
tx0=$(stat rlo0 tx_packets) rx0=$(stat rlo0 rx_packets)
out=$(python3 - "$N" <<'PY' 2>&1
import socket, sys, time
n = int(sys.argv[1])
ETH_P = 0x88B5
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P))
s.bind(("rlo0", ETH_P))
s.settimeout(2.0)
dst = b"\x00" * 6   # rlo0's address: received as PACKET_HOST
src = b"\x02\x00\x00\x00\x00\x01"
for i in range(n):
    s.send(dst + src + ETH_P.to_bytes(2, "big") + b"rlo-test" + i.to_bytes(4, "big") + b"\0" * 46)
seen_in, seen_out = set(), set()
try:
    while len(seen_in) < n or len(seen_out) < n:
        data, addr = s.recvfrom(2048)
        if data[14:22] != b"rlo-test":
            continue
        i = int.from_bytes(data[22:26], "big")
        (seen_out if addr[2] == socket.PACKET_OUTGOING else seen_in).add(i)
except socket.timeout:
    pass
print(len(seen_out), len(seen_in))
PY
)
ktap_eq "packet socket: $N frames out, $N back in" "$N $N" "$out"
tx1=$(stat rlo0 tx_packets) rx1=$(stat rlo0 rx_packets)
ktap_eq "counters: tx_packets and rx_packets grew by $N" "$N $N" "$((tx1 - tx0)) $((rx1 - rx0))"

# TCP through rlo0. Locally generated traffic to local addresses normally
# goes through lo: move the local table behind a rule that sends traffic
# from this host to 10.77.0.0/24 out of rlo0; on the way in (iif rlo0) the
# local table delivers it.
$IP addr add $A/32 dev rlo0
$IP addr add $B/32 dev rlo0
sysctl -qw net.ipv4.conf.rlo0.accept_local=1 net.ipv4.conf.rlo0.rp_filter=0 net.ipv4.conf.all.rp_filter=0
$IP route add 10.77.0.0/24 dev rlo0 src $A table $TABLE
$IP rule add pref 1000 lookup local
$IP rule del pref 0 lookup local
$IP rule add pref 100 iif lo to 10.77.0.0/24 lookup $TABLE
ktap_check "route to $B goes out of rlo0" bash -c "$IP route get $B | grep -q 'dev rlo0'"

tx0=$(stat rlo0 tx_bytes) rx0=$(stat rlo0 rx_bytes)
txp0=$(stat rlo0 tx_packets)
out=$(timeout 120 python3 - $A $B "$TCP_BYTES" <<'PY' 2>&1
import hashlib, socket, sys, threading
a, b, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((b, 0))
srv.listen(1)
port = srv.getsockname()[1]
res = {}
def serve():
    c, _ = srv.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    res["n"], res["h"] = n, h.hexdigest()
t = threading.Thread(target=serve)
t.start()
cl = socket.socket()
cl.bind((a, 0))
cl.connect((b, port))
block = bytes(range(256)) * 256
h, sent = hashlib.sha256(), 0
while sent < total:
    cl.sendall(block)
    h.update(block)
    sent += len(block)
cl.close()
t.join(60)
print("ok" if res.get("n") == sent and res.get("h") == h.hexdigest() else "mismatch %r" % res.get("n"))
PY
)
ktap_eq "TCP: $TCP_BYTES bytes $A -> $B intact" "ok" "$out"
tx1=$(stat rlo0 tx_bytes) rx1=$(stat rlo0 rx_bytes)
txp1=$(stat rlo0 tx_packets) rxp1=$(stat rlo0 rx_packets)
if ((tx1 - tx0 >= TCP_BYTES)); then
	ktap_ok "rlo0 carried the TCP data ($((tx1 - tx0)) bytes)"
else
	ktap_fail "rlo0 carried the TCP data: only $((tx1 - tx0)) bytes counted"
fi
ktap_eq "rlo0: bytes in = bytes out" "$((tx1 - tx0))" "$((rx1 - rx0))"
ktap_eq "rlo0: packets in = packets out" "$txp1" "$rxp1"

# Unload while traffic flows (ping flood and a TCP stream through rlo0).
ping -q -f -w 20 -I $A $B >/dev/null 2>&1 &
BG=$!
timeout 20 python3 - $A $B <<'PY' >/dev/null 2>&1 &
import socket, sys
srv = socket.socket(); srv.bind((sys.argv[2], 5201)); srv.listen(1)
cl = socket.socket(); cl.bind((sys.argv[1], 0)); cl.connect((sys.argv[2], 5201))
c, _ = srv.accept()
import threading
threading.Thread(target=lambda: [c.recv(65536) for _ in iter(int, 1)], daemon=True).start()
while True:
    cl.sendall(b"x" * 65536)
PY
sleep 2
ktap_check "rmmod rust_loopback with traffic flowing" timeout 60 rmmod rust_loopback
ktap_check "rlo devices are gone" bash -c '! ls /sys/class/net | grep -q "^rlo"'
wait "$BG" 2>/dev/null
BG=""
wait 2>/dev/null
cleanup
trap - EXIT
ktap_check "policy routing restored" bash -c "$IP rule show | grep -q '^0:.*lookup local'"
dmesg_clean_since "dmesg clean"
ktap_finish
