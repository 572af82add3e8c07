#!/usr/bin/env bash
# test_ipv4.sh - nstack's IPv4 against the Linux kernel (root): (1) a host
# on a TAP: a 1000-echo flood with no loss, fragmented echoes both ways,
# arping, ping from the stack's side, each side's ARP entry for the other,
# `ip -j addr` keys as iproute2's; (2) a router between two namespaces:
# forwarding, tracepath's hop and PMTU, "Frag needed" for ping -M do;
# (3) malformed input from scapy (ipv4_bad.py): counters move, the stack
# still answers.
set -euo pipefail

. "$(dirname "$0")/lib.sh"
H=nsv4h$$ R=nsv4r$$ A=nsv4a$$ B=nsv4b$$

# ---- 1. a host on a TAP -----------------------------------------------------------------
tap_host $H tap0 198.18.0.1/24
SH=$tmp/h.sock
timeout 80 ip netns exec $H "$NSTACK" up --tap tap0 --ctl "$SH" -e 'ip link set eth0 up' \
	-e 'ip addr add 198.18.0.2/24 dev eth0' >"$tmp/h.out" 2>&1 &
pids+=($!)
wait_for "$tmp/h.out" '^ready$' || fail "host: no ready: $(cat "$tmp/h.out")"
NH=("$NSTACK" -C "$SH")

out=$(timeout 20 ip netns exec $H ping -c 1000 -i 0.002 -q -W 1 198.18.0.2) || fail "flood: $out"
grep -q "1000 packets transmitted, 1000 received, 0% packet loss" <<<"$out" || fail "flood: $out"
out=$(timeout 10 ip netns exec $H ping -c 5 -i 0.2 -s 8000 198.18.0.2) || fail "8000-byte echoes: $out"
grep -q "5 received" <<<"$out" || fail "8000-byte echoes: $out"
out=$(timeout 10 ip netns exec $H arping -c 3 -w 5 -I tap0 198.18.0.2) || fail "arping: $out"
grep -Eq "Received 3 response" <<<"$out" || fail "arping: $out"
out=$(timeout 10 "${NH[@]}" ping -c 3 -i 0.2 198.18.0.1) || fail "nstack ping: $out"
grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out" || fail "nstack ping: $out"
grep -q "^64 bytes from 198.18.0.1: icmp_seq=3 ttl=64 time=" <<<"$out" || fail "nstack ping: $out"
out=$(timeout 10 "${NH[@]}" ping -c 2 -i 0.2 -s 8000 198.18.0.1) || fail "nstack 8000: $out"
grep -q "^8008 bytes from 198.18.0.1: icmp_seq=2" <<<"$out" || fail "nstack 8000: $out"
tapmac=$(ip netns exec $H cat /sys/class/net/tap0/address)
stackmac=$("${NH[@]}" ip -j link show eth0 | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"${NH[@]}" ip neigh show dev eth0 | grep -q "^198.18.0.1 dev eth0 lladdr $tapmac " ||
	fail "nstack neigh: $("${NH[@]}" ip neigh)"
ip -n $H neigh show dev tap0 | grep -q "^198.18.0.2 lladdr $stackmac " || fail "linux neigh: $(ip -n $H neigh)"
# ip -j addr: the same keys and values as iproute2 for the same fields
"${NH[@]}" ip -j addr >"$tmp/nst.json"
ip -n $H -j addr show tap0 >"$tmp/lin.json"
$PY - "$tmp/nst.json" "$tmp/lin.json" <<'EOF' || fail "ip -j addr"
import json, sys
nst = {d["ifname"]: d for d in json.load(open(sys.argv[1]))}
lin = json.load(open(sys.argv[2]))[0]
e = nst["eth0"]
lin4 = [a for a in lin["addr_info"] if a["family"] == "inet"][0]
ours = e["addr_info"][0]
assert set(lin4) >= set(ours), (sorted(lin4), sorted(ours))
for k in ("family", "prefixlen", "scope", "valid_life_time", "preferred_life_time"):
    assert type(ours[k]) is type(lin4[k]) and ours[k] == lin4[k], k
assert ours["local"] == "198.18.0.2" and lin4["local"] == "198.18.0.1"
for k in ("ifindex", "ifname", "flags", "mtu", "qdisc", "operstate", "group", "txqlen",
          "link_type", "address", "broadcast", "addr_info"):
    assert k in e and k in lin and type(e[k]) is type(lin[k]), k
assert [k for k in e if k in lin] == [k for k in lin if k in e], (list(e), list(lin))
EOF

# ---- 2. a router between two namespaces ----------------------------------------------
netns_add $A $B
router_up $R 80
tap_into $R $A ta 198.18.1.1/24 198.18.1.254
tap_into $R $B tb 198.18.2.1/24 198.18.2.254
out=$(timeout 10 ip netns exec $A ping -c 3 -i 0.2 -W 2 198.18.2.1) || fail "A->B: $out"
grep -q "ttl=63" <<<"$out" || fail "A->B ttl: $out"
out=$(timeout 20 ip netns exec $A tracepath -n -m 5 198.18.2.1) || fail "tracepath: $out"
grep -q "198.18.1.254" <<<"$out" || fail "tracepath hop: $out"
grep -q "pmtu 1500" <<<"$out" || fail "tracepath pmtu 1500: $out"
ip -n $B link set tb mtu 1280
"${NR[@]}" ip link set eth1 mtu 1280
out=$(timeout 20 ip netns exec $A tracepath -n -m 5 198.18.2.1) || fail "tracepath 1280: $out"
grep -q "pmtu 1280" <<<"$out" || fail "tracepath pmtu 1280: $out"
ip -n $A route flush cache 2>/dev/null || true
out=$(timeout 10 ip netns exec $A ping -c 2 -i 0.2 -W 1 -M do -s 1400 198.18.2.1 2>&1) || true
grep -Eq "Frag needed and DF set \(mtu = 1280\)|message too long, mtu=1280" <<<"$out" ||
	fail "ping -M do: $out"
out=$(timeout 10 "${NR[@]}" ping -c 1 -t 1 -W 2 198.18.2.1) || fail "router ping B: $out"

# ---- 3. malformed input --------------------------------------------------------------
timeout 40 ip netns exec $H $PY "$SRC/tests/integration/ipv4_bad.py" "$NSTACK" "$SH" ||
	fail "malformed input"
echo "test_ipv4: 1 passed, 0 failed"
