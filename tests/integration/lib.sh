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
