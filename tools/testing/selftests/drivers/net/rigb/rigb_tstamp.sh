#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Software time stamps on rigb, and on C igb in the same boot: ethtool -T
# lists software transmit and receive time stamping; a UDP socket that asks
# for software TX time stamps (SO_TIMESTAMPING) gets exactly one per datagram
# on its error queue, each taken by the driver as it queued the packet (not
# before the send() call, not in the future); a receiving socket gets a
# software RX time stamp on every datagram. Also from ethtool: the firmware
# (NVM image) version rigb reports is the one C igb reports for the port.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

N=50
ktap_plan 10
dmesg_mark

# stamps MODE: MODE tx sends N datagrams from the root namespace to B and
# prints "<stamps on the error queue> <stamps within the send window>";
# MODE rx receives N datagrams in $PEER_NS and prints "<datagrams> <stamped>".
stamps() {
	python3 - "$1" "$N" "$ADDR_B" <<'EOF'
import select, socket, struct, sys, time
SO_TIMESTAMPING = 37
TX_SOFTWARE, RX_SOFTWARE, SOFTWARE = 1 << 1, 1 << 3, 1 << 4
mode, n, addr = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def stamp(anc):
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPING:
            sec, nsec = struct.unpack_from("qq", data)
            return sec + nsec / 1e9
    return None

if mode == "tx":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, TX_SOFTWARE | SOFTWARE)
    got = inside = 0
    for i in range(n):
        t0 = time.clock_gettime(time.CLOCK_REALTIME)
        s.sendto(b"stamp me %d" % i, (addr, 9))
        # The stamp is queued when the driver takes the packet: wait for it.
        select.select([], [], [s], 1.0)
        t1 = time.clock_gettime(time.CLOCK_REALTIME)
        try:
            _, anc, _, _ = s.recvmsg(256, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        t = stamp(anc)
        if t is not None:
            got += 1
            inside += t0 <= t <= t1
    time.sleep(0.2)
    while True:
        try:
            s.recvmsg(256, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
            got += 1
        except BlockingIOError:
            break
    print(got, inside)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, RX_SOFTWARE | SOFTWARE)
    s.bind((addr, 9))
    s.settimeout(10)
    print("ready", flush=True)
    got = stamped = 0
    try:
        while got < n:
            _, anc, _, _ = s.recvmsg(256, 512)
            got += 1
            stamped += stamp(anc) is not None
    except socket.timeout:
        pass
    print(got, stamped)
EOF
}

declare -A fw
for drv in rigb igb; do
	start_pair $drv $drv
	fw[$drv]=$($ETHTOOL -i "$a" | awk -F': ' '/^firmware-version/ {print $2}')
	caps=$($ETHTOOL -T "$a" | awk '/software-transmit|software-receive|software-system-clock/ {n++} END {print n + 0}')
	ktap_eq "$drv: ethtool -T lists software transmit, receive and system clock" 3 "$caps"
	out=$(mktemp)
	nsx $PEER_NS bash -c "$(declare -f stamps); N=$N ADDR_B=$ADDR_B stamps rx" >"$out" &
	rx=$!
	for ((i = 0; i < 50; i++)); do grep -q ready "$out" && break; sleep 0.1; done
	read -r got inside < <(stamps tx)
	wait $rx
	ktap_eq "$drv: $N datagrams sent: $N software TX stamps, each taken during its send" \
		"$N $N" "$got $inside"
	ktap_eq "$drv: $N datagrams received, each with a software RX stamp" "$N $N" "$(tail -n1 "$out")"
	rm -f "$out"
	teardown_pair
done

ktap_eq "ethtool -i: rigb's firmware-version is igb's ('${fw[igb]}')" "${fw[igb]}" "${fw[rigb]}"
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
