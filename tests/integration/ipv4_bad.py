#!/usr/bin/python3
# ipv4_bad.py NSTACK SOCK - run by test_ipv4.sh inside the host namespace
# (tap0 = 198.18.0.1, nstack = 198.18.0.2): one malformed frame shape at a
# time onto tap0 with scapy; after each, the matching counter of nstack's
# /proc/net/snmp or /proc/net/netstat grew and the stack still answers.
import subprocess
import sys
import time

from scapy.all import ARP, ICMP, IP, Ether, Raw, conf, get_if_hwaddr, raw, sendp

conf.verb = 0
NSTACK, SOCK = sys.argv[1], sys.argv[2]
IFACE = "tap0"
US, PEER = "198.18.0.1", "198.18.0.2"


def nst(*args):
    return subprocess.run([NSTACK, "-C", SOCK, *args], capture_output=True, text=True,
                          timeout=10, check=True).stdout


def counters():
    """Ip:, Icmp:, IpExt: ... of /proc/net/snmp and /proc/net/netstat as {'Ip.InHdrErrors': n}"""
    c = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = nst("cat", path).splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            sect = names.split(":")[0]
            for k, v in zip(names.split()[1:], values.split()[1:]):
                c[sect + "." + k] = int(v)
    return c


def peer_mac():
    out = nst("ip", "-j", "link", "show", "eth0")
    import json
    return json.loads(out)[0]["address"]


def still_answers():
    r = subprocess.run(["ping", "-c", "1", "-W", "2", PEER], capture_output=True, timeout=10)
    assert r.returncode == 0, "no echo reply after a bad frame"


MAC = peer_mac()
ME = get_if_hwaddr(IFACE)
ETH = Ether(dst=MAC, src=ME, type=0x0800)
ETHA = Ether(dst=MAC, src=ME, type=0x0806)
echo = IP(src=US, dst=PEER) / ICMP(id=7, seq=1) / Raw(b"x" * 32)


def ip_bytes(pkt, **patch):
    b = bytearray(raw(pkt))
    for off, val in patch.items():
        b[int(off[1:])] = val
    return bytes(b)


def case(name, frames, counter, grow=1):
    before = counters()
    for f in frames:
        sendp(f, iface=IFACE)
    time.sleep(0.3)
    after = counters()
    delta = after.get(counter, 0) - before.get(counter, 0)
    assert delta >= grow, f"{name}: {counter} grew by {delta}, want {grow}"
    still_answers()
    print(f"ok {name}: {counter} +{delta}")


# a bad header checksum
b = bytearray(raw(echo))
b[10] ^= 0xff
case("bad checksum", [ETH / Raw(bytes(b))], "Ip.InHdrErrors")
case("bad checksum (csum)", [ETH / Raw(bytes(b))], "IpExt.InCsumErrors")
# IHL < 5
case("ihl 4", [ETH / Raw(ip_bytes(echo, o0=0x44))], "Ip.InHdrErrors")
# total length beyond the frame
case("tot_len > frame", [ETH / Raw(raw(IP(src=US, dst=PEER, len=1000) / ICMP() / Raw(b"y" * 20)))],
     "IpExt.InTruncatedPkts")
# truncated: an IPv4 header cut short (the frame is padded to 60 bytes by the link)
case("truncated header", [ETH / Raw(raw(echo)[:12])], "Ip.InHdrErrors")
# TTL 0 and 1 to be forwarded by a host (forwarding off): address errors
for ttl in (0, 1):
    case(f"ttl {ttl} to forward", [ETH / IP(src=US, dst="198.18.9.9", ttl=ttl) / ICMP()],
         "Ip.InAddrErrors")
# overlapping fragments (RFC 5722 spirit: the datagram is dropped)
f1 = IP(src=US, dst=PEER, id=0x4242, flags="MF", frag=0, proto=1) / Raw(b"\x08\x00" + b"a" * 30)
f2 = IP(src=US, dst=PEER, id=0x4242, flags=0, frag=2, proto=1) / Raw(b"b" * 32)
case("overlapping fragments", [ETH / f1, ETH / f2], "Ip.ReasmFails")
# tiny fragments: 8 bytes each, a complete datagram whose ICMP checksum is wrong
tiny = [ETH / IP(src=US, dst=PEER, id=0x4343, flags="MF" if i < 3 else 0, frag=i, proto=1) /
        Raw(b"\x08\x00\x00\x00" + b"t" * 4 if i == 0 else b"t" * 8) for i in range(4)]
case("tiny fragments", tiny, "Ip.ReasmReqds", 4)
# a reassembled datagram over 65535 bytes
big = [ETH / IP(src=US, dst=PEER, id=0x4444, flags="MF", frag=0, proto=1) / Raw(b"\x08" + b"z" * 1471),
       ETH / IP(src=US, dst=PEER, id=0x4444, flags=0, frag=8189, proto=1) / Raw(b"z" * 200)]
case("reassembly > 65535", big, "Ip.ReasmFails")
# ARP with odd lengths (hardware length 7, protocol length 3, a cut packet)
arp_bad = [ETHA / ARP(hwlen=7, plen=4, psrc=US, pdst=PEER) / Raw(b"\x00" * 8),
           ETHA / ARP(hwlen=6, plen=3, psrc=US, pdst=PEER),
           Ether(dst="ff:ff:ff:ff:ff:ff", src=ME, type=0x0806) / Raw(b"\x00\x01\x08\x00\x06")]

for f in arp_bad:
    sendp(f, iface=IFACE)
still_answers()
print("ok odd ARP: still answers")
