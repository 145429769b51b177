// Whole files in and out: the master-file reader's input, and the zones, keys and trust anchors
// the lab tools write.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rootd::zone {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes PATH.tmp with `mode` (0600 for a private key: it never exists with wider rights) and
// renames it over `path`, so that a reader never sees half a file.
absl::Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode = 0644);

}  // namespace rootd::zone
