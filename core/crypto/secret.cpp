// Secure memory, subkey derivation and text encodings.
#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include <cstring>
#include <mutex>
#include <new>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {

void init() {
  static const int rc = sodium_init();  // thread-safe, idempotent
  if (rc < 0) throw Error(Code::internal, "libsodium could not be initialised");
}

SecretBytes::SecretBytes(std::size_t n) {
  if (n == 0) return;
  init();
  data_ = static_cast<unsigned char*>(sodium_malloc(n));  // guarded and mlock'ed
  if (!data_) throw std::bad_alloc();
  // Kept out of core dumps (libsodium does this too where it was built with madvise; this
  // makes it certain). The pages from data_'s page to the end of n are sodium_malloc's own
  // read-write region: the canary and padding before data_ share its first page.
  const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t lo = reinterpret_cast<std::uintptr_t>(data_) & ~(page - 1);
  const std::uintptr_t hi = (reinterpret_cast<std::uintptr_t>(data_) + n + page - 1) & ~(page - 1);
  ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTDUMP);
  sodium_memzero(data_, n);
  size_ = n;
}

SecretBytes::SecretBytes(const void* p, std::size_t n) : SecretBytes(n) {
  if (n) std::memcpy(data_, p, n);
}

SecretBytes::~SecretBytes() {
  if (data_) sodium_free(data_);  // zeroes, unlocks, frees
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept : data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    if (data_) sodium_free(data_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

SecretBytes SecretBytes::random(std::size_t n) {
  SecretBytes s(n);
  if (n) randombytes_buf(s.data(), n);
  return s;
}

bool SecretBytes::equals(const SecretBytes& o) const noexcept {
  if (size_ != o.size_) return false;
  return size_ == 0 || sodium_memcmp(data_, o.data_, size_) == 0;
}

SecretBytes derive_subkey(const SecretBytes& key, std::uint64_t id, std::string_view context8, std::size_t n) {
  return default_suite().kdf(key, id, context8, n);
}

// ---- encodings ----------------------------------------------------------------------------

std::string to_hex(const void* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s(n * 2, '0');
  auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[b[i] >> 4];
    s[2 * i + 1] = digits[b[i] & 15];
  }
  return s;
}

namespace {
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  if (hex.size() % 2) throw Error(Code::parse, "hex string has an odd number of digits");
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
    if (h < 0 || l < 0) {
      Location at;
      at.offset = 2 * i + (h < 0 ? 0 : 1);
      throw Error(Code::parse, "not a hex digit", at);
    }
    out[i] = static_cast<std::uint8_t>(h * 16 + l);
  }
  return out;
}

SecretBytes secret_from_hex(std::string_view hex, std::size_t expected) {
  init();
  SecretBytes s(expected);
  size_t len = 0;
  const char* end = nullptr;
  if (hex.size() != expected * 2 ||
      sodium_hex2bin(s.data(), expected, hex.data(), hex.size(), nullptr, &len, &end) != 0 || len != expected ||
      end != hex.data() + hex.size())
    throw Error(Code::invalid_argument,
                "a key must be exactly " + std::to_string(expected * 2) + " hexadecimal characters");
  return s;
}

static std::string b64(const void* p, std::size_t n, int variant) {
  init();
  std::string s(sodium_base64_encoded_len(n, variant), '\0');
  sodium_bin2base64(s.data(), s.size(), static_cast<const unsigned char*>(p), n, variant);
  s.resize(std::strlen(s.c_str()));
  return s;
}

static std::vector<std::uint8_t> unb64(std::string_view s, int variant, const char* what) {
  init();
  std::vector<std::uint8_t> out(s.size() * 3 / 4 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, &end, variant) != 0 ||
      end != s.data() + s.size()) {
    Location at;
    at.offset = end ? static_cast<std::uint64_t>(end - s.data()) : 0;
    throw Error(Code::parse, std::string("not valid ") + what, at);
  }
  out.resize(len);
  return out;
}

std::string base64url(const void* p, std::size_t n) { return b64(p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::vector<std::uint8_t> from_base64url(std::string_view s) {
  return unb64(s, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "base64url");
}
std::string base64(const void* p, std::size_t n) { return b64(p, n, sodium_base64_VARIANT_ORIGINAL); }
std::vector<std::uint8_t> from_base64(std::string_view s) { return unb64(s, sodium_base64_VARIANT_ORIGINAL, "base64"); }

}  // namespace civitas::crypto
