// GB/T 2260 division table: the built-in table (generated at build time), tables loaded at
// run time (parsed by division_parse.cpp), and a replaceable current table.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "division_table.hpp"
#include "tables.hpp"

namespace civitas::ids {
namespace {

constexpr std::uint32_t kCodes = 1000000;

// Names are views into the table's text: the built-in table's are static data (generated at
// build time, division_table.hpp), a loaded table keeps its own copy of its text (Table::text),
// so that a table is made without a string per name.
using Entry = detail::DivisionEntry;

struct Table {
  std::string label;
  std::string text;  // a loaded table's text (the built-in one's is static)
  std::vector<std::uint64_t> known = std::vector<std::uint64_t>(kCodes / 64 + 1, 0);
  std::vector<Entry> entries;  // sorted by code

  void set_entries(std::vector<Entry> e) {
    entries = std::move(e);
    for (const Entry& x : entries) known[x.code >> 6] |= std::uint64_t{1} << (x.code & 63);
  }

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

using detail::parse_division_code;

// A loaded table: its own copy of the text, and the entries parsed from it.
std::unique_ptr<Table> parse_table(std::string_view text, std::string_view label) {
  auto t = std::make_unique<Table>();
  t->label = std::string(label);
  t->text = std::string(text);
  t->set_entries(detail::parse_division_entries(t->text, label));
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
    auto t = std::make_unique<Table>();
    t->label = std::string("builtin: ") + detail::kBuiltinDivisionLabel;
    std::vector<Entry> entries;
    entries.reserve(detail::kBuiltinDivisionCount);
    for (std::size_t k = 0; k < detail::kBuiltinDivisionCount; ++k) {
      const detail::PackedDivision& d = detail::kBuiltinDivisions[k];
      entries.push_back(Entry{d.code, detail::builtin_division_name(d.province), detail::builtin_division_name(d.prefecture),
                              detail::builtin_division_name(d.county)});
    }
    t->set_entries(std::move(entries));
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
  if (!parse_division_code(code6, &c)) return false;
  return detail::region_known_code(c);
}

Region lookup_region(std::string_view code6) {
  Region r;
  r.code = std::string(code6);
  std::uint32_t c = 0;
  if (!parse_division_code(code6, &c)) return r;
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
  install(parse_table(text, label));
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
