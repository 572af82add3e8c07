#!/usr/bin/env bash
# run.sh BUILD_DIR - run every benchmark in BUILD_DIR/bench (bench_core first,
# then the others by name), each bounded by `timeout 120`, printing their lines.
# bench_tap measures frames over a real TAP, bench_xdp over a veth with AF_XDP beside
# AF_PACKET and TAP (root: they unshare their own network namespace).
set -u
BUILD=${1:-build}
DIR="$BUILD/bench"
if [ ! -d "$DIR" ]; then
	echo "run.sh: no $DIR (build first)" >&2
	exit 1
fi
status=0
run() {
	local bin=$1
	echo "== $(basename "$bin")"
	timeout 120 "$bin"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "run.sh: $(basename "$bin") failed (exit $rc)" >&2
		status=1
	fi
}
[ -x "$DIR/bench_core" ] && run "$DIR/bench_core"
for bin in $(ls "$DIR"/bench_* 2>/dev/null | sort); do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	[ "$(basename "$bin")" = bench_core ] && continue
	run "$bin"
done
exit $status
