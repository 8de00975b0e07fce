#include "platform/files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/util/clock.hpp"

namespace mllab::platform {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found("file not found: " + path.string());
  if (std::filesystem::is_directory(path, ec)) return Status::invalid(path.string() + " is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::storage_error("cannot open " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::storage_error("cannot read " + path.string());
  return ss.str();
}

Status write_file_atomic(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return Status::storage_error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + new_id().substr(0, 8);
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return Status::storage_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    size_t n = bytes.empty() ? 0 : std::fwrite(bytes.data(), 1, bytes.size(), f);
    bool ok = n == bytes.size() && std::fflush(f) == 0;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok) {
      std::filesystem::remove(tmp, ec);
      return Status::storage_error("cannot write " + path.string() + " (disk full?)");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::storage_error("cannot rename into " + path.string() + ": " + ec.message());
  }
  return Status::ok();
}

}  // namespace mllab::platform
