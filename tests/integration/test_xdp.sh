#!/bin/bash
# test_xdp.sh - nstack's AF_XDP driver against the Linux kernel: a veth pair
# in a namespace made for the test; nstack attaches to one end (xa) with
# `--xdp`, the other end (xb) is Linux's, 198.18.0.1/24. Run once with
# native XDP (veth has it) and once in generic (SKB) mode. Each run:
#   Linux pings 198.18.0.2 200 times with zero loss;
#   a 1 MiB TCP transfer through nstack's echo service comes back intact;
#   `nstack ip -s link` agrees with the kernel's counters on xb:
#     nstack rx_packets == xb tx_packets, nstack tx_packets == xb rx_packets,
#     nstack tx_bytes == xb rx_bytes, nothing dropped or missed.
#   (rx bytes are not compared: veth's native XDP path counts frames
#   without their Ethernet header.)
# Offloads: veth hands TCP/UDP over with CHECKSUM_PARTIAL (checksum left
# for the hardware) and as GSO super-frames; nstack sees raw frames, so xb
# gets `ethtool -K xb tx off tso off gso off` and Linux fills checksums and
# segments itself. IPv6 is off in the namespace so the kernel sends nothing
# unasked and the counters compare exactly.
set -euo pipefail

B=${NSTACK_BUILD:-build}
NSTACK=$B/nstack
ns=nsxdp$$
tmp=$(mktemp -d /tmp/nst_xdp.XXXXXX)
pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
nsx() { ip netns exec "$ns" "$@"; }
kstat() { nsx cat "/sys/class/net/xb/statistics/$1"; }

wait_for() {	# wait_for FILE WORD: bounded wait for WORD in FILE
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# nstat CTL RX|TX FIELD: a counter of eth0 from `nstack ip -s link`
# (FIELD 1 bytes, 2 packets, 3 errors, 4 dropped, 5 missed)
nstat() {
	nsx "$NSTACK" -C "$1" ip -s link show dev eth0 |
		awk -v dir="$2:" -v f="$3" '$1 == dir { getline; print $f; exit }'
}

setup() {
	ip netns add "$ns"
	nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsx ip link add xa type veth peer name xb
	nsx ethtool -K xb tx off tso off gso off >/dev/null
	nsx ip link set xa up
	nsx ip link set xb up
	nsx ip addr add 198.18.0.1/24 dev xb
}

tcp_echo() {	# 1 MiB through the echo service, compared byte for byte
	nsx timeout 30 /usr/bin/python3 - <<'PY'
import os, socket, threading
data = os.urandom(1 << 20)
s = socket.create_connection(("198.18.0.2", 7), timeout=10)
t = threading.Thread(target=s.sendall, args=(data,))
t.start()
got = bytearray()
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
t.join()
s.close()
assert bytes(got) == data, f"echo returned {len(got)} bytes, not the {len(data)} sent"
print(f"tcp echo: {len(got)} bytes intact")
PY
}

# counters, retried a few times: an ARP exchange may be in flight
check_counters() {
	local ctl=$1 mode=$2 base_rx=$3 base_tx=$4 base_rxb=$5 ok=0
	local n_rx n_tx n_txb k_rx k_tx k_rxb drops
	for _ in 1 2 3 4 5; do
		n_rx=$(nstat "$ctl" RX 2); n_tx=$(nstat "$ctl" TX 2); n_txb=$(nstat "$ctl" TX 1)
		k_rx=$(( $(kstat rx_packets) - base_rx )); k_tx=$(( $(kstat tx_packets) - base_tx ))
		k_rxb=$(( $(kstat rx_bytes) - base_rxb ))
		if [ "$n_rx" = "$k_tx" ] && [ "$n_tx" = "$k_rx" ] && [ "$n_txb" = "$k_rxb" ]; then
			ok=1; break
		fi
		sleep 0.3
	done
	echo "$mode: nstack rx=$n_rx tx=$n_tx tx_bytes=$n_txb; xb tx=$k_tx rx=$k_rx rx_bytes=$k_rxb"
	[ $ok = 1 ] || fail "$mode: nstack and kernel counters disagree"
	[ "$n_rx" -ge 200 ] || fail "$mode: nstack received only $n_rx frames"
	sleep 1.1	# the driver folds XDP_STATISTICS in once a second
	drops="$(nstat "$ctl" RX 4) $(nstat "$ctl" RX 5) $(nstat "$ctl" RX 3) $(nstat "$ctl" TX 3)"
	[ "$drops" = "0 0 0 0" ] || fail "$mode: rx dropped/missed/errors, tx errors: $drops"
}

run_mode() {
	local mode=$1 ctl=$tmp/$1.sock out=$tmp/$1.out
	local base_rx base_tx base_rxb
	echo "== $mode"
	base_rx=$(kstat rx_packets); base_tx=$(kstat tx_packets); base_rxb=$(kstat rx_bytes)
	# the kernel frees the previous run's socket from a work queue: the
	# queue may answer EBUSY for a moment, so retry a few times
	for _ in $(seq 20); do
		ip netns exec "$ns" timeout 120 "$NSTACK" up --ctl "$ctl" --xdp "xa:0,$mode" \
			-e 'ip link set eth0 up' -e 'ip addr add 198.18.0.2/24 dev eth0' \
			-e 'serve echo 7' >"$out" 2>&1 &
		pid=$!
		for _ in $(seq 200); do
			grep -q '^ready$' "$out" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		grep -q '^ready$' "$out" && break
		wait "$pid" || true
		pid=
		grep -q 'Device or resource busy' "$out" || break
		sleep 0.2
	done
	wait_for "$out" '^ready$'
	grep 'AF_XDP on xa' "$out"
	if [ "$mode" = native ]; then
		nsx ip link show xa | grep -q '> mtu [0-9]* xdp ' || fail "native: no driver-mode program on xa"
	else
		nsx ip link show xa | grep -q ' xdpgeneric ' || fail "generic: no SKB-mode program on xa"
	fi

	nsx ping -q -c 200 -i 0.002 -W 2 198.18.0.2 >"$tmp/ping" || true
	grep -q ' 200 received, 0% packet loss' "$tmp/ping" ||
		fail "$mode: ping lost echoes: $(cat "$tmp/ping")"
	echo "$mode: 200/200 echoes"
	tcp_echo || fail "$mode: TCP echo through nstack failed"
	check_counters "$ctl" "$mode" "$base_rx" "$base_tx" "$base_rxb"

	kill "$pid"
	wait "$pid" || true
	pid=
	nsx ip -d link show xa | grep -q 'prog/xdp' && fail "$mode: XDP program left on xa"
	echo "$mode: ok"
}

setup
run_mode native
run_mode generic
echo "PASS"
