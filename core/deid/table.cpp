// Weighted frequency tables: distinct quasi-identifier combinations with their weights and
// per-combination sensitive-value counts.
#include "civitas/deid.hpp"
#include "intern.hpp"

namespace civitas::deid {

using nlohmann::json;

std::uint64_t FrequencyTable::total() const noexcept {
  std::uint64_t t = 0;
  for (auto w : weights) t += w;
  return t;
}

void FrequencyTable::check() const {
  auto bad = [](const std::string& m) { throw Error(Code::invalid_argument, "frequency table: " + m); };
  if (qi_values.size() != qi_names.size()) bad("qi_values has " + std::to_string(qi_values.size()) + " lists for " + std::to_string(qi_names.size()) + " quasi-identifiers");
  if (sensitive_values.size() != sensitive_names.size() || sens_begin.size() != sensitive_names.size() || sens.size() != sensitive_names.size())
    bad("sensitive lists do not match sensitive_names");
  if (codes.size() != weights.size() * qis()) bad("codes has " + std::to_string(codes.size()) + " entries, expected rows × quasi-identifiers");
  for (std::size_t r = 0; r < rows(); ++r) {
    if (weights[r] == 0) bad("row " + std::to_string(r) + " has weight 0");
    for (std::size_t q = 0; q < qis(); ++q)
      if (codes[r * qis() + q] >= qi_values[q].size()) bad("row " + std::to_string(r) + ": value id out of range for " + qi_names[q]);
  }
  for (std::size_t s = 0; s < sensitive_names.size(); ++s) {
    if (sens_begin[s].size() != rows() + 1 || sens_begin[s].back() != sens[s].size() || sens_begin[s].front() != 0)
      bad("sens_begin of " + sensitive_names[s] + " is not rows + 1 offsets");
    for (std::size_t r = 0; r < rows(); ++r) {
      if (sens_begin[s][r] > sens_begin[s][r + 1]) bad("sens_begin of " + sensitive_names[s] + " decreases");
      std::uint64_t sum = 0;
      for (auto i = sens_begin[s][r]; i < sens_begin[s][r + 1]; ++i) {
        if (sens[s][i].first >= sensitive_values[s].size()) bad("row " + std::to_string(r) + ": sensitive value id out of range");
        sum += sens[s][i].second;
      }
      if (sum != weights[r]) bad("row " + std::to_string(r) + ": counts of " + sensitive_names[s] + " do not add up to its weight");
    }
  }
}

json FrequencyTable::to_json() const {
  json rows_j = json::array();
  for (std::size_t r = 0; r < rows(); ++r) {
    json qi = json::array();
    for (std::size_t q = 0; q < qis(); ++q) qi.push_back(qi_values[q][codes[r * qis() + q]]);
    json row = {{"qi", qi}, {"count", weights[r]}};
    if (!sensitive_names.empty()) {
      json sj = json::array();
      for (std::size_t s = 0; s < sensitive_names.size(); ++s) {
        json m = json::object();
        for (auto i = sens_begin[s][r]; i < sens_begin[s][r + 1]; ++i) m[sensitive_values[s][sens[s][i].first]] = sens[s][i].second;
        sj.push_back(m);
      }
      row["sensitive"] = sj;
    }
    rows_j.push_back(row);
  }
  return {{"quasi_identifiers", qi_names}, {"sensitive", sensitive_names}, {"rows", rows_j}};
}

FrequencyTable FrequencyTable::from_json(const json& j) {
  auto bad = [](const std::string& path, const std::string& m) { throw Error(Code::invalid_argument, "frequency table: " + path + ": " + m); };
  if (!j.is_object()) bad("$", "expected an object");
  auto names = [&](const char* key) {
    std::vector<std::string> out;
    if (!j.contains(key)) return out;
    if (!j[key].is_array()) bad(std::string("$.") + key, "expected an array of names");
    for (const auto& n : j[key]) {
      if (!n.is_string()) bad(std::string("$.") + key, "expected an array of names");
      out.push_back(n.get<std::string>());
    }
    return out;
  };
  const auto qn = names("quasi_identifiers");
  const auto sn = names("sensitive");
  if (!j.contains("rows") || !j["rows"].is_array()) bad("$.rows", "expected an array");
  FrequencyTableBuilder b(qn, sn);
  std::size_t r = 0;
  for (const auto& row : j["rows"]) {
    const std::string p = "$.rows[" + std::to_string(r++) + "]";
    if (!row.is_object() || !row.contains("qi") || !row["qi"].is_array() || row["qi"].size() != qn.size())
      bad(p, "expected {\"qi\": [" + std::to_string(qn.size()) + " values], \"count\": n}");
    std::vector<std::string> qv;
    for (const auto& v : row["qi"]) {
      if (!v.is_string()) bad(p + ".qi", "values must be strings");
      qv.push_back(v.get<std::string>());
    }
    if (!row.contains("count") || !row["count"].is_number_unsigned() || row["count"].get<std::uint64_t>() == 0)
      bad(p + ".count", "expected an integer > 0");
    const std::uint64_t count = row["count"].get<std::uint64_t>();
    std::vector<std::string_view> qsv(qv.begin(), qv.end());
    if (sn.empty()) {
      b.add(qsv, {}, count);
      continue;
    }
    if (!row.contains("sensitive") || !row["sensitive"].is_array() || row["sensitive"].size() != sn.size())
      bad(p + ".sensitive", "expected one object of counts per sensitive attribute");
    // Expand the counts into records with equal QIs: add() merges them into this row.
    std::vector<std::vector<std::pair<std::string, std::uint64_t>>> per(sn.size());
    for (std::size_t s = 0; s < sn.size(); ++s) {
      const auto& m = row["sensitive"][s];
      if (!m.is_object()) bad(p + ".sensitive", "expected objects {value: count}");
      std::uint64_t sum = 0;
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (!it.value().is_number_unsigned() || it.value().get<std::uint64_t>() == 0) bad(p + ".sensitive", "counts must be integers > 0");
        per[s].emplace_back(it.key(), it.value().get<std::uint64_t>());
        sum += it.value().get<std::uint64_t>();
      }
      if (sum != count) bad(p + ".sensitive", "counts of " + sn[s] + " add up to " + std::to_string(sum) + ", not " + std::to_string(count));
    }
    if (sn.size() != 1) bad(p + ".sensitive", "the JSON form takes one sensitive attribute (build several with FrequencyTableBuilder)");
    for (const auto& [v, c] : per[0]) b.add(qsv, {v}, c);
  }
  return b.finish();
}

struct FrequencyTableBuilder::Impl {
  std::vector<std::string> qn, sn;
  std::vector<detail::Interner> qi_dict, s_dict;
  detail::TupleIndex rows;
  std::vector<std::uint64_t> weights;
  // per sensitive attribute, per row: small list of (value, count)
  std::vector<std::vector<std::vector<std::pair<std::uint32_t, std::uint64_t>>>> sens;
  std::vector<std::uint32_t> scratch;
  Impl(std::vector<std::string> q, std::vector<std::string> s)
      : qn(std::move(q)), sn(std::move(s)), qi_dict(qn.size()), s_dict(sn.size()), rows(qn.size(), 1024), sens(sn.size()) {}
};

FrequencyTableBuilder::FrequencyTableBuilder(std::vector<std::string> q, std::vector<std::string> s)
    : impl_(std::make_unique<Impl>(std::move(q), std::move(s))) {}
FrequencyTableBuilder::~FrequencyTableBuilder() = default;

std::uint32_t FrequencyTableBuilder::add(const std::vector<std::string_view>& qi, const std::vector<std::string_view>& sensitive,
                                         std::uint64_t weight) {
  Impl& m = *impl_;
  if (qi.size() != m.qn.size() || sensitive.size() != m.sn.size())
    throw Error(Code::invalid_argument, "frequency table: a record has the wrong number of values");
  if (weight == 0) throw Error(Code::invalid_argument, "frequency table: weight 0");
  m.scratch.resize(qi.size());
  for (std::size_t q = 0; q < qi.size(); ++q) m.scratch[q] = m.qi_dict[q].intern(qi[q]);
  const auto [row, fresh] = m.rows.insert(m.scratch.data());
  if (fresh) {
    m.weights.push_back(weight);
    for (auto& s : m.sens) s.emplace_back();
  } else {
    m.weights[row] += weight;
  }
  for (std::size_t s = 0; s < sensitive.size(); ++s) {
    const std::uint32_t v = m.s_dict[s].intern(sensitive[s]);
    auto& list = m.sens[s][row];
    bool found = false;
    for (auto& e : list)
      if (e.first == v) {
        e.second += weight;
        found = true;
        break;
      }
    if (!found) list.emplace_back(v, weight);
  }
  return row;
}

FrequencyTable FrequencyTableBuilder::finish() {
  Impl& m = *impl_;
  FrequencyTable t;
  t.qi_names = m.qn;
  t.sensitive_names = m.sn;
  for (auto& d : m.qi_dict) t.qi_values.push_back(d.take());
  for (auto& d : m.s_dict) t.sensitive_values.push_back(d.take());
  t.codes = std::move(m.rows.keys);
  t.weights = std::move(m.weights);
  t.sens_begin.resize(m.sn.size());
  t.sens.resize(m.sn.size());
  for (std::size_t s = 0; s < m.sn.size(); ++s) {
    t.sens_begin[s].reserve(t.weights.size() + 1);
    t.sens_begin[s].push_back(0);
    for (auto& list : m.sens[s]) {
      t.sens[s].insert(t.sens[s].end(), list.begin(), list.end());
      t.sens_begin[s].push_back(t.sens[s].size());
    }
  }
  impl_ = std::make_unique<Impl>(m.qn, m.sn);
  return t;
}

}  // namespace civitas::deid
