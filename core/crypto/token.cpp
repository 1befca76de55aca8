// Deterministic tokens: AES-256-SIV (RFC 5297) through OpenSSL 3's "AES-256-SIV" cipher.
// Format and security argument: docs/formats/token.md.
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {

constexpr char kLabel[] = "civitas token v1";

EVP_CIPHER* siv_cipher() {
  static EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-SIV", nullptr);
  if (!c) throw Error(Code::internal, "OpenSSL does not provide AES-256-SIV");
  return c;
}

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// The one associated-data component: label || version || key id || u32be(len domain) || domain.
std::string token_ad(const KeyId& id, std::string_view domain) {
  if (domain.size() > 0xFFFFu) throw Error(Code::invalid_argument, "token domain longer than 65535 bytes");
  std::string ad(kLabel, sizeof kLabel - 1);
  ad.push_back(static_cast<char>(kTokenVersion));
  ad.append(reinterpret_cast<const char*>(id.data()), id.size());
  unsigned char b[4] = {0, 0, static_cast<unsigned char>(domain.size() >> 8), static_cast<unsigned char>(domain.size())};
  ad.append(reinterpret_cast<const char*>(b), 4);
  ad.append(domain);
  return ad;
}

// The SIV plaintext is 0x00 || value: never empty, so OpenSSL always runs S2V over it.
constexpr unsigned char kPad = 0x00;

}  // namespace

std::vector<std::uint8_t> token_encode(const Key& key, std::string_view plaintext, std::string_view domain) {
  if (key.purpose != Purpose::token || key.secret.size() != 64)
    throw Error(Code::invalid_argument, "tokenisation needs a token key");
  if (plaintext.size() > (1u << 30)) throw Error(Code::invalid_argument, "token plaintext too long");
  std::string ad = token_ad(key.id, domain);
  std::string m;
  m.reserve(plaintext.size() + 1);
  m.push_back(static_cast<char>(kPad));
  m.append(plaintext);
  std::vector<std::uint8_t> out(kTokenOverhead + plaintext.size());
  out[0] = kTokenVersion;
  std::memcpy(out.data() + 1, key.id.data(), 8);
  std::vector<std::uint8_t> c(m.size());
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0, len2 = 0;
  bool ok = ctx && EVP_EncryptInit_ex2(ctx.get(), siv_cipher(), key.secret.data(), nullptr, nullptr) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(ad.data()),
                              static_cast<int>(ad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), c.data(), &len, reinterpret_cast<const unsigned char*>(m.data()),
                              static_cast<int>(m.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), c.data() + len, &len2) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, out.data() + 9) == 1;
  if (!ok || static_cast<std::size_t>(len + len2) != m.size()) throw Error(Code::internal, "AES-SIV encryption failed");
  // c[0] encrypts the pad byte; the token carries it as well so decoding is plain RFC 5297.
  out.resize(kTokenOverhead + m.size());
  std::memcpy(out.data() + kTokenOverhead, c.data(), m.size());
  return out;
}

std::string token_decode(const Keyring& ring, const std::uint8_t* tok, std::size_t n, std::string_view domain) {
  if (!tok || n < kTokenOverhead + 1)
    throw Error(Code::truncated, "token is shorter than its " + std::to_string(kTokenOverhead + 1) + "-byte minimum");
  if (tok[0] != kTokenVersion)
    throw Error(Code::unsupported_version, "token version " + std::to_string(tok[0]) + " is not supported (expected 1)");
  KeyId id;
  std::memcpy(id.data(), tok + 1, 8);
  const Key& key = ring.usable(id, Purpose::token);
  std::string ad = token_ad(key.id, domain);
  const std::size_t cn = n - kTokenOverhead;
  std::string m(cn, '\0');
  unsigned char tag[16];
  std::memcpy(tag, tok + 9, 16);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0, len2 = 0;
  bool ok = ctx && EVP_DecryptInit_ex2(ctx.get(), siv_cipher(), key.secret.data(), nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(ad.data()),
                              static_cast<int>(ad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(m.data()), &len, tok + kTokenOverhead,
                              static_cast<int>(cn)) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(m.data()) + len, &len2) == 1;
  if (!ok || m[0] != static_cast<char>(kPad)) {
    OPENSSL_cleanse(m.data(), m.size());
    throw Error(Code::integrity, "token does not verify (wrong domain, wrong key, or tampered)");
  }
  return m.substr(1);
}

}  // namespace civitas::crypto
