#!/usr/bin/python3
"""pktio.py - raw AF_PACKET frames for the driver integration tests.

  pktio.py send IFNAME COUNT        send COUNT broadcast frames, ethertype 0x88b6,
                                    payload "linux-test-frame <i>"
  pktio.py recv IFNAME SECONDS      count frames of ethertype 0x88b5 whose payload
                                    starts with "nstack-test-frame"; print the count
  pktio.py recv-ip IFNAME SECONDS   same for IPv4 protocol 253 packets on a TUN
"""
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003


def send(ifname, count):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    src = s.getsockname()[4][:6].ljust(6, b"\0")
    for i in range(count):
        payload = ("linux-test-frame %d" % i).encode().ljust(46, b"\0")
        s.send(b"\xff" * 6 + src + b"\x88\xb6" + payload)
    s.close()


def recv(ifname, seconds, want_ip):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    print("ready", file=sys.stderr, flush=True)
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        data, addr = s.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if want_ip:
            ok = len(data) >= 20 and data[0] >> 4 == 4 and data[9] == 253 and \
                data[20:].startswith(b"nstack-test-frame")
        else:
            ok = data[12:14] == b"\x88\xb5" and data[14:].startswith(b"nstack-test-frame")
        n += ok
    print(n, flush=True)


def main():
    cmd, ifname, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "send":
        send(ifname, int(arg))
    elif cmd in ("recv", "recv-ip"):
        recv(ifname, float(arg), cmd == "recv-ip")
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
