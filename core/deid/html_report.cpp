// The de-identification report as one self-contained HTML page: inline CSS, inline SVG
// charts, no script and no external resource (a Content-Security-Policy meta tag forbids
// both). Every text taken from the report goes through esc().
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "civitas/deid.hpp"

namespace civitas::deid {

namespace {

using nlohmann::json;

std::string esc(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default:
        // Control characters other than tab/newline would make the page invalid.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') o += "&#xFFFD;";
        else o += c;
    }
  }
  return o;
}

/// A JSON value as display text (strings without quotes).
std::string text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v.get<double>());
    return b;
  }
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string num(double v, int prec = 4) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", prec, v);
  return b;
}

std::string pct(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.2f%%", v * 100);
  return b;
}

const json* get(const json& o, const char* k) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(k);
  return it == o.end() ? nullptr : &*it;
}

double dnum(const json* o, const char* k, const char* k2 = nullptr) {
  if (!o) return std::nan("");
  const json* v = get(*o, k);
  if (v && k2) v = get(*v, k2);
  return v && v->is_number() ? v->get<double>() : std::nan("");
}

/// A key/value table of an object (nested values as compact JSON).
std::string kv_table(const json& o) {
  std::string h = "<table class=\"kv\">";
  for (auto it = o.begin(); it != o.end(); ++it)
    h += "<tr><th>" + esc(it.key()) + "</th><td>" + esc(text(it.value())) + "</td></tr>";
  return h + "</table>";
}

const char* kBefore = "#c0504d";
const char* kAfter = "#4f81bd";

/// The colour legend of the charts.
std::string legend(int x, bool has_before, bool has_after) {
  std::string s;
  if (has_before) {
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"6\" width=\"12\" height=\"10\" fill=\"" + kBefore +
         "\"/><text x=\"" + std::to_string(x + 16) + "\" y=\"15\" font-size=\"11\">before</text>";
    x += 70;
  }
  if (has_after)
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"6\" width=\"12\" height=\"10\" fill=\"" + kAfter +
         "\"/><text x=\"" + std::to_string(x + 16) + "\" y=\"15\" font-size=\"11\">after</text>";
  return s;
}

/// Grouped bar chart of values in [0, 1]: one group per label, bars before/after.
std::string risk_chart(const std::vector<std::pair<std::string, std::pair<double, double>>>& rows, bool has_before,
                       bool has_after) {
  const int w = 760, left = 190, bar = 14, gap = 14, top = 30;
  const int series = (has_before ? 1 : 0) + (has_after ? 1 : 0);
  const int h = top + static_cast<int>(rows.size()) * (series * bar + gap) + 30;
  const double span = w - left - 70;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) + "\" height=\"" +
                  std::to_string(h) + "\" role=\"img\" aria-label=\"risk before and after\">";
  s += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" fill=\"#fafafa\"/>";
  for (int t = 0; t <= 4; ++t) {
    const double x = left + span * t / 4;
    s += "<line x1=\"" + num(x, 6) + "\" y1=\"" + std::to_string(top - 6) + "\" x2=\"" + num(x, 6) + "\" y2=\"" +
         std::to_string(h - 24) + "\" stroke=\"#ddd\"/>";
    s += "<text x=\"" + num(x, 6) + "\" y=\"" + std::to_string(h - 8) + "\" font-size=\"11\" text-anchor=\"middle\">" +
         std::to_string(t * 25) + "%</text>";
  }
  int y = top;
  for (const auto& r : rows) {
    s += "<text x=\"" + std::to_string(left - 8) + "\" y=\"" + std::to_string(y + bar + 4) +
         "\" font-size=\"12\" text-anchor=\"end\">" + esc(r.first) + "</text>";
    const double vals[2] = {r.second.first, r.second.second};
    int slot = 0;
    for (int k = 0; k < 2; ++k) {
      if ((k == 0 && !has_before) || (k == 1 && !has_after)) continue;
      const double v = vals[k];
      const int yy = y + slot++ * bar;
      if (std::isnan(v)) {
        s += "<text x=\"" + std::to_string(left + 4) + "\" y=\"" + std::to_string(yy + bar - 3) +
             "\" font-size=\"10\" fill=\"#888\">n/a</text>";
        continue;
      }
      const double bw = std::max(1.0, span * std::clamp(v, 0.0, 1.0));
      s += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(yy) + "\" width=\"" + num(bw, 6) +
           "\" height=\"" + std::to_string(bar - 2) + "\" fill=\"" + (k ? kAfter : kBefore) + "\"/>";
      s += "<text x=\"" + num(left + bw + 4, 6) + "\" y=\"" + std::to_string(yy + bar - 3) + "\" font-size=\"10\">" +
           esc(pct(v)) + "</text>";
    }
    y += series * bar + gap;
  }
  s += legend(left, has_before, has_after);
  return s + "</svg>";
}

/// Share of records by class-size bucket, before and after.
std::string class_chart(const ClassSizes& before, const ClassSizes& after, bool has_before, bool has_after) {
  static const std::uint64_t lo[] = {1, 2, 3, 5, 10, 20, 50, 100, 1000};
  static const char* names[] = {"1", "2", "3–4", "5–9", "10–19", "20–49", "50–99", "100–999", "1000+"};
  constexpr int nb = 9;
  auto shares = [&](const ClassSizes& c) {
    std::vector<double> v(nb, 0);
    double total = 0;
    for (const auto& sc : c) {
      const double rec = static_cast<double>(sc.first) * static_cast<double>(sc.second);
      total += rec;
      int b = nb - 1;
      while (b > 0 && sc.first < lo[b]) --b;
      v[static_cast<std::size_t>(b)] += rec;
    }
    if (total > 0)
      for (double& x : v) x /= total;
    return v;
  };
  const auto b = shares(before), a = shares(after);
  const int w = 760, h = 300, left = 50, bottom = 250, top = 30;
  const double colw = (w - left - 20) / static_cast<double>(nb);
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) + "\" height=\"" +
                  std::to_string(h) + "\" role=\"img\" aria-label=\"records by class size\">";
  s += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" fill=\"#fafafa\"/>";
  for (int t = 0; t <= 4; ++t) {
    const double y = bottom - (bottom - top) * t / 4.0;
    s += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + num(y, 6) + "\" x2=\"" + std::to_string(w - 10) + "\" y2=\"" +
         num(y, 6) + "\" stroke=\"#ddd\"/><text x=\"" + std::to_string(left - 6) + "\" y=\"" + num(y + 4, 6) +
         "\" font-size=\"11\" text-anchor=\"end\">" + std::to_string(t * 25) + "%</text>";
  }
  for (int i = 0; i < nb; ++i) {
    const double x0 = left + colw * i + 6;
    const int series = (has_before ? 1 : 0) + (has_after ? 1 : 0);
    const double bw = (colw - 12) / std::max(1, series);
    const double vals[2] = {b[static_cast<std::size_t>(i)], a[static_cast<std::size_t>(i)]};
    int slot = 0;
    for (int k = 0; k < 2; ++k) {
      if ((k == 0 && !has_before) || (k == 1 && !has_after)) continue;
      const double hh = (bottom - top) * vals[k];
      s += "<rect x=\"" + num(x0 + slot++ * bw, 6) + "\" y=\"" + num(bottom - hh, 6) + "\" width=\"" + num(bw - 1, 6) +
           "\" height=\"" + num(hh, 6) + "\" fill=\"" + (k ? kAfter : kBefore) + "\"/>";
    }
    s += "<text x=\"" + num(x0 + (colw - 12) / 2, 6) + "\" y=\"" + std::to_string(bottom + 16) +
         "\" font-size=\"11\" text-anchor=\"middle\">" + names[i] + "</text>";
  }
  s += "<text x=\"" + std::to_string(w / 2) + "\" y=\"" + std::to_string(bottom + 36) +
       "\" font-size=\"12\" text-anchor=\"middle\">class size (share of records in classes of that size)</text>";
  s += legend(left + 10, has_before, has_after);
  return s + "</svg>";
}

ClassSizes sizes_or_empty(const json* cs, const char* k) {
  const json* v = cs ? get(*cs, k) : nullptr;
  if (!v) return {};
  try {
    return class_sizes_from_json(*v);
  } catch (const Error&) {
    return {};
  }
}

std::string risk_cell(double v, bool share) {
  if (std::isnan(v)) return "<td>n/a</td>";
  return "<td>" + esc(share ? pct(v) : num(v, 10)) + "</td>";
}

}  // namespace

std::string report_html(const nlohmann::json& r) {
  if (!r.is_object()) throw Error(Code::invalid_argument, "a report is a JSON object");
  const json* format = get(r, "format");
  const std::string title = format && format->is_string() && format->get<std::string>().rfind("civitas-risk", 0) == 0
                                ? "Re-identification risk"
                                : "De-identification report";
  std::string h;
  h.reserve(32768);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>" + title + "</title><style>"
       "body{font-family:'Noto Sans','Noto Sans CJK SC',sans-serif;margin:24px 32px;color:#222;background:#fff;max-width:1100px}"
       "h1{font-size:24px;border-bottom:3px solid #4f81bd;padding-bottom:6px}h2{font-size:18px;margin-top:28px;color:#1f3b63}"
       "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:left;"
       "vertical-align:top;font-size:13px}th{background:#eef3fa}table.kv th{min-width:90px}"
       ".grid{display:flex;flex-wrap:wrap;gap:0 32px}"
       ".cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:10px 16px;"
       "min-width:140px;background:#f6f9fd}.card b{display:block;font-size:22px;color:#1f3b63}"
       ".note{color:#666;font-size:12px}"
       "</style></head><body>\n<h1>" + title + "</h1>\n";
  if (const json* f = get(r, "format")) h += "<p class=\"note\">format " + esc(text(*f)) + "</p>\n";

  // Summary cards.
  const json* risk = get(r, "risk");
  const json* before = risk ? get(*risk, "before") : nullptr;
  const json* after = risk ? get(*risk, "after") : nullptr;
  h += "<div class=\"cards\">";
  auto card = [&](const std::string& label, const std::string& value) {
    h += "<div class=\"card\">" + esc(label) + "<b>" + esc(value) + "</b></div>";
  };
  if (const json* v = get(r, "classes")) card("classes", text(*v));
  if (const json* v = get(r, "suppressed")) card("suppressed records", text(*v));
  if (double v = dnum(after, "prosecutor", "max"); !std::isnan(v)) card("highest risk after", pct(v));
  if (double v = dnum(after, "prosecutor", "average"); !std::isnan(v)) card("average risk after", pct(v));
  if (double v = dnum(before, "prosecutor", "max"); !std::isnan(v)) card("highest risk before", pct(v));
  h += "</div>\n";

  // Inputs and the privacy model.
  h += "<div class=\"grid\">";
  for (const char* sec : {"input", "output", "privacy", "levels", "measures"}) {
    const json* v = get(r, sec);
    if (!v) continue;
    h += std::string("<div><h2>") + sec + "</h2>";
    h += v->is_object() ? kv_table(*v) : "<p>" + esc(text(*v)) + "</p>";
    h += "</div>\n";
  }
  h += "</div>\n";
  if (const json* v = get(r, "spec_sha256")) h += "<p class=\"note\">spec SHA-256 " + esc(text(*v)) + "</p>\n";

  // Risk before/after.
  if (before || after) {
    h += "<h2>Re-identification risk</h2>";
    struct Row {
      const char* label;
      const char* k1;
      const char* k2;
      bool share;
    };
    const Row rows[] = {{"prosecutor: highest", "prosecutor", "max", true},
                        {"prosecutor: average", "prosecutor", "average", true},
                        {"prosecutor: records at risk", "prosecutor", "records_at_risk", false},
                        {"journalist: highest", "journalist", "max", true},
                        {"journalist: average", "journalist", "average", true},
                        {"journalist: records at risk", "journalist", "records_at_risk", false},
                        {"marketer: average", "marketer", "average", true},
                        {"sample uniques", "sample_uniques", nullptr, false},
                        {"population uniques (share)", "population_uniques", "estimate", true}};
    h += std::string("<table><tr><th>measure</th>") + (before ? "<th>before</th>" : "") +
         (after ? "<th>after</th>" : "") + "</tr>";
    for (const Row& row : rows)
      h += std::string("<tr><th>") + row.label + "</th>" +
           (before ? risk_cell(dnum(before, row.k1, row.k2), row.share) : std::string()) +
           (after ? risk_cell(dnum(after, row.k1, row.k2), row.share) : std::string()) + "</tr>";
    h += "</table>";
    const double thr = dnum(after ? after : before, "prosecutor", "threshold");
    if (!std::isnan(thr)) h += "<p class=\"note\">a record is at risk when its risk exceeds " + esc(pct(thr)) + "</p>";
    auto pair = [&](const char* k1, const char* k2) { return std::make_pair(dnum(before, k1, k2), dnum(after, k1, k2)); };
    h += risk_chart({{"prosecutor: highest", pair("prosecutor", "max")},
                     {"prosecutor: average", pair("prosecutor", "average")},
                     {"journalist: highest", pair("journalist", "max")},
                     {"marketer: average", pair("marketer", "average")},
                     {"population uniques", pair("population_uniques", "estimate")}},
                    before != nullptr, after != nullptr);
    h += "\n";
  }

  // Class sizes.
  if (const json* cs = get(r, "class_sizes")) {
    const ClassSizes b = sizes_or_empty(cs, "before"), a = sizes_or_empty(cs, "after");
    const bool hb = get(*cs, "before") != nullptr, ha = get(*cs, "after") != nullptr;
    h += "<h2>Equivalence class sizes</h2>" + class_chart(b, a, hb, ha);
    h += std::string("<table><tr><th>class size</th>") + (hb ? "<th>classes before</th>" : "") +
         (ha ? "<th>classes after</th>" : "") + "</tr>";
    std::vector<std::uint64_t> all;
    for (const auto& sc : b) all.push_back(sc.first);
    for (const auto& sc : a) all.push_back(sc.first);
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    auto find = [](const ClassSizes& c, std::uint64_t s) -> std::uint64_t {
      for (const auto& sc : c)
        if (sc.first == s) return sc.second;
      return 0;
    };
    std::size_t shown = 0;
    for (auto s : all) {
      if (++shown > 50) {
        h += "<tr><td colspan=\"3\">… " + std::to_string(all.size() - 50) + " more sizes</td></tr>";
        break;
      }
      h += "<tr><td>" + std::to_string(s) + "</td>" + (hb ? "<td>" + std::to_string(find(b, s)) + "</td>" : "") +
           (ha ? "<td>" + std::to_string(find(a, s)) + "</td>" : "") + "</tr>";
    }
    h += "</table>\n";
  }

  // Fields.
  if (const json* fs = get(r, "fields"); fs && fs->is_array()) {
    h += "<h2>Fields</h2><table><tr><th>field</th><th>role</th><th>action</th><th>detail</th></tr>";
    for (const auto& f : *fs) {
      auto cell = [&](const char* k) {
        const json* v = get(f, k);
        return "<td>" + (v ? esc(text(*v)) : std::string()) + "</td>";
      };
      h += "<tr>" + cell("name") + cell("role") + cell("action") + cell("detail") + "</tr>";
    }
    h += "</table>\n";
  }

  if (const json* v = get(r, "search"); v && v->is_object()) h += "<h2>Search</h2>" + kv_table(*v) + "\n";
  h += "<p class=\"note\">Made by civitas. This page loads nothing from the network.</p>\n</body></html>\n";
  return h;
}

}  // namespace civitas::deid
