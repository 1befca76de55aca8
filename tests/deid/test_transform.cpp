// Field transforms (docs/formats/deid-actions.md): each action, its JSON form, and hostile input.
#include <doctest/doctest.h>
#include <sodium.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "common/fixtures.hpp"

using namespace civitas;
using namespace civitas::deid;
using civitas::test::code_of;
using Strings = std::vector<std::string>;

namespace {
ColumnContext ctx(const char* field = "f") {
  ColumnContext c;
  c.field = field;
  return c;
}
std::uint64_t row_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.where().row.value_or(0);
  }
  return 0;
}
}  // namespace

TEST_CASE("mask keeps the first and last characters and masks the rest, by code point") {
  Strings v{"13812345678", "张三丰", "ab", "", "x"};
  mask_column(v, 3, 4, "*", ctx());
  CHECK(v[0] == "138****5678");
  CHECK(v[1] == "***");  // 3 characters <= 3 + 4: masked whole
  CHECK(v[2] == "**");
  CHECK(v[3].empty());   // missing stays missing
  CHECK(v[4] == "*");
  CHECK(mask_value("张三丰李四", 1, 1) == "张***四");
  CHECK(mask_value("abcdef", 1, 1, "＊") == "a＊＊＊＊f");
  CHECK(mask_value("abcdef", 0, 0, "#") == "######");
  CHECK(mask_value("a😀😀😀b", 1, 1, "*") == "a***b");
}

TEST_CASE("mask refuses invalid UTF-8 with the row, and a bad mask character") {
  Strings v{"ok", "fine", std::string("ab\xff" "cd")};
  ColumnContext c = ctx("phone");
  c.first_row = 10;
  try {
    mask_column(v, 1, 1, "*", c);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
    CHECK(e.where().row.value() == 12);
    CHECK(e.where().field.value() == "phone");
  }
  CHECK(code_of([] { mask_value("abc", 0, 0, "**"); }) == Code::invalid_argument);
  CHECK(code_of([] { mask_value("abc", 0, 0, ""); }) == Code::invalid_argument);
  CHECK(code_of([] { mask_value("abc", 0, 0, "\xe4\xb8"); }) == Code::invalid_argument);
}

TEST_CASE("mask of a huge value and of huge keep counts") {
  std::string big(5'000'000, '7');
  Strings v{big};
  mask_column(v, 2, 2, "*", ctx());
  CHECK(v[0].size() == big.size());
  CHECK(v[0].substr(0, 3) == "77*");
  CHECK(v[0].find_first_not_of('*', 2) == big.size() - 2);
  CHECK(mask_value("abc", SIZE_MAX / 2, SIZE_MAX / 2) == "***");
}

TEST_CASE("actions parse from JSON, reject unknown keys and bad values, and round-trip") {
  auto a = parse_action(nlohmann::json::parse(R"({"action":"mask","keep_first":3,"keep_last":4,"char":"*"})"), "phone");
  CHECK(a.kind == ActionKind::mask);
  CHECK(a.keep_first == 3);
  CHECK(a.keep_last == 4);
  CHECK(parse_action(action_to_json(a), "phone").keep_last == 4);
  CHECK(describe_action(a) == "mask: keep first 3, last 4, others '*'");
  CHECK(parse_action("drop", "x").kind == ActionKind::drop);
  for (const char* bad : {R"({"action":"mask","keep_frist":3})", R"({"action":"explode"})", R"({"keep_first":3})",
                          R"({"action":"mask","keep_first":-1})", R"({"action":"mask","char":"ab"})",
                          R"({"action":"top_bottom"})", R"({"action":"top_bottom","bottom":5,"top":1})",
                          R"({"action":"microaggregate","k":0})", R"({"action":"noise","distribution":"cauchy"})",
                          R"({"action":"noise","scale":-1})", R"({"action":"date_shift","max_days":10})",
                          R"({"action":"pseudonymize","type":"passport"})", R"({"action":"mask","char":"\u0001"})",
                          R"([1,2])", R"({"action":"tokenize","domain":""})",
                          // the bare name is the object without parameters (the deid_action fuzzer: a
                          // "top_bottom" that parsed, then failed its own round trip)
                          R"("top_bottom")", R"("date_shift")", R"("explode")"}) {
    INFO(bad);
    try {
      parse_action(nlohmann::json::parse(bad), "col<1>");
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Code::invalid_argument);
      CHECK(std::string(e.what()).find("col<1>") != std::string::npos);
    }
  }
  nlohmann::json broken{{"action", "mask"}, {"char", std::string("\xe4\xb8")}};  // not valid UTF-8
  CHECK(code_of([&] { parse_action(broken, "f"); }) == Code::invalid_argument);
  for (int k = 0; k < 10; ++k) {
    Action x;
    x.kind = static_cast<ActionKind>(k);
    if (x.kind == ActionKind::date_shift) {
      x.subject = "id";
      x.max_days = 30;
    }
    if (x.kind == ActionKind::top_bottom) x.top = 90;
    auto back = parse_action(action_to_json(x), "f");
    CHECK(back.kind == x.kind);
    CHECK(action_to_json(back) == action_to_json(x));
  }
}

TEST_CASE("pseudonyms: ik1 for a known identifier kind (as civitas id key), ps1 for any text") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  Strings v{"11010519491231002X", "110105194912310021", "", "11010519491231002x"};
  Strings copy = v;
  CHECK(code_of([&] { pseudonymize_column(copy, key, "health", 3, ctx()); }) == Code::invalid_data);
  Strings ok{"11010519491231002X", "", "11010519491231002x"};
  pseudonymize_column(ok, key, "health", static_cast<int>(ids::Kind::ric), ctx());
  crypto::IdentityKeyer keyer(key, "health");
  CHECK(ok[0] == keyer.key(ids::Kind::ric, "11010519491231002X"));
  CHECK(ok[1].empty());
  CHECK(ok[2] == ok[0]);  // normalised first

  Strings names{"张三", "李四", "张三", ""};
  pseudonymize_column(names, key, "health", 0, ctx());
  CHECK(names[0].size() == 64);
  CHECK(names[0].rfind("ps1:" + key.id_hex() + ":", 0) == 0);
  CHECK(names[0] == names[2]);
  CHECK(names[0] != names[1]);
  CHECK(names[3].empty());
  Strings other{"张三"};
  pseudonymize_column(other, key, "tax", 0, ctx());
  CHECK(other[0] != names[0]);
  auto token_key = crypto::generate_key(crypto::Purpose::token);
  Strings t{"a"};
  CHECK(code_of([&] { pseudonymize_column(t, token_key, "d", 0, ctx()); }) == Code::invalid_argument);
}

TEST_CASE("the ps1 pseudonym follows its documented derivation") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  Strings v{"Alice"};
  pseudonymize_column(v, key, "dom", 0, ctx());
  // Kd = BLAKE2b-256(key = S, "civitas pseudonym domain v1" || domain); value = BLAKE2b-256(key = Kd, value)
  unsigned char kd[32], mac[32];
  const std::string m1 = "civitas pseudonym domain v1dom";
  crypto_generichash(kd, 32, reinterpret_cast<const unsigned char*>(m1.data()), m1.size(), key.secret.data(),
                     key.secret.size());
  crypto_generichash(mac, 32, reinterpret_cast<const unsigned char*>("Alice"), 5, kd, 32);
  CHECK(v[0] == "ps1:" + key.id_hex() + ":" + crypto::base64url(mac, 32));
}

TEST_CASE("tokens decode with the key and are equal for equal values") {
  crypto::Keyring ring;
  ring.add(crypto::generate_key(crypto::Purpose::token));
  const crypto::Key& k = ring.all().begin()->second;
  Strings v{"91350100M000100Y43", "x", "91350100M000100Y43", ""};
  tokenize_column(v, k, "uscc", ctx());
  CHECK(v[0] == v[2]);
  CHECK(v[3].empty());
  auto raw = crypto::from_base64url(v[1]);
  CHECK(crypto::token_decode(ring, raw.data(), raw.size(), "uscc") == "x");
  // Through apply_action with a callback instead of a key.
  Action a = parse_action("tokenize", "c");
  TransformKeys keys;
  keys.tokenizer = [](std::string_view val, std::string_view dom) { return "T(" + std::string(dom) + ":" + std::string(val) + ")"; };
  Strings w{"a", ""};
  apply_action(a, w, keys, ctx("c"));
  CHECK(w[0] == "T(c:a)");
  CHECK(w[1].empty());
  TransformKeys none;
  CHECK(code_of([&] { apply_action(a, w, none, ctx("c")); }) == Code::invalid_argument);
}

TEST_CASE("date shift is consistent per subject, within the bound, and never zero") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  Strings subj{"p1", "p1", "p2", "p1", "p3"};
  Strings dates{"2024-01-31", "2024-02-29", "2024-03-01", "2024-12-31T10:00:00", ""};
  ColumnContext c = ctx("admitted");
  c.subject = &subj;
  Strings orig = dates;
  date_shift_column(dates, key, "visits", 30, c);
  const int o1 = date_shift_offset(key, "visits", "p1", 30);
  CHECK(o1 != 0);
  CHECK(std::abs(o1) <= 30);
  // Same subject: the same offset for every date (check via the day difference).
  auto days = [](const std::string& s) {
    std::tm t{};
    t.tm_year = std::stoi(s.substr(0, 4)) - 1900;
    t.tm_mon = std::stoi(s.substr(5, 2)) - 1;
    t.tm_mday = std::stoi(s.substr(8, 2));
    return static_cast<long>(timegm(&t) / 86400);
  };
  CHECK(days(dates[0]) - days(orig[0]) == o1);
  CHECK(days(dates[1]) - days(orig[1]) == o1);
  CHECK(days(dates[3]) - days(orig[3]) == o1);
  CHECK(dates[3].substr(10) == "T10:00:00");
  CHECK(days(dates[2]) - days(orig[2]) == date_shift_offset(key, "visits", "p2", 30));
  CHECK(dates[4].empty());
  std::set<int> seen;
  for (int i = 0; i < 400; ++i) {
    int o = date_shift_offset(key, "d", "s" + std::to_string(i), 3);
    CHECK(o != 0);
    CHECK(std::abs(o) <= 3);
    seen.insert(o);
  }
  CHECK(seen.size() == 6);
  Strings bad{"2024-02-30"};
  Strings s1{"p"};
  ColumnContext c2 = ctx("d");
  c2.subject = &s1;
  CHECK(row_of([&] { date_shift_column(bad, key, "v", 5, c2); }) == 2);
  Strings bad2{"31/01/2024"};
  CHECK(code_of([&] { date_shift_column(bad2, key, "v", 5, c2); }) == Code::invalid_data);
  Strings two{"2024-01-01", "2024-01-02"};
  CHECK(code_of([&] { date_shift_column(two, key, "v", 5, c2); }) == Code::invalid_argument);
}

TEST_CASE("top and bottom coding clamps numbers and refuses text") {
  Strings v{"15", "42", "97.5", "", " 3 "};
  top_bottom_column(v, 18.0, 90.0, -1, ctx());
  CHECK(v == Strings{"18", "42", "90", "", "18"});
  Strings w{"1", "abc"};
  CHECK(row_of([&] { top_bottom_column(w, 0.0, 1.0, -1, ctx()); }) == 3);
  for (const char* s : {"inf", "nan", "0x10", "1e999", "--1", "+-1", "1,5", "１２"}) {
    INFO(s);
    CHECK(!parse_number(s));
  }
  CHECK(parse_number("-1.5e3").value() == -1500);
  CHECK(parse_number("+7").value() == 7);
}

TEST_CASE("microaggregation replaces sorted groups of k by their mean or median") {
  Strings v{"10", "1", "3", "", "2", "30", "20", "11"};
  microaggregate_column(v, 3, false, -1, ctx());
  // sorted 1 2 3 | 10 11 20 30 (last group takes the remainder): means 2 and 17.75
  CHECK(v == Strings{"17.75", "2", "2", "", "2", "17.75", "17.75", "17.75"});
  Strings m{"10", "1", "3", "2", "30", "20", "11"};
  microaggregate_column(m, 3, true, -1, ctx());
  CHECK(m == Strings{"15.5", "2", "2", "2", "15.5", "15.5", "15.5"});
  Strings few{"1", "5"};
  microaggregate_column(few, 5, false, 2, ctx());
  CHECK(few == Strings{"3.00", "3.00"});
  Strings empty;
  microaggregate_column(empty, 3, false, -1, ctx());
  CHECK(empty.empty());
  Strings bad{"1", "2", "three"};
  CHECK(row_of([&] { microaggregate_column(bad, 2, false, -1, ctx()); }) == 4);
}

TEST_CASE("keyed noise is reproducible; random noise is not; both change values by about the scale") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  Strings base(2000, "100");
  NoiseOptions o;
  o.scale = 5;
  Strings a = base, b = base, r = base;
  noise_column(a, o, &key, "income", ctx());
  noise_column(b, o, &key, "income", ctx());
  noise_column(r, o, nullptr, "income", ctx());
  CHECK(a == b);
  CHECK(a != r);
  double mean = 0, absdev = 0;
  for (const auto& s : a) {
    double x = parse_number(s).value();
    mean += x;
    absdev += std::fabs(x - 100);
  }
  mean /= 2000;
  absdev /= 2000;
  CHECK(std::fabs(mean - 100) < 1.0);        // Laplace(0, 5): sd of the mean ~ 0.16
  CHECK(absdev == doctest::Approx(5).epsilon(0.15));  // E|X| = b
  for (const char* dist : {"gaussian", "uniform"}) {
    Strings g = base;
    NoiseOptions og;
    og.distribution = dist;
    og.scale = 2;
    og.decimals = 1;
    noise_column(g, og, &key, "x", ctx());
    for (const auto& s : g) {
      double x = parse_number(s).value();
      if (std::string(dist) == "uniform") CHECK(std::fabs(x - 100) <= 2.05);
      CHECK(s.find('.') == s.size() - 2);
    }
  }
  Strings bad{"5", "x"};
  CHECK(row_of([&] { noise_column(bad, o, nullptr, "d", ctx()); }) == 3);
}

TEST_CASE("apply_action dispatches, drops, and refuses generalize and missing keys") {
  TransformKeys none;
  Strings v{"a", "b"};
  apply_action(parse_action("keep", "f"), v, none, ctx());
  CHECK(v == Strings{"a", "b"});
  apply_action(parse_action("drop", "f"), v, none, ctx());
  CHECK(v.empty());
  Strings w{"123456"};
  apply_action(parse_action(nlohmann::json::parse(R"({"action":"mask","keep_last":2})"), "f"), w, none, ctx());
  CHECK(w[0] == "****56");
  CHECK(code_of([&] { apply_action(parse_action("generalize", "f"), w, none, ctx()); }) == Code::invalid_argument);
  CHECK(code_of([&] { apply_action(parse_action("pseudonymize", "f"), w, none, ctx()); }) == Code::invalid_argument);
  Action ds = parse_action(nlohmann::json::parse(R"({"action":"date_shift","subject":"id","max_days":3})"), "f");
  auto key = crypto::generate_key(crypto::Purpose::identity);
  TransformKeys k;
  k.identity = &key;
  Strings d{"2020-01-01"};
  CHECK(code_of([&] { apply_action(ds, d, k, ctx()); }) == Code::invalid_argument);  // no subject column
  Action rn = parse_action(nlohmann::json::parse(R"({"action":"noise","keyed":false,"scale":0})"), "f");
  Strings n{"7"};
  apply_action(rn, n, none, ctx());
  CHECK(n[0] == "7");
}

TEST_CASE("date shift and keyed noise follow their documented derivations") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  auto kd_of = [&](const std::string& label, unsigned char* kd) {
    crypto_generichash(kd, 32, reinterpret_cast<const unsigned char*>(label.data()), label.size(), key.secret.data(),
                       key.secret.size());
  };
  auto be64 = [](const unsigned char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
  };
  // date shift: Kd = BLAKE2b(S, "civitas date shift v1" || domain); h = BLAKE2b(Kd, subject)
  unsigned char kd[32], h[32];
  kd_of("civitas date shift v1visits", kd);
  for (const char* subject : {"p1", "p2", "张三", ""}) {
    crypto_generichash(h, 32, reinterpret_cast<const unsigned char*>(subject), std::strlen(subject), kd, 32);
    const auto i = static_cast<long long>(be64(h) % 60);
    const int want = i < 30 ? static_cast<int>(-(i + 1)) : static_cast<int>(i - 30 + 1);
    CHECK(date_shift_offset(key, "visits", subject, 30) == want);
  }
  // keyed Laplace noise: h = BLAKE2b(Kd, u64be(row) || value); u from the top 53 bits of bytes 0-7
  kd_of("civitas noise v1income", kd);
  Strings v{"100", "100", "-3.5"};
  NoiseOptions o;
  o.scale = 2;
  noise_column(v, o, &key, "income", ctx());
  const char* orig[] = {"100", "100", "-3.5"};
  for (std::size_t row = 0; row < 3; ++row) {
    unsigned char msg[64];
    for (int b = 0; b < 8; ++b) msg[b] = static_cast<unsigned char>(static_cast<std::uint64_t>(row) >> (56 - 8 * b));
    std::memcpy(msg + 8, orig[row], std::strlen(orig[row]));
    crypto_generichash(h, 32, msg, 8 + std::strlen(orig[row]), kd, 32);
    const double u = (static_cast<double>(be64(h) >> 11) + 0.5) / 9007199254740992.0;
    const double c = u - 0.5;
    const double n = -2.0 * (c < 0 ? -1.0 : 1.0) * std::log(1 - 2 * std::fabs(c));
    CHECK(parse_number(v[row]).value() == doctest::Approx(parse_number(orig[row]).value() + n).epsilon(1e-12));
  }
  CHECK(v[0] != v[1]);  // the row index is part of the input
}

TEST_CASE("every action takes empty columns, all-missing columns, huge numbers and long values") {
  auto id_key = crypto::generate_key(crypto::Purpose::identity);
  auto tok_key = crypto::generate_key(crypto::Purpose::token);
  TransformKeys keys;
  keys.identity = &id_key;
  keys.token = &tok_key;
  const char* actions[] = {R"("keep")", R"("drop")", R"({"action":"mask","keep_last":2})", R"("pseudonymize")",
                           R"("tokenize")", R"({"action":"date_shift","subject":"s","max_days":9})",
                           R"({"action":"top_bottom","top":1})", R"({"action":"microaggregate","k":2})",
                           R"({"action":"noise","scale":3})"};
  for (const char* text : actions) {
    INFO(text);
    Action a = parse_action(nlohmann::json::parse(text), "f");
    for (std::size_t n : {0u, 1u, 5u}) {
      Strings v(n), subj(n, "s");
      ColumnContext c = ctx();
      c.subject = &subj;
      apply_action(a, v, keys, c);
      if (a.kind == ActionKind::drop) CHECK(v.empty());
      else CHECK(v == Strings(n));  // missing values stay missing
    }
  }
  // Huge and tiny numbers.
  Strings big{"1e308", "-1e308", "1e308", "4.9e-324"};
  microaggregate_column(big, 2, false, -1, ctx());
  CHECK(big[0] == "1e+308");  // the mean of two 1e308 does not overflow
  Strings big2{"1e308"};
  top_bottom_column(big2, std::nullopt, 1e300, -1, ctx());
  CHECK(big2[0] == "1e+300");
  Strings over{"1.7e308"};
  NoiseOptions o;
  o.scale = 1e308;
  o.distribution = "uniform";
  // Either a finite noisy value or a clear error, never inf in the output.
  try {
    noise_column(over, o, &id_key, "d", ctx());
    CHECK(parse_number(over[0]).has_value());
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
  }
  // A 1 MB value through the keyed actions.
  std::string huge(1 << 20, 'x');
  Strings h{huge};
  pseudonymize_column(h, id_key, "d", 0, ctx());
  CHECK(h[0].size() == 64);
  Strings t{huge};
  tokenize_column(t, tok_key, "d", ctx());
  CHECK(t[0].size() > huge.size());
  // Control characters and NUL bytes are data like any other for masking and pseudonyms.
  Strings ctl{std::string("a\0b\x01" "c", 5)};
  mask_column(ctl, 1, 1, "*", ctx());
  CHECK(ctl[0] == "a***c");
}

TEST_CASE("pseudonyms of an Arrow-layout column equal those of the string column") {
  auto key = crypto::generate_key(crypto::Purpose::identity);
  for (int kind : {0, 3}) {
    Strings v{"11010519491231002X", "", "11010519491231002x", "110105194912310021"};
    if (kind == 3) v.pop_back();  // an invalid one fails both ways
    auto col = crypto::Column::from(v);
    crypto::Column out;
    pseudonymize_column(col.view(), key, "d", kind, ctx(), out);
    pseudonymize_column(v, key, "d", kind, ctx());
    REQUIRE(out.size() == v.size());
    for (std::size_t i = 0; i < v.size(); ++i) CHECK(std::string(out.at(i)) == v[i]);
  }
  Strings bad{"x", "110105194912310021"};
  auto col = crypto::Column::from(bad);
  crypto::Column out;
  try {
    pseudonymize_column(col.view(), key, "d", 3, ctx(), out);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Code::invalid_data);
    CHECK(e.where().row.value() == 2);
  }
}
