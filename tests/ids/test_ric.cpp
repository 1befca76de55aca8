#include <doctest/doctest.h>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "gen.hpp"

using namespace civitas;
using ids::Kind;
using ids::Reason;

TEST_CASE("resident ID: the GB 11643 example validates and parses") {
  auto r = ids::validate(Kind::ric, "11010519491231002X");
  REQUIRE(r.valid);
  CHECK(r.parts.birth_date == "1949-12-31");
  CHECK(r.parts.sex == 'F');
  CHECK(r.parts.sequence == "002");
  CHECK(r.parts.region.county == "朝阳区");
  CHECK(r.parts.check == 'X');
}

TEST_CASE("resident ID: lower-case x is accepted and normalised") {
  auto r = ids::validate(Kind::ric, "11010519491231002x");
  CHECK(r.valid);
  CHECK(r.canonical == "11010519491231002X");
}

TEST_CASE("resident ID: failures have their reasons") {
  CHECK(ids::validate(Kind::ric, "1101051949123100").reason == Reason::length);
  CHECK(ids::validate(Kind::ric, "11010519491231002Y").reason == Reason::charset);
  CHECK(ids::validate(Kind::ric, "1101051949123100X2").reason == Reason::charset);
  CHECK(ids::validate(Kind::ric, "110105194912310021").reason == Reason::checksum);
  std::string feb30 = "11010519490230002";
  feb30 += ids::ric_check_char(feb30);
  CHECK(ids::validate(Kind::ric, feb30).reason == Reason::date);
  std::string feb29 = "11010520000229002";  // 2000 is a leap year
  feb29 += ids::ric_check_char(feb29);
  CHECK(ids::validate(Kind::ric, feb29).valid);
  std::string feb29b = "11010519000229002";  // 1900 is not
  feb29b += ids::ric_check_char(feb29b);
  CHECK(ids::validate(Kind::ric, feb29b).reason == Reason::date);
}

TEST_CASE("resident ID: a birth date in the future is refused") {
  ids::Options o;
  o.today = 20240101;
  std::string s = "11010520240102001";
  s += ids::ric_check_char(s);
  CHECK(ids::validate(Kind::ric, s, o).reason == Reason::date);
  o.today = 20240102;
  CHECK(ids::validate(Kind::ric, s, o).valid);
}

TEST_CASE("resident ID: abolished division codes are still valid; unknown ones warn") {
  std::string s = "11010319700101001";  // 崇文区, merged into 东城区 in 2010
  s += ids::ric_check_char(s);
  auto r = ids::validate(Kind::ric, s);
  CHECK(r.valid);
  CHECK(r.warnings == 0);
  CHECK(r.parts.region.county == "崇文区");
  std::string u = "99999919700101001";
  u += ids::ric_check_char(u);
  auto ru = ids::validate(Kind::ric, u);
  CHECK(ru.valid);
  CHECK(ru.warnings == (1u << unsigned(Reason::region)));
  ids::Options strict;
  strict.strict = true;
  CHECK(ids::validate(Kind::ric, u, strict).reason == Reason::region);
}

TEST_CASE("legacy 15-digit resident IDs validate and convert to 18") {
  auto r = ids::validate(Kind::ric, "110105491231002");
  CHECK(r.valid);
  CHECK(r.canonical == "11010519491231002X");
  CHECK(r.parts.legacy == "110105491231002");
  CHECK(r.parts.birth_date == "1949-12-31");
  CHECK(ids::ric_upgrade("110105491231002") == "11010519491231002X");
  CHECK(ids::validate(Kind::ric, "110105490231002").reason == Reason::date);
  CHECK_THROWS_AS(ids::ric_upgrade("110105490231002"), Error);
  CHECK_THROWS_AS(ids::ric_upgrade("11010519491231002X"), Error);
}

TEST_CASE("property: generated resident IDs validate, substitutions and transpositions are caught") {
  std::mt19937 rng(42);
  for (int n = 0; n < 300; ++n) {
    std::string s = test::gen_ric(rng);
    CAPTURE(s);
    REQUIRE(ids::validate(Kind::ric, s).valid);
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (char d : std::string("0123456789X")) {
        if (d == s[i] || (d == 'X' && i != 17)) continue;
        std::string t = s;
        t[i] = d;
        CHECK_FALSE(ids::is_valid(Kind::ric, t));
      }
      if (i + 1 < s.size() && s[i] != s[i + 1]) {
        std::string t = s;
        std::swap(t[i], t[i + 1]);
        CHECK_FALSE(ids::is_valid(Kind::ric, t));
      }
    }
  }
}
