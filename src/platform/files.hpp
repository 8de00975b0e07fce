// Whole-file reads and writes for the CLI and the web app's virtual file system.
#pragma once

#include <filesystem>
#include <string>

#include "core/util/status.hpp"

namespace mllab::platform {

// Reads a whole file; the error names the path.
Result<std::string> read_file(const std::filesystem::path& path);
// Writes a whole file through a temp file + rename; the error names the path.
Status write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

}  // namespace mllab::platform
