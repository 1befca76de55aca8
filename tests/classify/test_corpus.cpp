// Quality on the labelled corpus (tests/data/classify, made by gen_corpus.py plus hard.csv):
// per-type precision and recall of value classification, column classification, and
// free-text findings (UTF-8 and GB18030), against the bar of issue 13.
#include <doctest/doctest.h>

#include <cstdio>

#include "civitas/classify.hpp"
#include "corpus.hpp"

using namespace civitas;
namespace cl = civitas::classify;

namespace {

void report_and_check(const test::Scores& s, const char* what) {
  for (const auto& name : cl::type_names()) {
    if (name == "none" || s.support(name) + (s.fp.count(name) ? s.fp.at(name) : 0) == 0) continue;
    double p = s.precision(name), r = s.recall(name);
    std::printf("%-8s %-16s precision %.3f recall %.3f (support %zu)\n", what, name.c_str(), p, r, s.support(name));
    CHECK_MESSAGE(p >= test::min_precision(name), what, " precision of ", name, " is ", p);
    CHECK_MESSAGE(r >= test::min_recall(name), what, " recall of ", name, " is ", r);
  }
}

}  // namespace

TEST_CASE("value classification meets the precision and recall bar on the corpus tables") {
  auto labels = test::corpus_labels();
  test::Scores s;
  std::size_t seen = 0;
  for (const auto& item : labels["tables"].items()) {
    const std::string file = item.key();
    const auto& spec = item.value();
    test::Table t = test::read_table(test::corpus_dir() + file, spec["encoding"].get<std::string>());
    const auto& cols = spec["columns"];
    REQUIRE(cols.size() == t.labels.size());
    for (std::size_t k = 0; k < cols.size(); ++k) {
      std::string expected = cols[k][1].get<std::string>();
      for (const auto& v : t.cells[k]) {
        if (v.find_first_not_of(" \t") == std::string::npos) continue;
        s.add(expected, std::string(cl::classify_value(v)));
        ++seen;
      }
    }
  }
  CHECK(seen > 5000);
  report_and_check(s, "value");
  // Every built-in type except none is in the corpus.
  for (const auto& name : cl::type_names())
    if (name != "none") CHECK_MESSAGE(s.support(name) > 0, name, " has no labelled values");
}

TEST_CASE("every corpus column gets its labelled type, whatever its name says") {
  auto labels = test::corpus_labels();
  std::size_t columns = 0, right = 0;
  for (const auto& item : labels["tables"].items()) {
    const std::string file = item.key();
    const auto& spec = item.value();
    cl::TableResult r = cl::scan_file(test::corpus_dir() + file);
    const auto& cols = spec["columns"];
    REQUIRE(r.columns.size() == cols.size());
    CHECK(r.encoding == (spec["encoding"] == "gbk" ? "gb18030" : "utf-8"));
    for (std::size_t k = 0; k < cols.size(); ++k) {
      ++columns;
      std::string expected = cols[k][1].get<std::string>();
      if (r.columns[k].type == expected) ++right;
      CHECK_MESSAGE(r.columns[k].type == expected, file, " column ", k, " \"", r.columns[k].name, "\": got ",
                    r.columns[k].type, " (ratio ", r.columns[k].ratio, "), expected ", expected);
    }
  }
  std::printf("columns: %zu of %zu right\n", right, columns);
}

TEST_CASE("free-text findings meet the bar, with offsets in the bytes as given (UTF-8 and GB18030)") {
  auto labels = test::corpus_labels();
  for (const auto& item : labels["text"].items()) {
    const std::string file = item.key();
    const auto& spec = item.value();
    std::string bytes = test::read_bytes(test::corpus_dir() + file);
    auto found = cl::find_encoded(bytes, "");  // the encoding is guessed
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> got, want;
    for (const auto& f : found) got[{f.offset, f.length}] = std::string(f.type);
    for (const auto& f : spec["findings"]) want[{f["offset"].get<std::uint64_t>(), f["length"].get<std::uint64_t>()}] = f["type"];
    test::Scores s;
    for (const auto& w : want) {
      auto it = got.find(w.first);
      s.add(w.second, it == got.end() ? "none" : it->second);
    }
    for (const auto& g : got)
      if (!want.count(g.first)) s.add("none", g.second);
    report_and_check(s, file.c_str());
  }
}

TEST_CASE("sampled scan gives the same result as a full scan on a large corpus table") {
  // people.csv repeated to about 3 MB: segments of 16 KiB (sampled) against every row.
  std::string one = test::read_bytes(test::corpus_dir() + "tables/people.csv");
  std::string header = one.substr(0, one.find('\n') + 1), body = one.substr(header.size());
  std::string big = header;
  while (big.size() < (3u << 20)) big += body;
  cl::ScanOptions sampled;
  sampled.segments = 16;
  sampled.segment_bytes = 16u << 10;
  cl::ScanOptions full = sampled;
  full.full = true;
  auto a = cl::scan_bytes(big, sampled), b = cl::scan_bytes(big, full);
  CHECK(a.sampled);
  CHECK_FALSE(b.sampled);
  CHECK(a.rows_read < b.rows_read / 10);
  REQUIRE(a.columns.size() == b.columns.size());
  for (std::size_t k = 0; k < a.columns.size(); ++k) {
    CHECK(a.columns[k].name == b.columns[k].name);
    CHECK_MESSAGE(a.columns[k].type == b.columns[k].type, "column ", k);
    CHECK(std::abs(a.columns[k].ratio - b.columns[k].ratio) < 0.05);
  }
}
