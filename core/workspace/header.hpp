// Internal: the workspace header file (<db>.header), docs/formats/workspace.md.
#pragma once

#include <string>

#include "civitas/crypto.hpp"
#include "civitas/workspace.hpp"

namespace civitas::workspace {

struct Header {
  int version = 1;
  std::string workspace_id;  // 32 hex
  std::string key_source;    // "passphrase" | "raw"
  std::string kdf_algorithm; // "argon2id13" for passphrases
  std::uint64_t opslimit = 0;
  std::size_t memlimit = 0;
  std::vector<std::uint8_t> salt;     // 16 bytes for passphrases
  std::vector<std::uint8_t> wrapped;  // nonce || XChaCha20-Poly1305(W) || tag

  /// The associated data binding the wrapped key to every other header field.
  std::string associated_data() const;
  std::string to_json() const;
  static Header parse(const std::string& text, const std::string& path);
};

/// Reads and parses a header file. Errors: not_found, wrong_key (not a header),
/// unsupported_version.
Header read_header(const std::string& path);
/// Writes atomically: temporary file, fsync, rename, fsync of the directory.
void write_header(const std::string& path, const Header& h);

/// The master key of a key source under a header's KDF parameters.
crypto::SecretBytes master_key(const KeySource& src, const Header& h);
/// Fills key_source / KDF fields of h for src (fresh salt) and wraps W.
void seal_header(Header& h, const KeySource& src, const crypto::SecretBytes& workspace_key);
/// Unwraps W; Error(wrong_key) when the key source is wrong.
crypto::SecretBytes open_header(const Header& h, const KeySource& src);

}  // namespace civitas::workspace
