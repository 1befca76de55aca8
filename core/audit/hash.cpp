// SHA-256 for the Merkle tree. OpenSSL's low-level SHA-256 functions avoid the EVP provider
// dispatch per call, which dominates for 65-byte node hashes (docs/benchmarks.md).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

#include <chrono>
#include <cstring>

#include "audit_internal.hpp"
#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::audit {

Hash sha256(const void* p, std::size_t n) {
  Hash h;
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, p, n);
  SHA256_Final(h.data(), &c);
  return h;
}

Hash sha256_prefixed(std::uint8_t prefix, const void* p, std::size_t n) {
  Hash h;
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, &prefix, 1);
  SHA256_Update(&c, p, n);
  SHA256_Final(h.data(), &c);
  return h;
}

Hash leaf_hash(const void* entry, std::size_t n) { return sha256_prefixed(0x00, entry, n); }

Hash node_hash(const Hash& left, const Hash& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  Hash h;
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, buf, sizeof buf);
  SHA256_Final(h.data(), &c);
  return h;
}

Hash empty_root() { return sha256("", 0); }

std::string hash_hex(const Hash& h) { return crypto::to_hex(h.data(), h.size()); }

Hash hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) throw Error(Code::parse, "hash must be 64 hex digits, got " + std::to_string(hex.size()) + " characters");
  auto v = crypto::from_hex(hex);
  Hash h;
  std::memcpy(h.data(), v.data(), 32);
  return h;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace civitas::audit
