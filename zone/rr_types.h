// DNS type, class and flag numbers used across rootd (IANA "Domain Name System (DNS) Parameters").
#pragma once
#include <cstdint>

namespace rootd::dns {

inline constexpr uint16_t kClassIn = 1;
inline constexpr uint16_t kClassCh = 3;
inline constexpr uint16_t kClassAny = 255;

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeNs = 2;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeSoa = 6;
inline constexpr uint16_t kTypeNull = 10;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeHinfo = 13;
inline constexpr uint16_t kTypeMx = 15;
inline constexpr uint16_t kTypeTxt = 16;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeOpt = 41;
inline constexpr uint16_t kTypeDs = 43;
inline constexpr uint16_t kTypeRrsig = 46;
inline constexpr uint16_t kTypeNsec = 47;
inline constexpr uint16_t kTypeDnskey = 48;
inline constexpr uint16_t kTypeNsec3 = 50;
inline constexpr uint16_t kTypeNsec3Param = 51;
inline constexpr uint16_t kTypeZonemd = 63;
inline constexpr uint16_t kTypeIpseckey = 45;
inline constexpr uint16_t kTypeIxfr = 251;
inline constexpr uint16_t kTypeAxfr = 252;
inline constexpr uint16_t kTypeMailb = 253;
inline constexpr uint16_t kTypeMaila = 254;
inline constexpr uint16_t kTypeAny = 255;

// DNSKEY flags (RFC 4034 2.1.1, RFC 5011 3).
inline constexpr uint16_t kDnskeyZoneKey = 0x0100;
inline constexpr uint16_t kDnskeyRevoke = 0x0080;
inline constexpr uint16_t kDnskeySep = 0x0001;

// DNSSEC algorithms (RFC 8624).
inline constexpr uint8_t kAlgRsaSha256 = 8;
inline constexpr uint8_t kAlgRsaSha512 = 10;
inline constexpr uint8_t kAlgEcdsaP256 = 13;
inline constexpr uint8_t kAlgEcdsaP384 = 14;
inline constexpr uint8_t kAlgEd25519 = 15;

// DS digest types (RFC 4509, RFC 6605).
inline constexpr uint8_t kDigestSha1 = 1;
inline constexpr uint8_t kDigestSha256 = 2;
inline constexpr uint8_t kDigestSha384 = 4;

// ZONEMD (RFC 8976).
inline constexpr uint8_t kZonemdSchemeSimple = 1;
inline constexpr uint8_t kZonemdSha384 = 1;
inline constexpr uint8_t kZonemdSha512 = 2;

}  // namespace rootd::dns
