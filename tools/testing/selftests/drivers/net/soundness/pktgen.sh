# SPDX-License-Identifier: GPL-2.0
# pktgen helpers (sourced): one device on kpktgend_0 of the current netns.

PG=/proc/net/pktgen

pg_load() { [[ -d $PG ]] || modprobe pktgen; [[ -d $PG ]]; }
# pg_attach DEV: DEV alone on thread 0.
pg_attach() {
	echo "rem_device_all" >$PG/kpktgend_0 &&
		echo "add_device $1" >$PG/kpktgend_0 && [[ -e $PG/$1 ]]
}
pg_detach() { echo "rem_device_all" >$PG/kpktgend_0 2>/dev/null; true; }
# pg_set DEV SETTING...: one pktgen command; its status is the write's.
pg_set() {
	local dev=$1
	shift
	echo "$*" >"$PG/$dev" 2>/dev/null
}
# pg_run DEV COUNT DST_IP DST_MAC [DELAY_NS]: COUNT 60-byte UDP frames (to
# port 9), one sk_buff each, DELAY_NS apart (default 0); prints pktgen's count
# of frames sent.
pg_run() {
	local dev=$1
	pg_set "$dev" "count $2" && pg_set "$dev" "pkt_size 60" &&
		pg_set "$dev" "delay ${5:-0}" && pg_set "$dev" "clone_skb 0" &&
		pg_set "$dev" "burst 1" && pg_set "$dev" "dst $3" &&
		pg_set "$dev" "dst_mac $4" || return 1
	echo start >$PG/pgctrl
	sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' "$PG/$dev"
}
# pg_no_sharing NAME DEV: pktgen refuses `burst 8` and `clone_skb 8` on DEV
# (its driver does not advertise IFF_TX_SKB_SHARING), one check.
pg_no_sharing() {
	local burst=ok clone=ok
	pg_set "$2" "burst 8" && burst=accepted
	pg_set "$2" "clone_skb 8" && clone=accepted
	ktap_eq "$1: pktgen refuses burst 8 and clone_skb 8 (no shared TX skbs)" \
		"burst:ok clone:ok" "burst:$burst clone:$clone"
}
