// The free-text scanner's vector code (the AVX-512 and AVX2 Han-run loops, where the CPU has
// them, and the SSE2 / AVX-512 BW pass over quiet ASCII prose) finds what its scalar code
// finds, each vector level (1: up to AVX2, 2: AVX-512 too) compared with the scalar code (0):
// generated texts of Han runs with trigger characters at every place,
// labelled snippets, ASCII, two- and four-byte characters and stray bytes, cut at every length
// (exact-size buffers, so that the sanitizer build sees any read past the end), and the lines
// of the labelled corpus.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/classify.hpp"
#include "classify/utf8.hpp"

namespace cl = civitas::classify;
namespace d = civitas::classify::detail;

namespace {

std::string render(const std::vector<cl::Finding>& f) {
  std::string out;
  for (const auto& x : f) out += std::string(x.type) + "@" + std::to_string(x.offset) + "+" + std::to_string(x.length) + ";";
  return out;
}

// Findings of `text` read from an exact-size heap buffer, with the vector code on and off.
void same_both_ways(const std::string& text) {
  std::unique_ptr<char[]> exact(new char[text.size() + 1]);
  std::memcpy(exact.get(), text.data(), text.size());
  const std::string_view v(exact.get(), text.size());
  d::set_vector_limit(0);
  const std::string scalar = render(cl::find(v));
  d::set_vector_limit(1);
  const std::string avx2 = render(cl::find(v));
  d::set_vector_limit(2);
  const std::string vec = render(cl::find(v));
  CAPTURE(text);
  CHECK(avx2 == scalar);
  CHECK(vec == scalar);
}

const std::vector<std::string> kPieces = {
    "数据", "共享", "工作", "安排", "确保", "准确", "完整", "资源",    // plain Han
    "市", "人", "京", "名", "者", "主", "先", "女", "同", "老", "小", "区", "省", "县",  // triggers
    "，", "。", "：", "、",                                             // full-width punctuation
    "联系人张三", "王先生", "京A12345", "福建省福州市鼓楼区五四路158号", "姓名：李四",
    "电话13912345678", "邮编350001", "身份证11010519491231002X",
    " ", "a", "The report", "x1", "13912345678", "2024-01-05", "a.b@example.com",
    "\xC3\xA9", "\xF0\x9F\x98\x80", "\xE4\xB8", "\x80", "\n",
    // ASCII prose and what stops the quiet pass over it
    "the quarterly report covers data quality ", "sharing requests and the audit results of the platform",
    "John Smith", "Mary Lee ", "Tel", "tel:", "fax-", "ip ", "mac:", "Zip ", "DOB", "x_y", "50%", "a+b", "a-b",
    "ab:cd", "E12345678", "C12345678", "1M8GDM9AXKP042788", "00:1A:2B:3C:4D:5E", "2001:db8::1", "192.168.1.10",
    "(0591)87654321", "+86 13912345678", "6222 0212 3456 7890 128", "26.0745,119.2965", ", ", ". ", "!", "\t",
    "abcd:ef01:2345:6789:abcd:ef01:2345:6789", "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff", "abc.def@example.com",
    "abc_d@example.com", "Anna Brown", "platform.", "The ", "a.b", "x_y@example.com", "ab.cd-ef@example.com",
    "ABCDEFGHJ ", "ABCDEFGHJKLMNPRST ", "LVSW0DUS1HC601251", "Report ", "@", ".", "_", "%", "+",
    // triggers han() passes without a finding, and their neighbours that make one
    "个人", "本市", "福州市", "同时", "共同", "小心", "老师", "女士", "先生", "首先", "妇女", "县城", "山区", "杭州", "自治州", "盟旗",
    "鼓楼区", "福建省", "省份", "张三先生", "李四女士", "持卡人", "主要", "车主", "名单", "作者", "患者", "京A"};

}  // namespace

TEST_CASE("free text: the vector Han loop finds what the scalar loop finds") {
  std::mt19937 r(4242);
  for (int k = 0; k < 400; ++k) {
    std::string t;
    const std::size_t parts = 1 + r() % 60;
    for (std::size_t q = 0; q < parts; ++q) t += kPieces[r() % kPieces.size()];
    same_both_ways(t);
    // Cut at a few places (inside characters too).
    for (int c = 0; c < 4 && !t.empty(); ++c) same_both_ways(t.substr(0, r() % t.size()));
  }
  // A trigger after 0..40 plain characters (every lane of the vector loops' steps), at the end
  // or followed by more Han text (a full 64-byte read after it too).
  const std::string plain = "数据共享工作安排确保准确完整资源数据共享工作安排确保准确完整资源数据共享工作安排确保准确";
  for (std::size_t chars = 0; chars <= 40; ++chars)
    for (const char* trig : {"市", "联系人张三", "王先生", "京A12345", "更新数据", "京a12345", "京", "个人信息", "申请人李四",
                             "负责人：王五", "人", "户主张三", "主", "本市", "福州市鼓楼区五四路158号", "福州市", "鼓楼区",
                             "福建省", "同时", "张三同志", "小", "老", "老师", "女", "李四女士", "先", "首先", "王五先生", "小姐",
                             "区", "县", "州", "旗", "盟", "省",
                             // ASCII between Han characters (the vector loops go on past one byte
                             // other than a letter or digit followed by a three-byte character)
                             "\n", ",", " ", ".", "@", "-", ":", "a", "1", "Z", "\n\n", ".\n", "a@", "x.", "\xC3\xA9", "\x80",
                             "\xF0\x9F\x98\x80", "\n京A12345", " 王先生", "\n本市", ",人", "\n联系人张三"})
      for (const std::string& tail : {std::string(), std::string("数据"), std::string("数据共享工作安排确保准确完整"), plain})
        same_both_ways(plain.substr(0, 3 * chars) + trig + tail);
  // One thing that stops the quiet ASCII pass after 0..150 bytes of prose (every place in and
  // across its 64- and 16-byte steps), at the end of the text or followed by more prose.
  const std::string prose =
      "the quarterly report covers data quality and sharing requests of the platform ok, and the audit results of "
      "the platform are attached for the review of the office";
  for (std::size_t len = 0; len <= 150; ++len)
    for (const char* stop : {"13912345678", "John Smith", "a.b@example.com", "E12345678", "x:1", "-", ".", "A", "7", "联系人张三",
                             "abcd:ef01:2345:6789:abcd:ef01:2345:6789", "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff",
                             "ab%c@example.com", "ab+c@example.com", "ab_c@example.com",
                             // capital letters passed with their run, or not; e-mails reached
                             // from before '.', '_', '%', '+' (which are no stops themselves)
                             "The report", "The Report", "The", "Abc.", "Abc,", "Abc_x", "Ab:", "Ab-", "Ab@example.com",
                             "iPhone ok", "iPhone13 ok", "xY ", "John Smith", "John smith", "A b", "ABCDEFGHX ok",
                             "ABCDEFGHXYZ ok", "ABCDEFGHJKLMNPRST ok", "ABCDEFGHJKLMNPRSTU ok", "Abcdefghi ok", "Abcdefghij ok",
                             "Ab cd.e@example.com", "ab.Cd@example.com", "ab.Cd foo", "ab.cd-ef@example.com",
                             "ab.cd1@example.com", "ab.cd:ef", "platform. The", "x.y", "a_b", "a%b", "a+b", "a.b.c.d.e",
                             "e.g. The", "Tel13912345678", "Zip 350001", "DOB 1990-01-02", "ZIP:350001", "Abc.d", "Ab%c",
                             "Ab+c", "Abcd:ef01:2345:6789:abcd:ef01:2345:6789", "Aa-bb-cc-dd-ee-ff",
                             // an organisation code and a VIN of capital letters only (9 and 17 long)
                             "orgcode HVUEMWSXX", "KHYATUPBXWDLEJUSB",
                             // a lone 9 starting digit groups (an IMEI), a Latin name starting with Z
                             "9 35639483292731", "9", "Zhang Wei", "Zhao Lei"})
      for (const char* tail : {"", " and the audit results of the platform", "x", "@example.com", ".cd@example.com", " Smith"})
        same_both_ways(prose.substr(0, len) + stop + tail);
}

TEST_CASE("free text: the vector code finds what the scalar code finds on stray bytes") {
  // A lead byte E0..EF followed by ASCII: the scanner takes it and the next two bytes as one
  // character, and the vector loops' next lanes then hold ASCII bytes, whose made-up code
  // points may be those of triggers ("d::" reads as 人, "T::" too). Only a lane with a lead
  // byte is a character: found by the classify fuzzer, where the AVX-512 loop passed "d::1b8"
  // and "Amy Wu" as idle triggers.
  const std::string plain = "数据共享工作安排确保准确完整资源数据共享工作安排确保准确完整资源";
  for (std::size_t chars = 0; chars <= 20; ++chars)
    for (const char* odd : {"\xE6" "1:d::1b8 email a.b@example.com", "\xE7l W\x9C" "Amy Wu said", "\xE6T::T::1 Amy Wu",
                            "\xE4xd::d::d::d::d::d::d::d::d::d::d::d::d::d::d::d:: 2001:db8::1 and more text after it"})
      for (const char* tail : {"", " and the audit results of the platform are attached for the review of the office"})
        same_both_ways(plain.substr(0, 3 * chars) + odd + tail);
  // Random bytes, weighted to lead bytes, continuation bytes and the ASCII that ends up in
  // the lanes: 64 bytes and more, so that the 64-byte steps run.
  const std::string alphabet = std::string("\xE4\xE5\xE6\xE7\xE8\xE9\xEF\x80\x8F\x9C\xA9\xBA\xBC") +
                               "d:T1 .@-AaWmyu9\n" + "人市京名先区省" + "数据共享";
  std::mt19937 r(77);
  for (int k = 0; k < 3000; ++k) {
    std::string t;
    const std::size_t len = 64 + r() % 200;
    while (t.size() < len) t += alphabet[r() % alphabet.size()];
    same_both_ways(t);
  }
}

TEST_CASE("free text: the vector Han loop finds what the scalar loop finds on the labelled corpus") {
  std::ifstream f(std::string(CIVITAS_TEST_DATA) + "/classify/text.txt", std::ios::binary);
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string all = ss.str();
  same_both_ways(all);
  std::istringstream lines(all);
  for (std::string line; std::getline(lines, line);) same_both_ways(line);
}
