// Recovery keys (docs/formats/backup.md §1): the X25519 keys backups are encrypted to.
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "backup_file.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"

namespace civitas::workspace {

using nlohmann::json;
using namespace backup_file;

// ---- recovery keys ----------------------------------------------------------------------------

Workspace::RecoveryKey Workspace::generate_recovery_key() {
  c::init();
  RecoveryKey k;
  k.public_key.resize(crypto_box_PUBLICKEYBYTES);
  k.secret = c::SecretBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(k.public_key.data(), k.secret.data());
  k.id = suite1().key_id(c::Purpose::exchange, c::SecretBytes(), k.public_key);
  return k;
}

std::string Workspace::RecoveryKey::public_text() const {
  json j = {{"format", kRecoveryPubFormat}, {"version", 1}, {"algorithm", "x25519"}, {"key_id", id_hex()},
            {"public_key", c::base64(public_key.data(), public_key.size())}};
  return j.dump(2) + "\n";
}

std::string Workspace::RecoveryKey::secret_text() const {
  if (secret.size() != 32) throw Error(Code::invalid_argument, "recovery key " + id_hex() + " has no secret (a public key)");
  // Built by hand so that the secret goes through no std::string the JSON library would keep.
  return std::string("{\n  \"format\": \"") + kRecoveryFormat + "\",\n  \"version\": 1,\n  \"algorithm\": \"x25519\",\n  \"key_id\": \"" +
         id_hex() + "\",\n  \"public_key\": \"" + c::base64(public_key.data(), public_key.size()) +
         "\",\n  \"secret_key\": \"" + c::base64(secret.data(), secret.size()) + "\"\n}\n";
}

Workspace::RecoveryKey Workspace::RecoveryKey::parse(std::string_view text, const std::string& where) {
  c::init();
  std::optional<json> pj = try_parse_json(text);
  if (!pj || !pj->is_object()) throw Error(Code::parse, where + " is not a civitas recovery key (not a JSON object)");
  const json& j = *pj;
  RecoveryKey k;
  try {
    const std::string fmt = j.at("format").get<std::string>();
    if (fmt != kRecoveryFormat && fmt != kRecoveryPubFormat) throw Error(Code::parse, where + " is not a civitas recovery key (format)");
    if (json_integer_at(j, "version", where) != 1)
      throw Error(Code::unsupported_version, where + ": recovery key version " + j["version"].dump() + " is not supported");
    if (j.at("algorithm").get<std::string>() != "x25519")
      throw Error(Code::unsupported_version, where + ": recovery key algorithm is not x25519");
    k.public_key = c::from_base64(j.at("public_key").get<std::string>());
    if (k.public_key.size() != 32) throw Error(Code::invalid_data, where + ": public_key is not 32 bytes");
    k.id = suite1().key_id(c::Purpose::exchange, c::SecretBytes(), k.public_key);
    if (j.at("key_id").get<std::string>() != k.id_hex()) throw Error(Code::invalid_data, where + ": key_id does not match the public key");
    if (fmt == kRecoveryFormat) {
      std::vector<std::uint8_t> s = c::from_base64(j.at("secret_key").get<std::string>());
      c::SecretBytes sk(s.data(), s.size());
      sodium_memzero(s.data(), s.size());
      if (sk.size() != 32) throw Error(Code::invalid_data, where + ": secret_key is not 32 bytes");
      std::array<std::uint8_t, 32> pk{};
      crypto_scalarmult_base(pk.data(), sk.data());
      if (std::memcmp(pk.data(), k.public_key.data(), 32) != 0)
        throw Error(Code::invalid_data, where + ": secret_key does not belong to public_key");
      k.secret = std::move(sk);
    }
  } catch (const json::exception&) {
    throw Error(Code::parse, where + ": a recovery-key field is missing or has the wrong type");
  }
  return k;
}

namespace {
void write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.fd < 0) {
    if (errno == EEXIST) throw Error(Code::exists, "a file already exists at " + path);
    io_error("cannot create", path);
  }
  write_all(fd.fd, text.data(), text.size(), path);
  if (::fsync(fd.fd) != 0) io_error("cannot sync", path);
}
}  // namespace

Workspace::RecoveryKey Workspace::write_recovery_key(const std::string& path) {
  if (path.empty()) throw Error(Code::invalid_argument, "the recovery-key path must not be empty");
  const std::string pub = path + ".pub";
  if (exists(pub)) throw Error(Code::exists, "a file already exists at " + pub);
  RecoveryKey k = generate_recovery_key();
  {
    std::string text = k.secret_text();
    try {
      write_new_file(path, text, 0600);
    } catch (...) {
      sodium_memzero(text.data(), text.size());
      throw;
    }
    sodium_memzero(text.data(), text.size());
  }
  try {
    write_new_file(pub, k.public_text(), 0644);
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
  fsync_dir(path);
  RecoveryKey out;
  out.id = k.id;
  out.public_key = k.public_key;
  return out;
}

Workspace::RecoveryKey Workspace::read_recovery_key(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) throw Error(Code::not_found, "no recovery key at " + path);
    io_error("cannot read", path);
  }
  c::SecretBytes buf(65537);
  const std::size_t n = read_some(fd.fd, buf.data(), buf.size(), path);
  if (n > 65536) throw Error(Code::parse, path + " is not a civitas recovery key (larger than 64 KiB)");
  return RecoveryKey::parse(std::string_view(reinterpret_cast<const char*>(buf.data()), n), path);
}


}  // namespace civitas::workspace
