// GB 32100-2015 registration authorities and entity categories, with amendment 1 (2018)
// which added A (中央军委改革和编制办公室) and N (农业).
#include "tables.hpp"

namespace civitas::ids::detail {
namespace {

constexpr Category k1[] = {{'1', "机关"}, {'2', "事业单位"}, {'3', "中央编办直接管理机构编制的群众团体"}, {'9', "其他"}};
constexpr Category k2[] = {{'1', "外国常驻新闻机构"}, {'9', "其他"}};
constexpr Category k3[] = {{'1', "律师执业机构"}, {'2', "公证处"}, {'3', "基层法律服务所"},
                           {'4', "司法鉴定机构"}, {'5', "仲裁委员会"}, {'9', "其他"}};
constexpr Category k4[] = {{'1', "外国在华文化中心"}, {'9', "其他"}};
constexpr Category k5[] = {{'1', "社会团体"}, {'2', "民办非企业单位"}, {'3', "基金会"}, {'9', "其他"}};
constexpr Category k6[] = {{'1', "外国旅游部门常驻代表机构"}, {'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"}, {'9', "其他"}};
constexpr Category k7[] = {{'1', "宗教活动场所"}, {'2', "宗教院校"}, {'9', "其他"}};
constexpr Category k8[] = {{'1', "基层工会"}, {'9', "其他"}};
constexpr Category k9[] = {{'1', "企业"}, {'2', "个体工商户"}, {'3', "农民专业合作社"}};
constexpr Category kA[] = {{'1', "军队事业单位"}, {'9', "其他"}};
constexpr Category kN[] = {{'1', "组级集体经济组织"}, {'2', "村级集体经济组织"}, {'3', "乡镇级集体经济组织"}, {'9', "其他"}};
constexpr Category kY[] = {{'1', "其他"}};

#define CIV_AUTH(c, name, arr) {c, name, arr, static_cast<int>(sizeof(arr) / sizeof(arr[0]))}
constexpr Authority kAuthorities[] = {
    CIV_AUTH('1', "机构编制", k1), CIV_AUTH('2', "外交", k2), CIV_AUTH('3', "司法行政", k3),
    CIV_AUTH('4', "文化", k4),     CIV_AUTH('5', "民政", k5), CIV_AUTH('6', "旅游", k6),
    CIV_AUTH('7', "宗教", k7),     CIV_AUTH('8', "工会", k8), CIV_AUTH('9', "工商", k9),
    CIV_AUTH('A', "中央军委改革和编制办公室", kA), CIV_AUTH('N', "农业", kN), CIV_AUTH('Y', "其他", kY),
};
#undef CIV_AUTH

// Index into kAuthorities by code character, or -1: one load instead of a search (hot path).
constexpr std::array<std::int8_t, 256> kAuthorityIndex = [] {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < sizeof kAuthorities / sizeof kAuthorities[0]; ++i)
    t[static_cast<unsigned char>(kAuthorities[i].code)] = static_cast<std::int8_t>(i);
  return t;
}();

}  // namespace

const std::array<std::uint16_t, 256> kCategoryMask = [] {
  std::array<std::uint16_t, 256> t{};
  for (const auto& a : kAuthorities)
    for (int i = 0; i < a.ncats; ++i)
      t[static_cast<unsigned char>(a.code)] |= static_cast<std::uint16_t>(1u << (a.cats[i].code - '0'));
  return t;
}();

const Authority* find_authority(char code) noexcept {
  int i = kAuthorityIndex[static_cast<unsigned char>(code)];
  return i < 0 ? nullptr : &kAuthorities[i];
}

const Category* find_category(const Authority& a, char code) noexcept {
  for (int i = 0; i < a.ncats; ++i)
    if (a.cats[i].code == code) return &a.cats[i];
  return nullptr;
}

}  // namespace civitas::ids::detail
