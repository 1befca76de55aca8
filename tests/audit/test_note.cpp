// C2SP signed notes and checkpoints: the published example note, our own checkpoints checked
// with an independent Ed25519 implementation (OpenSSL), verifier keys, hostile input.
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include "civitas/audit.hpp"
#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "common/fixtures.hpp"

namespace a = civitas::audit;
namespace c = civitas::crypto;
using civitas::Code;
using civitas::test::code_of;

namespace {

const char* kPeterKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const char* kPeterNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

bool openssl_verify(const std::uint8_t* pk, const std::string& msg, const std::uint8_t* sig) {
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pk, 32);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = k && ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, k) == 1 &&
            EVP_DigestVerify(ctx, sig, 64, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(k);
  return ok;
}

}  // namespace

TEST_CASE("the published signed-note example verifies with its verifier key") {
  a::NoteVerifier v = a::NoteVerifier::parse(kPeterKey);
  CHECK(v.name == "PeterNeumann");
  CHECK(v.key_hash == 0xc74f20a3u);
  CHECK(v.text() == kPeterKey);
  CHECK(a::open_note(kPeterNote, {v}) ==
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n");
  std::string changed = kPeterNote;
  changed[3] = 'X';
  CHECK(code_of([&] { a::open_note(changed, {v}); }) == Code::bad_signature);
  CHECK(code_of([&] { a::parse_checkpoint(kPeterNote); }) == Code::parse);  // not a checkpoint
}

TEST_CASE("a signed checkpoint has the documented shape and verifies independently") {
  c::Key key = c::generate_key(c::Purpose::checkpoint);
  a::Checkpoint cp;
  cp.origin = "civitas.example/audit/91110000MA0000000X";
  cp.size = 8;
  cp.root = a::hash_from_hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  std::string note = a::sign_checkpoint(cp, cp.origin, key);
  std::string body = cp.origin + "\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
  REQUIRE(note.substr(0, body.size()) == body);
  std::string line = note.substr(body.size() + 1);
  REQUIRE(line.substr(0, 4) == "\xE2\x80\x94 ");
  std::string b64 = line.substr(4 + cp.origin.size() + 1);
  b64.pop_back();
  auto raw = c::from_base64(b64);
  REQUIRE(raw.size() == 68);
  std::uint32_t kh = a::note_key_hash(cp.origin, key.public_key.data());
  CHECK(((std::uint32_t(raw[0]) << 24) | (std::uint32_t(raw[1]) << 16) | (std::uint32_t(raw[2]) << 8) | raw[3]) == kh);
  CHECK(openssl_verify(key.public_key.data(), body, raw.data() + 4));

  a::NoteVerifier v = a::NoteVerifier::from_public_key(cp.origin, key.public_key.data());
  a::NoteVerifier w = a::NoteVerifier::parse(v.text());
  CHECK(w.public_key == v.public_key);
  a::Checkpoint got = a::open_checkpoint(note, {w});
  CHECK(got.size == 8);
  CHECK(got.root == cp.root);
  CHECK(got.origin == cp.origin);

  c::Key other = c::generate_key(c::Purpose::checkpoint);
  a::NoteVerifier ov = a::NoteVerifier::from_public_key(cp.origin, other.public_key.data());
  CHECK(code_of([&] { a::open_checkpoint(note, {ov}); }) == Code::unknown_key);
  std::string forged = note;
  forged.replace(forged.find("\n8\n"), 3, "\n9\n");
  CHECK(code_of([&] { a::open_checkpoint(forged, {v}); }) == Code::bad_signature);
}

TEST_CASE("malformed checkpoints and verifier keys give parse errors, never crashes") {
  c::Key key = c::generate_key(c::Purpose::checkpoint);
  a::Checkpoint cp{"log", 3, a::empty_root(), {}};
  std::string good = a::sign_checkpoint(cp, "log", key);
  a::NoteVerifier v = a::NoteVerifier::from_public_key("log", key.public_key.data());
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK_THROWS_AS(a::open_checkpoint(good.substr(0, n), {v}), civitas::Error);
  }
  for (const char* bad : {"log\n03\nAAAA\n\n\xE2\x80\x94 log AAAAAAAA\n", "log\n-1\nAAAA\n\n\xE2\x80\x94 log AAAAAAAA\n",
                          "log\n99999999999999999999999\nAAAA\n\n\xE2\x80\x94 log AAAAAAAA\n", "log\n1\n\n\xE2\x80\x94 log AAAAAAAA\n",
                          "log\n1\nAAAA\n\n-- log AAAAAAAA\n", "log\n1\nAAAA\n\n\xE2\x80\x94 log !!!\n", "\n\n\n",
                          "log\n1\n\x01\n\n\xE2\x80\x94 log AAAAAAAA\n"}) {
    CAPTURE(bad);
    CHECK(code_of([&] { a::parse_checkpoint(bad); }) == Code::parse);
  }
  for (const char* bad : {"", "a+b", "a+0000000g+AQ==", "a b+00000000+AQ==", "name+00000000+AQ==",
                          "name+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "x+1+2+3"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(a::NoteVerifier::parse(bad), civitas::Error);
  }
  CHECK_THROWS_AS(a::sign_checkpoint(cp, "bad name", key), civitas::Error);
  CHECK_THROWS_AS(a::sign_checkpoint(cp, "log", c::generate_key(c::Purpose::field)), civitas::Error);
}

TEST_CASE("check_consistency witnesses another log in one call") {
  c::Key key = c::generate_key(c::Purpose::checkpoint);
  a::MemoryTree t;
  for (int i = 0; i < 20; ++i) {
    std::string s = std::to_string(i);
    t.append(a::leaf_hash(s.data(), s.size()));
  }
  a::NoteVerifier v = a::NoteVerifier::from_public_key("dept.example/log", key.public_key.data());
  auto note = [&](std::uint64_t n, a::Hash root) {
    return a::sign_checkpoint({"dept.example/log", n, root, {}}, "dept.example/log", key);
  };
  std::string old_note = note(7, a::tree_root(t, 7)), new_note = note(20, a::tree_root(t, 20));
  a::ConsistencyProof p{7, 20, a::consistency_path(t, 7, 20)};
  CHECK(a::check_consistency(old_note, new_note, p, v).size == 20);
  a::Hash forked = a::tree_root(t, 20);
  forked[0] ^= 1;
  CHECK(code_of([&] { a::check_consistency(old_note, note(20, forked), p, v); }) == Code::integrity);
  a::ConsistencyProof wrong{6, 20, a::consistency_path(t, 6, 20)};
  CHECK(code_of([&] { a::check_consistency(old_note, new_note, wrong, v); }) == Code::invalid_argument);
}
