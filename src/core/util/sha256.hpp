// SHA-256 (FIPS 180-4), used to address datasets and artifacts by content.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mllab {

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  // Feeds more bytes.
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // Finishes and returns the 32-byte digest; the object must not be used afterwards.
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

// Returns the lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace mllab
