// Owns the bytes, pointer offsets and cut points of many ResponseBody values, built once and
// then frozen: after Freeze() the bodies point into storage that never moves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "zone/response_body.h"

namespace rootd::zone {

class BodyStore {
 public:
  BodyStore() = default;
  BodyStore(const BodyStore&) = delete;
  BodyStore& operator=(const BodyStore&) = delete;

  // Appends one body; returns its index. Only before Freeze().
  uint32_t Add(const std::string& bytes, const std::vector<uint16_t>& pointer_offsets, const std::vector<CutPoint>& cuts,
               uint16_t nominal_question_end, uint8_t rcode, bool authoritative);
  // Resolves every body's pointers into the final storage.
  void Freeze();

  const ResponseBody& body(uint32_t index) const { return bodies_[index]; }
  size_t size() const { return bodies_.size(); }
  size_t memory_bytes() const;

 private:
  struct Spans {
    uint32_t bytes_at, pointers_at, cuts_at;
  };
  std::string bytes_;
  std::vector<uint16_t> pointer_offsets_;
  std::vector<CutPoint> cuts_;
  std::vector<Spans> spans_;
  std::vector<ResponseBody> bodies_;
};

}  // namespace rootd::zone
