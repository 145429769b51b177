#include "zone/body_store.h"

#include "zone/text.h"

namespace rootd::zone {

uint32_t BodyStore::Add(const std::string& bytes, const std::vector<uint16_t>& pointer_offsets,
                        const std::vector<CutPoint>& cuts, uint16_t nominal_question_end, uint8_t rcode,
                        bool authoritative) {
  if (bytes.size() > 0xffff || pointer_offsets.size() > 0xffff || cuts.size() > 0xff) {
    ++oversized_;
    return 0;
  }
  const Header header{static_cast<uint16_t>(bytes.size()), nominal_question_end,
                      static_cast<uint16_t>(pointer_offsets.size()), static_cast<uint8_t>(cuts.size()),
                      static_cast<uint8_t>((rcode & kRcodeMask) | (authoritative ? kAuthoritative : 0))};
  const size_t size = sizeof header + cuts.size() * sizeof(CutPoint) + pointer_offsets.size() * sizeof(uint16_t) +
                      bytes.size();
  const size_t handle = arena_.size();
  arena_.resize(handle + (size + 7) / 8, 0);
  auto* out = reinterpret_cast<uint8_t*>(arena_.data() + handle);
  // An empty vector's data() may be null, and memcpy from null is undefined even for 0 octets.
  const auto append = [&out](const void* from, size_t n) {
    if (n == 0) return;
    std::memcpy(out, from, n);
    out += n;
  };
  append(&header, sizeof header);
  append(cuts.data(), cuts.size() * sizeof(CutPoint));
  append(pointer_offsets.data(), pointer_offsets.size() * sizeof(uint16_t));
  append(bytes.data(), bytes.size());
  ++count_;
  return static_cast<uint32_t>(handle);
}

absl::Status BodyStore::Freeze() {
  arena_.shrink_to_fit();
  if (oversized_ == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(Cat(oversized_, " answers exceed 65535 octets or 255 optional RRsets"));
}

}  // namespace rootd::zone
