#!/usr/bin/env bash
# test_firewall.sh - nstack as a firewall router between two Linux
# namespaces (root): A (198.18.1.1) - nstack R - B (198.18.2.1). With an
# nft ruleset loaded by `nft -f`: allowed TCP passes and its replies come
# back through conntrack, a dropped port times out, `reject with tcp reset`
# gives Linux "connection refused", `reject with icmp type
# admin-prohibited` gives ping "Packet filtered"; then masquerade (B sees
# R's address) and port forwarding (A's connection to R:8080 reaches B:80);
# /proc/net/nf_conntrack lists the flows.
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
router_up $R 100
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
echo "test_firewall: ok"
