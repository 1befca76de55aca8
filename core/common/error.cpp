#include "civitas/error.hpp"

namespace civitas {

const char* code_name(Code c) noexcept {
  switch (c) {
    case Code::ok: return "ok";
    case Code::invalid_argument: return "invalid-argument";
    case Code::out_of_memory: return "out-of-memory";
    case Code::internal: return "internal";
    case Code::io: return "io";
    case Code::not_found: return "not-found";
    case Code::parse: return "parse";
    case Code::integrity: return "integrity";
    case Code::wrong_key: return "wrong-key";
    case Code::unsupported_version: return "unsupported-version";
    case Code::exists: return "exists";
    case Code::busy: return "busy";
    case Code::denied: return "denied";
    case Code::bad_signature: return "bad-signature";
    case Code::replay: return "replay";
    case Code::unknown_key: return "unknown-key";
    case Code::not_recipient: return "not-recipient";
    case Code::truncated: return "truncated";
    case Code::schema_mismatch: return "schema-mismatch";
    case Code::buffer_too_small: return "buffer-too-small";
    case Code::invalid_data: return "invalid-data";
  }
  return "unknown";
}

std::string with_location(const std::string& message, const Location& w) {
  std::string parts;
  auto add = [&](const std::string& s) {
    parts += parts.empty() ? " (at " : ", ";
    parts += s;
  };
  if (w.source) add(*w.source);
  if (w.row) add("row " + std::to_string(*w.row));
  if (w.field) add("field '" + *w.field + "'");
  if (w.offset) add("byte " + std::to_string(*w.offset));
  return parts.empty() ? message : message + parts + ")";
}

Error::Error(Code code, const std::string& message, Location where)
    : std::runtime_error(with_location(message, where)), code_(code), where_(std::move(where)) {}

}  // namespace civitas
