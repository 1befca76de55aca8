// Each detector on its own: accepted forms, checksums, boundaries, and near misses.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"

using namespace civitas;
namespace cl = civitas::classify;

namespace {

std::string v(std::string_view s) { return std::string(cl::classify_value(s)); }

std::string finds(std::string_view text) {
  std::string out;
  for (const auto& f : cl::find(text)) {
    out += std::string(f.type) + "@" + std::to_string(f.offset) + "+" + std::to_string(f.length) + ":" +
           std::string(text.substr(f.offset, f.length)) + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("type names are the issue's names, in a stable order, and round-trip") {
  auto names = cl::type_names();
  REQUIRE(names.size() == cl::kTypeCount);
  CHECK(names.front() == "none");
  for (const char* n : {"uscc", "orgcode", "ric", "gb2260", "mobile_phone", "phone", "bank_card", "email",
                        "ip_address", "mac_address", "vehicle_plate", "passport", "hk_macao_permit", "postal_code",
                        "birth_date", "person_name", "address", "gps_coordinates", "imei", "vin"}) {
    auto t = cl::type_from_name(n);
    REQUIRE(t);
    CHECK(std::string(cl::type_name(*t)) == n);
  }
  CHECK_FALSE(cl::type_from_name("division"));
}

TEST_CASE("checksums: Luhn, IMEI, VIN, bank card prefixes") {
  CHECK(cl::luhn_valid("79927398713"));
  CHECK_FALSE(cl::luhn_valid("79927398710"));
  CHECK_FALSE(cl::luhn_valid("7992739871a"));
  CHECK(cl::imei_valid("490154203237518"));
  CHECK_FALSE(cl::imei_valid("490154203237517"));
  CHECK(cl::vin_valid("1M8GDM9AXKP042788"));   // the textbook check digit X
  CHECK(cl::vin_valid("11111111111111111") == false);  // digits only: not taken as a VIN
  CHECK_FALSE(cl::vin_valid("1M8GDM9A1KP042788"));
  CHECK_FALSE(cl::vin_valid("1M8GDM9AXKP04278O"));     // O is not allowed
  CHECK(cl::bank_card_valid("6222021234567890128") == cl::luhn_valid("6222021234567890128"));
  CHECK(cl::bank_card_valid("4111111111111111"));
  CHECK(cl::bank_card_valid("5555555555554444"));
  CHECK_FALSE(cl::bank_card_valid("378282246310005"));  // 15 digits
  CHECK_FALSE(cl::bank_card_valid("1111111111111117"));  // Luhn-valid, no issuer starts with 1
}

TEST_CASE("identifiers are verified through civitas::ids, never a bare pattern") {
  CHECK(v("91350100M000100Y43") == "uscc");
  CHECK(v("91350100M000100Y44") != "uscc");
  CHECK(v("11010519491231002X") == "ric");
  CHECK(v("11010519491231002x") == "ric");
  CHECK(v("110105194912310021") != "ric");   // check digit wrong
  CHECK(v("99010519491231002X") != "ric");   // region unknown (check digit recomputed would still fail)
  CHECK(v("110105491231002") == "ric");      // legacy 15 digits with region and date
  CHECK(v("60003734-1") == "orgcode");
  CHECK(v("60003734-2") != "orgcode");
  CHECK(v("350102") == "gb2260");
  CHECK(v("350001") == "postal_code");
  CHECK(v("990000") == "none");
}

TEST_CASE("phones, cards, network and vehicle identifiers as whole values") {
  CHECK(v("13912345678") == "mobile_phone");
  CHECK(v("+86 13912345678") == "mobile_phone");
  CHECK(v("139-1234-5678") == "mobile_phone");
  CHECK(v("12912345678") == "none");
  CHECK(v("0591-87654321") == "phone");
  CHECK(v("(010)62345678") == "phone");
  CHECK(v("(010)12345678") == "none");  // Beijing numbers do not start with 1
  CHECK(v("0755-26543210-123") == "phone");
  CHECK(v("010 62345678") == "phone");
  CHECK(v("4111 1111 1111 1111") == "bank_card");
  CHECK(v("4111111111111112") == "none");
  CHECK(v("zhang.san@example.com") == "email");
  CHECK(v("zhang.san@example") == "none");
  CHECK(v("192.168.1.10") == "ip_address");
  CHECK(v("256.1.1.1") == "none");
  CHECK(v("2001:db8::1") == "ip_address");
  CHECK(v("00:1A:2B:3C:4D:5E") == "mac_address");
  CHECK(v("00-1a-2b-3c-4d-5e") == "mac_address");
  CHECK(v("闽A12345") == "vehicle_plate");
  CHECK(v("京AD12345") == "vehicle_plate");   // new-energy small car
  CHECK(v("粤B12345F") == "vehicle_plate");   // new-energy large vehicle
  CHECK(v("闽AI2345") == "none");             // I is not used on plates
  CHECK(v("E12345678") == "passport");
  CHECK(v("EA1234567") == "passport");
  CHECK(v("C12345678") == "hk_macao_permit");
  CHECK(v("H1234567801") == "hk_macao_permit");
  CHECK(v("490154203237518") == "imei");
  CHECK(v("1M8GDM9AXKP042788") == "vin");
  CHECK(v("26.074500,119.296500") == "gps_coordinates");
  CHECK(v("119.2965, 26.0745") == "gps_coordinates");
  CHECK(v("926.0745,119.2965") == "none");
}

TEST_CASE("dates, names and addresses") {
  CHECK(v("1990-01-05") == "birth_date");
  CHECK(v("1990/1/5") == "birth_date");
  CHECK(v("1990年1月5日") == "birth_date");
  CHECK(v("19900105") == "birth_date");
  CHECK(v("1990-02-30") == "none");
  CHECK(v("2990-01-05") == "none");  // in the future
  CHECK(v("张三") == "person_name");
  CHECK(v("欧阳娜娜") == "person_name");
  CHECK(v("阿卜杜·热合曼") == "person_name");
  CHECK(v("John Smith") == "person_name");
  CHECK(v("华为手机") == "none");
  CHECK(v("李宁运动鞋") == "none");
  CHECK(v("Hello World") == "none");
  CHECK(v("福建省福州市鼓楼区五四路158号") == "address");
  CHECK(v("鼓楼区华林路201号") == "address");
  CHECK(v("福建省") == "none");
}

TEST_CASE("values are trimmed and full-width forms read as ASCII") {
  CHECK(v("  13912345678 ") == "mobile_phone");
  CHECK(v("\xE3\x80\x80" "13912345678") == "mobile_phone");
  CHECK(v("１３９１２３４５６７８") == "mobile_phone");
  CHECK(v("") == "none");
  CHECK(v("   ") == "none");
}

TEST_CASE("free text: digit boundaries are explicit") {
  CHECK(finds("电话13912345678") == "mobile_phone@6+11:13912345678;");
  CHECK(finds("Tel13912345678.") == "mobile_phone@3+11:13912345678;");
  CHECK(finds("编号1391234567890") == "");                 // 13 digits: no mobile inside
  CHECK(finds("号码11010519491231002X。") == "ric@6+18:11010519491231002X;");
  CHECK(finds("1110105194912310021") == "");               // 19 digits: no 18-digit ID inside
  CHECK(finds("a11010519491231002Xb") == "");              // glued to letters on both sides: one run
  CHECK(finds("订单202403150000012345") == "");            // 18-digit order number
  CHECK(finds("+86 13912345678") == "mobile_phone@0+15:+86 13912345678;");
}

TEST_CASE("free text: each type in a sentence, with byte offsets") {
  CHECK(finds("邮箱zhang.san@example.com。") == "email@6+21:zhang.san@example.com;");
  CHECK(finds("座机0591-87654321转123") == "phone@6+19:0591-87654321转123;");
  CHECK(finds("IP 192.168.1.10,") == "ip_address@3+12:192.168.1.10;");
  CHECK(finds("mac 00:1A:2B:3C:4D:5E") == "mac_address@4+17:00:1A:2B:3C:4D:5E;");
  CHECK(finds("v6 2001:db8::8a2e:370:7334 ok") == "ip_address@3+23:2001:db8::8a2e:370:7334;");
  CHECK(finds("车牌闽A12345，") == "vehicle_plate@6+9:闽A12345;");
  CHECK(finds("卡号6222 0212 3456 7890 128") == (cl::luhn_valid("6222021234567890128")
                                                  ? "bank_card@6+23:6222 0212 3456 7890 128;" : ""));
  CHECK(finds("卡号4111111111111111。") == "bank_card@6+16:4111111111111111;");
  CHECK(finds("护照E12345678") == "passport@6+9:E12345678;");
  CHECK(finds("通行证C12345678") == "hk_macao_permit@9+9:C12345678;");
  CHECK(finds("邮编350001") == "postal_code@6+6:350001;");
  CHECK(finds("编号350001") == "");                        // a bare six-digit number needs its keyword
  CHECK(finds("出生日期1990-01-05") == "birth_date@12+10:1990-01-05;");
  CHECK(finds("会议日期1990-01-05") == "");
  CHECK(finds("姓名：张三，") == "person_name@9+6:张三;");
  CHECK(finds("请张三丰先生") == "person_name@3+9:张三丰;");
  CHECK(finds("Contact John Smith today") == "person_name@8+10:John Smith;");
  CHECK(finds("家住福建省福州市鼓楼区五四路158号，电话") == "address@6+42:福建省福州市鼓楼区五四路158号;");
  CHECK(finds("坐标26.0745,119.2965。") == "gps_coordinates@6+16:26.0745,119.2965;");
  CHECK(finds("IMEI 490154203237518") == "imei@5+15:490154203237518;");
  CHECK(finds("VIN 1M8GDM9AXKP042788") == "vin@4+17:1M8GDM9AXKP042788;");
  CHECK(finds("代码91350100M000100Y43") == "uscc@6+18:91350100M000100Y43;");
  CHECK(finds("组织机构代码60003734-1") == "orgcode@18+10:60003734-1;");
  CHECK(finds("行政区划代码350102") == "gb2260@18+6:350102;");
}

TEST_CASE("free text: invalid UTF-8 and odd input neither crash nor hang") {
  std::string bad = "\xff\xfe电话\xe7\x94";
  CHECK(cl::find(bad).empty());
  std::string digits(100000, '1');
  CHECK(cl::find(digits).empty());
  std::string dots;
  for (int i = 0; i < 20000; ++i) dots += "1.";
  CHECK(cl::find(dots).empty());
  std::string colons;
  for (int i = 0; i < 20000; ++i) colons += "x:";
  CHECK(cl::find(colons).empty());
  CHECK(cl::find("").empty());
}

TEST_CASE("free text: a text that ends right after Han characters is read inside its bytes") {
  // The fuzzer found the two-characters-a-step loop reading the byte after the text when the
  // text ended right after a pair. An exact-size heap buffer (no NUL after it) lets the
  // sanitizer build see any read past the end; every length from 1 to 10 characters (the
  // loop now takes four characters a step), also cut inside the last character.
  const std::string han = "数据共享工作安排确保";  // 10 three-byte characters, no trigger
  for (std::size_t bytes = 1; bytes <= han.size(); ++bytes) {
    for (const std::string& lead : {std::string(), std::string("a "), std::string("1.")}) {
      const std::string text = lead + han.substr(0, bytes);
      std::unique_ptr<char[]> exact(new char[text.size()]);
      std::memcpy(exact.get(), text.data(), text.size());
      CAPTURE(text);
      CHECK(cl::find(std::string_view(exact.get(), text.size())).empty());
    }
  }
}

TEST_CASE("free text: a trigger character is seen at every place in a run of Han characters") {
  // The Han loop skips several characters a step: a keyword after 0..13 plain characters (every
  // alignment of the step), at the very end of the text or followed by more text.
  const std::string han = "数据共享工作安排确保数据准确";  // 14 characters, no trigger
  for (std::size_t chars = 0; chars <= 14; ++chars) {
    for (const std::string& tail : {std::string(), std::string("，共享数据"), std::string(" ok")}) {
      const std::string text = han.substr(0, 3 * chars) + "联系人张三" + tail;
      std::unique_ptr<char[]> exact(new char[text.size()]);
      std::memcpy(exact.get(), text.data(), text.size());
      CAPTURE(text);
      const auto f = cl::find(std::string_view(exact.get(), text.size()));
      REQUIRE(f.size() == 1);
      CHECK(f[0].type == "person_name");
      CHECK(f[0].offset == 3 * chars + 9);
      CHECK(f[0].length == 6);
    }
    // A plate (province character as the trigger) and an address after the same prefixes.
    const std::string plate = han.substr(0, 3 * chars) + "京A12345";
    CHECK(cl::find(plate).size() == 1);
    const std::string addr = han.substr(0, 3 * chars) + "，福建省福州市鼓楼区五四路158号";
    const auto fa = cl::find(addr);
    REQUIRE(fa.size() == 1);
    CHECK(fa[0].type == "address");
  }
}

TEST_CASE("free text: a division name is found whatever precedes it (the walk back stops at a character of no name)") {
  struct Case {
    const char* text;
    std::uint64_t offset, length;
  };
  for (const Case& c : {Case{"我家在鼓楼区五四路158号", 9, 24}, Case{"福州市鼓楼区五四路158号", 0, 33},
                        Case{"，福建省福州市鼓楼区五四路158号", 3, 42}, Case{"abc福州市鼓楼区五四路158号", 3, 33},
                        Case{"内蒙古自治区呼和浩特市新城区中山路1号", 18, 37}, Case{"新城区中山路1号", 0, 22},
                        Case{"\x80\x80\x80\x80福州市鼓楼区五四路158号", 4, 33}}) {
    CAPTURE(c.text);
    const auto f = cl::find(c.text);
    REQUIRE(f.size() == 1);
    CHECK(f[0].type == "address");
    CHECK(f[0].offset == c.offset);
    CHECK(f[0].length == c.length);
  }
}

TEST_CASE("GB18030 text: offsets and lengths are bytes of the input as given") {
  // "电话13912345678" in GB18030: 电 = B5E7, 话 = BBB0.
  std::string gb = "\xB5\xE7\xBB\xB0" "13912345678 \xB5\xE7";
  CHECK(cl::guess_encoding(gb) == "gb18030");
  auto f = cl::find_encoded(gb, "");
  REQUIRE(f.size() == 1);
  CHECK(f[0].offset == 4);
  CHECK(f[0].length == 11);
  CHECK_THROWS_AS(cl::find_encoded("\x81", "gb18030"), civitas::Error);
  auto u = cl::find_encoded("\xEF\xBB\xBF电话13912345678", "");
  REQUIRE(u.size() == 1);
  CHECK(u[0].offset == 9);
}

TEST_CASE("custom detectors: RE2 patterns with a name, category and level") {
  cl::Detectors d({{"employee_no", "EMP[0-9]{6}", "personal", "general-2"}});
  CHECK(cl::classify_value("EMP123456", d) == "employee_no");
  CHECK(cl::matches("employee_no", "EMP123456", d));
  CHECK_FALSE(cl::matches("employee_no", "EMP12345", d));
  auto f = cl::find("工号EMP123456，电话13912345678", d);
  REQUIRE(f.size() == 2);
  CHECK(f[0].type == "employee_no");
  CHECK(f[0].offset == 6);
  auto col = cl::classify_column("工号", {"EMP000001", "EMP000002", "EMP000003"}, d);
  CHECK(col.type == "employee_no");
  CHECK(col.category == "personal");
  CHECK(col.level == "general-2");
  CHECK_THROWS_AS(cl::Detectors({{"Bad Name", "x", "", ""}}), civitas::Error);
  CHECK_THROWS_AS(cl::Detectors({{"ric", "x", "", ""}}), civitas::Error);
  CHECK_THROWS_AS(cl::Detectors({{"x", "(", "", ""}}), civitas::Error);
  CHECK_THROWS_AS(cl::Detectors({{"x", "a", "", ""}, {"x", "b", "", ""}}), civitas::Error);
  CHECK_THROWS_AS(cl::Detectors({{"x", "(a)\\1", "", ""}}), civitas::Error);  // backreferences: not RE2
  CHECK_THROWS_AS(cl::matches("nope", "x"), civitas::Error);
}

TEST_CASE("token soups and random bytes never throw, and findings stay in bounds and in order") {
  static const char* kTokens[] = {"1", "13912345678", "0591", "-", " ", ".", ":", "@", "(", ")", "+86", "年", "月", "日",
                                  "省", "市", "区", "福建省", "福州市", "鼓楼区", "路", "号", "姓名", "：", "先生", "张",
                                  "三", "·", "闽", "A", "E", "X", "x", "\xff", "\xe7\x94", "，", "邮编", "出生", "ab",
                                  "John", "Smith", "00", "1A", "2001", "db8", "::", "6222", "11010519491231002X"};
  std::uint32_t seed = 12345;
  auto rnd = [&seed]() {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(rnd() % 40);
    for (int k = 0; k < n; ++k) {
      if (rnd() % 5 == 0) text += static_cast<char>(rnd() & 0xff);
      else text += kTokens[rnd() % (sizeof kTokens / sizeof *kTokens)];
    }
    std::vector<cl::Finding> f;
    REQUIRE_NOTHROW(f = cl::find(text));
    std::uint64_t end = 0;
    for (const auto& x : f) {
      REQUIRE(x.offset >= end);
      REQUIRE(x.length > 0);
      REQUIRE(x.offset + x.length <= text.size());
      end = x.offset + x.length;
    }
    REQUIRE_NOTHROW((void)cl::classify_value(text));
    try {
      (void)cl::find_encoded(text, "");
    } catch (const civitas::Error&) {
      // undecodable in the guessed encoding: an error is the right answer
    }
  }
}

TEST_CASE("free text in a column: findings per row, offsets within the value") {
  std::vector<std::string_view> remarks = {"客户要求周末送货", "请联系13912345678", "", "邮箱a@example.com，电话13800138000"};
  auto f = cl::find_in_column(remarks);
  REQUIRE(f.size() == 3);
  CHECK(f[0].row == 1);
  CHECK(f[0].finding.type == "mobile_phone");
  CHECK(f[0].finding.offset == 9);
  CHECK(f[1].row == 3);
  CHECK(f[1].finding.type == "email");
  CHECK(f[2].row == 3);
  CHECK(f[2].finding.type == "mobile_phone");
}
