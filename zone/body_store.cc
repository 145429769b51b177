#include "zone/body_store.h"

namespace rootd::zone {

uint32_t BodyStore::Add(const std::string& bytes, const std::vector<uint16_t>& pointer_offsets,
                        const std::vector<CutPoint>& cuts, uint16_t nominal_question_end, uint8_t rcode,
                        bool authoritative) {
  spans_.push_back(Spans{static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(pointer_offsets_.size()),
                         static_cast<uint32_t>(cuts_.size())});
  bytes_ += bytes;
  pointer_offsets_.insert(pointer_offsets_.end(), pointer_offsets.begin(), pointer_offsets.end());
  cuts_.insert(cuts_.end(), cuts.begin(), cuts.end());
  ResponseBody body;
  body.length = static_cast<uint16_t>(bytes.size());
  body.nominal_question_end = nominal_question_end;
  body.pointer_count = static_cast<uint16_t>(pointer_offsets.size());
  body.cut_count = static_cast<uint8_t>(cuts.size());
  body.rcode = rcode;
  body.authoritative = authoritative;
  bodies_.push_back(body);
  return static_cast<uint32_t>(bodies_.size() - 1);
}

void BodyStore::Freeze() {
  bytes_.shrink_to_fit();
  pointer_offsets_.shrink_to_fit();
  cuts_.shrink_to_fit();
  for (size_t i = 0; i < bodies_.size(); ++i) {
    bodies_[i].bytes = reinterpret_cast<const uint8_t*>(bytes_.data()) + spans_[i].bytes_at;
    bodies_[i].pointer_offsets = pointer_offsets_.data() + spans_[i].pointers_at;
    bodies_[i].cuts = cuts_.data() + spans_[i].cuts_at;
  }
  spans_.clear();
  spans_.shrink_to_fit();
}

size_t BodyStore::memory_bytes() const {
  return bytes_.capacity() + pointer_offsets_.capacity() * sizeof(uint16_t) + cuts_.capacity() * sizeof(CutPoint) +
         bodies_.capacity() * sizeof(ResponseBody);
}

}  // namespace rootd::zone
