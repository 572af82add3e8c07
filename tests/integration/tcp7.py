#!/usr/bin/python3
"""tcp7.py - the Linux side of test_tcp7.sh (TCP part 2 against the kernel).
Subcommands, all bounded in time:

  synflood IFACE DSTMAC DSTIP DPORT N SECONDS
        N spoofed SYNs (sources random in 198.19.0.0/16, random ports and
        sequence numbers) written to one AF_PACKET socket on IFACE, paced to
        take about SECONDS; prints how many were sent
  serve-once PORT FILE CC
        answer one HTTP GET with FILE from a socket using congestion control
        CC (TCP_CONGESTION), then print the bytes sent
  keepalive HOST PORT SECONDS
        one established connection to an echo service kept busy (4 KiB
        echoed in a loop) while a second thread opens a new connection every
        100 ms and checks an echo on it; prints echoed bytes, the longest
        gap between two echoes, and new connections ok/failed
"""
import os
import random
import socket
import struct
import sys
import threading
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def syn_frame(rnd, smac, dmac, dst, dport):
    src = bytes([198, 19, rnd.randrange(256), rnd.randrange(1, 255)])
    sport = rnd.randrange(1024, 65536)
    # RFC 9293 3.1: SYN with an MSS option (kind 2, len 4)
    opts = struct.pack("!BBH", 2, 4, 1460)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, rnd.getrandbits(32), 0,
                      (5 + len(opts) // 4) << 4, 0x02, 64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rnd.getrandbits(16), 0x4000,
                     64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + tcp


def synflood(iface, dmac, dst, dport, n, seconds):
    rnd = random.Random(7)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    smac = s.getsockname()[4]
    dmac = bytes.fromhex(dmac.replace(":", ""))
    dst = socket.inet_aton(dst)
    frames = [syn_frame(rnd, smac, dmac, dst, dport) for _ in range(4096)]
    t0 = time.monotonic()
    sent = 0
    deadline = t0 + seconds + 5
    for i in range(n):
        try:
            s.send(frames[i % len(frames)] if i < len(frames) else
                   syn_frame(rnd, smac, dmac, dst, dport))
            sent += 1
        except OSError:		# ENOBUFS: the TAP queue is full, go on
            pass
        if i % 1000 == 999:
            ahead = t0 + seconds * (i + 1) / n - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            if time.monotonic() > deadline:
                break
    print("synflood: sent %d SYNs in %.2f s" % (sent, time.monotonic() - t0))


def serve_once(port, path, cc):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(150)
    req = b""
    while b"\r\n\r\n" not in req:
        d = c.recv(4096)
        if not d:
            sys.exit("serve-once: no request")
        req += d
    got = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    # streamed in 64 KiB pieces: the socket timeout bounds each piece (a
    # stall), not the whole transfer (sendall's timeout covers the call)
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(0)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % size)
        t0 = time.monotonic()
        while True:
            d = f.read(65536)
            if not d:
                break
            c.sendall(d)
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    print("serve-once: %s sent %d bytes in %.2f s" % (got, size, time.monotonic() - t0))


def keepalive(host, port, seconds):
    res = {"new_ok": 0, "new_fail": 0, "errors": []}
    stop = time.monotonic() + seconds

    def opener():
        while time.monotonic() < stop:
            t = time.monotonic()
            try:
                c = socket.create_connection((host, port), timeout=3)
                c.settimeout(3)
                c.sendall(b"hello\n")
                got = b""
                while len(got) < 6:
                    d = c.recv(64)
                    if not d:
                        break
                    got += d
                c.close()
                if got == b"hello\n":
                    res["new_ok"] += 1
                else:
                    res["new_fail"] += 1
            except OSError as e:
                res["new_fail"] += 1
                res["errors"].append(str(e))
            time.sleep(max(0, 0.1 - (time.monotonic() - t)))

    th = threading.Thread(target=opener)
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    th.start()
    block = os.urandom(4096)
    echoed = 0
    last = time.monotonic()
    gap = 0.0
    while time.monotonic() < stop:
        s.sendall(block)
        got = b""
        while len(got) < len(block):
            d = s.recv(len(block) - len(got))
            if not d:
                sys.exit("keepalive: connection closed after %d bytes" % echoed)
            got += d
        if got != block:
            sys.exit("keepalive: echo differs")
        echoed += len(got)
        now = time.monotonic()
        gap = max(gap, now - last)
        last = now
    th.join()
    s.close()
    print("keepalive: echoed %d bytes max_gap %.3f s new_ok %d new_fail %d %s" %
          (echoed, gap, res["new_ok"], res["new_fail"], ";".join(res["errors"][:3])))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "synflood":
        synflood(a[1], a[2], a[3], int(a[4]), int(a[5]), float(a[6]))
    elif a and a[0] == "serve-once":
        serve_once(int(a[1]), a[2], a[3])
    elif a and a[0] == "keepalive":
        keepalive(a[1], int(a[2]), float(a[3]))
    else:
        sys.exit(__doc__)
