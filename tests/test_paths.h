// Where tests and benchmarks find their data, and reading and writing it.
#pragma once
#include <string>

namespace rootd::testing {

// ../shared/data beside the repository (the real root zone, SKR files); CI has it there too.
std::string SharedDataDir();
// The repository's own source tree and the build tree.
std::string SourceDir();
std::string BinaryDir();

// An empty folder of the test's own under the temporary folder, named after `name` and the
// process: ctest runs every test case in a process of its own, two at a time, so a fixed path
// (a fixture's folder shared by its cases, say) would be written by two processes at once.
std::string MakeTempDir(const std::string& name);

// A whole file as it is (empty if it cannot be read); a file written whole, replacing it.
std::string ReadFileText(const std::string& path);
void WriteFileText(const std::string& path, const std::string& text);

}  // namespace rootd::testing
