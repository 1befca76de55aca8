// GB/T 2260 division table: parser for the stdnum loc.dat format, the built-in table, and
// a replaceable current table.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "tables.hpp"

extern const unsigned char civitas_division_data[];
extern const std::size_t civitas_division_data_size;
extern const char civitas_division_data_label[];

namespace civitas::ids {
namespace {

constexpr std::uint32_t kCodes = 1000000;

// Names are views into the table's text: the built-in table's is static data, a loaded
// table keeps its own copy (Table::text), so that a table is made without a string per name.
struct Entry {
  std::uint32_t code;
  std::string_view province, prefecture, county;
};

struct Table {
  std::string label;
  std::string text;  // a loaded table's text (the built-in one's is static)
  std::vector<std::uint64_t> known = std::vector<std::uint64_t>(kCodes / 64 + 1, 0);
  std::vector<Entry> entries;  // sorted by code

  bool has(std::uint32_t c) const noexcept { return (known[c >> 6] >> (c & 63)) & 1u; }
  const Entry* find(std::uint32_t c) const noexcept {
    auto it = std::lower_bound(entries.begin(), entries.end(), c,
                               [](const Entry& e, std::uint32_t v) { return e.code < v; });
    return it != entries.end() && it->code == c ? &*it : nullptr;
  }
};

// Every table ever made stays alive until exit, so a lookup that loaded the old pointer
// keeps a valid table while another thread installs a new one. Loads are rare.
std::mutex g_mu;
std::vector<std::unique_ptr<Table>> g_tables;
std::atomic<const Table*> g_current{nullptr};
const Table* g_builtin = nullptr;

bool parse_code(std::string_view s, std::uint32_t* out) noexcept {
  if (s.size() != 6) return false;
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

// `own`: copy the text into the table (else it must outlive the table: static data).
std::unique_ptr<Table> parse_table(std::string_view text, std::string_view label, bool own) {
  auto t = std::make_unique<Table>();
  t->label = std::string(label);
  if (own) {
    t->text = std::string(text);
    text = t->text;
  }
  std::vector<Entry> rows;
  rows.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t lineno = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    std::size_t line_offset = pos;
    pos = end + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    // Made only for an error (the label is copied into it): not once per line.
    auto where = [&] { return Location{lineno, std::nullopt, line_offset, std::string(label)}; };
    std::uint32_t code = 0;
    if (line.size() < 6 || !parse_code(line.substr(0, 6), &code) || (line.size() > 6 && line[6] != ' '))
      throw Error(Code::parse, "division table: a line must start with a six-digit code", where());
    if (code % 100 == 0)
      throw Error(Code::parse, "division table: only county-level codes (not ending in 00) are listed", where());
    Entry e{code, {}, {}, {}};
    std::size_t i = 6;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) break;
      std::size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
        throw Error(Code::parse, "division table: expected key=\"value\"", where());
      std::string_view key = line.substr(i, eq - i);
      std::size_t close = line.find('"', eq + 2);
      if (close == std::string_view::npos)
        throw Error(Code::parse, "division table: unterminated quoted value", where());
      const std::string_view value = line.substr(eq + 2, close - eq - 2);
      if (key == "province") e.province = value;
      else if (key == "prefecture") e.prefecture = value;
      else if (key == "county") e.county = value;
      // other keys are allowed and ignored, for forward compatibility
      i = close + 1;
    }
    rows.push_back(e);
  }
  if (rows.empty()) throw Error(Code::parse, "division table: no entries", Location{{}, {}, {}, std::string(label)});

  // Derive province (XX0000) and prefecture (XXXX00) entries from the counties. Only the
  // first entry of a code is kept below ("first wins"), so a derived code is made once, from
  // the first county that gives it (the same entry as deriving it from every county).
  std::vector<Entry> derived;
  // One bit per derived code, indexed by code / 100 (a derived code ends in 00).
  std::vector<std::uint64_t> made(kCodes / 100 / 64 + 1, 0);
  auto derive = [&](std::uint32_t code, std::string_view province, std::string_view prefecture) {
    const std::uint32_t k = code / 100;
    if ((made[k >> 6] >> (k & 63)) & 1u) return;
    made[k >> 6] |= std::uint64_t{1} << (k & 63);
    derived.push_back(Entry{code, province, prefecture, {}});
  };
  for (const auto& r : rows) {
    derive(r.code / 10000 * 10000, r.province, {});
    derive(r.code / 100 * 100, r.province, r.prefecture);
  }
  derived.push_back(Entry{100000, "中华人民共和国", {}, {}});  // national level (central organs' USCCs)
  // The stable sort of counties-then-derived, done as two stable sorts and a merge: a county
  // code never ends in 00 and a derived one always does, so the merge meets no equal codes
  // between the two (and the table's counties usually come sorted already).
  const auto by_code = [](const Entry& a, const Entry& b) { return a.code < b.code; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_code)) std::stable_sort(rows.begin(), rows.end(), by_code);
  std::stable_sort(derived.begin(), derived.end(), by_code);
  std::vector<Entry> all;
  all.reserve(rows.size() + derived.size());
  std::merge(rows.begin(), rows.end(), derived.begin(), derived.end(), std::back_inserter(all), by_code);
  t->entries.reserve(all.size());
  for (const auto& e : all) {
    if (!t->entries.empty() && t->entries.back().code == e.code) continue;  // first wins
    t->known[e.code >> 6] |= std::uint64_t{1} << (e.code & 63);
    t->entries.push_back(e);
  }
  return t;
}

// Makes p current (for lookups by Table and by bitmap alike).
void set_current(const Table* p) {
  g_current.store(p, std::memory_order_release);
  detail::g_region_bits.store(p->known.data(), std::memory_order_release);
}

const Table* install(std::unique_ptr<Table> t) {
  std::lock_guard lock(g_mu);
  const Table* p = t.get();
  g_tables.push_back(std::move(t));
  set_current(p);
  return p;
}

const Table& builtin() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::string_view text(reinterpret_cast<const char*>(civitas_division_data), civitas_division_data_size);
    auto t = parse_table(text, std::string("builtin: ") + civitas_division_data_label, false);
    std::lock_guard lock(g_mu);
    g_builtin = t.get();
    g_tables.push_back(std::move(t));
    const Table* expected = nullptr;
    if (g_current.compare_exchange_strong(expected, g_builtin))
      detail::g_region_bits.store(g_builtin->known.data(), std::memory_order_release);
  });
  return *g_builtin;
}

const Table& current() {
  const Table* t = g_current.load(std::memory_order_acquire);
  return t ? *t : (builtin(), *g_current.load(std::memory_order_acquire));
}

}  // namespace

namespace detail {
std::atomic<const std::uint64_t*> g_region_bits{nullptr};

void release_retired_division_tables() {
  builtin();
  std::lock_guard lock(g_mu);
  const Table* cur = g_current.load(std::memory_order_acquire);
  std::erase_if(g_tables, [cur](const std::unique_ptr<Table>& t) { return t.get() != cur && t.get() != g_builtin; });
}

void for_each_region(const std::function<void(std::uint32_t code, std::string_view province, std::string_view prefecture,
                                              std::string_view county)>& fn) {
  for (const Entry& e : current().entries) fn(e.code, e.province, e.prefecture, e.county);
}

bool region_known_code_slow(std::uint32_t code) noexcept {
  if (code >= kCodes) return false;
  const Table* t = g_current.load(std::memory_order_acquire);
  if (t) return t->has(code);
  try {
    return current().has(code);
  } catch (...) {
    return false;  // the built-in table cannot fail to parse; a bad_alloc here means unknown
  }
}
}  // namespace detail

bool region_known(std::string_view code6) noexcept {
  std::uint32_t c = 0;
  if (!parse_code(code6, &c)) return false;
  return detail::region_known_code(c);
}

Region lookup_region(std::string_view code6) {
  Region r;
  r.code = std::string(code6);
  std::uint32_t c = 0;
  if (!parse_code(code6, &c)) return r;
  if (const Entry* e = current().find(c)) {
    r.known = true;
    r.province = std::string(e->province);
    r.prefecture = std::string(e->prefecture);
    r.county = std::string(e->county);
  }
  return r;
}

std::string division_table_source() { return current().label; }
std::size_t division_table_size() { return current().entries.size(); }

void load_division_table(std::string_view text, std::string_view label) {
  builtin();  // make sure the built-in table is registered first
  install(parse_table(text, label, true));
}

void load_division_table_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Code::io, "cannot open division table '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  load_division_table(ss.str(), path);
}

void reset_division_table() {
  const Table& b = builtin();
  std::lock_guard lock(g_mu);
  set_current(&b);
}

}  // namespace civitas::ids
