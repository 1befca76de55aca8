#include <doctest/doctest.h>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "gen.hpp"

using namespace civitas;
using ids::Kind;
using ids::Reason;

TEST_CASE("known-good USCCs from public records validate") {
  for (const char* c : {"91110000600037341L", "91350100M000100Y43", "51100000500010993L", "91440300MA5ELPB95W"}) {
    CAPTURE(c);
    auto r = ids::validate(Kind::uscc, c);
    CHECK(r.valid);
    CHECK(r.reason == Reason::ok);
    CHECK(r.canonical == c);
  }
}

TEST_CASE("USCC parts are parsed") {
  auto r = ids::validate(Kind::uscc, "91350100M000100Y43");
  REQUIRE(r.valid);
  CHECK(r.parts.authority == '9');
  CHECK(r.parts.authority_name == "工商");
  CHECK(r.parts.category == '1');
  CHECK(r.parts.category_name == "企业");
  CHECK(r.parts.region.code == "350100");
  CHECK(r.parts.region.known);
  CHECK(r.parts.region.province == "福建省");
  CHECK(r.parts.region.prefecture == "福州市");
  CHECK(r.parts.orgcode == "M000100Y4");
  CHECK(r.parts.check == '3');
}

TEST_CASE("USCC normalisation: full-width, lower case, spaces and hyphens") {
  CHECK(ids::validate(Kind::uscc, "  91350100m000100y43 ").canonical == "91350100M000100Y43");
  CHECK(ids::validate(Kind::uscc, "9135-0100-M000-100Y43").valid);
  CHECK(ids::validate(Kind::uscc, "９１３５０１００Ｍ０００１００Ｙ４３").canonical == "91350100M000100Y43");
  CHECK(ids::validate(Kind::uscc, "\xE3\x80\x80" "91350100M000100Y43").valid);  // U+3000
  CHECK(ids::normalize("ａｂ－ｃ") == "ABC");
}

TEST_CASE("USCC hard rules each have their reason") {
  CHECK(ids::validate(Kind::uscc, "91350100M000100Y4").reason == Reason::length);
  CHECK(ids::validate(Kind::uscc, "91350100M000100Y433").reason == Reason::length);
  CHECK(ids::validate(Kind::uscc, "").reason == Reason::length);
  CHECK(ids::validate(Kind::uscc, "91350100M000100Y4*").reason == Reason::charset);
  CHECK(ids::validate(Kind::uscc, "91350100M000100Y4\xC3\xA9").reason == Reason::charset);
  CHECK(ids::validate(Kind::uscc, "9135010OM000100Y43").reason == Reason::charset);  // letter in division
  CHECK(ids::validate(Kind::uscc, "91350100M0001O0Y43").reason == Reason::charset);  // O not in alphabet
  CHECK(ids::validate(Kind::uscc, "B1350100M000100Y43").reason == Reason::authority);
  CHECK(ids::validate(Kind::uscc, "0135010000000000").reason == Reason::length);
  CHECK(ids::validate(Kind::uscc, "90350100M000100Y43").reason == Reason::category);
  CHECK(ids::validate(Kind::uscc, "91350100M000100Y44").reason == Reason::checksum);
}

TEST_CASE("USCC soft rules warn by default and fail in strict mode") {
  ids::Options strict;
  strict.strict = true;
  SUBCASE("authority/category pair not in the table") {
    std::string s = "94350100M000100Y4";  // 工商 has no category 4
    s += ids::uscc_check_char(s);
    auto r = ids::validate(Kind::uscc, s);
    CHECK(r.valid);
    CHECK(r.warnings == (1u << unsigned(Reason::category)));
    auto rs = ids::validate(Kind::uscc, s, strict);
    CHECK_FALSE(rs.valid);
    CHECK(rs.reason == Reason::category);
  }
  SUBCASE("unknown division code") {
    std::string s = "91999999M000100Y4";
    s += ids::uscc_check_char(s);
    auto r = ids::validate(Kind::uscc, s);
    CHECK(r.valid);
    CHECK(r.warnings == (1u << unsigned(Reason::region)));
    CHECK(ids::validate(Kind::uscc, s, strict).reason == Reason::region);
  }
  SUBCASE("embedded organisation code check digit") {
    std::string s = "91350100M000100Y5";  // orgcode check should be 4
    s += ids::uscc_check_char(s);
    auto r = ids::validate(Kind::uscc, s);
    CHECK(r.valid);
    CHECK(r.warnings == (1u << unsigned(Reason::orgcode_checksum)));
    CHECK(ids::validate(Kind::uscc, s, strict).reason == Reason::orgcode_checksum);
  }
  SUBCASE("national division 100000 is known") {
    std::string s = "11100000000013127";
    s += ids::uscc_check_char(s);
    auto r = ids::validate(Kind::uscc, s);
    CHECK(r.parts.region.known);
    CHECK((r.warnings & (1u << unsigned(Reason::region))) == 0);
  }
}

TEST_CASE("USCC check character") {
  CHECK(ids::uscc_check_char("91350100M000100Y4") == '3');
  CHECK(ids::uscc_check_char("9111000060003734-1") == 'L');
  CHECK_THROWS_AS(ids::uscc_check_char("9135"), Error);
  CHECK_THROWS_AS(ids::uscc_check_char("91350100M000100O4"), Error);
}

TEST_CASE("property: generated USCCs validate, single substitutions and adjacent transpositions are caught") {
  std::mt19937 rng(20261129);
  for (int n = 0; n < 300; ++n) {
    std::string s = test::gen_uscc(rng);
    CAPTURE(s);
    REQUIRE(ids::validate(Kind::uscc, s).valid);
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (const char* a = test::kUsccAlphabet; *a; ++a) {
        if (*a == s[i]) continue;
        std::string t = s;
        t[i] = *a;
        CHECK_FALSE(ids::is_valid(Kind::uscc, t));
      }
      if (i + 1 < s.size() && s[i] != s[i + 1]) {
        std::string t = s;
        std::swap(t[i], t[i + 1]);
        CHECK_FALSE(ids::is_valid(Kind::uscc, t));
      }
    }
  }
}
