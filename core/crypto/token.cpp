// Deterministic tokens: the deterministic AEAD of the key's suite (suite 1: AES-256-SIV,
// RFC 5297, through OpenSSL 3's "AES-256-SIV" cipher). Format and security argument:
// docs/formats/token.md.
#include <openssl/crypto.h>

#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"

namespace civitas::crypto {
namespace {

constexpr char kLabel[] = "civitas token v1";

// The one associated-data component: label || version || key id || u32be(len domain) || domain.
std::string token_ad(std::uint8_t format, const KeyId& id, std::string_view domain) {
  if (domain.size() > 0xFFFFu) throw Error(Code::invalid_argument, "token domain longer than 65535 bytes");
  std::string ad(kLabel, sizeof kLabel - 1);
  ad.push_back(static_cast<char>(format));
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
  if (key.purpose != Purpose::token) throw Error(Code::invalid_argument, "tokenisation needs a token key");
  const Suite& su = suite_of(key);
  if (key.secret.size() != su.daead_key_size()) throw Error(Code::invalid_argument, "tokenisation needs a token key");
  if (plaintext.size() > (1u << 30)) throw Error(Code::invalid_argument, "token plaintext too long");
  const std::uint8_t format = su.token_format();
  std::string ad = token_ad(format, key.id, domain);
  std::string m;
  m.reserve(plaintext.size() + 1);
  m.push_back(static_cast<char>(kPad));
  m.append(plaintext);
  // format || key id || synthetic IV || C, where C also encrypts the pad byte so that
  // decoding is plain RFC 5297 (suite 1).
  const std::size_t head = 1 + 8 + su.siv_size();
  std::vector<std::uint8_t> out(head + m.size());
  out[0] = format;
  std::memcpy(out.data() + 1, key.id.data(), 8);
  su.daead_seal(key.secret, ad.data(), ad.size(), m.data(), m.size(), out.data() + 9, out.data() + head);
  OPENSSL_cleanse(m.data(), m.size());
  return out;
}

std::string token_decode(const Keyring& ring, const std::uint8_t* tok, std::size_t n, std::string_view domain) {
  if (!tok || n < 1)
    throw Error(Code::truncated, "token is shorter than its " + std::to_string(kTokenOverhead + 1) + "-byte minimum");
  const Suite& su = suite_of_token_format(tok[0]);  // unsupported_version for an unknown one
  const std::size_t head = 1 + 8 + su.siv_size();
  if (n < head + 1)
    throw Error(Code::truncated, "token is shorter than its " + std::to_string(head + 1) + "-byte minimum");
  KeyId id;
  std::memcpy(id.data(), tok + 1, 8);
  const Key& key = ring.usable(id, Purpose::token);
  if (&suite_of(key) != &su)
    throw Error(Code::integrity, "token names key " + key_id_hex(id) + " of another algorithm (" + key.algorithm + ")");
  std::string ad = token_ad(tok[0], key.id, domain);
  const std::size_t cn = n - head;
  std::string m(cn, '\0');
  bool ok = su.daead_open(key.secret, ad.data(), ad.size(), tok + 9, tok + head, cn,
                          reinterpret_cast<std::uint8_t*>(m.data()));
  if (!ok || m[0] != static_cast<char>(kPad)) {
    OPENSSL_cleanse(m.data(), m.size());
    throw Error(Code::integrity, "token does not verify (wrong domain, wrong key, or tampered)");
  }
  return m.substr(1);
}

}  // namespace civitas::crypto
