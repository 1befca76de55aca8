// Risk of a CSV file's quasi-identifier columns: one streaming pass that counts the distinct
// combinations of the named columns (memory grows with the number of classes, not rows).
#include <unordered_map>

#include "civitas/deid.hpp"
#include "civitas/schema.hpp"

namespace civitas::deid {

CsvRisk measure_csv_risk(const CsvRiskInput& in, const RiskOptions& o) {
  if (in.qi.empty()) throw Error(Code::invalid_argument, "name at least one quasi-identifier column");
  schema::Dialect d;
  d.delimiter = in.delimiter ? in.delimiter : ',';
  if (d.delimiter == '"' || d.delimiter == '\n' || d.delimiter == '\r')
    throw Error(Code::invalid_argument, "the delimiter cannot be a quote or a line break");
  d.encoding = in.encoding.empty() ? "utf-8" : in.encoding;
  auto reader = schema::csv_reader(schema::open_file(in.path), d);
  const auto& labels = reader->labels();
  std::vector<std::size_t> cols;
  for (const auto& q : in.qi) {
    std::size_t k = 0;
    while (k < labels.size() && labels[k] != q) ++k;
    if (k == labels.size()) {
      Location l;
      l.source = in.path;
      l.field = q;
      throw Error(Code::not_found, "no column \"" + q + "\" in the header", l);
    }
    for (std::size_t c : cols)
      if (c == k) throw Error(Code::invalid_argument, "column \"" + q + "\" is named twice");
    cols.push_back(k);
  }
  std::unordered_map<std::string, std::uint64_t> classes;
  schema::Batch b;
  std::string key;
  while (reader->next(b, labels.size(), 65536)) {
    for (std::size_t r = 0; r < b.rows; ++r) {
      key.clear();
      for (std::size_t c : cols) {
        const auto& col = b.columns[c];
        std::string_view v = col.present(r) ? col.value(r) : std::string_view();
        auto len = static_cast<std::uint32_t>(v.size());
        key.append(reinterpret_cast<const char*>(&len), sizeof len);
        key.append(v);
      }
      ++classes[key];
    }
  }
  std::vector<std::uint64_t> sizes;
  sizes.reserve(classes.size());
  for (const auto& kv : classes) sizes.push_back(kv.second);
  CsvRisk out;
  out.class_sizes = class_size_histogram(sizes);
  out.risk = measure_risk(out.class_sizes, o);
  return out;
}

}  // namespace civitas::deid
