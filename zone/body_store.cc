#include "zone/body_store.h"

namespace rootd::zone {

uint32_t BodyStore::Add(const std::string& bytes, const std::vector<uint16_t>& pointer_offsets,
                        const std::vector<CutPoint>& cuts, uint16_t nominal_question_end, uint8_t rcode,
                        bool authoritative) {
  const Header header{static_cast<uint16_t>(bytes.size()), nominal_question_end,
                      static_cast<uint16_t>(pointer_offsets.size()), static_cast<uint8_t>(cuts.size()),
                      static_cast<uint8_t>((rcode & kRcodeMask) | (authoritative ? kAuthoritative : 0))};
  const size_t size = sizeof header + cuts.size() * sizeof(CutPoint) + pointer_offsets.size() * sizeof(uint16_t) +
                      bytes.size();
  const size_t handle = arena_.size();
  arena_.resize(handle + (size + 7) / 8, 0);
  auto* out = reinterpret_cast<uint8_t*>(arena_.data() + handle);
  std::memcpy(out, &header, sizeof header);
  out += sizeof header;
  std::memcpy(out, cuts.data(), cuts.size() * sizeof(CutPoint));
  out += cuts.size() * sizeof(CutPoint);
  std::memcpy(out, pointer_offsets.data(), pointer_offsets.size() * sizeof(uint16_t));
  out += pointer_offsets.size() * sizeof(uint16_t);
  std::memcpy(out, bytes.data(), bytes.size());
  ++count_;
  return static_cast<uint32_t>(handle);
}

}  // namespace rootd::zone
