// Internal: escrow share documents (escrow.cpp, docs/formats/escrow-share.md); tests use it for
// the format's test vectors.
#pragma once

#include <cstdint>
#include <string>

#include "civitas/crypto.hpp"

namespace civitas::workspace {

struct ShareDoc {
  std::string workspace_id, department, escrow_id, key_check, checksum;
  std::int64_t created = 0;
  unsigned threshold = 0, shares = 0, index = 0;
  crypto::SecretBytes value;  // the share of W (32 bytes)
};

/// Hex BLAKE2b-128 keyed by W over "civitas escrow key check v1/" || workspace_id.
std::string escrow_key_check(const crypto::SecretBytes& w, const std::string& workspace_id);
/// Hex BLAKE2b-256 over "civitas-escrow-share v1\n" || the canonical JSON without checksum.
std::string escrow_checksum(const ShareDoc& d);
/// Sets d.checksum and returns the share file's text (fixed layout, docs/formats/escrow-share.md).
crypto::SecretBytes format_escrow_share(ShareDoc& d);
/// Parses and checks one share document (format, version, fields, checksum); errors name `where`.
ShareDoc parse_escrow_share(const crypto::SecretBytes& text, const std::string& where);

}  // namespace civitas::workspace
