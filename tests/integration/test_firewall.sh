#!/usr/bin/env bash
# test_firewall.sh - nstack as a firewall router between two Linux
# namespaces (root): A (198.18.1.1) - nstack R - B (198.18.2.1). With an
# nft ruleset loaded by `nft -f`: allowed TCP passes and its replies come
# back through conntrack, a dropped port times out, `reject with tcp reset`
# gives Linux "connection refused", `reject with icmp type
# admin-prohibited` gives ping "Packet filtered"; then masquerade (B sees
# R's address) and port forwarding (A's connection to R:8080 reaches B:80);
# /proc/net/nf_conntrack lists the flows. Then, under load: 1000 concurrent
# masqueraded TCP connections from A to B, each with its own data checked by
# sha256 at B, which sees R's address; a rule counter equals the number of
# pings sent; a flood of SYNs from 50 000 spoofed sources at R leaves
# nf_conntrack_count <= nf_conntrack_max, counts the drops and early drops,
# and does not disturb an established connection exchanging data meanwhile.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
R=nsfwr$$ A=nsfwa$$ B=nsfwb$$

# A TCP server in B answering each connection with the peer's address.
serve() {	# PORT
	timeout 60 ip netns exec $B $PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.2.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, peer = s.accept(); c.sendall(("%s:%d\n" % peer).encode()); c.close()
' "$1" >/dev/null 2>&1 &
	pids+=($!)
}
# Connect from A; prints the server's line, "refused" or "timeout".
connect() {	# ADDR PORT
	timeout 10 ip netns exec $A $PY -c '
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print(c.recv(100).decode().strip())
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
' "$1" "$2"
}

netns_add $A $B
router_up $R 400
tap_into $R $A ta 198.18.1.1/24 198.18.1.254
tap_into $R $B tb 198.18.2.1/24 198.18.2.254
serve 22
serve 80
serve 8081
sleep 0.5
out=$(timeout 10 ip netns exec $A ping -c 2 -i 0.2 -W 2 198.18.2.1) || fail "A->B before: $out"

# ---- 1. a filter ----------------------------------------------------------------------
cat >"$tmp/fw.nft" <<'EOF'
flush ruleset
table ip fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "eth0" tcp dport { 22, 80 } counter accept
		tcp dport 23 reject with tcp reset
		icmp type echo-request ip daddr 198.18.2.1 reject with icmp type admin-prohibited
	}
}
EOF
"${NR[@]}" nft -f "$tmp/fw.nft" || fail "nft -f"
out=$(connect 198.18.2.1 22)
grep -q "^198.18.1.1:" <<<"$out" || fail "port 22: $out"
out=$(connect 198.18.2.1 23)
[ "$out" = refused ] || fail "port 23 (tcp reset): $out"
out=$(connect 198.18.2.1 8081)
[ "$out" = timeout ] || fail "port 8081 (dropped): $out"
out=$(timeout 10 ip netns exec $A ping -c 1 -W 2 198.18.2.1 2>&1) || true
grep -q "Packet filtered" <<<"$out" || fail "admin-prohibited: $out"
"${NR[@]}" nft list ruleset >"$tmp/list" || fail "list"
grep -q 'tcp dport { 22, 80 } counter packets [1-9][0-9]* bytes' "$tmp/list" || fail "counter: $(cat "$tmp/list")"
"${NR[@]}" cat /proc/net/nf_conntrack >"$tmp/ct"
grep -q "^ipv4     2 tcp      6 [0-9]* [A-Z_]* src=198.18.1.1 dst=198.18.2.1 sport=[0-9]* dport=22 src=198.18.2.1 dst=198.18.1.1 sport=22 " "$tmp/ct" ||
	fail "nf_conntrack: $(cat "$tmp/ct")"
# a bad file is refused whole and names its line; the ruleset stays
printf 'flush ruleset\ntable ip fw {\n  chain forward {\n    tcp dport 99999 accept\n  }\n}\n' >"$tmp/bad.nft"
out=$("${NR[@]}" nft -f "$tmp/bad.nft" 2>&1) && fail "bad file accepted"
grep -q "bad.nft:4:15: Error:" <<<"$out" || fail "bad file message: $out"
out=$(connect 198.18.2.1 8081)
[ "$out" = timeout ] || fail "ruleset changed by a bad file: $out"

# ---- 2. masquerade and port forwarding ----------------------------------------------------
cat >"$tmp/nat.nft" <<'EOF'
flush ruleset
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "eth0" tcp dport 8080 dnat to 198.18.2.1:80
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
}
EOF
"${NR[@]}" nft -f "$tmp/nat.nft" || fail "nft -f nat"
out=$(connect 198.18.2.1 22)
grep -q "^198.18.2.254:" <<<"$out" || fail "masquerade: B saw $out"
out=$(connect 198.18.1.254 8080)
grep -q "^198.18.2.254:" <<<"$out" || fail "port forward: $out"
out=$(timeout 10 ip netns exec $A ping -c 2 -i 0.2 -W 2 198.18.2.1) || fail "ping masqueraded: $out"

# ---- 3. load: 1000 NATed connections, exact counters, a conntrack flood -------------------
cat >"$tmp/load.nft" <<'EOF2'
flush ruleset
table ip fw {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname "eth1" tcp dport 22 accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		# before the ct rule: pings after the first are ESTABLISHED
		iifname "eth0" ip daddr 198.18.2.1 icmp type echo-request counter
		ct state established,related accept
		iifname "eth0" icmp type echo-request accept
		iifname "eth0" tcp dport { 5000, 5001 } accept
	}
}
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade
	}
}
EOF2
"${NR[@]}" nft -f "$tmp/load.nft" || fail "nft -f load"
LOAD="$PY $SRC/tests/integration/fwload.py"

echo "== 1000 concurrent masqueraded connections A -> B"
timeout 120 ip netns exec $B $LOAD hash-server 198.18.2.1 5000 1000 >"$tmp/hs.out" 2>"$tmp/hs.err" &
hs=$!
pids+=($hs)
must_wait_for "$tmp/hs.err" '^ready$'
t0=$(date +%s%N)
out=$(timeout 120 ip netns exec $A $LOAD clients 198.18.2.1 5000 1000 2>&1) || fail "clients: $out"
t1=$(date +%s%N)
wait $hs || fail "hash server: $(cat "$tmp/hs.err")"
echo "clients: $out ($(((t1 - t0) / 1000000)) ms); server: $(cat "$tmp/hs.out")"
[ "$out" = "ok 1000 peers 198.18.2.254" ] || fail "clients: $out"
# The clients hold all 1000 connections open through the NAT before sending
# a byte; how many handlers the server runs at once also depends on how fast
# asyncio accepts (a sanitized nstack is slower), so it only needs most of them.
read -r _ max_open _ peer <"$tmp/hs.out"
[ "$peer" = 198.18.2.254 ] && [ "$max_open" -ge 900 ] || fail "server: $(cat "$tmp/hs.out")"

echo "== a rule counter equals the pings sent"
out=$(timeout 10 ip netns exec $A ping -q -c 7 -i 0.1 -W 2 198.18.2.1) || fail "ping -c 7: $out"
"${NR[@]}" nft list ruleset >"$tmp/list"
line=$(grep 'icmp type echo-request counter' "$tmp/list")
echo "$line"
# 7 echo requests of 84 bytes (20 IP + 8 ICMP + 56 data)
grep -q "counter packets 7 bytes 588$" <<<"$line" || fail "counter: $line"

echo "== conntrack flood while a connection keeps talking"
timeout 120 ip netns exec $B $LOAD echo-server 198.18.2.1 5001 >/dev/null 2>"$tmp/es.err" &
pids+=($!)
must_wait_for "$tmp/es.err" '^ready$'
timeout 120 ip netns exec $A $LOAD chatter 198.18.2.1 5001 "$tmp/stop" >"$tmp/ch.out" 2>"$tmp/ch.err" &
ch=$!
pids+=($ch)
must_wait_for "$tmp/ch.err" '^connected$'
"${NR[@]}" sysctl -w net.netfilter.nf_conntrack_max=4096 >/dev/null
max=$("${NR[@]}" cat /proc/sys/net/netfilter/nf_conntrack_max)
[ "$max" = 4096 ] || fail "nf_conntrack_max: $max"
stat_before=$("${NR[@]}" cat /proc/net/stat/nf_conntrack | tail -1)
mac=$("${NR[@]}" ip -br link show eth1 | awk '{print $3}')
t0=$(date +%s%N)
out=$(timeout 60 ip netns exec $B $LOAD synflood tb "$mac" 198.18.2.254 22 50000 30 2>&1) || fail "flood: $out"
t1=$(date +%s%N)
sleep 0.5
count=$("${NR[@]}" cat /proc/sys/net/netfilter/nf_conntrack_count)
stat_after=$("${NR[@]}" cat /proc/net/stat/nf_conntrack | tail -1)
touch "$tmp/stop"
wait $ch || fail "established connection: $(cat "$tmp/ch.out" "$tmp/ch.err")"
echo "flood: $out in $(((t1 - t0) / 1000000)) ms; nf_conntrack_count $count (max $max)"
echo "stat before: $stat_before"
echo "stat after:  $stat_after"
echo "established connection: $(cat "$tmp/ch.out")"
[ "$count" -le "$max" ] || fail "nf_conntrack_count $count > nf_conntrack_max $max"
# fields 11 and 12: drop, early_drop (hex)
read -r -a b <<<"$stat_before"
read -r -a a <<<"$stat_after"
drop=$((0x${a[10]} - 0x${b[10]})) early=$((0x${a[11]} - 0x${b[11]}))
echo "drop +$drop early_drop +$early"
# unreplied flood entries make room for new ones; a scan that meets only
# assured entries refuses the packet (drop) instead
[ "$early" -gt 0 ] || fail "early_drop did not move (drop +$drop)"
echo "test_firewall: ok"
