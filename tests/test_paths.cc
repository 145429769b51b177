#include "tests/test_paths.h"

#include <cstdlib>

namespace rootd::testing {

std::string SharedDataDir() {
  if (const char* env = std::getenv("ROOTD_SHARED_DATA")) return env;
  return std::string(ROOTD_SOURCE_DIR) + "/../shared/data";
}
std::string SourceDir() { return ROOTD_SOURCE_DIR; }
std::string BinaryDir() { return ROOTD_BINARY_DIR; }

}  // namespace rootd::testing
