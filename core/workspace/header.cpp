// The workspace header file: key source, Argon2id parameters and salt, and the workspace key
// wrapped under the master key. Everything in it is public except what the wrap protects.
#include "header.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/error.hpp"
#include "civitas/json.hpp"

namespace civitas::workspace {

using nlohmann::json;
namespace c = civitas::crypto;

namespace {
constexpr char kFormat[] = "civitas-workspace-header";
// A header may ask for at most 4x the default Argon2id cost (KdfParams: 3 passes, 64 MiB):
// the cost is paid before the wrap tells a right key from a wrong one, so a planted header
// must not make an open take seconds and gigabytes (docs/formats/workspace.md).
constexpr std::uint64_t kMaxOps = 12;
constexpr std::size_t kMaxMem = std::size_t{256} << 20;

std::string kdf_range(std::uint64_t ops, std::size_t mem) {
  return "Argon2id cost opslimit " + std::to_string(ops) + ", memlimit " + std::to_string(mem) +
         " bytes is out of range: opslimit 1.." + std::to_string(kMaxOps) + ", memlimit " +
         std::to_string(crypto_pwhash_MEMLIMIT_MIN) + ".." + std::to_string(kMaxMem) +
         " bytes (256 MiB; at most 4x the default cost)";
}

std::string dir_of(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
}

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  throw Error(Code::io, what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

std::string Header::associated_data() const {
  std::string ad = std::string(kFormat) + "/" + std::to_string(version) + "/" + workspace_id + "/" + key_source + "/";
  if (key_source == "passphrase")
    ad += kdf_algorithm + "/" + std::to_string(opslimit) + "/" + std::to_string(memlimit) + "/" +
          c::base64(salt.data(), salt.size());
  else
    ad += "-";
  return ad;
}

std::string Header::to_json() const {
  json j = {{"format", kFormat}, {"version", version}, {"workspace_id", workspace_id}, {"key_source", key_source}};
  if (key_source == "passphrase")
    j["kdf"] = {{"algorithm", kdf_algorithm}, {"opslimit", opslimit}, {"memlimit", memlimit},
                {"salt", c::base64(salt.data(), salt.size())}};
  j["wrapped_key"] = c::base64(wrapped.data(), wrapped.size());
  return j.dump(2) + "\n";
}

Header Header::parse(const std::string& text, const std::string& path) {
  const std::string bad = "wrong key, or not a civitas workspace (" + path + " is not a civitas workspace header";
  std::optional<json> parsed = try_parse_json(text);
  if (!parsed || !parsed->is_object() || parsed->value("format", "") != kFormat) throw Error(Code::wrong_key, bad + ")");
  const json& j = *parsed;
  Header h;
  try {
    const std::int64_t version = json_integer_at(j, "version", "workspace header " + path);
    if (version != 1)
      throw Error(Code::unsupported_version, "workspace header " + path + " has version " + std::to_string(version) +
                                                 "; this civitas reads version 1");
    h.workspace_id = j.at("workspace_id").get<std::string>();
    h.key_source = j.at("key_source").get<std::string>();
    if (h.key_source == "passphrase") {
      const json& k = j.at("kdf");
      h.kdf_algorithm = k.at("algorithm").get<std::string>();
      h.opslimit = json_unsigned_at(k, "opslimit", "workspace header " + path + ": kdf");
      h.memlimit = static_cast<std::size_t>(json_unsigned_at(k, "memlimit", "workspace header " + path + ": kdf", SIZE_MAX));
      h.salt = c::from_base64(k.at("salt").get<std::string>());
      if (h.kdf_algorithm != "argon2id13")
        throw Error(Code::unsupported_version, "workspace header " + path + ": unknown KDF '" + h.kdf_algorithm + "'");
      if (h.opslimit < crypto_pwhash_OPSLIMIT_MIN || h.opslimit > kMaxOps || h.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
          h.memlimit > kMaxMem)
        throw Error(Code::parse, "workspace header " + path + ": " + kdf_range(h.opslimit, h.memlimit) +
                                     "; refused before running Argon2id");
      if (h.salt.size() != crypto_pwhash_SALTBYTES)
        throw Error(Code::parse, "workspace header " + path + ": the Argon2id salt is not 16 bytes");
    } else if (h.key_source != "raw") {
      throw Error(Code::parse, "workspace header " + path + ": unknown key_source '" + h.key_source + "'");
    }
    h.wrapped = c::from_base64(j.at("wrapped_key").get<std::string>());
  } catch (const json::exception&) {
    throw Error(Code::wrong_key, bad + ": a field is missing or has the wrong type)");
  }
  return h;
}

Header read_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT)
      throw Error(Code::not_found, "workspace header " + path +
                                       " is missing (it holds the wrapped workspace key; restore it from backup)");
    io_error("cannot read", path);
  }
  std::ostringstream ss;
  char buf[4096];
  std::size_t total = 0;
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    total += static_cast<std::size_t>(in.gcount());
    if (total > 65536) throw Error(Code::wrong_key, "wrong key, or not a civitas workspace (" + path + " is too large to be a header)");
    ss.write(buf, in.gcount());
  }
  return Header::parse(ss.str(), path);
}

void write_header(const std::string& path, const Header& h) {
  const std::string tmp = path + ".tmp";
  const std::string text = h.to_json();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) io_error("cannot write", tmp);
  const char* p = text.data();
  std::size_t left = text.size();
  while (left) {
    ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      io_error("cannot write", tmp);
    }
    p += w;
    left -= static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    io_error("cannot sync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) io_error("cannot replace", path);
  int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

c::SecretBytes master_key(const KeySource& src, const Header& h) {
  c::init();
  if (src.is_passphrase() != (h.key_source == "passphrase"))
    throw Error(Code::wrong_key, std::string("wrong key, or not a civitas workspace (this workspace is opened with ") +
                                     (h.key_source == "passphrase" ? "a passphrase" : "a raw key") + ")");
  if (!src.is_passphrase()) return src.secret().clone();
  c::SecretBytes m(32);
  if (crypto_pwhash(m.data(), m.size(), reinterpret_cast<const char*>(src.secret().data()), src.secret().size(),
                    h.salt.data(), h.opslimit, h.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(Code::out_of_memory, "Argon2id could not allocate " + std::to_string(h.memlimit >> 20) + " MiB");
  return m;
}

void seal_header(Header& h, const KeySource& src, const c::SecretBytes& w) {
  if (src.is_passphrase()) {
    h.key_source = "passphrase";
    h.kdf_algorithm = "argon2id13";
    h.opslimit = src.kdf().opslimit;
    h.memlimit = src.kdf().memlimit;
    if (h.opslimit < crypto_pwhash_OPSLIMIT_MIN || h.opslimit > kMaxOps || h.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
        h.memlimit > kMaxMem)
      throw Error(Code::invalid_argument, kdf_range(h.opslimit, h.memlimit));
    h.salt.resize(crypto_pwhash_SALTBYTES);
    randombytes_buf(h.salt.data(), h.salt.size());
  } else {
    h.key_source = "raw";
    h.kdf_algorithm.clear();
    h.opslimit = 0;
    h.memlimit = 0;
    h.salt.clear();
  }
  c::SecretBytes m = master_key(src, h);
  h.wrapped = c::wrap(c::derive_subkey(m, 1, "civhead1"), w, h.associated_data());
}

c::SecretBytes open_header(const Header& h, const KeySource& src) {
  c::SecretBytes m = master_key(src, h);
  c::SecretBytes w = c::unwrap(c::derive_subkey(m, 1, "civhead1"), h.wrapped.data(), h.wrapped.size(),
                               h.associated_data());
  if (w.size() != 32) throw Error(Code::integrity, "workspace header holds a key of the wrong size");
  return w;
}

}  // namespace civitas::workspace
