#include "zone/record_text.h"

#include "zone/encoding.h"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <ctime>
#include <optional>
#include <vector>

#include "zone/name.h"
#include "zone/rr_types.h"
#include "zone/text.h"
#include "zone/type_bitmap.h"
#include "zone/wire.h"

namespace rootd::zone {

namespace {

// Length of the name at `pos`, or 0 if it runs past the end.
size_t NameLength(std::string_view rdata, size_t pos) {
  for (size_t i = pos; i < rdata.size(); i += 1 + static_cast<uint8_t>(rdata[i])) {
    if (rdata[i] == 0) return i + 1 - pos;
  }
  return 0;
}

std::string Generic(std::string_view rdata) {
  std::string out = Cat("\\# ", rdata.size());
  if (!rdata.empty()) out += Cat(" ", HexEncode(rdata));
  return out;
}

// " A NS ..." for a well-formed type bitmap; nothing for a malformed one.
std::optional<std::string> TypeBitmapToText(std::string_view bitmap) {
  absl::StatusOr<std::vector<uint16_t>> types = DecodeTypeBitmap(bitmap);
  if (!types.ok()) return std::nullopt;
  std::string out;
  for (uint16_t type : *types) {
    out += ' ';
    out += TypeToText(type);
  }
  return out;
}

}  // namespace

std::string RrsigTimeToText(uint32_t seconds) {
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  return buf;
}

std::string RdataToText(uint16_t type, std::string_view rdata) {
  switch (type) {
    case dns::kTypeA: {
      if (rdata.size() != 4) return Generic(rdata);
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, rdata.data(), buf, sizeof buf);
      return buf;
    }
    case dns::kTypeAaaa: {
      if (rdata.size() != 16) return Generic(rdata);
      char buf[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, rdata.data(), buf, sizeof buf);
      return buf;
    }
    case dns::kTypeNs:
    case dns::kTypeCname:
    case dns::kTypePtr: {
      if (NameLength(rdata, 0) != rdata.size()) return Generic(rdata);
      return NameToText(rdata);
    }
    case dns::kTypeSoa: {
      const size_t m = NameLength(rdata, 0);
      const size_t r = m == 0 ? 0 : NameLength(rdata, m);
      if (m == 0 || r == 0 || rdata.size() != m + r + 20) return Generic(rdata);
      const size_t n = m + r;
      return Cat(NameToText(rdata.substr(0, m)), " ", NameToText(rdata.substr(m, r)), " ", Get32(rdata, n), " ",
                 Get32(rdata, n + 4), " ", Get32(rdata, n + 8), " ", Get32(rdata, n + 12), " ", Get32(rdata, n + 16));
    }
    case dns::kTypeDs: {
      if (rdata.size() < 5) return Generic(rdata);
      return Cat(Get16(rdata, 0), " ", int{static_cast<uint8_t>(rdata[2])}, " ", int{static_cast<uint8_t>(rdata[3])},
                 " ", HexEncode(rdata.substr(4)));
    }
    case dns::kTypeDnskey: {
      if (rdata.size() < 5) return Generic(rdata);
      return Cat(Get16(rdata, 0), " ", int{static_cast<uint8_t>(rdata[2])}, " ", int{static_cast<uint8_t>(rdata[3])},
                 " ", Base64Encode(rdata.substr(4)));
    }
    case dns::kTypeRrsig: {
      const size_t signer = rdata.size() >= 19 ? NameLength(rdata, 18) : 0;
      if (signer == 0 || rdata.size() == 18 + signer) return Generic(rdata);
      return Cat(TypeToText(Get16(rdata, 0)), " ", int{static_cast<uint8_t>(rdata[2])}, " ",
                 int{static_cast<uint8_t>(rdata[3])}, " ", Get32(rdata, 4), " ", RrsigTimeToText(Get32(rdata, 8)), " ",
                 RrsigTimeToText(Get32(rdata, 12)), " ", Get16(rdata, 16), " ", NameToText(rdata.substr(18, signer)),
                 " ", Base64Encode(rdata.substr(18 + signer)));
    }
    case dns::kTypeNsec: {
      const size_t next = NameLength(rdata, 0);
      const std::optional<std::string> types = next == 0 ? std::nullopt : TypeBitmapToText(rdata.substr(next));
      if (!types) return Generic(rdata);
      return Cat(NameToText(rdata.substr(0, next)), *types);
    }
    case dns::kTypeZonemd: {
      if (rdata.size() < 7) return Generic(rdata);
      return Cat(Get32(rdata, 0), " ", int{static_cast<uint8_t>(rdata[4])}, " ", int{static_cast<uint8_t>(rdata[5])},
                 " ", HexEncode(rdata.substr(6)));
    }
    default:
      return Generic(rdata);
  }
}

std::string RecordToText(const Record& record) {
  const std::string rclass = record.rclass == dns::kClassIn ? "IN" : Cat("CLASS", record.rclass);
  return Cat(NameToText(record.owner), " ", record.ttl, " ", rclass, " ", TypeToText(record.type), " ",
             RdataToText(record.type, record.rdata));
}

}  // namespace rootd::zone
