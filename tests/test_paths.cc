#include "tests/test_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rootd::testing {

std::string SharedDataDir() {
  if (const char* env = std::getenv("ROOTD_SHARED_DATA")) return env;
  return std::string(ROOTD_SOURCE_DIR) + "/../shared/data";
}
std::string SourceDir() { return ROOTD_SOURCE_DIR; }
std::string BinaryDir() { return ROOTD_BINARY_DIR; }

namespace {
// Where GoogleTest's TempDir() points (benchmarks and fuzzers share this file without it).
std::string TempRoot() {
  for (const char* variable : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  return "/tmp";
}
}  // namespace

std::string MakeTempDir(const std::string& name) {
  const std::string dir = TempRoot() + "/rootd_" + name + "_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

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
