// Fuzz target: differential-privacy queries (JSON, docs/dp.md "Query JSON", the C API's and
// Python's input). Properties: dp_query_from_json either returns a query that validates, or
// throws civitas::Error with invalid_argument or parse (never another exception); a query's
// to_json() reads back to the same query; dp_compute over a small fixed input either returns
// a JSON document or refuses with invalid_argument (a noise scale out of range).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "fuzz_check.hpp"

namespace deid = civitas::deid;
using civitas::Code;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  deid::DpQuery q;
  try {
    q = deid::dp_query_from_json(text);
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == Code::invalid_argument || e.code() == Code::parse);
    return 0;
  }
  q.validate();
  const std::string j = q.to_json();
  FUZZ_CHECK(deid::dp_query_from_json(j).to_json() == j);
  deid::DpInput in(q);
  static const char* const values[] = {"1", "2.5", "", "-3", "1e3", "99", "0"};
  std::uint64_t row = 2;
  for (const char* v : values) in.add(v, row % 2 ? "a" : "b", row % 3 ? "x" : "y", row), ++row;
  std::uint8_t seed[32] = {};
  deid::DpRandom rng(seed);
  try {
    deid::DpRelease r = deid::dp_compute(q, in, rng);
    FUZZ_CHECK(nlohmann::json::accept(r.json));
    FUZZ_CHECK(r.epsilon_units > 0);
  } catch (const civitas::Error& e) {
    FUZZ_CHECK(e.code() == Code::invalid_argument);
  }
  return 0;
}
