#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rust_loopback (samples/rust/rust_loopback.ko): rlo%d devices that receive
# what they transmit, through netif_rx and the NET_RX softirq.
#  - raw frames sent with a packet socket come back: in = out, and the
#    device counters and the ethtool -S stage counters (xmit, looped_back)
#    match the frames sent exactly, and every transmit lands in one stage;
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

ktap_plan 25
dmesg_mark

cleanup() {
	$IP rule del pref 100 2>/dev/null
	$IP rule del pref 1000 lookup local 2>/dev/null
	if [[ ${POLICY:-0} == 1 ]]; then $IP rule show 2>/dev/null | grep -q "^0:.*lookup local" || $IP rule add pref 0 lookup local 2>/dev/null; fi
	$IP route flush table $TABLE 2>/dev/null
	[[ -n ${BG:-} ]] && kill "$BG" 2>/dev/null
	mod_loaded rust_loopback && rmmod rust_loopback 2>/dev/null
	true
}
trap cleanup EXIT

mod_loaded rust_loopback && rmmod rust_loopback

# The numdevs module parameter: declared in modinfo, honoured, bounded.
ktap_check "modinfo lists the numdevs parameter (uint)" \
	bash -c "modinfo -F parm '$MODDIR/rust_loopback.ko' | grep -q '^numdevs:.*(uint)'"
insmod "$MODDIR/rust_loopback.ko" numdevs=3
ktap_eq "numdevs=3 creates rlo0..rlo2, read back in sysfs" "rlo0 rlo1 rlo2 3" \
	"$(ls /sys/class/net | grep '^rlo' | sort | xargs) $(cat /sys/module/rust_loopback/parameters/numdevs 2>/dev/null)"
mod_loaded rust_loopback && rmmod rust_loopback
ktap_check "numdevs=17 is refused (EINVAL), nothing left behind" \
	bash -c "! insmod '$MODDIR/rust_loopback.ko' numdevs=17 && ! test -d /sys/module/rust_loopback && ! ls /sys/class/net | grep -q '^rlo'"

ktap_check "insmod rust_loopback (default numdevs=2)" insmod "$MODDIR/rust_loopback.ko"
ktap_eq "rlo0 and rlo1 exist, no rlo2" "rlo0 rlo1" "$(ls /sys/class/net | grep '^rlo' | sort | xargs)"

# IFF_NOARP = 0x80 (not IFF_LOOPBACK: that one is reserved to lo), and the
# loopback feature.
ktap_eq "rlo0 flags: NOARP only" "0x80" "$(cat /sys/class/net/rlo0/flags 2>/dev/null)"
ktap_check "rlo0 has the loopback feature" bash -c "ethtool -k rlo0 | grep -q '^loopback: on'"

# More devices through rtnetlink (link kind rlo); one is left for the unload.
ktap_check "ip link add rlo9 type rlo" $IP link add rlo9 type rlo
ktap_eq "rlo9 is set up like rlo0 (flags, mtu)" "0x80 65536" \
	"$(cat /sys/class/net/rlo9/flags 2>/dev/null) $(cat /sys/class/net/rlo9/mtu 2>/dev/null)"
$IP link add rlo8 type rlo
$IP link del rlo9
ktap_check "ip link del rlo9" bash -c '! test -d /sys/class/net/rlo9'

sysctl -qw net.ipv6.conf.rlo0.disable_ipv6=1
$IP link set rlo0 up
ktap_eq "rlo0 is up with carrier" "1" "$(cat /sys/class/net/rlo0/carrier 2>/dev/null)"

# Raw frames: send N frames of an experimental EtherType on rlo0 and count,
# on a packet socket bound to rlo0, the outgoing copies and the frames that
# came back in.
ktap_eq "ethtool -i: driver rust_loopback (rlo0, and rlo8 made with ip link)" "driver: rust_loopback driver: rust_loopback" \
	"$(ethtool -i rlo0 | head -1) $(ethtool -i rlo8 | head -1)"
tx0=$(stat rlo0 tx_packets) rx0=$(stat rlo0 rx_packets)
ex0=$(est rlo0 xmit) el0=$(est rlo0 looped_back)
out=$(python3 - "$N" <<'PY' 2>&1
import socket, sys, time
n = int(sys.argv[1])
ETH_P = 0x88B5
ETH_P_ALL = 0x0003
# An ETH_P_ALL tap sees the outgoing copies (dev_queue_xmit_nit) and the frames
# received; a second socket sends (a tap skips its own outgoing frames).
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)   # SO_RCVBUFFORCE: room for 2N frames
s.bind(("rlo0", ETH_P_ALL))
s.settimeout(2.0)
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
tx.bind(("rlo0", ETH_P))
dst = b"\x00" * 6   # rlo0's address: received as PACKET_HOST
src = b"\x02\x00\x00\x00\x00\x01"
for i in range(n):
    tx.send(dst + src + ETH_P.to_bytes(2, "big") + b"rlo-test" + i.to_bytes(4, "big") + b"\0" * 46)
seen_in, seen_out = set(), set()
try:
    while len(seen_in) < n or len(seen_out) < n:
        data, addr = s.recvfrom(2048)
        if data[12:14] != b"\x88\xb5" or data[14:22] != b"rlo-test":
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
ktap_eq "ethtool -S: xmit and looped_back grew by $N" "$N $N" "$(($(est rlo0 xmit) - ex0)) $(($(est rlo0 looped_back) - el0))"

# Every transmit call ends in exactly one stage: none was dropped here, and
# the ethtool view (get_ethtool_stats) agrees with the device counters
# (ndo_get_stats64: looped = tx_packets, drops = rx_dropped).
x=$(est rlo0 xmit) l=$(est rlo0 looped_back) h=$(est rlo0 dropped_bad_header) f=$(est rlo0 dropped_backlog_full)
txp=$(stat rlo0 tx_packets) rxd=$(stat rlo0 rx_dropped)
if [[ $x -ge $N && $h -eq 0 && $f -eq 0 && $l -eq $txp && $x -eq $((txp + rxd)) ]]; then
	ktap_ok "ethtool -S: xmit $x = looped_back = tx_packets, no drops"
else
	ktap_fail "ethtool -S: xmit $x looped_back $l dropped_bad_header $h dropped_backlog_full $f; tx_packets $txp rx_dropped $rxd"
fi

# TCP through rlo0. Locally generated traffic to local addresses normally
# goes through lo: move the local table behind a rule that sends traffic
# from this host to 10.77.0.0/24 out of rlo0; on the way in (iif rlo0) the
# local table delivers it.
$IP addr add $A/32 dev rlo0
$IP addr add $B/32 dev rlo0
sysctl -qw net.ipv4.conf.rlo0.accept_local=1 net.ipv4.conf.rlo0.rp_filter=0 net.ipv4.conf.all.rp_filter=0
$IP route add 10.77.0.0/24 dev rlo0 src $A table $TABLE
POLICY=0
if $IP rule add pref 1000 lookup local 2>/dev/null; then
	POLICY=1
	$IP rule del pref 0 lookup local
	$IP rule add pref 100 iif lo to 10.77.0.0/24 lookup $TABLE
fi
if [[ $POLICY == 0 ]]; then
	for c in "route to $B goes out of rlo0" "TCP: $TCP_BYTES bytes $A -> $B intact" \
		"rlo0 carried the TCP data" "rlo0: bytes in = bytes out" "rlo0: packets in = packets out"; do
		ktap_skip "$c" "kernel without CONFIG_IP_MULTIPLE_TABLES (no policy routing)"
	done
else
	ktap_check "route to $B goes out of rlo0" bash -c "$IP route get $B | grep -q 'dev rlo0'"
	tx0=$(stat rlo0 tx_bytes) rx0=$(stat rlo0 rx_bytes)
	txp0=$(stat rlo0 tx_packets) rxp0=$(stat rlo0 rx_packets)
	out=$(timeout 120 python3 "$RS_DIR/tcp_xfer.py" $A $B "$TCP_BYTES" 2>&1)
	ktap_eq "TCP: $TCP_BYTES bytes $A -> $B intact" "ok" "$out"
	tx1=$(stat rlo0 tx_bytes) rx1=$(stat rlo0 rx_bytes)
	txp1=$(stat rlo0 tx_packets) rxp1=$(stat rlo0 rx_packets)
	if ((tx1 - tx0 >= TCP_BYTES)); then
		ktap_ok "rlo0 carried the TCP data ($((tx1 - tx0)) bytes)"
	else
		ktap_fail "rlo0 carried the TCP data: only $((tx1 - tx0)) bytes counted"
	fi
	ktap_eq "rlo0: bytes in = bytes out" "$((tx1 - tx0))" "$((rx1 - rx0))"
	ktap_eq "rlo0: packets in = packets out" "$((txp1 - txp0))" "$((rxp1 - rxp0))"
fi

# Unload while traffic flows (rlo8, added with ip link, is still there): a raw-frame flood on rlo0 and, with policy
# routing, a TCP stream through it.
python3 - <<'PY' >/dev/null 2>&1 &
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("rlo0", 0x88B5))
f = b"\0" * 6 + b"\x02\0\0\0\0\1" + b"\x88\xb5" + b"\0" * 100
try:
    while True:
        s.send(f)
except OSError:
    pass
PY
BG=$!
if [[ $POLICY == 1 ]]; then
	timeout 30 python3 "$RS_DIR/tcp_xfer.py" $A $B $((1 << 40)) >/dev/null 2>&1 &
fi
sleep 2
ktap_check "rmmod rust_loopback with traffic flowing" timeout 60 rmmod rust_loopback
ktap_check "rlo devices are gone" bash -c '! ls /sys/class/net | grep -q "^rlo"'
wait "$BG" 2>/dev/null
BG=""
wait 2>/dev/null
cleanup
trap - EXIT
if [[ $POLICY == 1 ]]; then
	ktap_check "policy routing restored" bash -c "$IP rule show | grep -q '^0:.*lookup local'"
else
	ktap_skip "policy routing restored" "no policy routing"
fi
dmesg_clean_since "dmesg clean"
ktap_finish
