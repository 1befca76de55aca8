// C2SP signed notes carrying tlog checkpoints (docs/formats/checkpoint.md), Ed25519 only.
#include <cstring>

#include "audit_internal.hpp"
#include "civitas/audit.hpp"
#include "civitas/error.hpp"

namespace civitas::audit {
namespace {

constexpr std::size_t kMaxNote = 1 << 20;
constexpr std::size_t kMaxSignatures = 100;
const std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space

Error parse_error(const std::string& what, std::size_t line) {
  Location at;
  at.row = line;
  at.source = "checkpoint";
  return Error(Code::parse, "checkpoint: " + what, at);
}

std::vector<std::uint8_t> b64(std::string_view s, const char* what) {
  try {
    return crypto::from_base64(s);
  } catch (const Error&) {
    throw Error(Code::parse, std::string(what) + " is not valid base64");
  }
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

struct NoteSig {
  std::string name;
  std::uint32_t key_hash;
  std::vector<std::uint8_t> sig;
};

// Splits a note into body text (ending in '\n') and signatures; checks the framing.
std::string_view split_note(std::string_view note, std::vector<NoteSig>& sigs) {
  if (note.size() > kMaxNote) throw Error(Code::parse, "checkpoint: note larger than 1 MiB");
  if (note.empty() || note.back() != '\n') throw Error(Code::parse, "checkpoint: note must end with a newline");
  std::size_t bad = utf8_check(note, false);
  if (bad != std::string::npos) {
    Location at;
    at.offset = bad;
    throw Error(Code::parse, "checkpoint: note is not valid UTF-8", at);
  }
  for (std::size_t i = 0; i < note.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(note[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      Location at;
      at.offset = i;
      throw Error(Code::parse, "checkpoint: control character in note", at);
    }
  }
  std::size_t sep = note.rfind("\n\n");
  if (sep == std::string_view::npos)
    throw Error(Code::parse, "checkpoint: no blank line between the text and the signatures");
  std::string_view body = note.substr(0, sep + 1);
  std::string_view sig_text = note.substr(sep + 2);
  auto body_lines = split_lines(body);
  std::size_t line_no = body_lines.size() + 2;
  for (std::string_view line : split_lines(sig_text)) {
    if (line.substr(0, kDash.size()) != kDash)
      throw parse_error("signature line must start with '\xE2\x80\x94 '", line_no);
    std::string_view rest = line.substr(kDash.size());
    std::size_t sp = rest.find(' ');
    if (sp == std::string_view::npos || sp == 0) throw parse_error("signature line needs '<name> <signature>'", line_no);
    std::string_view name = rest.substr(0, sp), sig = rest.substr(sp + 1);
    std::vector<std::uint8_t> raw;
    try {
      raw = crypto::from_base64(sig);
    } catch (const Error&) {
      throw parse_error("signature is not valid base64", line_no);
    }
    if (raw.size() < 5) throw parse_error("signature shorter than 5 bytes", line_no);
    if (sigs.size() >= kMaxSignatures) throw parse_error("more than 100 signatures", line_no);
    std::uint32_t kh = (std::uint32_t(raw[0]) << 24) | (std::uint32_t(raw[1]) << 16) | (std::uint32_t(raw[2]) << 8) | raw[3];
    sigs.push_back({std::string(name), kh, std::vector<std::uint8_t>(raw.begin() + 4, raw.end())});
    ++line_no;
  }
  if (sigs.empty()) throw Error(Code::parse, "checkpoint: note has no signature lines");
  return body;
}

}  // namespace

void check_note_name(std::string_view name) {
  if (name.empty()) throw Error(Code::invalid_argument, "note name must not be empty");
  if (name.size() > 256) throw Error(Code::invalid_argument, "note name longer than 256 bytes");
  if (utf8_check(name, true) != std::string::npos)
    throw Error(Code::invalid_argument, "note name must be UTF-8 without control characters");
  for (char c : name)
    if (c == ' ' || c == '+')
      throw Error(Code::invalid_argument, "note name must not contain spaces or '+'");
}

std::uint32_t note_key_hash(std::string_view name, const std::uint8_t* pk32) {
  std::string buf(name);
  buf += '\n';
  buf += '\x01';
  buf.append(reinterpret_cast<const char*>(pk32), 32);
  Hash h = sha256(buf.data(), buf.size());
  return (std::uint32_t(h[0]) << 24) | (std::uint32_t(h[1]) << 16) | (std::uint32_t(h[2]) << 8) | h[3];
}

NoteVerifier NoteVerifier::from_public_key(std::string_view name, const std::uint8_t* pk32) {
  check_note_name(name);
  NoteVerifier v;
  v.name = std::string(name);
  std::memcpy(v.public_key.data(), pk32, 32);
  v.key_hash = note_key_hash(name, pk32);
  return v;
}

std::string NoteVerifier::text() const {
  std::uint8_t kh[4] = {std::uint8_t(key_hash >> 24), std::uint8_t(key_hash >> 16), std::uint8_t(key_hash >> 8),
                        std::uint8_t(key_hash)};
  std::uint8_t key[33];
  key[0] = 0x01;
  std::memcpy(key + 1, public_key.data(), 32);
  return name + "+" + crypto::to_hex(kh, 4) + "+" + crypto::base64(key, sizeof key);
}

NoteVerifier NoteVerifier::parse(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  // The name has no '+'; the key hash is 8 hex digits; the base64 key may contain '+'.
  std::size_t p1 = text.find('+');
  std::size_t p2 = p1 == std::string_view::npos ? p1 : p1 + 9;
  if (p2 == std::string_view::npos || p2 >= text.size() || text[p2] != '+')
    throw Error(Code::parse, "verifier key: expected '<name>+<8 hex digits>+<key>'");
  std::string_view name = text.substr(0, p1), hex = text.substr(p1 + 1, p2 - p1 - 1), key = text.substr(p2 + 1);
  try {
    check_note_name(name);
  } catch (const Error& e) {
    throw Error(Code::parse, std::string("verifier key: ") + e.what());
  }
  if (hex.size() != 8) throw Error(Code::parse, "verifier key: key hash must be 8 hex digits");
  std::vector<std::uint8_t> kh;
  try {
    kh = crypto::from_hex(hex);
  } catch (const Error&) {
    throw Error(Code::parse, "verifier key: key hash is not hex");
  }
  auto raw = b64(key, "verifier key: key");
  // The first byte is the signed-note key type and names the signature algorithm; an unknown
  // one is refused before its length is judged (another algorithm's keys have other sizes).
  if (raw.empty()) throw Error(Code::parse, "verifier key: key is empty");
  if (raw[0] != 0x01) throw Error(Code::unsupported_version, "verifier key: key type " + std::to_string(raw[0]) + " is not Ed25519 (1)");
  if (raw.size() != 33) throw Error(Code::parse, "verifier key: key must be 33 bytes (type + Ed25519 public key)");
  NoteVerifier v = from_public_key(name, raw.data() + 1);
  std::uint32_t given = (std::uint32_t(kh[0]) << 24) | (std::uint32_t(kh[1]) << 16) | (std::uint32_t(kh[2]) << 8) | kh[3];
  if (given != v.key_hash) throw Error(Code::parse, "verifier key: key hash does not match the name and key");
  return v;
}

std::string Checkpoint::body() const {
  std::string b = origin + "\n" + std::to_string(size) + "\n" + crypto::base64(root.data(), root.size()) + "\n";
  for (const auto& x : extensions) b += x + "\n";
  return b;
}

std::string sign_checkpoint(const Checkpoint& c, std::string_view name, const crypto::Key& key) {
  check_note_name(name);
  if (c.origin.empty() || utf8_check(c.origin, true) != std::string::npos)
    throw Error(Code::invalid_argument, "checkpoint origin must be non-empty UTF-8 without control characters");
  for (const auto& x : c.extensions)
    if (x.empty() || utf8_check(x, true) != std::string::npos)
      throw Error(Code::invalid_argument, "checkpoint extension lines must be non-empty, without control characters");
  // Checkpoints have a key of their own (purpose checkpoint) that signs nothing else, so that
  // no other signature of the workspace can be passed off as a checkpoint (docs/crypto.md).
  if (key.purpose != crypto::Purpose::checkpoint || key.public_key.size() != 32 ||
      crypto::suite_of(key).note_key_type() != 0x01)  // the key type this note code writes
    throw Error(Code::invalid_argument, "checkpoints are signed with an Ed25519 checkpoint key");
  std::string body = c.body();
  crypto::Signature sig = crypto::sign(key, body.data(), body.size());
  std::uint32_t kh = note_key_hash(name, key.public_key.data());
  std::uint8_t raw[68] = {std::uint8_t(kh >> 24), std::uint8_t(kh >> 16), std::uint8_t(kh >> 8), std::uint8_t(kh)};
  std::memcpy(raw + 4, sig.data(), 64);
  return body + "\n" + std::string(kDash) + std::string(name) + " " + crypto::base64(raw, sizeof raw) + "\n";
}

std::string cosign_checkpoint(std::string_view note, std::string_view name, const crypto::Key& key) {
  std::vector<NoteSig> sigs;
  std::string_view body = split_note(note, sigs);
  Checkpoint c = parse_checkpoint(note);
  std::string again = sign_checkpoint(c, name, key);  // checks the key and the body's lines
  if (again.compare(0, body.size(), body) != 0)
    throw Error(Code::invalid_argument, "checkpoint: the note's body is not in canonical form");
  if (sigs.size() >= kMaxSignatures) throw Error(Code::invalid_argument, "checkpoint: the note has too many signatures");
  // C2SP signed notes: the new signature line goes after the existing ones.
  return std::string(note) + again.substr(body.size() + 1);
}

Checkpoint parse_checkpoint(std::string_view note) {
  std::vector<NoteSig> sigs;
  std::string_view body = split_note(note, sigs);
  auto lines = split_lines(body);
  if (lines.size() < 3) throw parse_error("body needs origin, tree size and root hash lines", lines.size() + 1);
  Checkpoint c;
  if (lines[0].empty()) throw parse_error("empty origin", 1);
  c.origin = std::string(lines[0]);
  std::string_view sz = lines[1];
  if (sz.empty() || sz.size() > 20 || (sz.size() > 1 && sz[0] == '0'))
    throw parse_error("tree size must be a decimal number without leading zeros", 2);
  std::uint64_t v = 0;
  for (char ch : sz) {
    if (ch < '0' || ch > '9') throw parse_error("tree size must be a decimal number", 2);
    std::uint64_t d = static_cast<std::uint64_t>(ch - '0');
    if (v > (UINT64_MAX - d) / 10) throw parse_error("tree size out of range", 2);
    v = v * 10 + d;
  }
  c.size = v;
  std::vector<std::uint8_t> root;
  try {
    root = crypto::from_base64(lines[2]);
  } catch (const Error&) {
    throw parse_error("root hash is not valid base64", 3);
  }
  if (root.size() != 32) throw parse_error("root hash must be 32 bytes", 3);
  std::memcpy(c.root.data(), root.data(), 32);
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) throw parse_error("empty extension line", i + 1);
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

std::string open_note(std::string_view note, const std::vector<NoteVerifier>& verifiers) {
  std::vector<NoteSig> sigs;
  std::string_view body = split_note(note, sigs);
  bool verified = false;
  for (const NoteSig& s : sigs) {
    for (const NoteVerifier& v : verifiers) {
      if (v.name != s.name || v.key_hash != s.key_hash) continue;
      crypto::Signature sig{};
      if (s.sig.size() != sig.size())
        throw Error(Code::bad_signature, "note: signature by '" + v.name + "' is not 64 bytes");
      std::memcpy(sig.data(), s.sig.data(), sig.size());
      if (!crypto::verify(v.public_key.data(), body.data(), body.size(), sig))
        throw Error(Code::bad_signature, "note: signature by '" + v.name + "' does not verify");
      verified = true;
    }
  }
  if (!verified) throw Error(Code::unknown_key, "note: no signature by a known key");
  return std::string(body);
}

Checkpoint open_checkpoint(std::string_view note, const std::vector<NoteVerifier>& verifiers) {
  Checkpoint c = parse_checkpoint(note);
  try {
    open_note(note, verifiers);
  } catch (const Error& e) {
    if (e.code() != Code::unknown_key) throw;
    throw Error(Code::unknown_key, "checkpoint: no signature by a known key (origin '" + c.origin + "')");
  }
  return c;
}

Checkpoint check_consistency(std::string_view older_note, std::string_view newer_note,
                             const ConsistencyProof& proof, const NoteVerifier& verifier) {
  Checkpoint a = open_checkpoint(older_note, {verifier});
  Checkpoint b = open_checkpoint(newer_note, {verifier});
  if (a.origin != b.origin)
    throw Error(Code::integrity, "checkpoints are for different logs ('" + a.origin + "' and '" + b.origin + "')");
  if (a.size > b.size)
    throw Error(Code::invalid_argument, "the older checkpoint (size " + std::to_string(a.size) +
                                            ") is larger than the newer one (size " + std::to_string(b.size) + ")");
  if (proof.first != a.size || proof.second != b.size)
    throw Error(Code::invalid_argument, "the consistency proof is for sizes " + std::to_string(proof.first) + " → " +
                                            std::to_string(proof.second) + ", not " + std::to_string(a.size) + " → " +
                                            std::to_string(b.size));
  if (!verify_consistency(a.size, b.size, proof.hashes, a.root, b.root))
    throw Error(Code::integrity, "log '" + a.origin + "' is not consistent: the tree of size " + std::to_string(b.size) +
                                     " does not extend the tree of size " + std::to_string(a.size));
  return b;
}

}  // namespace civitas::audit
