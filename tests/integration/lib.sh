# lib.sh - sourced by the integration scripts (tests/integration/test_*.sh):
# paths, a temp dir and network namespaces that are removed on EXIT, the
# background processes a script records killed on EXIT, fail, bounded waits.
#   . "$(dirname "$0")/lib.sh"
#   netns_add "$R" "$A"          # created now, deleted at exit
#   long-running job &  pids+=($!)   # (or pid=$! for one at a time)
#   wait_for "$tmp/out" '^ready$' || fail "no ready line"
# Sets BUILD, SRC, NSTACK, PY and tmp (a fresh directory named after the
# script, with $$ in it so parallel runs do not meet).
# shellcheck shell=bash disable=SC2034

BUILD=${NSTACK_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
SRC=${NSTACK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
NSTACK=$BUILD/nstack
PY=/usr/bin/python3
tmp=$(mktemp -d "/tmp/nstack-$(basename "$0" .sh).$$.XXXXXX")
pids=()
pid=
lib_netns=()

# SIGTERM to every recorded process, up to 2 s for them to exit, SIGKILL to
# what is left; then the namespaces and the temp dir.
lib_cleanup() {
	local all=("${pids[@]}") p alive
	[ -n "$pid" ] && all+=("$pid")
	for p in "${all[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for _ in $(seq 20); do
		alive=0
		for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${all[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${all[@]}"; do wait "$p" 2>/dev/null || true; done
	for p in "${lib_netns[@]}"; do ip netns del "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap lib_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# netns_add NAME...: create the namespaces, deleted at exit.
netns_add() {
	local n
	for n in "$@"; do
		ip netns add "$n"
		lib_netns+=("$n")
	done
}

# wait_for FILE PATTERN [SECONDS]: until grep finds PATTERN in FILE (status
# 0) or SECONDS (default 10) have passed (status 1).
wait_for() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# must_wait_for FILE PATTERN [SECONDS]: wait_for, or fail showing FILE.
must_wait_for() {
	wait_for "$@" || fail "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# tap_host NS TAP ADDR/LEN: namespace NS (deleted at exit) with lo up and a
# TAP for nstack to attach to, holding ADDR, up.
tap_host() {
	netns_add "$1"
	ip -n "$1" link set lo up
	ip -n "$1" tuntap add dev "$2" mode tap
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}

# router_up R SECONDS: namespaces R, then nstack in R (under timeout
# SECONDS) routing between TAPs ta (eth0, 198.18.1.254/24) and tb (eth1,
# 198.18.2.254/24); sets SR (its control socket) and NR (nstack -C SR).
router_up() {
	netns_add "$1"
	ip -n "$1" tuntap add dev ta mode tap
	ip -n "$1" tuntap add dev tb mode tap
	SR=$tmp/r.sock
	timeout "$2" ip netns exec "$1" "$NSTACK" up --tap ta --tap tb --ctl "$SR" \
		-e 'ip link set eth0 up' -e 'ip link set eth1 up' \
		-e 'ip addr add 198.18.1.254/24 dev eth0' -e 'ip addr add 198.18.2.254/24 dev eth1' \
		-e 'sysctl -w net.ipv4.ip_forward=1' >"$tmp/r.out" 2>&1 &
	pids+=($!)
	wait_for "$tmp/r.out" '^ready$' || fail "router: no ready: $(cat "$tmp/r.out")"
	NR=("$NSTACK" -C "$SR")
}

# tap_into R NS TAP ADDR/LEN GW: move nstack's TAP from R into namespace NS
# (lo up there), give it ADDR, up, default route via GW.
tap_into() {
	ip -n "$1" link set "$3" netns "$2"
	ip -n "$2" link set lo up
	ip -n "$2" addr add "$4" dev "$3"
	ip -n "$2" link set "$3" up
	ip -n "$2" route add default via "$5"
}
