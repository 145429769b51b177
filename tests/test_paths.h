// Where tests and benchmarks find their data.
#pragma once
#include <string>

namespace rootd::testing {

// ../shared/data beside the repository (the real root zone, SKR files); CI has it there too.
std::string SharedDataDir();
// The repository's own source tree and the build tree.
std::string SourceDir();
std::string BinaryDir();

}  // namespace rootd::testing
