#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# TX offloads of rigb: ethtool -k reports scatter-gather, TCP/UDP checksum
# insertion and TSO on; TCP transfers over IPv4 and IPv6 deliver the exact
# bytes (sha256 on both ends) and go through the device's TSO and checksum
# paths (driver counters) with no checksum error at the peer; UDP gets its
# checksum inserted and arrives, also with IPv4 and IPv6 datagrams alternating
# (each switch needs a new context descriptor; the driver leaves it out only
# while the device holds the same one); with
# `ethtool -K tx off sg off tso off` the same transfers still work and the
# offload counters stand still; switching them back on restores them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

ktap_plan 14
dmesg_mark
ktap_require socat "offload checks"
start_pair rigb rigb

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 24M /dev/urandom >"$tmp/data"

# feature NAME: "on" or "off" as ethtool -k shows it for A.
feature() { $ETHTOOL -k "$a" | awk -v f="$1:" '$1 == f {print $2; exit}'; }
features() { local f; for f in tx-scatter-gather tx-checksum-ip-generic \
	tx-tcp-segmentation tx-tcp6-segmentation; do printf '%s=%s ' "$f" "$(feature $f)"; done; }
# Checksum errors the peer's stack counted: TCP (IPv4 and IPv6), UDP, UDPv6.
csum_errors() {
	nsx $PEER_NS awk '/^Tcp:/ && ++t == 2 {s += $NF} /^Udp:/ && ++u == 2 {s += $8}
		END {print s + 0}' /proc/net/snmp
	nsx $PEER_NS awk '$1 == "Udp6InCsumErrors" {print $2 + 0}' /proc/net/snmp6
}
peer_csum_errors() { csum_errors | awk '{s += $1} END {print s + 0}'; }
# txsum NAME: sum over A's TX queues of ethtool -S tx_queue_N_NAME.
txsum() { $ETHTOOL -S "$a" | awk -v n="_$1:" '$1 ~ /^tx_queue_[0-9]+_/ && index($1, n) {s += $2} END {print s + 0}'; }

# send NAME ADDR: the 24 MiB file to B over TCP; ok if B's sha256 matches.
send() { send_file_check "$1: 24 MiB arrive intact (sha256)" "$tmp/data" "$2"; }

f=$(features)
ktap_diag "offloads: $f"
if [[ $f == *=off* || $f == *=\ * ]]; then
	ktap_fail "ethtool -k: scatter-gather, checksum and TSO offloads are on"
else
	ktap_ok "ethtool -k: scatter-gather, checksum and TSO offloads are on"
fi

tso0=$(txsum tso) cs0=$(txsum csum_offload) ce0=$(peer_csum_errors)
send "TCP over IPv4, offloads on" $ADDR_B
send "TCP over IPv6, offloads on" "[$ADDR6_B]"
tso1=$(txsum tso)
ktap_diag "TSO packets: +$((tso1 - tso0))"
if [[ $((tso1 - tso0)) -gt 100 ]]; then
	ktap_ok "the transfers used TSO ($((tso1 - tso0)) packets)"
else
	ktap_fail "the transfers used TSO (only $((tso1 - tso0)) packets)"
fi

# UDP: small datagrams with checksums inserted by the device; the peer's
# stack verifies them (a bad checksum would be dropped and counted).
err0=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $4 + $8}' /proc/net/snmp)
rx0=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $2}' /proc/net/snmp)
nsx $PEER_NS timeout 10 socat -u UDP-RECV:5301 /dev/null &
sleep 0.5
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    s.sendto(b"datagram %d" % i, (sys.argv[1], 5301))
    time.sleep(0.002)' $ADDR_B
sleep 1
cs1=$(txsum csum_offload)
err1=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $4 + $8}' /proc/net/snmp)
rx1=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $2}' /proc/net/snmp)
ktap_diag "checksum-offloaded packets: +$((cs1 - cs0)); peer UDP in: +$((rx1 - rx0)), errors: +$((err1 - err0))"
if [[ $((cs1 - cs0)) -ge 200 && $((rx1 - rx0)) -ge 190 && $err1 -eq $err0 ]]; then
	ktap_ok "UDP with device-inserted checksums is accepted by the peer"
else
	ktap_fail "UDP with device-inserted checksums is accepted by the peer"
fi
wait

# IPv4 and IPv6 datagrams alternating, of two sizes: the header layout changes
# at every packet, so every packet needs its own checksum context.
v4_0=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $2}' /proc/net/snmp)
v6_0=$(nsx $PEER_NS awk '$1 == "Udp6InDatagrams" {print $2}' /proc/net/snmp6)
cs0=$(txsum csum_offload)
nsx $PEER_NS timeout 10 socat -u UDP-RECV:5301 /dev/null &
nsx $PEER_NS timeout 10 socat -u UDP6-RECV:5302 /dev/null &
sleep 0.5
python3 -c 'import socket, sys, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(200):
    data = b"x" * (10 + 500 * (i % 3))
    if i % 2:
        s6.sendto(data, (sys.argv[2], 5302))
    else:
        s4.sendto(data, (sys.argv[1], 5301))
    time.sleep(0.002)' $ADDR_B $ADDR6_B
sleep 1
cs1=$(txsum csum_offload)
v4_1=$(nsx $PEER_NS awk '/^Udp:/ && ++n == 2 {print $2}' /proc/net/snmp)
v6_1=$(nsx $PEER_NS awk '$1 == "Udp6InDatagrams" {print $2}' /proc/net/snmp6)
ce1=$(peer_csum_errors)
ktap_diag "alternating: checksum-offloaded +$((cs1 - cs0)); peer UDP in +$((v4_1 - v4_0)), UDPv6 in +$((v6_1 - v6_0)); peer checksum errors (TCP, UDP, UDPv6) since the first transfer: +$((ce1 - ce0))"
if [[ $((cs1 - cs0)) -ge 200 && $((v4_1 - v4_0)) -ge 95 && $((v6_1 - v6_0)) -ge 95 ]]; then
	ktap_ok "IPv4 and IPv6 datagrams alternating arrive with device-inserted checksums"
else
	ktap_fail "IPv4 and IPv6 datagrams alternating arrive with device-inserted checksums"
fi
ktap_eq "no checksum error at the peer (TCP, UDP, UDPv6)" 0 $((ce1 - ce0))
wait

$ETHTOOL -K "$a" tx off sg off tso off >/dev/null 2>&1
f=$(features)
ktap_diag "after ethtool -K tx off sg off tso off: $f"
if [[ $f == *=on* ]]; then
	ktap_fail "ethtool -K tx off sg off tso off turns them off"
else
	ktap_ok "ethtool -K tx off sg off tso off turns them off"
fi
tso0=$(txsum tso) cs0=$(txsum csum_offload)
send "TCP over IPv4, offloads off" $ADDR_B
send "TCP over IPv6, offloads off" "[$ADDR6_B]"
tso1=$(txsum tso) cs1=$(txsum csum_offload)
ktap_eq "no TSO or checksum offload while off" "0 0" "$((tso1 - tso0)) $((cs1 - cs0))"

$ETHTOOL -K "$a" tx on sg on tso on >/dev/null 2>&1
tso0=$(txsum tso)
send "TCP over IPv4, offloads back on" $ADDR_B
tso1=$(txsum tso)
ktap_diag "after ethtool -K tx on sg on tso on: $(features); TSO packets +$((tso1 - tso0))"

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
