// Shared fixtures of the exchange tests: departments, key pairs, a peer directory, packages.
#pragma once

#include <doctest/doctest.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/ids.hpp"

namespace xt {

namespace fs = std::filesystem;
namespace ex = civitas::package;
using civitas::Code;
using nlohmann::json;

/// A valid USCC built from a number.
inline std::string uscc(int n) {
  std::string org8 = std::to_string(10000000 + (n % 80000000));
  std::string org = org8 + civitas::ids::orgcode_check_char(org8);
  std::string body = "91110000" + org;
  return body + civitas::ids::uscc_check_char(body);
}

struct Dept {
  std::string id;
  civitas::crypto::SecretBytes sign_sk{64};
  ex::PublicKey sign_pk{};
  civitas::crypto::SecretBytes box_sk{32};
  ex::PublicKey box_pk{};
  explicit Dept(int n) : id(uscc(n)) {
    crypto_sign_keypair(sign_pk.data(), sign_sk.data());
    crypto_box_keypair(box_pk.data(), box_sk.data());
  }
  ex::KeyId sign_id() const {
    return civitas::crypto::compute_key_id(civitas::crypto::Purpose::signing, {}, {sign_pk.begin(), sign_pk.end()});
  }
};

/// A peer directory of the given departments' signing keys.
inline ex::ProviderLookup directory(std::initializer_list<const Dept*> ds) {
  std::map<ex::KeyId, ex::ProviderKey> m;
  for (const Dept* d : ds) m[d->sign_id()] = ex::ProviderKey{d->id, d->sign_pk};
  return [m](const ex::KeyId& id) -> std::optional<ex::ProviderKey> {
    auto it = m.find(id);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

/// An in-memory replay memory.
struct Memory {
  std::set<std::tuple<std::string, std::string, std::uint64_t>> seen;
  ex::ReplayMemory hooks() {
    return {[this](const std::string& p, const std::string& c, std::uint64_t s) { return seen.count({p, c, s}) > 0; },
            [this](const std::string& p, const std::string& c, std::uint64_t s, const std::string&) { seen.insert({p, c, s}); }};
  }
};

inline ex::ReaderKeys reader_keys(const Dept& me, ex::ProviderLookup dir, ex::ReplayMemory replay = {}) {
  ex::ReaderKeys k;
  k.exchange_secret = &me.box_sk;
  k.exchange_public = me.box_pk;
  k.provider_key = std::move(dir);
  k.replay = std::move(replay);
  return k;
}

inline ex::WriterOptions writer_options(const Dept& from, std::initializer_list<const Dept*> to, std::uint64_t seq = 1) {
  ex::WriterOptions o;
  o.provider = from.id;
  o.signing_key = &from.sign_sk;
  for (const Dept* d : to) o.recipients.push_back({d->id, d->box_pk, seq});
  o.catalog = "110000-000123";
  o.purpose = "test";
  o.approval = "APPROVAL-1";
  return o;
}

/// A fresh scratch directory, removed at the end of the test.
struct Scratch {
  fs::path dir;
  Scratch() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("civitas-xchg-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  /// Names in the scratch directory (to check that nothing was left behind).
  std::set<std::string> entries() const {
    std::set<std::string> s;
    for (const auto& e : fs::directory_iterator(dir)) s.insert(e.path().filename().string());
    return s;
  }
};

inline std::string read_file(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
inline void write_file(const std::string& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

/// CSV text with n rows (poorly compressible when noisy is true).
inline std::string csv_rows(std::size_t n, bool noisy) {
  std::string s = "id,name,amount\n";
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s += std::to_string(i) + ",name" + std::to_string(noisy ? x : static_cast<std::uint32_t>(i % 7)) + "," +
         std::to_string(noisy ? (x >> 7) % 100000 : i % 100) + "\n";
  }
  return s;
}

inline json amount_schema() {
  return json::parse(R"({"fields":[{"name":"id","type":"integer"},{"name":"name","type":"string"},
                        {"name":"amount","type":"integer","constraints":{"minimum":0}}]})");
}

/// Runs fn, which must throw civitas::Error with code; returns the message.
template <class Fn>
std::string refuses(Code code, Fn&& fn) {
  try {
    fn();
  } catch (const civitas::Error& e) {
    CHECK_MESSAGE(e.code() == code, "got " << civitas::code_name(e.code()) << ": " << e.what());
    return e.what();
  }
  FAIL("no error; expected " << civitas::code_name(code));
  return {};
}

}  // namespace xt
