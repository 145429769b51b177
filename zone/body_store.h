// Owns many precompiled response bodies in one arena. Each body is packed in one contiguous
// run: an 8-octet header, its cut points, its pointer offsets and its bytes, so answering
// touches neighbouring cache lines instead of four separate arrays. A body is named by its
// handle (its offset in the arena); ResponseBody is a view made from it on demand.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "zone/response_body.h"

namespace rootd::zone {

class BodyStore {
 public:
  BodyStore() = default;
  BodyStore(const BodyStore&) = delete;
  BodyStore& operator=(const BodyStore&) = delete;

  // Appends one body; returns its handle. Only before Freeze(). A body beyond the header's
  // limits (65535 octets or pointers, 255 cut points) is not stored; Freeze() then fails.
  uint32_t Add(const std::string& bytes, const std::vector<uint16_t>& pointer_offsets, const std::vector<CutPoint>& cuts,
               uint16_t nominal_question_end, uint8_t rcode, bool authoritative);
  // Ends building: the arena never moves afterwards. Fails if a body did not fit its limits.
  absl::Status Freeze();

  // Where a body lies: what a burst prefetches between finding a body and reading it.
  const uint64_t* ref(uint32_t handle) const { return arena_.data() + handle; }
  ResponseBody body(uint32_t handle) const { return View(ref(handle)); }

  // The body at `at` (from ref()).
  static ResponseBody View(const uint64_t* at) {
    Header h;
    std::memcpy(&h, at, sizeof h);
    ResponseBody b;
    b.cuts = reinterpret_cast<const CutPoint*>(at + 1);
    b.pointer_offsets = reinterpret_cast<const uint16_t*>(b.cuts + h.cut_count);
    b.bytes = reinterpret_cast<const uint8_t*>(b.pointer_offsets + h.pointer_count);
    b.length = h.length;
    b.nominal_question_end = h.nominal_question_end;
    b.pointer_count = h.pointer_count;
    b.cut_count = h.cut_count;
    b.rcode = h.flags & kRcodeMask;
    b.authoritative = (h.flags & kAuthoritative) != 0;
    return b;
  }
  size_t size() const { return count_; }
  size_t oversized() const { return oversized_; }  // bodies refused so far
  size_t memory_bytes() const { return arena_.capacity() * sizeof(uint64_t); }

 private:
  struct Header {
    uint16_t length;
    uint16_t nominal_question_end;
    uint16_t pointer_count;
    uint8_t cut_count;
    uint8_t flags;  // RCODE (low bits), authoritative
  };
  static_assert(sizeof(Header) == 8 && sizeof(CutPoint) == 8);
  static constexpr uint8_t kRcodeMask = 0x1f;
  static constexpr uint8_t kAuthoritative = 0x80;

  std::vector<uint64_t> arena_;  // 8-octet words keep every header and cut point aligned
  size_t count_ = 0;
  size_t oversized_ = 0;
};

}  // namespace rootd::zone
