#!/usr/bin/env python3
"""Writes the engine_fuzzer seed corpus into fuzz/corpus/engine/ (one small file per case).

Each file is the fuzzer's 4-octet prefix (engine configuration, request flags, output capacity;
see engine_fuzzer.cc) followed by a DNS query. Rerun after changing a case; the files are
committed so the smoke run needs nothing but the build.
"""
import os
import struct

import corpus_files

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "engine")

# Prefix octet 0: engine configuration.
NSID_SHORT, NSID_LONG, NSID_MAX = 1, 2, 3
PAYLOAD_1232, PAYLOAD_4096, PAYLOAD_65535 = 1 << 2, 2 << 2, 3 << 2
COOKIES, CHAOS = 1 << 4, 1 << 5
# Prefix octet 1: request.
TCP, REAL_ZONE, IPV6 = 1, 2, 4

A, NS, SOA, NULL, TXT, AAAA, OPT, DS, RRSIG, DNSKEY, IXFR, AXFR, ANY = 1, 2, 6, 10, 16, 28, 41, 43, 46, 48, 251, 252, 255
IN, CH = 1, 3
NSID, COOKIE, KEY_TAG = 3, 10, 14


def name(text):
    out = b""
    for label in filter(None, text.split(".")):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(qd=1, an=0, ns=0, ar=0, flags=0x0000, qid=0xBEEF):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def opt(payload=1232, do=False, version=0, options=(), owner=b"\0"):
    rdata = b"".join(struct.pack("!HH", code, len(data)) + data for code, data in options)
    return owner + struct.pack("!HHBBHH", OPT, payload, 0, version, 0x8000 if do else 0, len(rdata)) + rdata


def query(qname, qtype, qclass=IN, edns=None, flags=0x0000, extra=b"", ar=None):
    body = name(qname) + struct.pack("!HH", qtype, qclass)
    records = [edns] if edns is not None else []
    count = len(records) if ar is None else ar
    return header(ar=count, flags=flags) + body + b"".join(records) + extra


CASES = {}


def case(label, config, request, capacity, wire):
    CASES[label] = bytes([config, request]) + struct.pack("!H", capacity) + wire


# Valid queries.
case("apex_soa", 0, 0, 512, query(".", SOA))
case("apex_ns_do", PAYLOAD_1232, 0, 1232, query(".", NS, edns=opt(do=True)))
case("apex_dnskey_do_real", PAYLOAD_4096, REAL_ZONE, 4096, query(".", DNSKEY, edns=opt(4096, do=True)))
case("apex_dnskey_do_512", PAYLOAD_1232, REAL_ZONE, 512, query(".", DNSKEY, edns=opt(512, do=True)))
case("apex_dnskey_tcp", PAYLOAD_1232, TCP | REAL_ZONE, 65535, query(".", DNSKEY, edns=opt(do=True)))
case("apex_any_udp", 0, 0, 512, query(".", ANY))
case("apex_any_tcp", PAYLOAD_65535, TCP, 65535, query(".", ANY, edns=opt(65535, do=True)))
case("apex_rrsig", PAYLOAD_1232, 0, 1232, query(".", RRSIG, edns=opt(do=True)))
case("apex_nodata", 0, 0, 512, query(".", AAAA, edns=opt(do=True)))
case("referral", 0, 0, 512, query("www.example.com.", A, flags=0x0100))
case("referral_mixed_case", PAYLOAD_1232, 0, 1232, query("WwW.ExAmPlE.De.", AAAA, edns=opt(do=True)))
case("referral_sibling_glue", 0, IPV6, 1232, query("de.", NS, edns=opt()))
case("referral_big_truncated", 0, 0, 512, query("www.big.", A))
case("referral_big_tcp", 0, TCP, 65535, query("www.big.", A))
case("referral_real", PAYLOAD_1232, REAL_ZONE, 1232, query("www.example.org.", A, edns=opt(do=True)))
case("referral_no_ds_nsec", PAYLOAD_1232, 0, 1232, query("www.xn--p1ai.", A, edns=opt(do=True)))
case("nxdomain", 0, 0, 512, query("nonexistent.", A))
case("nxdomain_do", PAYLOAD_1232, 0, 1232, query("nonexistent.", A, edns=opt(do=True)))
case("nxdomain_do_real", PAYLOAD_1232, REAL_ZONE, 1232, query("zzzz-not-a-tld.", A, edns=opt(do=True)))
case("ds", PAYLOAD_1232, 0, 1232, query("com.", DS, edns=opt(do=True)))
case("ds_none", PAYLOAD_1232, 0, 1232, query("xn--p1ai.", DS, edns=opt(do=True)))
case("edns_nsid", NSID_SHORT | PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(options=[(NSID, b"")])))
case("edns_cookie_client", COOKIES | PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(options=[(COOKIE, b"\1" * 8)])))
case("edns_cookie_server", COOKIES | PAYLOAD_1232, IPV6, 1232,
     query("com.", NS, edns=opt(options=[(COOKIE, b"\1" * 8 + b"\1\0\0\0" + b"\2" * 12)])))
case("edns_cookie_only", COOKIES, 0, 512, header(qd=0, ar=1) + opt(options=[(COOKIE, b"\3" * 8)]))
case("edns_key_tag", PAYLOAD_1232, 0, 1232,
     query(".", DNSKEY, edns=opt(do=True, options=[(KEY_TAG, struct.pack("!HH", 19036, 20326))])))
case("edns_unknown_option", PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(options=[(65001, b"xyz")])))
case("edns_all_options", NSID_SHORT | COOKIES | PAYLOAD_4096, 0, 4096,
     query("com.", DS, edns=opt(4096, do=True, options=[(NSID, b""), (COOKIE, b"\4" * 8),
                                                        (KEY_TAG, struct.pack("!H", 20326)), (65001, b"")])))
case("edns_badvers", PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(version=1)))
case("edns_payload_below_512", PAYLOAD_1232, 0, 1232, query(".", DNSKEY, edns=opt(100, do=True)))
case("chaos_hostname", CHAOS | NSID_SHORT, 0, 512, query("hostname.bind.", TXT, CH, edns=opt(options=[(NSID, b"")])))
case("chaos_version", CHAOS, 0, 512, query("VERSION.BIND.", TXT, CH))
case("chaos_id_server", CHAOS, TCP, 65535, query("id.server.", ANY, CH))
case("chaos_version_server_refused", 0, 0, 512, query("version.server.", TXT, CH))
case("chaos_a_refused", CHAOS, 0, 512, query("hostname.bind.", A, CH))
case("ta_signal", 0, 0, 512, query("_ta-4a5c-4f66.", NULL))
case("ta_signal_bad_order", 0, 0, 512, query("_ta-4f66-4a5c.", NULL))
case("axfr_refused", 0, TCP, 65535, query(".", AXFR))
case("ixfr_refused", 0, 0, 512, query(".", IXFR))
case("opcode_notify", 0, 0, 512, query(".", SOA, flags=0x2000))
case("long_qname_nsid", NSID_MAX, 0, 512,
     query(".".join(["a" * 62] * 4) + ".", AXFR, edns=opt(512, options=[(NSID, b"")])))
# Malformed queries.
case("bad_short_header", 0, 0, 512, header()[:5])
case("bad_missing_question", 0, 0, 512, header())
case("bad_pointer_loop_qname", 0, 0, 512, header() + b"\xc0\x0c" + struct.pack("!HH", A, IN))
case("bad_label_0x40", 0, 0, 512, header() + b"\x41abc\0" + struct.pack("!HH", A, IN))
case("bad_label_past_end", 0, 0, 512, header() + b"\x3fabc")
case("bad_qname_too_long", 0, 0, 512, query(".".join(["b" * 63] * 4) + ".", A))
case("bad_two_opts", PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(), extra=opt(), ar=2))
case("bad_opt_owner", PAYLOAD_1232, 0, 1232, query(".", SOA, edns=opt(owner=name("com."))))
case("bad_opt_option_length", PAYLOAD_1232, 0, 1232,
     query(".", SOA, edns=opt()[:-2] + struct.pack("!H", 4) + struct.pack("!HH", NSID, 9)))
case("bad_cookie_length", COOKIES, 0, 512, query(".", SOA, edns=opt(options=[(COOKIE, b"\1" * 7)])))
case("bad_key_tag_odd", 0, 0, 512, query(".", DNSKEY, edns=opt(options=[(KEY_TAG, b"\1\2\3")])))
case("bad_trailing_bytes", 0, 0, 512, query(".", SOA, extra=b"\0\0\0"))
case("bad_qr_set", 0, 0, 512, query(".", SOA, flags=0x8000))
case("bad_two_questions", 0, 0, 512, header(qd=2) + name(".") + struct.pack("!HH", A, IN) * 2)
case("bad_answer_count", 0, 0, 512, header(an=1) + name(".") + struct.pack("!HH", A, IN))
case("bad_opt_meta_qtype", 0, 0, 512, query(".", OPT))
case("bad_ar_compressed_owner", 0, 0, 512,
     query("com.", A, extra=b"\xc0\x0c" + struct.pack("!HHIH", A, IN, 0, 4) + b"\1\2\3\4", ar=1))


def main():
    corpus_files.write(OUT, CASES)


if __name__ == "__main__":
    main()
