#include <doctest/doctest.h>

#include <vector>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "gen.hpp"

using namespace civitas;
using ids::Kind;
using ids::Reason;

TEST_CASE("check_column gives the same answers as check, value by value") {
  std::mt19937 rng(7);
  std::vector<std::string> codes;
  for (int i = 0; i < 500; ++i) {
    std::string s = test::gen_uscc(rng);
    if (i % 3 == 0) s[rng() % 18] = 'Z';
    if (i % 7 == 0) s = " " + s + "-";
    if (i % 11 == 0) s.pop_back();
    codes.push_back(s);
  }
  codes.push_back("");
  std::string data;
  std::vector<std::uint64_t> offsets{0};
  for (auto& c : codes) {
    data += c;
    offsets.push_back(data.size());
  }
  std::vector<std::uint8_t> reasons(codes.size());
  std::vector<std::uint32_t> warnings(codes.size());
  std::size_t valid = ids::check_column(Kind::uscc, data.data(), offsets.data(), codes.size(), {}, reasons.data(),
                                        warnings.data());
  std::size_t expect_valid = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    std::uint32_t w = 0;
    Reason r = ids::check(Kind::uscc, codes[i], {}, &w);
    CHECK(reasons[i] == static_cast<std::uint8_t>(r));
    CHECK(warnings[i] == w);
    expect_valid += r == Reason::ok;
  }
  CHECK(valid == expect_valid);
  CHECK(valid > 0);
  CHECK(valid < codes.size());
}

TEST_CASE("names of kinds and reasons are stable") {
  CHECK(std::string(ids::reason_name(Reason::orgcode_checksum)) == "orgcode-checksum");
  CHECK(std::string(ids::reason_name(Reason::length)) == "length");
  CHECK(std::string(ids::kind_name(Kind::division)) == "gb2260");
  CHECK(ids::kind_from_name("ric") == Kind::ric);
  CHECK_THROWS_AS(ids::kind_from_name("passport"), Error);
}

TEST_CASE("normalize reports overflow and bad characters") {
  char buf[4];
  CHECK(ids::normalize("ab-c", buf, sizeof buf) == 3);
  CHECK(ids::normalize("abcde", buf, sizeof buf) == SIZE_MAX);
  CHECK(ids::normalize("a\x01", buf, sizeof buf) == SIZE_MAX);
  CHECK(ids::normalize("\xE4\xB8\xAD", buf, sizeof buf) == SIZE_MAX);  // 中
  CHECK(ids::normalize("\xEF\xBC", buf, sizeof buf) == SIZE_MAX);      // truncated UTF-8
}
