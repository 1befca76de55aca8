// Field actions: names, their JSON form (docs/formats/deid-actions.md), the report's one-line
// description, and apply_action, which dispatches to the column transforms
// (transform_columns.cpp, transform_keyed.cpp).
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/ids.hpp"

namespace civitas::deid {

namespace {

constexpr const char* kNames[] = {"keep",     "drop",       "mask",       "generalize",     "pseudonymize",
                                  "tokenize", "date_shift", "top_bottom", "microaggregate", "noise"};

[[noreturn]] void bad(std::string_view field, const std::string& what) {
  throw Error(Code::invalid_argument, "field \"" + std::string(field) + "\": " + what, Location{{}, std::string(field), {}, {}});
}

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

std::size_t get_size(const nlohmann::json& v, std::string_view field, const char* key, std::size_t max) {
  if (!v.is_number_integer() || v.get<long long>() < 0 || static_cast<unsigned long long>(v.get<long long>()) > max)
    bad(field, std::string("\"") + key + "\" must be an integer from 0 to " + std::to_string(max));
  return static_cast<std::size_t>(v.get<long long>());
}

double get_number(const nlohmann::json& v, std::string_view field, const char* key) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) bad(field, std::string("\"") + key + "\" must be a finite number");
  return v.get<double>();
}

std::string get_string(const nlohmann::json& v, std::string_view field, const char* key) {
  if (!v.is_string()) bad(field, std::string("\"") + key + "\" must be a string");
  return v.get<std::string>();
}

std::string fmt(double v) { return format_number(v, -1); }

}  // namespace

const char* action_name(ActionKind k) noexcept {
  auto i = static_cast<int>(k);
  return i >= 0 && i < 10 ? kNames[i] : "unknown";
}

ActionKind action_from_name(std::string_view name) {
  for (int i = 0; i < 10; ++i)
    if (name == kNames[i]) return static_cast<ActionKind>(i);
  std::string known;
  for (const char* n : kNames) known += std::string(known.empty() ? "" : ", ") + n;
  throw Error(Code::invalid_argument, "unknown action \"" + std::string(name) + "\" (known: " + known + ")");
}

Action parse_action(const nlohmann::json& j, std::string_view field) {
  // The bare string NAME is {"action": NAME}: the same checks, so an action that needs a
  // parameter (date_shift, top_bottom) is refused in either form.
  if (j.is_string()) return parse_action(nlohmann::json{{"action", j}}, field);
  Action a;
  if (!j.is_object()) bad(field, "an action is a string or an object {\"action\": NAME, …}");
  auto it = j.find("action");
  if (it == j.end() || !it->is_string()) bad(field, "the action object needs \"action\": NAME");
  try {
    a.kind = action_from_name(it->get<std::string>());
  } catch (const Error& e) {
    bad(field, e.what());
  }
  // The keys each action takes; anything else is a mistake worth reporting.
  std::set<std::string> allowed{"action"};
  switch (a.kind) {
    case ActionKind::keep:
    case ActionKind::drop: break;
    case ActionKind::mask: allowed.insert({"keep_first", "keep_last", "char"}); break;
    case ActionKind::generalize: allowed.insert({"hierarchy", "level"}); break;
    case ActionKind::pseudonymize: allowed.insert({"domain", "type"}); break;
    case ActionKind::tokenize: allowed.insert({"domain"}); break;
    case ActionKind::date_shift: allowed.insert({"subject", "max_days", "domain"}); break;
    case ActionKind::top_bottom: allowed.insert({"bottom", "top", "decimals"}); break;
    case ActionKind::microaggregate: allowed.insert({"k", "aggregate", "decimals"}); break;
    case ActionKind::noise: allowed.insert({"distribution", "scale", "keyed", "decimals", "domain"}); break;
  }
  for (auto kv = j.begin(); kv != j.end(); ++kv)
    if (!allowed.count(kv.key()))
      bad(field, "unknown key \"" + kv.key() + "\" for action " + action_name(a.kind));

  auto opt = [&](const char* key) -> const nlohmann::json* {
    auto f = j.find(key);
    return f == j.end() ? nullptr : &*f;
  };
  constexpr std::size_t kMaxKeep = 1u << 20;
  if (auto* v = opt("keep_first")) a.keep_first = get_size(*v, field, "keep_first", kMaxKeep);
  if (auto* v = opt("keep_last")) a.keep_last = get_size(*v, field, "keep_last", kMaxKeep);
  if (auto* v = opt("char")) {
    a.mask_char = get_string(*v, field, "char");
    if (utf8_chars(a.mask_char) != 1 || a.mask_char.size() > 4) bad(field, "\"char\" must be exactly one character");
    // The one character must be valid UTF-8 and printable (no control characters).
    try {
      mask_value("x", 0, 0, a.mask_char);
    } catch (const Error&) {
      bad(field, "\"char\" must be one valid UTF-8 character");
    }
    if (static_cast<unsigned char>(a.mask_char[0]) < 0x20 || a.mask_char[0] == 0x7f)
      bad(field, "\"char\" must not be a control character");
  }
  if (auto* v = opt("hierarchy")) a.hierarchy = get_string(*v, field, "hierarchy");
  if (auto* v = opt("domain")) {
    a.domain = get_string(*v, field, "domain");
    if (a.domain.empty()) bad(field, "\"domain\" must not be empty (leave it out for the field name)");
  }
  if (auto* v = opt("type")) {
    std::string t = get_string(*v, field, "type");
    try {
      a.id_kind = static_cast<int>(ids::kind_from_name(t));
    } catch (const Error&) {
      bad(field, "\"type\" must be ric, uscc, orgcode or gb2260, not \"" + t + "\"");
    }
  }
  if (a.kind == ActionKind::date_shift) {
    auto* s = opt("subject");
    auto* m = opt("max_days");
    if (!s || !m) bad(field, "date_shift needs \"subject\" (a column) and \"max_days\"");
    a.subject = get_string(*s, field, "subject");
    if (a.subject.empty()) bad(field, "\"subject\" must name a column");
    a.max_days = static_cast<int>(get_size(*m, field, "max_days", 36500));
  }
  if (auto* v = opt("bottom")) a.bottom = get_number(*v, field, "bottom");
  if (auto* v = opt("top")) a.top = get_number(*v, field, "top");
  if (a.kind == ActionKind::top_bottom) {
    if (!a.bottom && !a.top) bad(field, "top_bottom needs \"bottom\", \"top\" or both");
    if (a.bottom && a.top && *a.bottom > *a.top) bad(field, "\"bottom\" is greater than \"top\"");
  }
  if (auto* v = opt("decimals")) a.decimals = static_cast<int>(get_size(*v, field, "decimals", 15));
  if (auto* v = opt("k")) {
    a.group_size = get_size(*v, field, "k", 1u << 30);
    if (a.group_size < 1) bad(field, "\"k\" must be at least 1");
  }
  if (auto* v = opt("aggregate")) {
    std::string g = get_string(*v, field, "aggregate");
    if (g != "mean" && g != "median") bad(field, "\"aggregate\" must be \"mean\" or \"median\"");
    a.median = g == "median";
  }
  if (auto* v = opt("distribution")) {
    a.distribution = get_string(*v, field, "distribution");
    if (a.distribution != "laplace" && a.distribution != "gaussian" && a.distribution != "uniform")
      bad(field, "\"distribution\" must be laplace, gaussian or uniform");
  }
  if (auto* v = opt("scale")) {
    a.scale = get_number(*v, field, "scale");
    if (a.scale < 0) bad(field, "\"scale\" must not be negative");
  }
  if (auto* v = opt("keyed")) {
    if (!v->is_boolean()) bad(field, "\"keyed\" must be true or false");
    a.keyed = v->get<bool>();
  }
  return a;
}

nlohmann::json action_to_json(const Action& a) {
  nlohmann::json j{{"action", action_name(a.kind)}};
  switch (a.kind) {
    case ActionKind::keep:
    case ActionKind::drop: break;
    case ActionKind::mask:
      j["keep_first"] = a.keep_first;
      j["keep_last"] = a.keep_last;
      j["char"] = a.mask_char;
      break;
    case ActionKind::generalize:
      if (!a.hierarchy.empty()) j["hierarchy"] = a.hierarchy;
      break;
    case ActionKind::pseudonymize:
      if (!a.domain.empty()) j["domain"] = a.domain;
      if (a.id_kind) j["type"] = ids::kind_name(static_cast<ids::Kind>(a.id_kind));
      break;
    case ActionKind::tokenize:
      if (!a.domain.empty()) j["domain"] = a.domain;
      break;
    case ActionKind::date_shift:
      j["subject"] = a.subject;
      j["max_days"] = a.max_days;
      if (!a.domain.empty()) j["domain"] = a.domain;
      break;
    case ActionKind::top_bottom:
      if (a.bottom) j["bottom"] = *a.bottom;
      if (a.top) j["top"] = *a.top;
      if (a.decimals >= 0) j["decimals"] = a.decimals;
      break;
    case ActionKind::microaggregate:
      j["k"] = a.group_size;
      j["aggregate"] = a.median ? "median" : "mean";
      if (a.decimals >= 0) j["decimals"] = a.decimals;
      break;
    case ActionKind::noise:
      j["distribution"] = a.distribution;
      j["scale"] = a.scale;
      j["keyed"] = a.keyed;
      if (a.decimals >= 0) j["decimals"] = a.decimals;
      if (!a.domain.empty()) j["domain"] = a.domain;
      break;
  }
  return j;
}

std::string describe_action(const Action& a) {
  std::string d = action_name(a.kind);
  switch (a.kind) {
    case ActionKind::keep: return "kept as is";
    case ActionKind::drop: return "removed";
    case ActionKind::mask:
      return "mask: keep first " + std::to_string(a.keep_first) + ", last " + std::to_string(a.keep_last) + ", others '" +
             a.mask_char + "'";
    case ActionKind::generalize: return a.hierarchy.empty() ? "generalize" : "generalize by " + a.hierarchy;
    case ActionKind::pseudonymize:
      return std::string("pseudonymize: identity key") +
             (a.id_kind ? std::string(" of ") + ids::kind_name(static_cast<ids::Kind>(a.id_kind)) : std::string()) +
             (a.domain.empty() ? "" : ", domain " + a.domain);
    case ActionKind::tokenize: return "tokenize: deterministic token" + (a.domain.empty() ? "" : ", domain " + a.domain);
    case ActionKind::date_shift:
      return "date_shift: up to " + std::to_string(a.max_days) + " days per " + a.subject;
    case ActionKind::top_bottom:
      return "top_bottom:" + (a.bottom ? " bottom " + fmt(*a.bottom) : std::string()) +
             (a.top ? " top " + fmt(*a.top) : std::string());
    case ActionKind::microaggregate:
      return "microaggregate: groups of " + std::to_string(a.group_size) + ", " + (a.median ? "median" : "mean");
    case ActionKind::noise:
      return "noise: " + a.distribution + " scale " + fmt(a.scale) + (a.keyed ? ", keyed" : ", random");
  }
  return d;
}

void apply_action(const Action& a, std::vector<std::string>& values, const TransformKeys& keys,
                  const ColumnContext& ctx) {
  const std::string_view domain = a.domain.empty() ? std::string_view(ctx.field) : std::string_view(a.domain);
  auto need = [&](const crypto::Key* k, const char* what) -> const crypto::Key& {
    if (!k) bad(ctx.field, std::string(action_name(a.kind)) + " needs " + what);
    return *k;
  };
  switch (a.kind) {
    case ActionKind::keep: return;
    case ActionKind::drop: values.clear(); return;
    case ActionKind::mask: mask_column(values, a.keep_first, a.keep_last, a.mask_char, ctx); return;
    case ActionKind::generalize:
      bad(ctx.field, "generalize is applied by the search with the field's hierarchy, not as a column transform");
    case ActionKind::pseudonymize:
      pseudonymize_column(values, need(keys.identity, "an identity key"), domain, a.id_kind, ctx);
      return;
    case ActionKind::tokenize:
      if (!keys.token && keys.tokenizer) {
        for (std::size_t i = 0; i < values.size(); ++i)
          if (!values[i].empty()) values[i] = keys.tokenizer(values[i], domain);
        return;
      }
      tokenize_column(values, need(keys.token, "a token key"), domain, ctx);
      return;
    case ActionKind::date_shift: {
      if (!ctx.subject) bad(ctx.field, "date_shift needs its subject column \"" + a.subject + "\"");
      date_shift_column(values, need(keys.identity, "an identity key"), domain, a.max_days, ctx);
      return;
    }
    case ActionKind::top_bottom: top_bottom_column(values, a.bottom, a.top, a.decimals, ctx); return;
    case ActionKind::microaggregate: microaggregate_column(values, a.group_size, a.median, a.decimals, ctx); return;
    case ActionKind::noise: {
      NoiseOptions o{a.distribution, a.scale, a.decimals};
      noise_column(values, o, a.keyed ? &need(keys.identity, "an identity key (or \"keyed\": false)") : nullptr, domain,
                   ctx);
      return;
    }
  }
}

}  // namespace civitas::deid
