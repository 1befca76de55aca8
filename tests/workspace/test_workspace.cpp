// Workspaces: key sources, keyring life cycle, peers, files hold no plaintext, forensics.
#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::workspace;
namespace c = civitas::crypto;
namespace fs = std::filesystem;

using civitas::test::code_of;

namespace {
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("civitas-ws") {}
};
// Cheap Argon2id for tests; the default cost is measured in bench/.
KeySource pass(std::string_view p) { return KeySource::passphrase(p, KdfParams{1, 1u << 16}); }
const std::string kDeptA = "91350100M000100Y43";
std::string dept_b() {
  std::string body = "91110000100000007";
  return body + ids::uscc_check_char(body);
}
std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
bool file_contains(const std::string& path, std::string_view needle) {
  if (!fs::exists(path)) return false;
  std::string b = read_all(path);
  return std::search(b.begin(), b.end(), needle.begin(), needle.end()) != b.end();
}
}  // namespace

TEST_CASE("create with a passphrase, reopen, and refuse a wrong passphrase") {
  TempDir d;
  const std::string path = d.file("w.db");
  CreateOptions o;
  o.department = kDeptA;
  o.name = "Market Regulation";
  {
    auto w = Workspace::create(path, pass("correct horse"), o);
    Info i = w->info();
    CHECK(i.department == kDeptA);
    CHECK(i.name == "Market Regulation");
    CHECK(i.key_source == "passphrase");
    CHECK(i.workspace_id.size() == 32);
    auto keys = w->keys();
    CHECK(keys.size() == c::kPurposeCount);
    for (const auto& k : keys) CHECK(k.status == c::Status::primary);
  }
  CHECK(fs::exists(Workspace::header_path(path)));
  auto w = Workspace::open(path, pass("correct horse"));
  CHECK(w->info().name == "Market Regulation");
  try {
    Workspace::open(path, pass("wrong horse"));
    FAIL("opened with a wrong passphrase");
  } catch (const Error& e) {
    CHECK(e.code() == Code::wrong_key);
    CHECK(std::string(e.what()).find("wrong key, or not a civitas workspace") != std::string::npos);
    CHECK(std::string(e.what()).find("wrong horse") == std::string::npos);
  }
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(c::SecretBytes::random(32))); }) == Code::wrong_key);
  CHECK(code_of([&] { Workspace::create(path, pass("x"), {}); }) == Code::exists);
  CHECK(code_of([&] { Workspace::open(d.file("nothing.db"), pass("x")); }) == Code::not_found);
  CreateOptions bad;
  bad.department = "91350100M000100Y44";
  CHECK(code_of([&] { Workspace::create(d.file("x.db"), pass("x"), bad); }) == Code::invalid_data);
  CHECK_FALSE(fs::exists(d.file("x.db")));
  CHECK_FALSE(fs::exists(d.file("x.db.header")));
  CHECK(code_of([] { KeySource::passphrase(""); }) == Code::invalid_argument);
  CHECK(code_of([] { KeySource::raw_key_hex("abcd"); }) == Code::invalid_argument);
}

TEST_CASE("a missing or foreign header is a clear error") {
  TempDir d;
  const std::string path = d.file("w.db");
  c::SecretBytes mk = c::SecretBytes::random(32);
  Workspace::create(path, KeySource::raw_key(mk.clone()));
  std::string hdr = read_all(path + ".header");
  fs::remove(path + ".header");
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::not_found);
  std::ofstream(path + ".header") << "not json";
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::wrong_key);
  std::ofstream(path + ".header") << hdr;
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::ok);
  // header of another workspace with the same master key
  Workspace::create(d.file("o.db"), KeySource::raw_key(mk.clone()));
  fs::copy_file(d.file("o.db.header"), path + ".header", fs::copy_options::overwrite_existing);
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::integrity);
  // a newer header version
  auto j = nlohmann::json::parse(hdr);
  j["version"] = 2;
  std::ofstream(path + ".header", std::ios::trunc) << j.dump();
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::unsupported_version);
}

TEST_CASE("a header's Argon2id cost is bounded before Argon2id runs (at most 4x the default)") {
  TempDir d;
  const std::string path = d.file("w.db");
  Workspace::create(path, pass("correct horse"));
  const std::string hdr = read_all(path + ".header");
  auto with_cost = [&](std::uint64_t ops, std::uint64_t mem) {
    auto j = nlohmann::json::parse(hdr);
    j["kdf"]["opslimit"] = ops;
    j["kdf"]["memlimit"] = mem;
    std::ofstream(path + ".header", std::ios::trunc) << j.dump();
  };
  // The attack: a planted header asks for 64 passes over 4 GiB (accepted before). Argon2id
  // would run for many seconds before "wrong key"; now it is refused at once, naming the limit.
  for (auto [ops, mem] : {std::pair<std::uint64_t, std::uint64_t>{64, std::uint64_t{4} << 30}, {13, 1u << 16},
                          {1, (256u << 20) + 1024}}) {
    with_cost(ops, mem);
    auto t0 = std::chrono::steady_clock::now();
    std::string msg;
    try {
      Workspace::open(path, pass("wrong horse"));
    } catch (const Error& e) {
      CHECK(e.code() == Code::parse);
      msg = e.what();
    }
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
    CHECK(msg.find("opslimit 1..12") != std::string::npos);
    CHECK(msg.find("256 MiB") != std::string::npos);
  }
  // The bound itself is accepted (then the wrong passphrase is the error).
  with_cost(12, 1u << 16);
  CHECK(code_of([&] { Workspace::open(path, pass("wrong horse")); }) == Code::wrong_key);
  // Writers refuse the same range.
  CHECK(code_of([&] { Workspace::create(d.file("x.db"), KeySource::passphrase("p", KdfParams{13, 1u << 16})); }) ==
        Code::invalid_argument);
  CHECK(code_of([&] {
          Workspace::create(d.file("y.db"), KeySource::passphrase("p", KdfParams{1, (256u << 20) + 1024}));
        }) == Code::invalid_argument);
  // A header nested 100,000 levels deep is "not a workspace header", not a crash.
  std::ofstream(path + ".header", std::ios::trunc) << std::string(100000, '[') << std::string(100000, ']');
  CHECK(code_of([&] { Workspace::open(path, pass("correct horse")); }) == Code::wrong_key);
}

TEST_CASE("rotation keeps old ciphertexts, tokens and signatures usable; destroy is explicit") {
  TempDir d;
  const std::string path = d.file("w.db");
  auto w = Workspace::create(path, KeySource::raw_key(c::SecretBytes::random(32)));
  c::FieldContext ctx{"res", "f", "1"};
  auto ct1 = w->encrypt_field("alpha", ctx);
  auto tok1 = w->tokenize("alpha", "d");
  auto sig1 = w->sign("msg", 3);
  auto old_field = c::field_key_id(ct1.data(), ct1.size());
  for (int p = 1; p <= 5; ++p) w->rotate(static_cast<c::Purpose>(p));
  auto ct2 = w->encrypt_field("beta", ctx);
  CHECK(c::field_key_id(ct2.data(), ct2.size()) != old_field);
  CHECK(w->decrypt_field(ct1.data(), ct1.size(), ctx) == "alpha");
  CHECK(w->decrypt_field(ct2.data(), ct2.size(), ctx) == "beta");
  CHECK(w->detokenize(tok1.data(), tok1.size(), "d") == "alpha");
  CHECK(w->tokenize("alpha", "d") != tok1);  // new primary token key
  CHECK(w->verify("", "msg", 3, sig1));
  auto keys = w->keys();
  CHECK(keys.size() == c::kPurposeCount + 5);
  CHECK(std::count_if(keys.begin(), keys.end(), [](auto& k) { return k.status == c::Status::primary; }) == c::kPurposeCount);
  // the primary cannot be destroyed; an old key can, and then its data is gone
  auto primary_field = w->keyring()->primary(c::Purpose::field).id;
  CHECK(code_of([&] { w->destroy_key(primary_field); }) == Code::denied);
  w->destroy_key(old_field);
  CHECK(code_of([&] { w->decrypt_field(ct1.data(), ct1.size(), ctx); }) == Code::denied);
  CHECK(w->decrypt_field(ct2.data(), ct2.size(), ctx) == "beta");
  CHECK(code_of([&] { w->destroy_key(c::KeyId{}); }) == Code::not_found);
}

TEST_CASE("another process's rotation is seen when its ciphertext arrives") {
  TempDir d;
  const std::string path = d.file("w.db");
  c::SecretBytes mk = c::SecretBytes::random(32);
  auto a = Workspace::create(path, KeySource::raw_key(mk.clone()));
  auto b = Workspace::open(path, KeySource::raw_key(mk.clone()));
  a->rotate(c::Purpose::field);
  auto ct = a->encrypt_field("x", {});
  CHECK(b->decrypt_field(ct.data(), ct.size(), {}) == "x");
}

TEST_CASE("changing the master key re-wraps only: data stays readable, the old key stops working") {
  TempDir d;
  const std::string path = d.file("w.db");
  auto w = Workspace::create(path, pass("first"));
  auto ct = w->encrypt_field("kept", {});
  std::string id = w->info().workspace_id;
  c::SecretBytes mk = c::SecretBytes::random(32);
  w->change_master(KeySource::raw_key(mk.clone()));
  CHECK(w->info().key_source == "raw");
  w.reset();
  CHECK(code_of([&] { Workspace::open(path, pass("first")); }) == Code::wrong_key);
  auto w2 = Workspace::open(path, KeySource::raw_key(mk.clone()));
  CHECK(w2->info().workspace_id == id);
  CHECK(w2->decrypt_field(ct.data(), ct.size(), {}) == "kept");
  w2->change_master(pass("second"));
  w2.reset();
  CHECK(code_of([&] { Workspace::open(path, KeySource::raw_key(mk.clone())); }) == Code::wrong_key);
  CHECK(Workspace::open(path, pass("second"))->decrypt_field(ct.data(), ct.size(), {}) == "kept");
}

TEST_CASE("peer directory: export, import, verify, seal, share the identity-key secret") {
  TempDir d;
  CreateOptions oa, ob;
  oa.department = kDeptA;
  oa.name = "Market Regulation";
  ob.department = dept_b();
  ob.name = "Tax";
  auto a = Workspace::create(d.file("a.db"), KeySource::raw_key(c::SecretBytes::random(32)), oa);
  auto b = Workspace::create(d.file("b.db"), KeySource::raw_key(c::SecretBytes::random(32)), ob);
  std::string pub = a->export_public();
  auto j = nlohmann::json::parse(pub);
  CHECK(j["department"] == kDeptA);
  CHECK(j["keys"].size() == 4);  // signing, exchange, user-signing, user-sealing
  CHECK(b->import_public(pub) == kDeptA);
  CHECK(code_of([&] { a->import_public(pub); }) == Code::invalid_argument);  // own
  CHECK(b->peers(kDeptA).size() == 4);
  // signatures
  auto sig = a->sign("contract", 8);
  CHECK(b->verify(kDeptA, "contract", 8, sig));
  CHECK_FALSE(b->verify(kDeptA, "contracT", 8, sig));
  CHECK(code_of([&] { (void)b->verify(dept_b(), "x", 1, sig); }) == Code::ok);
  CHECK(code_of([&] { (void)a->verify(dept_b(), "x", 1, sig); }) == Code::unknown_key);
  // sealed box from b to a
  auto box = b->seal_to(kDeptA, "for A", 5);
  CHECK(a->unseal(box.data(), box.size()) == "for A");
  CHECK(code_of([&] { b->unseal(box.data(), box.size()); }) == Code::not_recipient);
  // tampered documents
  auto t = j;
  t["name"] = "Impostor";
  CHECK(code_of([&] { b->import_public(t.dump()); }) == Code::bad_signature);
  t = j;
  t["department"] = "91350100M000100Y44";
  CHECK(code_of([&] { b->import_public(t.dump()); }) == Code::invalid_data);
  CHECK(code_of([&] { b->import_public("{"); }) == Code::parse);
  t = j;
  t["keys"][0]["public_key"] = c::base64("0123456789abcdef0123456789abcdef", 32);
  CHECK(code_of([&] { b->import_public(t.dump()); }) == Code::invalid_data);
  // identity keys: different secrets differ, a shared secret makes them equal
  std::string body = "11010519491231002";
  std::string ric = body + ids::ric_check_char(body);
  CHECK(a->identity_key(ids::Kind::ric, ric, "health") != b->identity_key(ids::Kind::ric, ric, "health"));
  b->import_public(pub);
  a->import_public(b->export_public());
  auto share = a->share_identity_secret(dept_b());
  b->import_identity_secret_sealed(share.data(), share.size());
  CHECK(a->identity_key(ids::Kind::ric, ric, "health") == b->identity_key(ids::Kind::ric, ric, "health"));
  CHECK(a->identity_key(ids::Kind::ric, ric, "health") != b->identity_key(ids::Kind::ric, ric, "tax"));
}

namespace {
struct Recorder : AuditSink {
  std::vector<std::string> actions, outcomes;
  std::string details;
  void record(const AuditRecord& r) override {
    actions.emplace_back(r.action);
    outcomes.emplace_back(r.outcome);
    details += std::string(r.details_json);
  }
};
}  // namespace

TEST_CASE("sensitive actions reach the audit sink without secrets") {
  TempDir d;
  CreateOptions o;
  o.department = kDeptA;
  auto w = Workspace::create(d.file("w.db"), pass("pw-audit"), o);
  auto rec = std::make_shared<Recorder>();
  w->set_audit_sink(rec);
  auto k = w->rotate(c::Purpose::token);
  w->rotate(c::Purpose::token);
  w->destroy_key(k.id);
  w->export_public();
  w->change_master(pass("pw-audit-2"));
  // change_master: an intent entry before the header is replaced, the "ok" entry after.
  CHECK(rec->actions == std::vector<std::string>{"key.rotate", "key.rotate", "key.destroy", "keys.export_public",
                                                 "workspace.change_master", "workspace.change_master"});
  CHECK(rec->outcomes == std::vector<std::string>{"ok", "ok", "ok", "ok", "intent", "ok"});
  CHECK(rec->details.find("pw-audit") == std::string::npos);
}

TEST_CASE("the workspace files contain none of the plaintexts or key bytes put in") {
  TempDir d;
  const std::string path = d.file("w.db");
  CreateOptions o;
  o.department = kDeptA;
  o.name = "PLAINTEXT-DEPARTMENT-NAME-7f3a";
  c::SecretBytes mk = c::SecretBytes::random(32);
  std::vector<std::string> needles = {o.name, kDeptA, "PLAINTEXT-ROW-VALUE-91c2", "PLAINTEXT-TABLE-NAME"};
  std::vector<std::string> secrets;
  auto scan = [&](const char* when) {
    for (const char* suffix : {"", "-wal", "-shm", ".header"}) {
      for (const auto& n : needles) {
        INFO(when << ": " << suffix << " must not contain " << n);
        CHECK_FALSE(file_contains(path + suffix, n));
      }
      for (const auto& s : secrets) {
        INFO(when << ": " << suffix << " holds a raw key");
        CHECK_FALSE(file_contains(path + suffix, s));
      }
    }
  };
  {
    auto w = Workspace::create(path, KeySource::raw_key(mk.clone()), o);
    w->store().exec("CREATE TABLE \"PLAINTEXT-TABLE-NAME\"(v TEXT)");
    for (int i = 0; i < 200; ++i)
      w->store().exec("INSERT INTO \"PLAINTEXT-TABLE-NAME\" VALUES('PLAINTEXT-ROW-VALUE-91c2')");
    for (int p = 1; p <= 5; ++p) w->rotate(static_cast<c::Purpose>(p));
    for (const auto& [id, k] : w->keyring()->all())
      secrets.emplace_back(reinterpret_cast<const char*>(k.secret.data()), 16);
    secrets.emplace_back(reinterpret_cast<const char*>(mk.data()), 32);
    CHECK(fs::exists(path + "-wal"));
    scan("open");
  }
  scan("closed");
}

TEST_CASE("workspace.md: the sqlcipher shell opens the file with the documented page subkey and PRAGMAs") {
  TempDir d;
  const std::string path = d.file("w.db");
  c::SecretBytes mk = c::SecretBytes::random(32);
  std::string wsid;
  {
    CreateOptions o;
    o.name = "Forensics";
    auto w = Workspace::create(path, KeySource::raw_key(mk.clone()), o);
    wsid = w->info().workspace_id;
  }
  // By hand, as docs/formats/workspace.md says:
  auto h = nlohmann::json::parse(read_all(path + ".header"));
  REQUIRE(h["key_source"] == "raw");
  std::string ad = "civitas-workspace-header/1/" + h["workspace_id"].get<std::string>() + "/raw/-";
  std::string wrapped_b64 = h["wrapped_key"];
  std::vector<unsigned char> wrapped(wrapped_b64.size());
  size_t wl = 0;
  REQUIRE(sodium_base642bin(wrapped.data(), wrapped.size(), wrapped_b64.data(), wrapped_b64.size(), nullptr, &wl, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) == 0);
  REQUIRE(wl == 24 + 32 + 16);
  unsigned char hk[32], wk[32], pk[32];
  crypto_kdf_derive_from_key(hk, 32, 1, "civhead1", mk.data());
  unsigned long long ml = 0;
  REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(wk, &ml, nullptr, wrapped.data() + 24, wl - 24,
                                                     reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                                     wrapped.data(), hk) == 0);
  crypto_kdf_derive_from_key(pk, 32, 1, "civpage1", wk);
  std::string hex = c::to_hex(pk, 32);
  std::string sql = "PRAGMA key = \"x'" + hex + "'\";\nPRAGMA cipher_page_size = 4096;\n"
                    "PRAGMA cipher_hmac_algorithm = HMAC_SHA1;\nPRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA1;\n"
                    "SELECT value FROM meta WHERE key = 'workspace_id';\n";
  std::ofstream(d.file("cmd.sql")) << sql;
  std::string cmd = "sqlcipher '" + path + "' < '" + d.file("cmd.sql") + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[256] = {};
  std::string out;
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  CHECK(out.find(wsid) != std::string::npos);
}

TEST_CASE("two processes rotate keys in one workspace at once") {
  TempDir d;
  const std::string path = d.file("w.db");
  c::SecretBytes mk = c::SecretBytes::random(32);
  Workspace::create(path, KeySource::raw_key(mk.clone()));
  test::in_child_processes(2, [&](int i) {
    auto w = Workspace::open(path, KeySource::raw_key(mk.clone()));
    for (int r = 0; r < 10; ++r) w->rotate(i ? c::Purpose::field : c::Purpose::token);
  });
  auto w = Workspace::open(path, KeySource::raw_key(mk.clone()));
  CHECK(w->keys().size() == c::kPurposeCount + 20);
  w->check_integrity();
}

TEST_CASE("one workspace is used from many threads at once") {
  TempDir d;
  auto w = Workspace::create(d.file("w.db"), KeySource::raw_key(c::SecretBytes::random(32)));
  std::atomic<int> errors{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      try {
        for (int i = 0; i < 50; ++i) {
          std::string v = "t" + std::to_string(t) + "-" + std::to_string(i);
          auto ct = w->encrypt_field(v, {"r", "f", v});
          if (w->decrypt_field(ct.data(), ct.size(), {"r", "f", v}) != v) ++errors;
          if (i % 10 == 0) w->rotate(t % 2 ? c::Purpose::field : c::Purpose::token);
          (void)w->keys();
          (void)w->info();
        }
      } catch (...) {
        ++errors;
      }
    });
  for (auto& t : ts) t.join();
  CHECK(errors == 0);
  CHECK(w->keys().size() == c::kPurposeCount + 4 * 5);
}
