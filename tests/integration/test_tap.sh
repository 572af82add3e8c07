#!/bin/bash
# test_tap.sh - nstack's TAP, TUN and AF_PACKET drivers against the Linux
# kernel, in a namespace made for the test. For each driver, tests/tools/
# tapctl sends test frames while tests/integration/pktio.py sends frames
# from the Linux side; then both sides' counters must agree exactly:
#   nstack tx_packets == kernel rx_packets == frames the Linux reader saw
#   nstack rx_packets == kernel tx_packets == frames Linux sent
# (IPv6 is disabled on the interfaces so the kernel sends nothing on its
# own.) The pcap tapctl wrote must open in tshark without warnings.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
TAPCTL=$BUILD/tests/tools/tapctl
PKTIO="$PY $SRC/tests/integration/pktio.py"
NSTACK_TX=5
LINUX_TX=7
ns=nst$$

nsx() { ip netns exec "$ns" "$@"; }
kstat() { nsx cat "/sys/class/net/$1/statistics/$2"; }
# field of /proc/net/dev for device $2 in file $1: 3 = rx_packets, 11 = tx_packets
nstat() { sed 's/:/ /' "$1" | awk -v d="$2" -v f="$3" '$1 == d { print $f }'; }

# run_case NAME MODE LINUX_IF NSTACK_ATTACH_IF READER_CMD
run_case() {
	local name=$1 mode=$2 lif=$3 aif=$4 rcmd=$5 ctl=$tmp/$1
	echo "== $name"
	timeout 30 ip netns exec "$ns" $PKTIO "$rcmd" "$lif" 4 >"$ctl.recv" 2>"$ctl.recv.err" &
	pids+=($!)
	local reader=$!
	must_wait_for "$ctl.recv.err" ready 5
	timeout 30 ip netns exec "$ns" "$TAPCTL" "--$mode" "$aif" --count $NSTACK_TX --seconds 2 \
		--pcap "$ctl.pcap" >"$ctl.out" 2>"$ctl.err" &
	pids+=($!)
	local tapctl=$!
	must_wait_for "$ctl.err" ready 5
	sleep 0.2
	if [ "$mode" = tun ]; then
		nsx ping -q -c $LINUX_TX -i 0.05 -w 3 198.18.0.2 >/dev/null || true
	else
		nsx $PKTIO send "$lif" $LINUX_TX
	fi
	wait $tapctl || fail "$name: tapctl failed: $(cat "$ctl.err")"
	wait $reader || fail "$name: reader failed: $(cat "$ctl.recv.err")"
	cat "$ctl.out"

	local seen ns_rx ns_tx k_rx k_tx frames
	seen=$(cat "$ctl.recv")
	ns_rx=$(nstat "$ctl.out" eth0 3)
	ns_tx=$(nstat "$ctl.out" eth0 11)
	k_rx=$(kstat "$lif" rx_packets)
	k_tx=$(kstat "$lif" tx_packets)
	echo "$name: nstack rx=$ns_rx tx=$ns_tx, linux $lif rx=$k_rx tx=$k_tx, reader saw $seen"
	[ "$ns_tx" = $NSTACK_TX ] || fail "$name: nstack sent $ns_tx, expected $NSTACK_TX"
	[ "$seen" = $NSTACK_TX ] || fail "$name: Linux saw $seen of nstack's $NSTACK_TX frames"
	[ "$k_rx" = "$ns_tx" ] || fail "$name: kernel rx_packets $k_rx != nstack tx_packets $ns_tx"
	[ "$k_tx" = "$ns_rx" ] || fail "$name: kernel tx_packets $k_tx != nstack rx_packets $ns_rx"
	[ "$ns_rx" -ge $LINUX_TX ] || fail "$name: nstack received $ns_rx < $LINUX_TX"

	frames=$(tshark -r "$ctl.pcap" 2>/dev/null | wc -l)
	[ "$frames" = $((ns_rx + ns_tx)) ] || fail "$name: pcap holds $frames frames, expected $((ns_rx + ns_tx))"
	if tshark -r "$ctl.pcap" -V 2>&1 | grep -E "Malformed|Expert Info \(Warning"; then
		fail "$name: tshark reports problems in the capture"
	fi
}

netns_add "$ns"
ip -n "$ns" link set lo up

# TAP: Ethernet frames through /dev/net/tun
ip -n "$ns" tuntap add dev tap0 mode tap
nsx sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1
ip -n "$ns" link set tap0 up
run_case tap tap tap0 tap0 recv

# TUN: bare IPv4 packets; Linux answers nstack's protocol-253 packets with
# ICMP protocol unreachable, which the counters include on both sides.
ip -n "$ns" tuntap add dev tun0 mode tun
nsx sysctl -qw net.ipv6.conf.tun0.disable_ipv6=1
ip -n "$ns" addr add 198.18.0.1/24 dev tun0
ip -n "$ns" link set tun0 up
run_case tun tun tun0 tun0 recv-ip

# AF_PACKET on one end of a veth pair; Linux sends and listens on the other
ip -n "$ns" link add va type veth peer name vb
nsx sysctl -qw net.ipv6.conf.va.disable_ipv6=1
nsx sysctl -qw net.ipv6.conf.vb.disable_ipv6=1
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
run_case veth packet vb va recv

echo PASS
