// A minimal JSON writer for reports (`rootd check --json`, `rootctl --json`): objects, arrays,
// strings with RFC 8259 escaping, numbers and booleans. Commas are placed automatically.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace rootd::server {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);
  JsonWriter& Number(uint64_t value);
  JsonWriter& Bool(bool value);

  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace rootd::server
