#include <doctest/doctest.h>

#include "civitas/error.hpp"
#include "civitas/ids.hpp"

using namespace civitas;
using ids::Kind;
using ids::Reason;

TEST_CASE("organisation codes validate, with or without the hyphen") {
  CHECK(ids::validate(Kind::orgcode, "M000100Y4").valid);
  CHECK(ids::validate(Kind::orgcode, "M000100Y-4").valid);
  CHECK(ids::validate(Kind::orgcode, "60003734-1").canonical == "600037341");
  CHECK(ids::validate(Kind::orgcode, "D2143569-X").valid == (ids::orgcode_check_char("D2143569") == 'X'));
}

TEST_CASE("organisation code failures have their reasons") {
  CHECK(ids::validate(Kind::orgcode, "60003734").reason == Reason::length);
  CHECK(ids::validate(Kind::orgcode, "600037342").reason == Reason::checksum);
  CHECK(ids::validate(Kind::orgcode, "6000373*1").reason == Reason::charset);
  CHECK(ids::validate(Kind::orgcode, "60003734A").reason == Reason::charset);  // check is 0-9 or X
}

TEST_CASE("organisation code check digit maps 10 to X and 11 to 0") {
  // Find bodies whose raw check value is 10 and 11 and check the mapping.
  bool seen_x = false, seen_0 = false;
  for (int i = 0; i < 2000 && !(seen_x && seen_0); ++i) {
    char body[9];
    std::snprintf(body, sizeof body, "%08d", i * 7919);
    char c = ids::orgcode_check_char(body);
    std::string full = std::string(body) + c;
    CHECK(ids::validate(Kind::orgcode, full).valid);
    seen_x |= c == 'X';
    seen_0 |= c == '0';
  }
  CHECK(seen_x);
  CHECK(seen_0);
}

TEST_CASE("property: every single digit substitution in an organisation code is caught") {
  for (int i = 0; i < 200; ++i) {
    char body[9];
    std::snprintf(body, sizeof body, "%08d", i * 104729 % 100000000);
    std::string s = std::string(body) + ids::orgcode_check_char(body);
    for (std::size_t p = 0; p < 8; ++p)
      for (char d = '0'; d <= '9'; ++d) {
        if (d == s[p]) continue;
        std::string t = s;
        t[p] = d;
        CHECK_FALSE(ids::is_valid(Kind::orgcode, t));
      }
  }
}
