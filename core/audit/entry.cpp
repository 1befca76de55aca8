// Canonical audit entries (docs/formats/audit-entry.md): fixed field order, length-prefixed
// fields, details as canonical JSON.
#include <cstring>
#include <nlohmann/json.hpp>

#include "audit_internal.hpp"
#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "civitas/json.hpp"

namespace civitas::audit {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxSafeInt = 9007199254740992LL;  // 2^53
constexpr int kMaxDepth = 64;

void put_string(std::string& out, const std::string& s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void put(std::string& out, const json& v, int depth) {
  if (depth > kMaxDepth) throw Error(Code::parse, "details: JSON nested deeper than 64 levels");
  switch (v.type()) {
    case json::value_t::null: out += "null"; break;
    case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case json::value_t::number_integer: {
      std::int64_t n = v.get<std::int64_t>();
      if (n > kMaxSafeInt || n < -kMaxSafeInt)
        throw Error(Code::parse, "details: integer " + std::to_string(n) + " is outside ±2^53");
      out += std::to_string(n);
      break;
    }
    case json::value_t::number_unsigned: {
      std::uint64_t n = v.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(kMaxSafeInt))
        throw Error(Code::parse, "details: integer " + std::to_string(n) + " is outside ±2^53");
      out += std::to_string(n);
      break;
    }
    case json::value_t::number_float:
      throw Error(Code::parse, "details: only integer numbers are allowed (found a fraction or exponent)");
    case json::value_t::string: put_string(out, v.get_ref<const std::string&>()); break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& x : v) {
        if (!first) out += ',';
        first = false;
        put(out, x, depth + 1);
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {  // std::map: keys in byte order
        if (!first) out += ',';
        first = false;
        put_string(out, it.key());
        out += ':';
        put(out, it.value(), depth + 1);
      }
      out += '}';
      break;
    }
    default:
      throw Error(Code::parse, "details: unsupported JSON value");
  }
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}
void put_field(std::vector<std::uint8_t>& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

const char* const kFieldNames[] = {"actor_dept", "actor_user", "action", "resource",
                                   "purpose",    "outcome",    "details"};

void check_text(const std::string& s, const char* field, bool required) {
  if (required && s.empty()) throw Error(Code::invalid_argument, std::string("audit entry: ") + field + " is required");
  if (s.size() > kMaxFieldBytes)
    throw Error(Code::invalid_argument, std::string("audit entry: ") + field + " is longer than 4096 bytes");
  std::size_t bad = utf8_check(s, true);
  if (bad != std::string::npos)
    throw Error(Code::invalid_argument, std::string("audit entry: ") + field +
                                            " has invalid UTF-8 or a control character at byte " +
                                            std::to_string(bad));
}

// True only when `text` is a JSON object exactly as canonical_json would print it, checked in
// one pass without building a DOM (the common case for every appended and verified entry).
// Anything it is unsure of (escaped keys, "-0", deep nesting) returns false, and the caller
// takes the DOM path, which canonicalises or reports the error.
class CanonicalScan {
 public:
  explicit CanonicalScan(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}
  bool object_document() {
    if (p_ == end_ || *p_ != '{' || !value(0)) return false;
    return p_ == end_;
  }

 private:
  bool value(int depth) {
    if (depth > kMaxDepth || p_ == end_) return false;
    switch (*p_) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  bool literal(std::string_view w) {
    if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  bool number() {
    bool neg = false;
    if (*p_ == '-') neg = true, ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0' && (neg || (p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9'))) return false;  // -0, 01
    std::uint64_t v = 0;
    int digits = 0;
    for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      if (++digits > 16) return false;
      v = v * 10 + static_cast<std::uint64_t>(*p_ - '0');
    }
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    return v <= static_cast<std::uint64_t>(kMaxSafeInt);
  }
  // A string in canonical escaping; with `raw`, its bytes (only when it has no escapes).
  bool string(std::string_view* raw) {
    const char* b = ++p_;
    while (p_ != end_ && *p_ != '"') {
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c < 0x20) return false;
      if (c == '\\') {
        if (raw || ++p_ == end_) return false;
        switch (*p_) {
          case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't': ++p_; break;
          case 'u': {
            // canonical only for control characters without a short form: \u00XX, lower-case hex
            if (end_ - p_ < 5 || p_[1] != '0' || p_[2] != '0') return false;
            auto hexv = [](char h) { return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1; };
            int hi = hexv(p_[3]), lo = hexv(p_[4]);
            if (hi < 0 || lo < 0 || hi > 1) return false;
            int cc = hi * 16 + lo;
            if (cc == '\b' || cc == '\f' || cc == '\n' || cc == '\r' || cc == '\t') return false;
            p_ += 5;
            break;
          }
          default: return false;
        }
        continue;
      }
      ++p_;
    }
    if (p_ == end_) return false;
    std::string_view body(b, static_cast<std::size_t>(p_ - b));
    ++p_;
    if (utf8_check(body, false) != std::string::npos) return false;
    if (raw) *raw = body;
    return true;
  }
  bool array(int depth) {
    ++p_;
    if (p_ != end_ && *p_ == ']') return ++p_, true;
    for (;;) {
      if (!value(depth + 1) || p_ == end_) return false;
      if (*p_ == ']') return ++p_, true;
      if (*p_++ != ',') return false;
    }
  }
  bool object(int depth) {
    ++p_;
    if (p_ != end_ && *p_ == '}') return ++p_, true;
    std::string_view prev;
    bool first = true;
    for (;;) {
      std::string_view key;
      if (p_ == end_ || *p_ != '"' || !string(&key)) return false;
      // std::map order: strictly increasing by unsigned bytes (std::string compare)
      if (!first && !(prev < key)) return false;
      first = false;
      prev = key;
      if (p_ == end_ || *p_++ != ':' || !value(depth + 1) || p_ == end_) return false;
      if (*p_ == '}') return ++p_, true;
      if (*p_++ != ',') return false;
    }
  }
  const char* p_;
  const char* end_;
};

}  // namespace

std::size_t utf8_check(std::string_view s, bool no_controls) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) {
      if (no_controls && (c < 0x20 || c == 0x7f)) return i;
      ++i;
      continue;
    }
    std::size_t len;
    unsigned min;
    if ((c & 0xE0) == 0xC0) len = 2, min = 0x80, c &= 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, min = 0x800, c &= 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, min = 0x10000, c &= 0x07;
    else return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      c = (c << 6) | (p[i + k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

std::string canonical_json(std::string_view text, bool require_object) {
  if (text.size() > 4 * kMaxDetailsBytes) throw Error(Code::parse, "details: JSON longer than 256 KiB");
  if (require_object && CanonicalScan(text).object_document()) return std::string(text);
  json v = parse_json(text, "details");
  if (require_object && !v.is_object()) throw Error(Code::parse, "details: must be a JSON object");
  std::string out;
  put(out, v, 0);
  return out;
}

std::string Entry::actor() const { return actor_user.empty() ? actor_dept : actor_dept + ":" + actor_user; }

void split_actor(std::string_view actor, std::string& dept, std::string& user) {
  auto colon = actor.find(':');
  dept.assign(actor.substr(0, colon));
  user.assign(colon == std::string_view::npos ? std::string_view() : actor.substr(colon + 1));
}

Event make_event(std::string_view actor, std::string action, std::string resource, std::string purpose,
                 std::string outcome, std::string details) {
  Event e;
  split_actor(actor, e.actor_dept, e.actor_user);
  e.action = std::move(action);
  e.resource = std::move(resource);
  e.purpose = std::move(purpose);
  e.outcome = std::move(outcome);
  e.details = std::move(details);
  return e;
}

void check_event(Event& e) {
  if (e.actor_dept.empty() && e.actor_user.empty())
    throw Error(Code::invalid_argument, "audit entry: an actor (department USCC and/or user id) is required");
  if (!e.actor_dept.empty() && (e.actor_dept.size() != 18 || ids::check(ids::Kind::uscc, e.actor_dept) != ids::Reason::ok ||
      ids::normalize(e.actor_dept) != e.actor_dept))
    throw Error(Code::invalid_argument,
                "audit entry: actor department '" + e.actor_dept.substr(0, 40) + "' is not a valid USCC");
  check_text(e.actor_user, "actor_user", false);
  check_text(e.action, "action", true);
  check_text(e.resource, "resource", false);
  check_text(e.purpose, "purpose", false);
  check_text(e.outcome, "outcome", true);
  if (e.details.empty()) e.details = "{}";
  std::string canon;
  try {
    canon = canonical_json(e.details, true);
  } catch (const Error& x) {
    throw Error(Code::invalid_argument, std::string("audit entry: ") + x.what());
  }
  if (canon.size() > kMaxDetailsBytes)
    throw Error(Code::invalid_argument, "audit entry: details longer than 65536 bytes");
  e.details = std::move(canon);
}

std::vector<std::uint8_t> encode_entry(const Entry& e) {
  const std::string* fields[] = {&e.actor_dept, &e.actor_user, &e.action, &e.resource,
                                 &e.purpose,    &e.outcome,    &e.details};
  std::size_t total = 1 + 8 + 8;
  for (int i = 0; i < 7; ++i) {
    std::size_t cap = i == 6 ? kMaxDetailsBytes : kMaxFieldBytes;
    if (fields[i]->size() > cap)
      throw Error(Code::invalid_argument, std::string("audit entry: ") + kFieldNames[i] + " too long");
    total += 4 + fields[i]->size();
  }
  if (e.time_ms < 0) throw Error(Code::invalid_argument, "audit entry: negative time");
  std::vector<std::uint8_t> out;
  out.reserve(total);
  out.push_back(kEntryVersion);
  put_u64(out, e.index);
  put_u64(out, static_cast<std::uint64_t>(e.time_ms));
  for (const std::string* f : fields) put_field(out, *f);
  return out;
}

Entry decode_entry(const std::uint8_t* p, std::size_t n) {
  if (!p && n) throw Error(Code::invalid_argument, "audit entry: NULL data");
  auto at = [](std::size_t off) {
    Location l;
    l.offset = off;
    return l;
  };
  if (n < 1) throw Error(Code::truncated, "audit entry: empty", at(0));
  if (p[0] != kEntryVersion)
    throw Error(Code::unsupported_version, "audit entry: unknown version " + std::to_string(p[0]), at(0));
  if (n < 17) throw Error(Code::truncated, "audit entry: shorter than its header", at(n));
  auto u64 = [&](std::size_t off) {
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | p[off + k];
    return v;
  };
  Entry e;
  e.index = u64(1);
  std::uint64_t t = u64(9);
  if (t > static_cast<std::uint64_t>(INT64_MAX)) throw Error(Code::parse, "audit entry: negative time", at(9));
  e.time_ms = static_cast<std::int64_t>(t);
  std::string* fields[] = {&e.actor_dept, &e.actor_user, &e.action, &e.resource,
                           &e.purpose,    &e.outcome,    &e.details};
  std::size_t off = 17;
  for (int i = 0; i < 7; ++i) {
    if (n - off < 4) throw Error(Code::truncated, std::string("audit entry: ends inside the length of ") + kFieldNames[i], at(off));
    std::uint32_t len = (std::uint32_t(p[off]) << 24) | (std::uint32_t(p[off + 1]) << 16) |
                        (std::uint32_t(p[off + 2]) << 8) | p[off + 3];
    off += 4;
    std::size_t cap = i == 6 ? kMaxDetailsBytes : kMaxFieldBytes;
    if (len > cap) throw Error(Code::parse, std::string("audit entry: ") + kFieldNames[i] + " longer than allowed", at(off - 4));
    if (n - off < len) throw Error(Code::truncated, std::string("audit entry: ends inside ") + kFieldNames[i], at(off));
    fields[i]->assign(reinterpret_cast<const char*>(p + off), len);
    std::size_t bad = utf8_check(*fields[i], i != 6);
    if (bad != std::string::npos)
      throw Error(Code::parse, std::string("audit entry: invalid UTF-8 or control character in ") + kFieldNames[i], at(off + bad));
    off += len;
  }
  if (off != n) throw Error(Code::parse, "audit entry: trailing bytes", at(off));
  std::string canon;
  try {
    canon = canonical_json(e.details, true);
  } catch (const Error& x) {
    throw Error(Code::parse, std::string("audit entry: ") + x.what());
  }
  if (canon != e.details) throw Error(Code::parse, "audit entry: details are not canonical JSON");
  return e;
}

EventLine parse_event_line(std::string_view line, const Location& at) {
  json j = parse_json(line, "the line", at);
  if (!j.is_object()) throw Error(Code::parse, "each line must be a JSON object", at);
  EventLine l;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"actor", &l.actor}, {"action", &l.action},
                            {"resource", &l.resource}, {"purpose", &l.purpose}, {"outcome", &l.outcome}}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) throw Error(Code::parse, std::string("\"") + key + "\" must be a string", at);
    *field = it->get<std::string>();
  }
  if (auto it = j.find("details"); it != j.end() && !it->is_null())
    l.details = it->is_string() ? it->get<std::string>() : it->dump();
  return l;
}

void check_event_at(Event& e, const Location& at) {
  try {
    check_event(e);
  } catch (const Error& x) {
    throw Error(x.code(), x.what(), at);
  }
}

}  // namespace civitas::audit
