// Fuzz target: de-identification field actions (docs/formats/deid-actions.md) and the HTML
// report. Input: the first line is an action (JSON), the other lines are the column's values.
// Properties: parse_action accepts or throws invalid_argument; an accepted action
// round-trips through action_to_json; applying it (with keys for the keyed actions) keeps
// the row count (drop: none) or throws invalid_argument / invalid_data; the whole input as a
// report renders to HTML in which no tag comes from the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "fuzz_check.hpp"

namespace deid = civitas::deid;
namespace crypto = civitas::crypto;
using civitas::Code;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const crypto::Key id_key = crypto::generate_key(crypto::Purpose::identity);
  static const crypto::Key tok_key = crypto::generate_key(crypto::Purpose::token);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  std::string_view head = text.substr(0, nl);
  std::vector<std::string> values;
  for (std::size_t b = nl == std::string_view::npos ? text.size() : nl + 1; b < text.size();) {
    std::size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    values.emplace_back(text.substr(b, e - b));
    b = e + 1;
  }
  if (auto doc = civitas::try_parse_json(head)) {
    deid::Action a;
    bool ok = true;
    try {
      a = deid::parse_action(*doc, "f");
    } catch (const civitas::Error& e) {
      FUZZ_CHECK(e.code() == Code::invalid_argument);
      ok = false;
    }
    if (ok) {
      FUZZ_CHECK(deid::action_to_json(deid::parse_action(deid::action_to_json(a), "f")) == deid::action_to_json(a));
      (void)deid::describe_action(a);
      deid::TransformKeys keys;
      keys.identity = &id_key;
      keys.token = &tok_key;
      std::vector<std::string> subject(values.size(), "s");
      deid::ColumnContext ctx;
      ctx.field = "f";
      ctx.subject = &subject;
      const std::size_t n = values.size();
      try {
        deid::apply_action(a, values, keys, ctx);
        FUZZ_CHECK(values.size() == (a.kind == deid::ActionKind::drop ? 0 : n));
      } catch (const civitas::Error& e) {
        FUZZ_CHECK(e.code() == Code::invalid_argument || e.code() == Code::invalid_data);
      }
    }
  }
  if (auto report = civitas::try_parse_json(text); report && report->is_object()) {
    std::string html = deid::report_html(*report);
    FUZZ_CHECK(html.find("<script") == std::string::npos);
    FUZZ_CHECK(html.find("<img") == std::string::npos);
  }
  return 0;
}
