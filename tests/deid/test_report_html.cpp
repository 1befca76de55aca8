// The HTML report: self-contained, everything from the report escaped.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "civitas/deid.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::deid;
using civitas::test::code_of;

namespace {
nlohmann::json sample_report(const std::string& hostile) {
  Risk before = measure_risk(ClassSizes{{1, 40}, {2, 30}, {5, 10}});
  Risk after = measure_risk(ClassSizes{{5, 20}, {10, 8}});
  return nlohmann::json{
      {"format", "civitas-deid-report/1"},
      {"input", {{"path", hostile + ".csv"}, {"sha256", "ab"}}},
      {"privacy", {{"k", 5}}},
      {"levels", {{hostile, 2}}},
      {"suppressed", 3},
      {"classes", 28},
      {"fields", {{{"name", hostile}, {"role", "quasi-identifier"}, {"action", "generalize"}, {"detail", hostile}}}},
      {"risk", {{"before", risk_to_json(before)}, {"after", risk_to_json(after)}}},
      {"class_sizes",
       {{"before", class_sizes_to_json(ClassSizes{{1, 40}, {2, 30}, {5, 10}})},
        {"after", class_sizes_to_json(ClassSizes{{5, 20}, {10, 8}})}}}};
}
}  // namespace

TEST_CASE("the HTML report escapes hostile names and loads nothing") {
  const std::string hostile = "<script>alert('x')</script><img src=http://evil/x onerror=\"y\">&amp;";
  std::string h = report_html(sample_report(hostile));
  CHECK(h.find("<script") == std::string::npos);
  CHECK(h.find("<img") == std::string::npos);
  CHECK(h.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(h.find("&amp;amp;") != std::string::npos);
  // Every tag is one the renderer writes: the hostile text made none.
  const std::set<std::string> tags{"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p",
                                   "div", "b", "table", "tr", "th", "td", "svg", "rect", "line", "text"};
  for (std::size_t i = h.find('<'); i != std::string::npos; i = h.find('<', i + 1)) {
    std::size_t b = i + 1 + (h[i + 1] == '/' ? 1 : 0);
    std::size_t e = h.find_first_of(" >", b);
    INFO(h.substr(i, 40));
    CHECK(tags.count(h.substr(b, e - b)) == 1);
  }
  // No external reference of any kind.
  for (const char* bad : {"href=", "url(", "@import", "xlink"}) {
    INFO(bad);
    CHECK(h.find(bad) == std::string::npos);
  }
  CHECK(h.find("Content-Security-Policy") != std::string::npos);
  CHECK(h.find("<svg") != std::string::npos);
  CHECK(h.rfind("</html>") != std::string::npos);
}

TEST_CASE("the HTML report shows risk before and after and the class sizes") {
  std::string h = report_html(sample_report("age"));
  CHECK(h.find("Re-identification risk") != std::string::npos);
  CHECK(h.find("100.00%") != std::string::npos);  // highest risk before: a unique record
  CHECK(h.find("20.00%") != std::string::npos);   // highest risk after: classes of 5
  CHECK(h.find("Equivalence class sizes") != std::string::npos);
  CHECK(h.find("<td>10</td><td>0</td><td>8</td>") != std::string::npos);
  CHECK(h.find("quasi-identifier") != std::string::npos);
}

TEST_CASE("the HTML report takes partial and odd reports, and refuses a non-object") {
  CHECK(report_html(nlohmann::json::object()).find("</html>") != std::string::npos);
  auto odd = nlohmann::json::parse(R"({"risk":{"before":{"prosecutor":"high"}},"class_sizes":{"before":"x"},
                                       "fields":[1,{"name":["\u0001"]}],"search":{"time_ms":1.5}})");
  std::string h = report_html(odd);
  CHECK(h.find("n/a") != std::string::npos);
  CHECK(h.find('\x01') == std::string::npos);
  CHECK(code_of([] { report_html(nlohmann::json::array()); }) == Code::invalid_argument);
}

TEST_CASE("the before/after report renders in headless Chromium to a page that is not blank") {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    MESSAGE("SKIP: chromium is not installed (Debian package chromium): the report was not rendered");
    return;
  }
  civitas::test::TempDir d("deid-html");
  {
    std::ofstream f(d.file("r.html"), std::ios::binary);
    f << report_html(sample_report("<b>age</b>"));
  }
  const std::string chrome = "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + d.file("profile") +
                             " --window-size=1200,1600 ";
  REQUIRE(std::system((chrome + "--screenshot=" + d.file("r.png") + " file://" + d.file("r.html") + " >/dev/null 2>&1").c_str()) == 0);
  const std::string check = std::string("python3 ") + CIVITAS_SOURCE_DIR + "/tests/deid/png_not_blank.py " + d.file("r.png");
  CHECK(std::system(check.c_str()) == 0);
  // Chromium's DOM has no <b> element from the field name: it stayed text.
  REQUIRE(std::system((chrome + "--dump-dom file://" + d.file("r.html") + " > " + d.file("dom.html") + " 2>/dev/null").c_str()) == 0);
  std::ifstream in(d.file("dom.html"));
  std::string dom((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(dom.find("&lt;b&gt;age&lt;/b&gt;") != std::string::npos);
  CHECK(dom.find("<b>age</b>") == std::string::npos);
}
