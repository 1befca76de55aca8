#include "civitas/json.hpp"

#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace civitas {
namespace {

// The offset of the first bracket that opens level kMaxJsonDepth + 1, or npos.
std::size_t too_deep_at(std::string_view text) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character (a malformed escape is the parser's business)
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > kMaxJsonDepth) return i;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return std::string_view::npos;
}

Location at(const Location& where, std::size_t offset) {
  Location l = where;
  l.offset = where.offset.value_or(0) + offset;
  return l;
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
// parsing value - invalid literal; last read: 'x'" → "syntax error while parsing value - …":
// the position is given once, as the Location's byte offset.
std::string reason(const nlohmann::json::exception& e) {
  std::string s = e.what();
  if (s.rfind("[json.exception.", 0) == 0) {
    std::size_t close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  if (s.rfind("parse error", 0) == 0) {
    std::size_t colon = s.find(": ");
    if (colon != std::string::npos) s.erase(0, colon + 2);
  }
  return s;
}

// Builds an ordered_json exactly as nlohmann's DOM parser does (a repeated key keeps its first
// position and takes the last value), with a hash index per open object: ordered_map finds
// a key by walking its members, so the DOM parser costs O(n^2) on an object of n members (a
// JSON Lines record of 40,000 keys took a minute); this costs O(n).
class OrderedBuilder {
 public:
  using J = nlohmann::ordered_json;
  explicit OrderedBuilder(J& root) : root_(root) {}
  bool null() { return put(J(nullptr)), true; }
  bool boolean(bool v) { return put(J(v)), true; }
  bool number_integer(J::number_integer_t v) { return put(J(v)), true; }
  bool number_unsigned(J::number_unsigned_t v) { return put(J(v)), true; }
  bool number_float(J::number_float_t v, const J::string_t&) { return put(J(v)), true; }
  bool string(J::string_t& v) { return put(J(std::move(v))), true; }
  bool binary(J::binary_t& v) { return put(J::binary(std::move(v))), true; }
  bool start_object(std::size_t) {
    open_.push_back({put(J::object()), {}});
    return true;
  }
  bool key(J::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    open_.push_back({put(J::array()), {}});
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& ex) {
    throw ex;  // as the DOM parser does with exceptions allowed (parse_as catches it)
  }

 private:
  struct Open {
    J* value;
    std::unordered_map<std::string, std::size_t> index;  // objects: key → member position
  };
  // Stores v where the parser is (the root, the open array, or the open object under key_)
  // and returns where it is. Only the innermost open container grows, so the pointers to
  // the open ones stay valid.
  J* put(J&& v) {
    if (open_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Open& o = open_.back();
    if (o.value->is_array()) {
      auto& a = o.value->get_ref<J::array_t&>();
      a.push_back(std::move(v));
      return &a.back();
    }
    // ordered_map is a vector of members: appended to as a vector (no search for the key).
    std::vector<std::pair<const std::string, J>>& members = o.value->get_ref<J::object_t&>();
    auto [it, fresh] = o.index.try_emplace(key_, members.size());
    if (!fresh) {
      members[it->second].second = std::move(v);
      return &members[it->second].second;
    }
    members.emplace_back(key_, std::move(v));
    return &members.back().second;
  }

  J& root_;
  std::vector<Open> open_;
  std::string key_;
};

template <class J>
J parse_dom(std::string_view text) {
  if constexpr (std::is_same_v<J, nlohmann::ordered_json>) {
    J root;
    OrderedBuilder b(root);
    J::sax_parse(text.begin(), text.end(), &b);
    return root;
  } else {
    return J::parse(text.begin(), text.end());
  }
}

template <class J>
J parse_as(std::string_view text, std::string_view what, const Location& where) {
  check_json_depth(text, what, where);
  try {
    return parse_dom<J>(text);
  } catch (const typename J::parse_error& e) {
    std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;  // nlohmann counts the byte read, 1-based
    throw Error(Code::parse, std::string(what) + " is not valid JSON: " + reason(e), at(where, byte));
  } catch (const typename J::exception& e) {  // e.g. a number too large to represent
    throw Error(Code::parse, std::string(what) + " is not valid JSON: " + reason(e), where);
  }
}

}  // namespace

void check_json_depth(std::string_view text, std::string_view what, const Location& where) {
  std::size_t i = too_deep_at(text);
  if (i != std::string_view::npos)
    throw Error(Code::parse,
                std::string(what) + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels", at(where, i));
}

bool json_depth_ok(std::string_view text) noexcept { return too_deep_at(text) == std::string_view::npos; }

nlohmann::json parse_json(std::string_view text, std::string_view what, const Location& where) {
  return parse_as<nlohmann::json>(text, what, where);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text, std::string_view what, const Location& where) {
  return parse_as<nlohmann::ordered_json>(text, what, where);
}

std::optional<nlohmann::json> try_parse_json(std::string_view text) noexcept {
  if (!json_depth_ok(text)) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<std::int64_t> json_integer(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) noexcept {
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    if (hi < 0 || u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    const auto n = static_cast<std::int64_t>(u);
    if (n < lo) return std::nullopt;
    return n;
  }
  if (v.is_number_integer()) {
    const std::int64_t n = v.get<std::int64_t>();
    if (n < lo || n > hi) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> json_unsigned(const nlohmann::json& v, std::uint64_t hi) noexcept {
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    if (u > hi) return std::nullopt;
    return u;
  }
  if (v.is_number_integer()) {  // a signed integer: only when it is not negative
    const std::int64_t n = v.get<std::int64_t>();
    if (n < 0 || static_cast<std::uint64_t>(n) > hi) return std::nullopt;
    return static_cast<std::uint64_t>(n);
  }
  return std::nullopt;
}

namespace {
[[noreturn]] void not_integer(const nlohmann::json& o, const char* key, const std::string& what, const std::string& lo,
                              const std::string& hi) {
  const bool has = o.is_object() && o.contains(key);
  throw Error(Code::parse, what + ": \"" + key + "\" " + (has ? "must be" : "is missing; it must be") + " an integer from " +
                               lo + " to " + hi);
}
}  // namespace

std::int64_t json_integer_at(const nlohmann::json& o, const char* key, const std::string& what, std::int64_t lo,
                             std::int64_t hi) {
  if (o.is_object()) {
    auto it = o.find(key);
    if (it != o.end())
      if (auto n = json_integer(*it, lo, hi)) return *n;
  }
  not_integer(o, key, what, std::to_string(lo), std::to_string(hi));
}

std::uint64_t json_unsigned_at(const nlohmann::json& o, const char* key, const std::string& what, std::uint64_t hi) {
  if (o.is_object()) {
    auto it = o.find(key);
    if (it != o.end())
      if (auto n = json_unsigned(*it, hi)) return *n;
  }
  not_integer(o, key, what, "0", std::to_string(hi));
}

}  // namespace civitas
