#!/usr/bin/env python3
"""Writes the packet_fuzzer seed corpus into fuzz/corpus/packet/ (one small file per case).

Each file is the fuzzer's 3-octet prefix (NIC checksum flags, transmit offloads, response size;
see packet_fuzzer.cc) followed by an Ethernet frame to the fuzzer's addresses (192.0.2.53,
2001:db8::53, port 53): queries in every shape the parser accepts, and one of each kind it
hands to the kernel or drops. Rerun after changing a case; the files are committed so the
smoke run needs nothing but the build.
"""
import os
import struct

import corpus_files

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "packet")

# Prefix octet 0.
NIC_UDP, NIC_IP, TX_UDP, TX_IP, LARGE = 1, 2, 4, 8, 16

SERVER4, CLIENT4 = bytes([192, 0, 2, 53]), bytes([198, 51, 100, 7])
SERVER6 = bytes.fromhex("20010db8000000000000000000000053")
CLIENT6 = bytes.fromhex("20010db8000100000000000000000007")
SERVER_MAC, CLIENT_MAC = bytes.fromhex("020000000053"), bytes.fromhex("020000000007")
UDP, TCP, ICMP, ICMPV6, HOP_BY_HOP, ROUTING, FRAGMENT, DEST_OPTS, AH = 17, 6, 1, 58, 0, 43, 44, 60, 51

# ". SOA" with EDNS, ID 0xbeef.
DNS_QUERY = bytes.fromhex("beef0100000100000000000100000600010000291000000000000000")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp(src, dst, payload=DNS_QUERY, sport=40000, dport=53, cksum="ok"):
    length = 8 + len(payload)
    segment = struct.pack("!HHHH", sport, dport, length, 0) + payload
    if len(src) == 4:
        pseudo = src + dst + struct.pack("!BBH", 0, UDP, length)
    else:
        pseudo = src + dst + struct.pack("!IxxxB", length, UDP)
    value = {"ok": checksum(pseudo + segment) or 0xFFFF, "zero": 0, "bad": 0x1234}[cksum]
    return segment[:6] + struct.pack("!H", value) + segment[8:]


def ipv4(l4, proto=UDP, src=CLIENT4, dst=SERVER4, options=b"", flags=0x4000, ttl=64, bad_cksum=False):
    ihl = 5 + len(options) // 4
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(l4), 0x1234, flags, ttl, proto, 0, src, dst)
    header += options
    value = 0x1234 if bad_cksum else checksum(header)
    return header[:10] + struct.pack("!H", value) + header[12:] + l4


def ext(next_header, body):
    """An IPv6 extension header: Next Header, Hdr Ext Len, body padded with zeros to 8n."""
    data = bytes([next_header, 0]) + body
    data += b"\0" * (-len(data) % 8)
    return bytes([data[0], len(data) // 8 - 1]) + data[2:]


def ipv6(l4, next_header=UDP, src=CLIENT6, dst=SERVER6, extensions=b""):
    header = struct.pack("!IHBB16s16s", 6 << 28, len(extensions) + len(l4), next_header, 64, src, dst)
    return header + extensions + l4


def eth(l3, ether_type=0x0800, vlan=None, dst=SERVER_MAC, src=CLIENT_MAC, padding=0):
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ether_type) + l3 + b"\0" * padding


CASES = {}


def case(label, flags, response_size, frame):
    CASES[label] = bytes([flags]) + struct.pack("!H", response_size) + frame


def q4(**kw):
    return eth(ipv4(udp(CLIENT4, SERVER4)), **kw)


def q6(extensions=b"", first=UDP, **kw):
    return eth(ipv6(udp(CLIENT6, SERVER6), next_header=first, extensions=extensions), ether_type=0x86DD, **kw)


# Queries, in software and with every offload, small and large responses.
case("ipv4", 0, 100, q4())
case("ipv4_offload", NIC_UDP | NIC_IP | TX_UDP | TX_IP, 100, q4())
case("ipv4_large", LARGE, 4000, q4())
case("ipv4_vlan", TX_UDP, 800, q4(vlan=0x2064))
case("ipv4_options", 0, 512, eth(ipv4(udp(CLIENT4, SERVER4), options=bytes([0x94, 4, 0, 0, 1, 1, 1, 0]))))
case("ipv4_padded", 0, 60, eth(ipv4(udp(CLIENT4, SERVER4, payload=b"\1\2")), padding=16))
case("ipv4_no_udp_checksum", TX_IP, 1232, eth(ipv4(udp(CLIENT4, SERVER4, cksum="zero")), vlan=5))
case("ipv6", 0, 100, q6())
case("ipv6_offload", NIC_UDP | TX_UDP, 800, q6(vlan=7))
case("ipv6_large", LARGE | TX_UDP, 9000, q6())
case("ipv6_hop_by_hop", 0, 200, q6(ext(UDP, bytes([1, 2, 0, 0, 5, 2, 0, 0])), first=HOP_BY_HOP))
case("ipv6_chain", 0, 300,
     q6(ext(DEST_OPTS, b"") + ext(ROUTING, bytes([4, 0, 0, 0, 0, 0])) + ext(UDP, b"\0" * 20), first=HOP_BY_HOP))
case("ipv6_padded", 0, 0, eth(ipv6(udp(CLIENT6, SERVER6, payload=b"")), ether_type=0x86DD, padding=2))
# Exceptions.
case("arp", 0, 0, eth(bytes.fromhex("0001080006040001") + CLIENT_MAC + CLIENT4 + b"\0" * 6 + SERVER4,
                      ether_type=0x0806, dst=b"\xff" * 6))
case("ipv4_fragment", 0, 0, eth(ipv4(udp(CLIENT4, SERVER4), flags=0x2000)))
case("ipv6_fragment", 0, 0, q6(ext(UDP, bytes([0, 0, 0, 0, 0, 1])), first=FRAGMENT))
case("ipv6_ah", 0, 0, q6(ext(UDP, b"\0" * 14), first=AH))
case("ipv6_routing_segments_left", 0, 0, q6(ext(UDP, bytes([4, 1, 0, 0, 0, 0]) + SERVER6), first=ROUTING))
case("ipv4_tcp", 0, 0, eth(ipv4(struct.pack("!HHIIHHHH", 40000, 53, 1, 0, 0x5002, 65535, 0, 0), proto=TCP)))
case("ipv6_icmpv6_ns", 0, 0, eth(ipv6(bytes([135, 0, 0, 0, 0, 0, 0, 0]) + SERVER6, next_header=ICMPV6,
                                      dst=bytes.fromhex("ff0200000000000000000001ff000053")),
                                 ether_type=0x86DD, dst=bytes.fromhex("3333ff000053")))
case("ipv4_other_address", 0, 0, eth(ipv4(udp(CLIENT4, bytes([192, 0, 2, 54])), dst=bytes([192, 0, 2, 54]))))
case("ipv4_broadcast", 0, 0, eth(ipv4(udp(CLIENT4, b"\xff" * 4), dst=b"\xff" * 4), dst=b"\xff" * 6))
case("ipv4_other_port", 0, 0, eth(ipv4(udp(CLIENT4, SERVER4, dport=5353))))
# Drops.
case("ipv4_bad_ip_checksum", 0, 0, eth(ipv4(udp(CLIENT4, SERVER4), bad_cksum=True)))
case("ipv4_bad_udp_checksum", 0, 0, eth(ipv4(udp(CLIENT4, SERVER4, cksum="bad"))))
case("ipv6_zero_udp_checksum", 0, 0, q6()[:14 + 40 + 6] + b"\0\0" + q6()[14 + 40 + 8:])
case("ipv4_source_port_0", 0, 0, eth(ipv4(udp(CLIENT4, SERVER4, sport=0))))
case("ipv4_source_multicast", 0, 0, eth(ipv4(udp(bytes([224, 0, 0, 1]), SERVER4), src=bytes([224, 0, 0, 1]))))
case("ipv6_source_unspecified", 0, 0, eth(ipv6(udp(b"\0" * 16, SERVER6), src=b"\0" * 16), ether_type=0x86DD))
case("ipv4_truncated", 0, 0, q4()[:40])
case("ipv6_truncated", 0, 0, q6()[:60])
case("ipv4_ihl_4", 0, 0, eth(b"\x44" + ipv4(udp(CLIENT4, SERVER4))[1:]))


def main():
    corpus_files.write(OUT, CASES)


if __name__ == "__main__":
    main()
