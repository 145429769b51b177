// Where tests and benchmarks find their data, and reading and writing it.
#pragma once
#include <string>

namespace rootd::testing {

// ../shared/data beside the repository (the real root zone, SKR files); CI has it there too.
std::string SharedDataDir();
// The repository's own source tree and the build tree.
std::string SourceDir();
std::string BinaryDir();

// A whole file as it is (empty if it cannot be read); a file written whole, replacing it.
std::string ReadFileText(const std::string& path);
void WriteFileText(const std::string& path, const std::string& text);

}  // namespace rootd::testing
