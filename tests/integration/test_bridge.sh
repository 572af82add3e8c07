#!/bin/bash
# test_bridge.sh - Linux to Linux through an nstack bridge. nstack runs in
# namespace R attached to two TAPs; each TAP is then moved into its own
# namespace (A, B), so A and B only reach each other through nstack's br0.
# Checks: A pings B; `bridge fdb show` has A's and B's MACs on the right
# ports; an ebtables DROP on A's MAC stops the ping and counts; with VLAN
# filtering, tagged frames (raw AF_PACKET, the host has no 8021q module)
# cross only within their VLAN; a TCP transfer each way between the Linux
# hosts (nc from netcat-openbsd) arrives with the sha256 it was sent with,
# and its rate is printed.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
R=nbr_r$$ NA=nbr_a$$ NB=nbr_b$$
CTL=$tmp/ctl.sock

nsc() { timeout 5 "$NSTACK" -C "$CTL" "$@"; }

netns_add $R $NA $NB
ip -n $R tuntap add dev tapa mode tap
ip -n $R tuntap add dev tapb mode tap

timeout 600 ip netns exec $R "$NSTACK" up --tap tapa --tap tapb --ctl "$CTL" \
	-e 'ip link add br0 type bridge' \
	-e 'ip link set eth0 master br0' -e 'ip link set eth1 master br0' \
	-e 'ip link set eth0 up' -e 'ip link set eth1 up' -e 'ip link set br0 up' \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" '^ready$' 5 || fail "nstack up: $(cat "$tmp/err")"

# each TAP into its own namespace; the file descriptors stay with nstack
ip -n $R link set tapa netns $NA
ip -n $R link set tapb netns $NB
for x in "$NA tapa 198.18.0.1" "$NB tapb 198.18.0.2"; do
	set -- $x
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
done
MAC_A=$(ip -n $NA -br link show tapa | awk '{print $3}')
MAC_B=$(ip -n $NB -br link show tapb | awk '{print $3}')

echo "== ping A -> B through br0"
ip netns exec $NA ping -q -c 3 -i 0.2 -W 2 198.18.0.2 >/dev/null || fail "A cannot ping B"
fdb=$(nsc bridge fdb show)
echo "$fdb"
grep -q "^$MAC_A dev eth0 master br0" <<<"$fdb" || fail "A's MAC $MAC_A not on eth0"
grep -q "^$MAC_B dev eth1 master br0" <<<"$fdb" || fail "B's MAC $MAC_B not on eth1"
nsc bridge -j fdb show | grep -q "\"mac\":\"$MAC_A\",\"ifname\":\"eth0\"" || fail "fdb JSON"
nsc bridge link show | grep -q "eth1: .* master br0 state forwarding" || fail "bridge link show"

# xfer FROM_NS TO_NS TO_ADDR BYTES: nc from FROM_NS to `nc -l` in TO_NS, the
# bytes hashed on both ends as they pass; prints the rate.
xfer() {
	local from=$1 to=$2 addr=$3 bytes=$4 t0 t1 ms
	rm -f "$tmp/sent" "$tmp/recvd" "$tmp/fifo"
	timeout 300 ip netns exec "$to" nc -l 5001 </dev/null | sha256sum >"$tmp/recvd" &
	local rp=$!
	for _ in $(seq 100); do
		ip netns exec "$to" ss -Hltn 'sport = :5001' | grep -q . && break
		sleep 0.05
	done
	mkfifo "$tmp/fifo"
	sha256sum <"$tmp/fifo" >"$tmp/sent" &
	local sp=$!
	t0=$(date +%s%N)
	head -c "$bytes" /dev/urandom | tee "$tmp/fifo" |
		timeout 300 ip netns exec "$from" nc -N "$addr" 5001 || fail "nc $from -> $addr"
	wait $rp || fail "nc -l in $to"
	t1=$(date +%s%N)
	wait $sp
	ms=$(((t1 - t0) / 1000000))
	echo "$from -> $to: $bytes bytes in $ms ms, $((bytes * 8 / 1000 / (ms > 0 ? ms : 1))) Mbit/s"
	[ "$(cat "$tmp/sent")" = "$(cat "$tmp/recvd")" ] ||
		fail "sha256 differs: sent $(cat "$tmp/sent") received $(cat "$tmp/recvd")"
}

# 1 GiB each way; 64 MiB under the sanitizers
bytes=$((1 << 30))
[ "${NSTACK_SANITIZED:-0}" = 1 ] && bytes=$((64 << 20))
echo "== TCP A -> B and B -> A through br0, $bytes bytes each"
xfer $NA $NB 198.18.0.2 $bytes
xfer $NB $NA 198.18.0.1 $bytes

echo "== ebtables DROP on A's MAC"
nsc ebtables -A FORWARD -s "$MAC_A" -j DROP
! ip netns exec $NA ping -q -c 2 -i 0.2 -W 1 198.18.0.2 >/dev/null 2>&1 || fail "ping passed the DROP rule"
list=$(nsc ebtables -L --Lc)
echo "$list"
pcnt=$(sed -n 's/.*-j DROP , pcnt = \([0-9]*\).*/\1/p' <<<"$list")
[ "${pcnt:-0}" -ge 2 ] || fail "DROP rule counted ${pcnt:-nothing}"
nsc ebtables -F FORWARD
ip netns exec $NA ping -q -c 1 -W 2 198.18.0.2 >/dev/null || fail "ping after flush"

echo "== VLAN isolation"
nsc ip link del br0
nsc ip link add br1 type bridge vlan_filtering 1
nsc ip link set eth0 master br1
nsc ip link set eth1 master br1
nsc ip link set br1 up
nsc bridge vlan add dev eth0 vid 10
nsc bridge vlan add dev eth0 vid 20
nsc bridge vlan add dev eth1 vid 20
cat >"$tmp/vlan.py" <<'PY'
import select, socket, struct, sys, time
def send(ifname, vids):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src = s.getsockname()[4][:6]
    for vid in vids:
        tag = struct.pack("!HHH", 0x8100, vid, 0x88b5)
        s.send(b"\xff" * 6 + src + tag + ("vlan-test %d" % vid).encode().ljust(46, b"\0"))
def recv(ifname, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((ifname, 0))
    print("ready", file=sys.stderr, flush=True)
    seen, end = set(), time.time() + float(seconds)
    while time.time() < end:
        if not select.select([s], [], [], 0.1)[0]:
            continue
        f = s.recv(2048)
        i = f.find(b"vlan-test ")
        if i >= 0:
            seen.add(int(f[i + 10:].split(b"\0")[0]))
    print(" ".join(str(v) for v in sorted(seen)))
if sys.argv[1] == "send":
    send(sys.argv[2], [int(v) for v in sys.argv[3:]])
else:
    recv(sys.argv[2], sys.argv[3])
PY
timeout 10 ip netns exec $NB /usr/bin/python3 "$tmp/vlan.py" recv tapb 1.5 >"$tmp/seen" 2>"$tmp/recv.err" &
rp=$!
for _ in $(seq 100); do grep -q ready "$tmp/recv.err" 2>/dev/null && break; sleep 0.05; done
ip netns exec $NA /usr/bin/python3 "$tmp/vlan.py" send tapa 10 20 30
wait $rp || fail "receiver: $(cat "$tmp/recv.err")"
seen=$(cat "$tmp/seen")
echo "B saw VLANs: '$seen' (sent 10 20 30)"
[ "$seen" = "20" ] || fail "VLAN isolation: B saw '$seen', expected only 20"
nsc bridge vlan show | grep -q "eth1 .*1 PVID Egress Untagged" || fail "bridge vlan show"
nsc cat /proc/net/bridge/br1/stats | grep -q "rx_vlan_filtered [1-9]" || fail "VLAN drops not counted"
echo "PASS"
