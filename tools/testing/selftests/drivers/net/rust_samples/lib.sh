# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the rust_samples tests (sourced).

RS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIGB_ROOT=${RIGB_ROOT:-$(cd "$RS_DIR/../../../../../.." && pwd)}
. "$RS_DIR/../../../lib/ktap.sh"
IP=/usr/sbin/ip
MODDIR=$RIGB_ROOT/samples/rust

# stat DEV COUNTER [NETNS]: one counter of /sys/class/net/DEV/statistics.
stat() {
	if [[ -n ${3:-} ]]; then
		$IP netns exec "$3" cat "/sys/class/net/$1/statistics/$2"
	else
		cat "/sys/class/net/$1/statistics/$2"
	fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local t=$(($1 * 10))
	shift
	while ((t-- > 0)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# Loaded as a module named $1?
mod_loaded() { grep -q "^$1 " /proc/modules; }

# est DEV NAME [NETNS]: one `ethtool -S` counter of DEV ("missing" if absent).
est() {
	local out
	if [[ -n ${3:-} ]]; then
		out=$($IP netns exec "$3" /usr/sbin/ethtool -S "$1" 2>/dev/null)
	else
		out=$(/usr/sbin/ethtool -S "$1" 2>/dev/null)
	fi
	awk -v k="$2" '$1 == k ":" {print $2; f = 1} END {if (!f) print "missing"}' <<<"$out"
}
