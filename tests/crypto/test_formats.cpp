// The formats in docs/formats/ decoded by hand with libsodium / OpenSSL calls, as an
// independent implementation would: field-ciphertext.md, token.md, identity-key.md.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>

#include "civitas/crypto.hpp"

using namespace civitas;
using namespace civitas::crypto;

namespace {
void put_u32be(std::string& s, std::size_t n) {
  for (int sh = 24; sh >= 0; sh -= 8) s.push_back(static_cast<char>((n >> sh) & 0xFF));
}
}  // namespace

TEST_CASE("field-ciphertext.md: a ciphertext decrypts with the documented associated data") {
  Key k = generate_key(Purpose::field);
  auto ct = field_encrypt(k, "110101199003074477", {"tax.payers", "ric", "17"});
  // version 0x01 | key id (8) | nonce (24) | XChaCha20-Poly1305 ciphertext || tag (16)
  REQUIRE(ct[0] == 0x01);
  REQUIRE(std::memcmp(ct.data() + 1, k.id.data(), 8) == 0);
  std::string ad = "civitas field v1";
  ad.append(reinterpret_cast<const char*>(ct.data()), 9);
  put_u32be(ad, 10);
  ad += "tax.payers";
  put_u32be(ad, 3);
  ad += "ric";
  put_u32be(ad, 2);
  ad += "17";
  unsigned char m[64];
  unsigned long long mlen = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, nullptr, ct.data() + 33, ct.size() - 33,
                                                     reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                     ct.data() + 9, k.secret.data()) == 0);
  CHECK(std::string(reinterpret_cast<char*>(m), mlen) == "110101199003074477");
  // key id of a symmetric key: BLAKE2b-64 keyed with the secret over "civitas key id v1"
  unsigned char id[8];
  crypto_generichash(id, 8, reinterpret_cast<const unsigned char*>("civitas key id v1"), 17, k.secret.data(), 32);
  CHECK(std::memcmp(id, k.id.data(), 8) == 0);
}

TEST_CASE("token.md: a token is RFC 5297 AES-256-SIV with one associated-data component") {
  Key k = generate_key(Purpose::token);
  auto tok = token_encode(k, "91350100M000100Y43", "uscc");
  REQUIRE(tok[0] == 0x01);
  REQUIRE(std::memcmp(tok.data() + 1, k.id.data(), 8) == 0);
  std::string ad = "civitas token v1";
  ad.append(reinterpret_cast<const char*>(tok.data()), 9);
  put_u32be(ad, 4);
  ad += "uscc";
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-SIV", nullptr);
  REQUIRE(c);
  EVP_CIPHER_CTX* x = EVP_CIPHER_CTX_new();
  std::vector<unsigned char> m(tok.size() - 25);
  int len = 0, len2 = 0;
  REQUIRE(EVP_DecryptInit_ex2(x, c, k.secret.data(), nullptr, nullptr) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tok.data() + 9) == 1);
  REQUIRE(EVP_DecryptUpdate(x, nullptr, &len, reinterpret_cast<const unsigned char*>(ad.data()), static_cast<int>(ad.size())) == 1);
  REQUIRE(EVP_DecryptUpdate(x, m.data(), &len, tok.data() + 25, static_cast<int>(m.size())) == 1);
  REQUIRE(EVP_DecryptFinal_ex(x, m.data() + len, &len2) == 1);
  EVP_CIPHER_CTX_free(x);
  EVP_CIPHER_free(c);
  CHECK(m[0] == 0x00);
  CHECK(std::string(reinterpret_cast<char*>(m.data()) + 1, m.size() - 1) == "91350100M000100Y43");
}

TEST_CASE("identity-key.md: ik1 is BLAKE2b-256 under the domain subkey of kind || canonical id") {
  Key k = generate_key(Purpose::identity);
  IdentityKeyer ik(k, "health");
  std::string body = "11010519491231002";
  std::string canon = body + ids::ric_check_char(body);
  std::string text = ik.key(ids::Kind::ric, canon);
  unsigned char sub[32], h[32];
  std::string msg = "civitas ik domain v1health";
  crypto_generichash(sub, 32, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), k.secret.data(), 32);
  std::string m2 = std::string(1, '\x03') + canon;
  crypto_generichash(h, 32, reinterpret_cast<const unsigned char*>(m2.data()), m2.size(), sub, 32);
  CHECK(text == "ik1:" + k.id_hex() + ":" + base64url(h, 32));
}

TEST_CASE("sealed boxes name the recipient key id before crypto_box_seal") {
  Key x = generate_key(Purpose::exchange);
  auto box = seal(x.public_key.data(), "m", 1);
  CHECK(box[0] == 1);
  CHECK(std::memcmp(box.data() + 1, x.id.data(), 8) == 0);
  unsigned char m[1];
  CHECK(crypto_box_seal_open(m, box.data() + 9, box.size() - 9, x.public_key.data(), x.secret.data()) == 0);
  CHECK(m[0] == 'm');
}
