#include "tests/test_paths.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rootd::testing {

std::string SharedDataDir() {
  if (const char* env = std::getenv("ROOTD_SHARED_DATA")) return env;
  return std::string(ROOTD_SOURCE_DIR) + "/../shared/data";
}
std::string SourceDir() { return ROOTD_SOURCE_DIR; }
std::string BinaryDir() { return ROOTD_BINARY_DIR; }

std::string ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFileText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace rootd::testing
