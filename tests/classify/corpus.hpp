// Reading the labelled corpus of tests/data/classify (labels.json, tables, texts).
#pragma once

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "civitas/classify.hpp"
#include "civitas/schema.hpp"

namespace civitas::test {

inline std::string corpus_dir() { return std::string(CIVITAS_TEST_DATA) + "/classify/"; }

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline nlohmann::json corpus_labels() { return nlohmann::json::parse(read_bytes(corpus_dir() + "labels.json")); }

/// Columns of a corpus CSV (decoded from its encoding): header labels and cells.
struct Table {
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> cells;  // per column
};

inline Table read_table(const std::string& path, const std::string& encoding) {
  schema::Dialect d;
  auto src = schema::decode_to_utf8(schema::open_file(path), encoding);
  auto reader = schema::csv_reader(std::move(src), d);
  Table t;
  t.labels = reader->labels();
  t.cells.resize(t.labels.size());
  schema::Batch b;
  while (reader->next(b, t.labels.size(), 1024))
    for (std::size_t r = 0; r < b.rows; ++r)
      for (std::size_t k = 0; k < t.labels.size(); ++k)
        t.cells[k].emplace_back(b.columns[k].present(r) ? b.columns[k].value(r) : std::string_view{});
  return t;
}

/// Per-type counts for precision and recall.
struct Scores {
  std::map<std::string, std::size_t> tp, fp, fn;
  void add(const std::string& expected, const std::string& got) {
    if (expected == got) {
      if (expected != "none") ++tp[expected];
      return;
    }
    if (got != "none") ++fp[got];
    if (expected != "none") ++fn[expected];
  }
  double precision(const std::string& t) const {
    std::size_t a = tp.count(t) ? tp.at(t) : 0, b = fp.count(t) ? fp.at(t) : 0;
    return a + b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(a + b);
  }
  double recall(const std::string& t) const {
    std::size_t a = tp.count(t) ? tp.at(t) : 0, b = fn.count(t) ? fn.at(t) : 0;
    return a + b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(a + b);
  }
  std::size_t support(const std::string& t) const {
    return (tp.count(t) ? tp.at(t) : 0) + (fn.count(t) ? fn.at(t) : 0);
  }
};

/// The quality bar of issue 13: names, addresses and dates 0.85/0.85, the others 0.95/0.9.
inline double min_precision(const std::string& t) {
  return t == "person_name" || t == "address" || t == "birth_date" ? 0.85 : 0.95;
}
inline double min_recall(const std::string& t) {
  return t == "person_name" || t == "address" || t == "birth_date" ? 0.85 : 0.9;
}

}  // namespace civitas::test
