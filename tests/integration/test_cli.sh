#!/usr/bin/env bash
# test_cli.sh - the nstack program end to end without TAP (no root needed):
# `nstack up` with -e commands, the control socket (JSON output, sysctl
# round trip, a failing command), a bad startup command, SIGTERM shutdown.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

# ---- start ------------------------------------------------------------------------
"$NSTACK" --help | grep -q "nstack up" || fail "--help"
"$NSTACK" up --help | grep -q -- "--ctl PATH" || fail "up --help"
sock=$tmp/run/ctl.sock	# the directory does not exist yet: up creates it
timeout 60 "$NSTACK" up -e 'ip link set lo mtu 1500' -e 'ip link add v0 type veth peer name v1' \
	--ctl "$sock" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for "$tmp/out" '^ready$' || fail "no ready line: $(cat "$tmp/err")"
[[ -S $sock ]] || fail "no control socket at $sock"
N=("$NSTACK" -C "$sock")

# ---- ip -j link is JSON with iproute2's keys and the -e change applied --------------
"${N[@]}" ip -j link >"$tmp/link.json"
$PY - "$tmp/link.json" <<'PYEOF' || fail "ip -j link"
import json, sys
links = json.load(open(sys.argv[1]))
lo = [l for l in links if l["ifname"] == "lo"][0]
assert lo["mtu"] == 1500, lo
for key in ("ifindex", "flags", "qdisc", "operstate", "linkmode", "group", "txqlen", "link_type", "address", "broadcast"):
    assert key in lo, key
assert {l["ifname"] for l in links} == {"lo", "v0", "v1"}, links
PYEOF
"${N[@]}" ip -s -j link show v0 | $PY -c 'import json,sys; d=json.load(sys.stdin); assert "stats64" in d[0]' \
	|| fail "ip -s -j link"
"${N[@]}" tc -s -j qdisc | $PY -c 'import json,sys; json.load(sys.stdin)' || fail "tc -j"
NSTACK_CTL=$sock "$NSTACK" ip link show lo | grep -q "mtu 1500" || fail "NSTACK_CTL"

# ---- sysctl round trip, quoting through the socket ------------------------------------
[[ $("${N[@]}" sysctl -w net.core.rmem_default=4096) == "net.core.rmem_default = 4096" ]] || fail "sysctl -w"
[[ $("${N[@]}" sysctl -n net.core.rmem_default) == 4096 ]] || fail "sysctl read back"
"${N[@]}" ip link set v0 name 'it'\''s' || fail "quoted name"
"${N[@]}" ip -br link show "it's" | grep -q "^it's " || fail "quoted name read back"
"${N[@]}" cat /proc/net/dev | grep -q "it's:" || fail "cat /proc/net/dev"

# ---- a bad command: non-zero, a message, the daemon keeps running --------------------
set +e
"${N[@]}" ip link set nope up >"$tmp/o" 2>"$tmp/e"; rc=$?
set -e
[[ $rc -ne 0 ]] || fail "bad command exited 0"
grep -q 'ip link set: Cannot find device "nope"' "$tmp/e" || fail "message: $(cat "$tmp/e")"
set +e
"${N[@]}" ip rule show >/dev/null 2>"$tmp/e"; rc=$?
set -e
[[ $rc -ne 0 ]] && grep -q "ip rule: policy routing is not built yet" "$tmp/e" || fail "layer refusal"
"${N[@]}" sysctl net.core.somaxconn | grep -q "= 4096" || fail "daemon gone after a bad command"

# ---- SIGTERM: exit 0, socket removed ------------------------------------------------
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
pid=
[[ $rc -eq 0 ]] || fail "exit status $rc after SIGTERM: $(cat "$tmp/err")"
[[ ! -e $sock ]] || fail "socket file left behind"

# ---- a bad startup command: FILE:LINE on stderr, non-zero, no ready --------------------
printf 'ip link set lo up\n# comment\nip link set lo mtu 10\n' >"$tmp/conf"
set +e
timeout 10 "$NSTACK" up -f "$tmp/conf" --ctl "$tmp/s2" >"$tmp/out2" 2>"$tmp/err2"; rc=$?
set -e
[[ $rc -ne 0 && $rc -ne 124 ]] || fail "bad -f exit status $rc"
grep -q "^nstack: $tmp/conf:3: ip link set: " "$tmp/err2" || fail "FILE:LINE message: $(cat "$tmp/err2")"
! grep -q ready "$tmp/out2" || fail "ready printed despite a bad command"
set +e
timeout 10 "$NSTACK" up -e 'ip link show' -e 'frob' --ctl "$tmp/s3" >/dev/null 2>"$tmp/err3"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q '^nstack: -e:2: frob: unknown command' "$tmp/err3" || fail "-e message"

# ---- a stale socket file is replaced; a client with no daemon fails cleanly -----------
$PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$tmp/stale"
timeout 60 "$NSTACK" up --ctl "$tmp/stale" >"$tmp/out4" 2>&1 &
pid=$!
wait_for "$tmp/out4" '^ready$' || fail "stale socket not replaced: $(cat "$tmp/out4")"
"$NSTACK" -C "$tmp/stale" ip link show lo >/dev/null || fail "after stale"
kill -INT "$pid"; wait "$pid" || fail "SIGINT exit"; pid=
set +e
"$NSTACK" -C "$tmp/stale" ip link 2>"$tmp/e"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "is \`nstack up\` running" "$tmp/e" || fail "client without daemon"

# ---- the demo runs without root in seconds ----------------------------------------
timeout 20 "$NSTACK" demo >"$tmp/demo" || fail "demo"
grep -q "right received 100" "$tmp/demo" || grep -q "netem" "$tmp/demo" || fail "demo output"
echo "test_cli: OK"
