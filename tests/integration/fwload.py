#!/usr/bin/python3
"""fwload.py - load for test_firewall.sh, run on the Linux hosts around nstack.

  fwload.py hash-server ADDR PORT N    accept N connections; for each, read to EOF
                                       and answer "PEER_IP SHA256"; at the end print
                                       "max_open M peers IP..." (M: most open at once)
  fwload.py clients ADDR PORT N        open N connections, all at once, then send each
                                       its own bytes, half-close and check the answer's
                                       hash; print "ok N peers IP..." or fail
  fwload.py echo-server ADDR PORT      echo every connection (for `chatter`)
  fwload.py chatter ADDR PORT STOPFILE one connection exchanging 1 KiB round trips
                                       until STOPFILE exists, then 100 more; prints
                                       rounds and the slowest round trip
  fwload.py synflood IFNAME DSTMAC DSTIP DPORT COUNT SECONDS
                                       COUNT TCP SYNs from distinct random sources in
                                       198.19.0.0/16 through one AF_PACKET socket, for
                                       at most SECONDS; prints how many were sent
Every run is bounded: the callers put it under `timeout` too.
"""
import asyncio
import hashlib
import os
import random
import resource
import socket
import struct
import sys
import time


def payload(i):
    """Connection i's bytes: distinct length and content."""
    return random.Random(i).randbytes(16384 + i)


async def hash_server(addr, port, n):
    state = {"open": 0, "max": 0, "done": 0, "peers": set()}
    finished = asyncio.Event()

    async def handle(reader, writer):
        state["open"] += 1
        state["max"] = max(state["max"], state["open"])
        peer = writer.get_extra_info("peername")[0]
        state["peers"].add(peer)
        data = await reader.read()
        writer.write(("%s %s\n" % (peer, hashlib.sha256(data).hexdigest())).encode())
        await writer.drain()
        writer.close()
        state["open"] -= 1
        state["done"] += 1
        if state["done"] == n:
            finished.set()

    srv = await asyncio.start_server(handle, addr, port, backlog=n + 16)
    print("ready", file=sys.stderr, flush=True)
    async with srv:
        await finished.wait()
    print("max_open %d peers %s" % (state["max"], " ".join(sorted(state["peers"]))), flush=True)


async def clients(addr, port, n):
    conns = await asyncio.gather(*(asyncio.open_connection(addr, port) for _ in range(n)))

    async def one(i, reader, writer):
        data = payload(i)
        writer.write(data)
        await writer.drain()
        writer.write_eof()
        line = (await reader.readline()).decode().split()
        writer.close()
        if len(line) != 2 or line[1] != hashlib.sha256(data).hexdigest():
            raise SystemExit("connection %d: answer %r" % (i, line))
        return line[0]

    peers = await asyncio.gather(*(one(i, r, w) for i, (r, w) in enumerate(conns)))
    print("ok %d peers %s" % (len(peers), " ".join(sorted(set(peers)))), flush=True)


async def echo_server(addr, port):
    async def handle(reader, writer):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, addr, port)
    print("ready", file=sys.stderr, flush=True)
    async with srv:
        await srv.serve_forever()


def chatter(addr, port, stopfile):
    c = socket.create_connection((addr, int(port)), timeout=5)
    print("connected", file=sys.stderr, flush=True)
    rounds, worst, after = 0, 0.0, None
    while after is None or rounds < after + 100:
        if after is None and os.path.exists(stopfile):
            after = rounds
        msg = os.urandom(1024)
        t = time.monotonic()
        c.sendall(msg)
        got = b""
        while len(got) < len(msg):
            chunk = c.recv(len(msg) - len(got))
            if not chunk:
                raise SystemExit("chatter: connection closed after %d rounds" % rounds)
            got += chunk
        if got != msg:
            raise SystemExit("chatter: echo differs in round %d" % rounds)
        worst = max(worst, time.monotonic() - t)
        rounds += 1
        time.sleep(0.005)
    print("rounds %d worst_rtt_ms %.1f" % (rounds, worst * 1000), flush=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def synflood(ifname, dstmac, dstip, dport, count, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src = s.getsockname()[4][:6]
    eth = bytes.fromhex(dstmac.replace(":", "")) + src + b"\x08\x00"
    daddr = socket.inet_aton(dstip)
    rnd = random.Random(os.getpid())
    sources = rnd.sample(range(1, 65535), count)   # distinct hosts in 198.19.0.0/16
    end = time.monotonic() + float(seconds)
    sent = 0
    for host in sources:
        if time.monotonic() > end:
            break
        saddr = bytes([198, 19, host >> 8, host & 0xFF])
        tcp = struct.pack("!HHIIBBHHH", rnd.randrange(1024, 65535), int(dport),
                          rnd.getrandbits(32), 0, 5 << 4, 0x02, 64240, 0, 0)
        tcp = tcp[:16] + struct.pack("!H", csum(saddr + daddr + b"\0\x06\0\x14" + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, host, 0, 64, 6, 0, saddr, daddr)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        try:
            s.send(eth + ip + tcp)
            sent += 1
        except BlockingIOError:
            pass
    print("sent %d" % sent, flush=True)


def main(argv):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    cmd, args = argv[1], argv[2:]
    if cmd == "hash-server":
        asyncio.run(hash_server(args[0], int(args[1]), int(args[2])))
    elif cmd == "clients":
        asyncio.run(clients(args[0], int(args[1]), int(args[2])))
    elif cmd == "echo-server":
        asyncio.run(echo_server(args[0], int(args[1])))
    elif cmd == "chatter":
        chatter(*args)
    elif cmd == "synflood":
        synflood(args[0], args[1], args[2], args[3], int(args[4]), args[5])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
