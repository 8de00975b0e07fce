#include "core/util/sha256.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace mllab {
namespace {

// Lowercase hex of a digest returned by Sha256::finish().
std::string hex(const std::array<uint8_t, 32>& d) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// Expected digests: FIPS 180-4 examples / NIST CAVS "SHA-256" short and long message vectors.
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* k448Msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr const char* k448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kMillionA =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, EmptyString) { EXPECT_EQ(sha256_hex(""), kEmpty); }

TEST(Sha256, Abc) { EXPECT_EQ(sha256_hex("abc"), kAbc); }

TEST(Sha256, TwoBlockMessage448Bits) {
  // 56 bytes: the length does not fit after the 0x80 pad byte, so padding spills into a
  // second block.
  ASSERT_EQ(std::string(k448Msg).size(), 56u);
  EXPECT_EQ(sha256_hex(k448Msg), k448);
}

TEST(Sha256, OneMillionA) { EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), kMillionA); }

TEST(Sha256, OneMillionAFedInOddChunks) {
  Sha256 s;
  const std::string chunk(997, 'a');  // prime, so chunk boundaries drift across blocks
  size_t fed = 0;
  while (fed < 1000000) {
    size_t n = std::min<size_t>(chunk.size(), 1000000 - fed);
    s.update(chunk.data(), n);
    fed += n;
  }
  EXPECT_EQ(hex(s.finish()), kMillionA);
}

TEST(Sha256, IncrementalEqualsOneShotForManyChunkSizes) {
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += static_cast<char>((i * 131 + 7) & 0xff);  // incl. NULs
  const std::string one_shot = sha256_hex(msg);
  for (size_t chunk : {1u, 3u, 7u, 13u, 63u, 64u, 65u, 127u, 999u}) {
    SCOPED_TRACE(chunk);
    Sha256 s;
    for (size_t pos = 0; pos < msg.size(); pos += chunk) {
      s.update(std::string_view(msg).substr(pos, chunk));
    }
    EXPECT_EQ(hex(s.finish()), one_shot);
  }
  // Uneven chunk sequence, with empty updates mixed in.
  Sha256 s;
  size_t pos = 0;
  const size_t sizes[] = {0, 1, 2, 61, 0, 5, 64, 128, 33};
  for (size_t i = 0; pos < msg.size(); ++i) {
    size_t n = std::min(sizes[i % 9], msg.size() - pos);
    s.update(msg.data() + pos, n);
    pos += n;
  }
  EXPECT_EQ(hex(s.finish()), one_shot);
}

TEST(Sha256, AbcIncrementallyByteByByte) {
  Sha256 s;
  s.update("a");
  s.update("b");
  s.update("c");
  EXPECT_EQ(hex(s.finish()), kAbc);
}

TEST(Sha256, PaddingBoundaryLengths) {
  // Lengths around the 55/56 (length field spills into a new block) and 64-byte boundaries.
  // Expected digests from an independent implementation: Python's hashlib (OpenSSL),
  // hashlib.sha256(b"x" * n).hexdigest().
  const std::pair<size_t, const char*> cases[] = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
      {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
  };
  for (const auto& [n, expected] : cases) {
    SCOPED_TRACE(n);
    EXPECT_EQ(sha256_hex(std::string(n, 'x')), expected);
  }
}

TEST(Sha256, BinaryBytesWithNuls) {
  // hashlib.sha256(bytes((i * 131 + 7) & 0xff for i in range(1000))).hexdigest()
  std::string msg;
  for (int i = 0; i < 1000; ++i) msg += static_cast<char>((i * 131 + 7) & 0xff);
  EXPECT_EQ(sha256_hex(msg), "533b698850849b7908b20a22658f639c0b2a476f1791f85f50188287c31a9aba");
}

}  // namespace
}  // namespace mllab
