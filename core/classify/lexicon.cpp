// Word lists of the classify module (see lexicon.hpp).
#include "lexicon.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "civitas/ids.hpp"
#include "ids/tables.hpp"

namespace civitas::classify::detail {
namespace {

// The most common Chinese single surnames (about 300, covering nearly all of the population).
constexpr std::string_view kSingleSurnames =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公"
    "哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";
constexpr std::array<std::string_view, 40> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "闻人", "南宫", "西门", "端木", "独孤", "澹台", "公冶", "宗政",
    "濮阳", "太叔", "申屠", "赫连", "呼延", "万俟", "单于", "拓跋", "百里", "东郭", "第五", "司空",
    "左丘", "梁丘", "羊舌", "微生"};
// Characters seldom in given names but frequent in product, company and place words.
constexpr std::string_view kNameStop =
    "机器品司店厂局院部型号款装版包盒瓶袋箱桶色码卡表线网站路街区县市省镇乡村场所处科室馆校园团队组会业行社"
    "服务费用价元钱款项目单证书报告通知的了是在和与或及等个件台套只条份次年月日时分秒电话手址邮箱编账户"
    "公共有限责任股份集团中心银保险车票订购买卖销售货物产品牌系统软硬设备材料油米面粉酒茶水果蔬菜肉蛋奶";
constexpr std::string_view kPlateProvinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
constexpr std::string_view kDivisionSuffixes = "省市区县州旗盟";
constexpr std::string_view kAddressChars = "路街道巷弄号村镇乡组栋幢楼室层元区里同苑园座";

constexpr std::array<std::string_view, 120> kGivenNames = {
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua",
    "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan",
    "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
    "Benjamin", "Samuel", "Gregory", "Alexander", "Frank", "Patrick", "Raymond", "Jack", "Dennis", "Jerry",
    "Tyler", "Aaron", "Henry", "Peter", "Adam", "Nathan", "Oliver", "Harry", "Lucas", "Martin",
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
    "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
    "Carol", "Amanda", "Dorothy", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia",
    "Kathleen", "Amy", "Angela", "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen",
    "Samantha", "Katherine", "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Maria", "Heather",
    "Diane", "Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Kelly", "Lauren", "Sophia"};
constexpr std::array<std::string_view, 110> kLatinSurnames = {
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Durand",
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
    "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo",
    "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng",
    "Zeng", "Xiao", "Tian", "Dong", "Yuan", "Pan", "Jiang", "Cai", "Yu", "Du",
    "Ye", "Cheng", "Su", "Wei", "Lyu", "Ding", "Ren", "Shen", "Yao", "Lu"};

std::vector<char32_t> chars_of(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 1;
    out.push_back(decode_utf8(s, i, &n));
    i += n;
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct CharSet {
  std::vector<char32_t> v;
  std::array<std::uint64_t, 0x10000 / 64> bmp{};  ///< the same characters below U+10000, one bit each
  explicit CharSet(std::string_view s) : v(chars_of(s)) {
    for (char32_t c : v)
      if (c < 0x10000) bmp[c >> 6] |= std::uint64_t{1} << (c & 63);
  }
  bool has(char32_t c) const noexcept {
    if (c < 0x10000) return (bmp[c >> 6] >> (c & 63)) & 1u;
    return std::binary_search(v.begin(), v.end(), c);
  }
};

const CharSet& singles() { static const CharSet s(kSingleSurnames); return s; }
const CharSet& stops() { static const CharSet s(kNameStop); return s; }
const CharSet& plates() { static const CharSet s(kPlateProvinces); return s; }
const CharSet& suffixes() { static const CharSet s(kDivisionSuffixes); return s; }
const CharSet& addr() { static const CharSet s(kAddressChars); return s; }

// The hash of a byte string taken from its last byte backwards: h += byte * pw, pw *= P.
// Extending a string at its front costs one step per byte.
constexpr std::uint64_t kMix = 0x9E3779B97F4A7C15ull;
inline void back_hash_step(std::uint64_t& h, std::uint64_t& pw, unsigned char b) noexcept {
  h += (static_cast<std::uint64_t>(b) + 1) * pw;
  pw *= 0x100000001B3ull;
}

void add_name(Divisions& d, std::string_view name) {
  if (name.empty()) return;
  d.full.emplace(name);
  std::size_t chars = 0;
  char32_t prev = 0, last = 0;
  for (std::size_t i = 0; i < name.size();) {
    std::size_t n = 1;
    prev = last;
    last = decode_utf8(name, i, &n);
    i += n;
    ++chars;
  }
  if (prev < 0x10000) d.before_suffix[prev] = true;
  // 自治区, 自治州: the character before the suffix is 治; keep both.
  d.max_chars = std::max(d.max_chars, chars);
  // Short form: without the suffix 省/市/自治区/… (at least two characters left).
  static const std::array<std::string_view, 8> sfx = {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "省", "市", "地区"};
  for (std::string_view s : sfx) {
    if (name.size() > s.size() + 3 && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      d.short_forms.emplace(name.substr(0, name.size() - s.size()));
      break;
    }
  }
}

}  // namespace

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t* len) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  if (i >= n) {  // past the end: no character (callers stop on a non-Han code point)
    *len = 0;
    return 0xFFFD;
  }
  unsigned char c = p[i];
  *len = 1;
  if (c < 0x80) return c;
  std::size_t k = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (k == 0 || c > 0xF4 || i + k > n) return 0xFFFD;
  char32_t cp = k == 2 ? (c & 0x1F) : k == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t j = 1; j < k; ++j) {
    if ((p[i + j] & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (p[i + j] & 0x3F);
  }
  *len = k;
  return cp;
}

std::size_t prev_char_len(std::string_view s, std::size_t i) noexcept {
  if (i == 0) return 0;
  std::size_t k = 1;
  while (k < 4 && k < i && (static_cast<unsigned char>(s[i - k]) & 0xC0) == 0x80) ++k;
  return k;
}

bool is_han(char32_t c) noexcept { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }
bool is_single_surname(char32_t c) noexcept { return singles().has(c); }
bool is_compound_surname(std::string_view two) noexcept {
  return std::find(kCompoundSurnames.begin(), kCompoundSurnames.end(), two) != kCompoundSurnames.end();
}
bool is_name_stop_char(char32_t c) noexcept { return stops().has(c); }
bool is_latin_given_name(std::string_view w) noexcept {
  return std::find(kGivenNames.begin(), kGivenNames.end(), w) != kGivenNames.end();
}
bool is_latin_surname(std::string_view w) noexcept {
  return std::find(kLatinSurnames.begin(), kLatinSurnames.end(), w) != kLatinSurnames.end();
}
bool is_plate_province(char32_t c) noexcept { return plates().has(c); }
bool is_division_suffix(char32_t c) noexcept { return suffixes().has(c); }
const std::vector<char32_t>& plate_province_chars() noexcept { return plates().v; }
const std::vector<char32_t>& division_suffix_chars() noexcept { return suffixes().v; }
bool is_address_char(char32_t c) noexcept { return addr().has(c); }

const Divisions& divisions() {
  static const Divisions d = [] {
    Divisions r;
    // Every code of the table from 110000 to 829999 (the national 100000 aside), in code
    // order: a province or prefecture name comes first with its code PP0000 / PPCC00, which
    // the ids table derives from its counties.
    std::string_view last_province, last_prefecture;
    ids::detail::for_each_region([&](std::uint32_t code, std::string_view province, std::string_view prefecture,
                                     std::string_view county) {
      if (code < 110000 || code > 829999) return;
      // add_name is idempotent: a province or prefecture repeated from the code before is
      // skipped (thousands of repeats otherwise).
      if (province != last_province) add_name(r, province), last_province = province;
      if (prefecture != last_prefecture) add_name(r, prefecture), last_prefecture = prefecture;
      add_name(r, county);
    });
    // Names that are not divisions although they end like one.
    for (const char* bad : {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}) r.full.erase(bad);
    for (const std::string& name : r.full) {
      for (std::size_t i = 0; i < name.size();) {
        std::size_t n = 1;
        const char32_t c = decode_utf8(name, i, &n);
        if (c < 0x10000) r.in_names[c] = true;
        else r.beyond_bmp = true;
        i += n;
      }
    }
    std::size_t slots = 16;
    unsigned shift = 60;
    while (slots < 2 * r.full.size()) slots *= 2, --shift;
    r.table.assign(slots, {});
    r.shift = shift;
    for (const std::string& name : r.full) {
      std::uint64_t h = 0, pw = 1;
      for (std::size_t b = name.size(); b-- > 0;) back_hash_step(h, pw, static_cast<unsigned char>(name[b]));
      std::size_t at = static_cast<std::size_t>((h * kMix) >> r.shift);
      while (r.table[at].name) at = (at + 1) & (slots - 1);
      r.table[at] = {h, &name};
    }
    return r;
  }();
  return d;
}

std::size_t division_ending_at(std::string_view s, std::size_t end) {
  const Divisions& d = divisions();
  std::size_t best = std::string_view::npos;
  std::size_t start = end;
  {
    // Quick rejection: the character before the suffix must end some name's stem.
    std::size_t l1 = prev_char_len(s, end);
    if (l1 == 0 || end < l1) return best;
    std::size_t l2 = prev_char_len(s, end - l1);
    if (l2 == 0) return best;
    std::size_t n2 = 1;
    char32_t c = decode_utf8(s, end - l1 - l2, &n2);
    if (c >= 0x10000 || !d.before_suffix[c]) return best;
  }
  // Walks back one character at a time, extending the backward hash of s[start, end) by the
  // bytes of that character, and looks the hash up in d.table (confirmed by comparing the name).
  const std::size_t mask = d.table.size() - 1;
  std::uint64_t h = 0, pw = 1;
  for (std::size_t k = 0; k < d.max_chars && start > 0; ++k) {
    std::size_t n = prev_char_len(s, start);
    for (std::size_t b = 0; b < n; ++b) back_hash_step(h, pw, static_cast<unsigned char>(s[start - 1 - b]));
    start -= n;
    if (!d.beyond_bmp) {
      // A name that matched s[start', end) for some start' <= start would be valid UTF-8 read
      // back character by character as here, so s[start, start + n) would be one of its
      // characters: when it is no name's character (or not a character), no longer name ends
      // at `end` either.
      std::size_t len = 1;
      const char32_t c = decode_utf8(s, start, &len);
      if (len != n || c >= 0x10000 || !d.in_names[c]) break;
    }
    if (k >= 1) {
      for (std::size_t at = static_cast<std::size_t>((h * kMix) >> d.shift); d.table[at].name; at = (at + 1) & mask) {
        const std::string& name = *d.table[at].name;
        if (d.table[at].hash == h && name.size() == end - start && std::memcmp(name.data(), s.data() + start, name.size()) == 0) {
          best = start;
          break;
        }
      }
    }
  }
  return best;
}

bool has_keyword(std::string_view s, std::size_t from, std::size_t to,
                 const std::vector<std::string_view>& words) noexcept {
  if (to > s.size()) to = s.size();
  if (from >= to) return false;
  std::string_view w = s.substr(from, to - from);
  for (std::string_view k : words)
    if (w.find(k) != std::string_view::npos) return true;
  return false;
}

}  // namespace civitas::classify::detail
