// A precompiled response body: every section after the question, in wire form, ready to be
// copied behind a header and the client's own question.
//
// Compression pointers in the body depend on where the question ends: a pointer into the
// question's TLD suffix or into the body itself moves with the length of the client's QNAME.
// The body is compiled for a nominal question end; `pointer_offsets` lists the 2-byte
// pointers to shift by (actual question end - nominal) when the client's QNAME is longer.
//
// Truncation: `cuts` are the prefixes the body may be cut at, ascending. cuts[0] is the
// smallest complete response (the answer, or for a referral the NS RRset, its DS proof and
// all in-domain glue, RFC 9471); a response that cannot hold cuts[0] is sent with TC=1 and
// empty sections. Later cuts add optional additional records, dropped without TC.
#pragma once
#include <cstdint>

namespace rootd::zone {

struct SectionCounts {
  uint16_t answer = 0;
  uint16_t authority = 0;
  uint16_t additional = 0;
};

struct CutPoint {
  uint16_t length = 0;  // body bytes up to this cut
  SectionCounts counts;
};

struct ResponseBody {
  const uint8_t* bytes = nullptr;
  uint16_t length = 0;
  uint16_t nominal_question_end = 0;  // offset just past QNAME the body was compiled for
  const uint16_t* pointer_offsets = nullptr;  // ascending body offsets of pointers to shift
  uint16_t pointer_count = 0;
  const CutPoint* cuts = nullptr;
  uint8_t cut_count = 0;
  uint8_t rcode = 0;
  bool authoritative = false;

  const CutPoint& full() const { return cuts[cut_count - 1]; }
};

}  // namespace rootd::zone
