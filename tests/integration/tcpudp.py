#!/usr/bin/python3
"""tcpudp.py - the Linux side of test_tcp_udp.sh (nstack's services against
the kernel's TCP and UDP). Subcommands, all bounded in time:

  echo-many HOST PORT N         N concurrent TCP connections to an echo
                                service, each sending its own bytes and
                                checking the echo (asyncio)
  udp-flood HOST PORT N WINDOW  N datagrams of random sizes (4..1472) with at
                                most WINDOW outstanding; every one must come
                                back unchanged, exactly once
  udp-big HOST PORT SIZE        one SIZE-byte datagram (fragmented) echoed whole
  get HOST PORT PATH            HTTP GET: prints bytes, sha256, rate and the
                                longest gap between received chunks
  serve-once PORT FILE          answer one HTTP GET with FILE, then print the
                                bytes sent and the longest gap between sends
"""
import asyncio
import hashlib
import random
import socket
import sys
import time


def echo_many(host, port, n):
    async def one(i):
        data = (b"%06d:" % i) * (1 + (i * 37) % 300)	# 7..2107 bytes, distinct
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 30)
        w.write(data)
        await w.drain()
        got = await asyncio.wait_for(r.readexactly(len(data)), 30)
        w.close()
        if got != data:
            raise RuntimeError("connection %d: echo differs" % i)
        return len(data)

    async def main():
        sem = asyncio.Semaphore(n)	# all at once
        async def guarded(i):
            async with sem:
                return await one(i)
        res = await asyncio.gather(*(guarded(i) for i in range(n)))
        return sum(res)

    t0 = time.monotonic()
    total = asyncio.run(main())
    print("echo-many: %d connections, %d bytes echoed in %.2f s" % (n, total, time.monotonic() - t0))


def udp_flood(host, port, n, window):
    rnd = random.Random(7)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect((host, port))
    s.settimeout(3)
    outstanding = {}
    sent = recv = 0
    t0 = time.monotonic()
    while recv < n:
        while sent < n and len(outstanding) < window:
            size = rnd.randint(4, 1472)
            payload = sent.to_bytes(4, "big") + rnd.randbytes(size - 4)
            s.send(payload)
            outstanding[sent] = payload
            sent += 1
        try:
            got = s.recv(2048)
        except socket.timeout:
            sys.exit("udp-flood: %d of %d echoed, %d outstanding lost" % (recv, n, len(outstanding)))
        seq = int.from_bytes(got[:4], "big")
        if outstanding.pop(seq, None) != got:
            sys.exit("udp-flood: datagram %d came back changed or twice" % seq)
        recv += 1
    print("udp-flood: %d datagrams sent, %d echoed unchanged in %.2f s" % (sent, recv, time.monotonic() - t0))


def udp_big(host, port, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.settimeout(3)
    data = random.Random(size).randbytes(size)
    s.send(data)
    got = s.recv(65536)
    if got != data:
        sys.exit("udp-big: %d bytes back, differ" % len(got))
    print("udp-big: %d bytes echoed whole" % size)


def get(host, port, path):
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode())
    h = hashlib.sha256()
    head = b""
    body = 0
    t0 = last = time.monotonic()
    gap = 0.0
    while True:
        d = s.recv(1 << 20)
        now = time.monotonic()
        gap = max(gap, now - last)
        last = now
        if not d:
            break
        if head is not None:
            head += d
            i = head.find(b"\r\n\r\n")
            if i < 0:
                continue
            status = head.split(b" ")[1].decode()
            d = head[i + 4:]
            head = None
        h.update(d)
        body += len(d)
    dt = time.monotonic() - t0
    print("get: status %s bytes %d sha256 %s rate %.1f Mbit/s max_gap %.3f s" %
          (status, body, h.hexdigest(), body * 8 / dt / 1e6, gap))


def serve_once(port, path):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(60)
    req = b""
    while b"\r\n\r\n" not in req:
        d = c.recv(4096)
        if not d:
            sys.exit("serve-once: no request")
        req += d
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % size)
        last = t0 = time.monotonic()
        gap = 0.0
        sent = 0
        while True:
            d = f.read(65536)
            if not d:
                break
            c.sendall(d)
            now = time.monotonic()
            gap = max(gap, now - last)
            last = now
            sent += len(d)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    print("serve-once: sent %d bytes in %.2f s max_gap %.3f s" % (sent, time.monotonic() - t0, gap))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "echo-many":
        echo_many(a[1], int(a[2]), int(a[3]))
    elif a[0] == "udp-flood":
        udp_flood(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "udp-big":
        udp_big(a[1], int(a[2]), int(a[3]))
    elif a[0] == "get":
        get(a[1], int(a[2]), a[3])
    elif a[0] == "serve-once":
        serve_once(int(a[1]), a[2])
    else:
        sys.exit(__doc__)
