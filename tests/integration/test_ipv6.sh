#!/usr/bin/env bash
# test_ipv6.sh - nstack's IPv6 against the Linux kernel (root): a Linux
# host on a TAP pings nstack (NDP with the real kernel, both neighbour
# caches filled), 8000-byte echoes fragmented and reassembled both ways, a
# link-local echo; then nstack turns router: Linux takes its Router
# Advertisement (SLAAC address in the advertised prefix, default route via
# nstack's link-local address, the advertised MTU); then TCP over IPv6:
# Linux's curl -6 downloads from nstack's `serve http ... ipv6` (a
# dual-stack [::] listener) with the sha256 checked, and an IPv4 request to
# the same listener arrives as ::ffff:a.b.c.d; then DAD both ways (an
# address Linux holds goes dadfailed in nstack and is not answered for, one
# nstack holds goes dadfailed in Linux); last nstack routes IPv6 between two
# Linux namespaces that autoconfigure from its RAs: ping with the hop limit
# decremented, tracepath through it, Packet Too Big and path MTU 1280.
set -euo pipefail

BUILD=${NSTACK_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
NSTACK=$BUILD/nstack
H=nsv6h$$ A=nsv6a$$ R=nsv6r$$ B=nsv6b$$
tmp=$(mktemp -d /tmp/nstack-ipv6.$$.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.2
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for n in "$H" "$A" "$R" "$B"; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wait_for() {	# FILE PATTERN, bounded (10 s)
	for _ in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_cmd() {	# bounded (20 s): until the command's output matches PATTERN
	local pat=$1; shift
	for _ in $(seq 200); do
		"$@" 2>/dev/null | grep -q "$pat" && return 0
		sleep 0.1
	done
	return 1
}

ip netns add $H
ip -n $H link set lo up
ip -n $H tuntap add dev tap0 mode tap
ip -n $H addr add fd00::1/64 dev tap0 nodad
ip -n $H link set tap0 up
SH=$tmp/h.sock
timeout 200 ip netns exec $H "$NSTACK" up --tap tap0 --ctl "$SH" -e 'ip link set eth0 up' \
	-e 'ip addr add fd00::2/64 dev eth0 nodad' >"$tmp/h.out" 2>&1 &
pids+=($!)
wait_for "$tmp/h.out" '^ready$' || fail "no ready: $(cat "$tmp/h.out")"
NH=("$NSTACK" -C "$SH")

# ---- 1. a host: NDP, echoes, fragments ------------------------------------------------
out=$(timeout 20 ip netns exec $H ping -6 -c 200 -i 0.005 -q -W 1 fd00::2) || fail "ping: $out"
grep -q "200 packets transmitted, 200 received, 0% packet loss" <<<"$out" || fail "ping: $out"
out=$(timeout 10 ip netns exec $H ping -6 -c 3 -i 0.2 -s 8000 fd00::2) || fail "8000: $out"
grep -q "3 received" <<<"$out" || fail "8000-byte echoes: $out"
tapmac=$(ip netns exec $H cat /sys/class/net/tap0/address)
stackmac=$("${NH[@]}" ip -j link show eth0 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"${NH[@]}" ip -6 neigh show | grep -q "^fd00::1 dev eth0 lladdr $tapmac " ||
	fail "nstack neigh: $("${NH[@]}" ip -6 neigh)"
ip -n $H -6 neigh show dev tap0 | grep -q "^fd00::2 lladdr $stackmac " || fail "linux neigh: $(ip -n $H -6 neigh)"
# nstack's EUI-64 link-local answers too
ll=$("${NH[@]}" ip -6 addr show dev eth0 | awk '/scope link/ {print $2}' | cut -d/ -f1)
[ -n "$ll" ] || fail "no link-local: $("${NH[@]}" ip -6 addr)"
out=$(timeout 10 ip netns exec $H ping -6 -c 2 -i 0.2 "$ll%tap0") || fail "link-local ping: $out"
# and the other way: the stack's own ping to Linux, global and link-local
out=$(timeout 20 "${NH[@]}" ping -c 3 -i 0.2 fd00::1) || fail "nstack ping fd00::1: $out"
grep -q "3 packets transmitted, 3 received" <<<"$out" || fail "nstack ping fd00::1: $out"
hll=$(ip -n $H -6 addr show dev tap0 scope link | awk '/inet6/ {print $2}' | cut -d/ -f1)
out=$(timeout 20 "${NH[@]}" ping -c 2 -i 0.2 "$hll%eth0") || fail "nstack ping $hll%eth0: $out"
grep -q "2 packets transmitted, 2 received" <<<"$out" || fail "nstack link-local ping: $out"
grep -q "2 received" <<<"$out" || fail "link-local ping: $out"
"${NH[@]}" cat /proc/net/snmp6 | grep -q "^Ip6ReasmOKs  *3$" || fail "reasm: $("${NH[@]}" cat /proc/net/snmp6)"

# ---- 2. a router: Linux autoconfigures from nstack's advertisement --------------------
"${NH[@]}" ip addr add fd00:a::1/64 dev eth0 nodad
"${NH[@]}" sysctl -w net.ipv6.conf.all.forwarding=1 >/dev/null
wait_cmd "fd00:a::" ip -n $H -6 addr show dev tap0 || fail "no SLAAC address: $(ip -n $H -6 addr)"
wait_cmd "^default via $ll dev tap0 proto ra" ip -n $H -6 route ||
	fail "no default route: $(ip -n $H -6 route)"
slaac=$(ip -n $H -6 addr show dev tap0 | awk '/fd00:a::/ {print $2}' | cut -d/ -f1)
out=$(timeout 10 ip netns exec $H ping -6 -c 2 -i 0.2 fd00:a::1) || fail "ping router: $out"
grep -q "2 received" <<<"$out" || fail "ping router: $out"
"${NH[@]}" cat /proc/net/snmp6 | grep -q "^Icmp6OutRouterAdvertisements  *[1-9]" ||
	fail "no RA counted"

# ---- 3. TCP over IPv6: Linux curl -6 from nstack's HTTP server -------------------------
if [ "${NSTACK_SANITIZED:-0}" = 1 ] || [ "${NSTACK_SANITIZED:-}" = ON ]; then BIG=32M; else BIG=1G; fi
www=$tmp/www
mkdir -p "$www"
head -c $BIG /dev/urandom >"$www/file"
sum=$(sha256sum <"$www/file" | cut -d' ' -f1)
"${NH[@]}" serve http 80 "$www" ipv6 || fail "serve http ipv6"
t0=$(date +%s.%N)
res=$(timeout 120 ip netns exec $H curl -6 -g -s -w '%{http_code} %{size_download} %{speed_download}\n' \
	-o >(sha256sum | cut -d' ' -f1 >"$tmp/file.sum") "http://[fd00::2]/file") || fail "curl -6: $res"
for _ in $(seq 50); do [ -s "$tmp/file.sum" ] && break; sleep 0.1; done
read -r code size speed <<<"$res"
echo "3. Linux curl -6: $BIG from nstack: http $code, $size bytes, $(awk -v s="$speed" 'BEGIN{printf "%.0f Mbit/s", s*8/1e6}') ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
[ "$code" = 200 ] || fail "curl -6 status $code"
[ "$size" = "$(stat -c %s "$www/file")" ] || fail "curl -6 size $size"
[ "$(cat "$tmp/file.sum")" = "$sum" ] || fail "sha256 of the IPv6 download differs"
# the same listener over IPv4 (dual stack): the peer is ::ffff:198.18.0.1
mkfifo "$tmp/hold"
exec 9<>"$tmp/hold"
"${NH[@]}" ip addr add 198.18.0.2/24 dev eth0
ip -n $H addr add 198.18.0.1/24 dev tap0
res=$(timeout 20 ip netns exec $H curl -4 -s -o /dev/null -w '%{http_code}' http://198.18.0.2/file) ||
	fail "curl -4 to the dual-stack listener: $res"
[ "$res" = 200 ] || fail "curl -4 status $res"
"${NH[@]}" cat /proc/net/tcp6 | grep -q "00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A" ||
	fail "no [::]:80 listener in /proc/net/tcp6: $("${NH[@]}" cat /proc/net/tcp6)"
# an idle IPv4 connection held open: listed as ::ffff:198.18.0.2 -> ::ffff:198.18.0.1
timeout 20 ip netns exec $H /usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection(("198.18.0.2", 80), timeout=5)
print("connected", flush=True)
sys.stdin.read(1)' <"$tmp/hold" >"$tmp/hold.out" 2>&1 &
holdpid=$!
pids+=($holdpid)
wait_for "$tmp/hold.out" '^connected$' || fail "no IPv4 connection: $(cat "$tmp/hold.out")"
"${NH[@]}" cat /proc/net/tcp6 | grep -q "0000000000000000FFFF0000020012C6:0050 0000000000000000FFFF0000010012C6:.... 01 " ||
	fail "no v4-mapped connection in /proc/net/tcp6: $("${NH[@]}" cat /proc/net/tcp6)"
kill "$holdpid" 2>/dev/null || true

# ---- 4. DAD both ways (RFC 4862 5.4) ---------------------------------------------------
# Linux holds fd00::99 first (its own DAD done): nstack's probe is answered, nstack marks
# the address dadfailed and must not answer for it
ip -n $H addr add fd00::99/64 dev tap0
wait_cmd "inet6 fd00::99/64 scope global $" ip -n $H -6 addr show dev tap0 ||
	fail "Linux DAD for fd00::99: $(ip -n $H -6 addr show dev tap0)"
"${NH[@]}" ip addr add fd00::99/64 dev eth0
wait_cmd "inet6 fd00::99/64 scope global dadfailed tentative" "${NH[@]}" ip -6 addr show dev eth0 ||
	fail "nstack did not detect the duplicate: $("${NH[@]}" ip -6 addr show dev eth0)"
grep -q "DAD failed for fd00::99" "$tmp/h.out" || fail "no DAD log line: $(cat "$tmp/h.out")"
ip -n $H addr del fd00::99/64 dev tap0
out=$(timeout 10 ip netns exec $H ping -6 -c 1 -W 4 fd00::99) && fail "a dadfailed address answered: $out"
grep -q " 0 received" <<<"$out" || fail "ping fd00::99: $out"
"${NH[@]}" ip -6 neigh show | grep -q "^fd00::99 " && fail "nstack resolved its own dadfailed address"
# the reverse: nstack defends fd00::2 against Linux's probe (RFC 4861 7.2.4)
ip -n $H addr add fd00::2/64 dev tap0
wait_cmd "inet6 fd00::2/64 scope global dadfailed tentative" ip -n $H -6 addr show dev tap0 ||
	fail "Linux's DAD did not fail for fd00::2: $(ip -n $H -6 addr show dev tap0)"
ip -n $H addr del fd00::2/64 dev tap0
out=$(timeout 10 ip netns exec $H ping -6 -c 2 -i 0.2 fd00::2) || fail "ping after DAD: $out"
grep -q "2 received" <<<"$out" || fail "ping fd00::2 after Linux's failed DAD: $out"

# ---- 5. nstack routes IPv6 between two Linux namespaces -------------------------------
for n in "$A" "$R" "$B"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n $R tuntap add dev ta mode tap
ip -n $R tuntap add dev tb mode tap
SR=$tmp/r.sock
timeout 100 ip netns exec $R "$NSTACK" up --tap ta --tap tb --ctl "$SR" \
	-e 'ip link set eth0 up' -e 'ip link set eth1 up' \
	-e 'ip addr add fd00:1::1/64 dev eth0' -e 'ip addr add fd00:2::1/64 dev eth1' \
	-e 'sysctl -w net.ipv6.conf.all.forwarding=1' >"$tmp/r.out" 2>&1 &
pids+=($!)
wait_for "$tmp/r.out" '^ready$' || fail "router: no ready: $(cat "$tmp/r.out")"
NR=("$NSTACK" -C "$SR")
ip -n $R link set ta netns $A
ip -n $R link set tb netns $B
ip -n $A link set ta up
ip -n $B link set tb up
ip -n $B addr add fd00:2::2/64 dev tb nodad
# both hosts autoconfigure from nstack's RAs: an address in the prefix, default via its
# link-local address
lla=$("${NR[@]}" ip -6 addr show dev eth0 | awk '/scope link/ {print $2}' | cut -d/ -f1)
llb=$("${NR[@]}" ip -6 addr show dev eth1 | awk '/scope link/ {print $2}' | cut -d/ -f1)
wait_cmd "^default via $lla dev ta proto ra" ip -n $A -6 route || fail "A: no RA route: $(ip -n $A -6 route)"
wait_cmd "^default via $llb dev tb proto ra" ip -n $B -6 route || fail "B: no RA route: $(ip -n $B -6 route)"
wait_cmd "inet6 fd00:1::.* scope global dynamic" ip -n $A -6 addr show dev ta ||
	fail "A: no SLAAC address: $(ip -n $A -6 addr)"
wait_cmd "inet6 fd00:2::.* scope global dynamic" ip -n $B -6 addr show dev tb ||
	fail "B: no SLAAC address: $(ip -n $B -6 addr)"
slaa=$(ip -n $A -6 addr show dev ta | awk '/fd00:1::/ {print $2}' | cut -d/ -f1)
out=$(timeout 20 ip netns exec $A ping -6 -c 20 -i 0.05 fd00:2::2) || fail "ping A->B: $out"
grep -q "20 packets transmitted, 20 received, 0% packet loss" <<<"$out" || fail "ping A->B: $out"
# B answers with hop limit 64, nstack forwards it with 63 (RFC 8200 3)
[ "$(grep -c "ttl=63 " <<<"$out")" = 20 ] || fail "hop limit not decremented once: $out"
out=$(timeout 20 ip netns exec $A tracepath -6 -n fd00:2::2) || fail "tracepath: $out"
grep -q "^ 1:  fd00:1::1 " <<<"$out" || fail "tracepath: no nstack hop: $out"
grep -q "Resume: pmtu 1500 hops 2 back 2" <<<"$out" || fail "tracepath: $out"
# a 1280-byte link behind nstack: Packet Too Big from nstack (RFC 8201 4, RFC 4443 3.2)
ip -n $B link set tb mtu 1280
"${NR[@]}" ip link set eth1 mtu 1280
out=$(timeout 10 ip netns exec $A ping -6 -c 2 -i 0.2 -W 1 -M "do" -s 1400 fd00:2::2 2>&1) &&
	fail "1400 bytes with -M do went through a 1280 link: $out"
grep -q "From fd00:1::1 icmp_seq=1 Packet too big: mtu=1280" <<<"$out" || fail "no PTB: $out"
grep -q "message too long, mtu: 1280" <<<"$out" || fail "PMTU not cached: $out"
"${NR[@]}" cat /proc/net/snmp6 | grep -q "^Icmp6OutPktTooBigs  *[1-9]" ||
	fail "no PTB counted: $("${NR[@]}" cat /proc/net/snmp6)"
# forget the cached PMTU: tracepath finds 1280 itself through nstack's answer
ip -n $A -6 route flush cache
out=$(timeout 20 ip netns exec $A tracepath -6 -n fd00:2::2) || fail "tracepath 1280: $out"
grep -q "^ 1:  fd00:1::1 " <<<"$out" || fail "tracepath 1280: no nstack hop: $out"
grep -q "Resume: pmtu 1280 hops 2 back 2" <<<"$out" || fail "tracepath 1280: $out"
out=$(timeout 10 ip netns exec $A ping -6 -c 3 -i 0.2 -s 1232 -M "do" fd00:2::2) || fail "ping 1280: $out"
grep -q "3 received" <<<"$out" || fail "1280-byte packets through nstack: $out"

echo "ok: ping, 8000-byte echoes, NDP both ways, link-local, RA -> $slaac, TCP over IPv6 ($BIG, sha256) and v4-mapped, DAD both ways, routing A($slaa) -> nstack -> B with PTB and PMTU 1280"
