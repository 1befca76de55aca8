// Column and table classification: name hints, sampling, hit ratios, schema annotations.
#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "detectors.hpp"
#include "lexicon.hpp"
#include "utf8.hpp"

namespace civitas::classify {
namespace {

using nlohmann::json;

struct Hint {
  const char* word;
  Type type;
};
// Checked in order; the first word found in the lower-cased name decides.
constexpr Hint kHints[] = {
    {"统一社会信用代码", Type::uscc}, {"信用代码", Type::uscc}, {"uscc", Type::uscc}, {"credit_code", Type::uscc},
    {"creditcode", Type::uscc}, {"组织机构代码", Type::orgcode}, {"机构代码", Type::orgcode}, {"orgcode", Type::orgcode},
    {"org_code", Type::orgcode}, {"身份证", Type::ric}, {"证件号", Type::ric}, {"idcard", Type::ric},
    {"id_card", Type::ric}, {"id_no", Type::ric}, {"idno", Type::ric}, {"ric", Type::ric}, {"sfz", Type::ric},
    {"行政区划", Type::gb2260}, {"区划代码", Type::gb2260}, {"gb2260", Type::gb2260}, {"division", Type::gb2260},
    {"region_code", Type::gb2260}, {"手机", Type::mobile_phone}, {"mobile", Type::mobile_phone}, {"cell", Type::mobile_phone},
    {"银行卡", Type::bank_card}, {"卡号", Type::bank_card}, {"bank", Type::bank_card}, {"card", Type::bank_card},
    {"账号", Type::bank_card}, {"account", Type::bank_card}, {"邮箱", Type::email}, {"电子邮件", Type::email},
    {"email", Type::email}, {"mail", Type::email}, {"ip地址", Type::ip_address}, {"ip_addr", Type::ip_address},
    {"ipaddr", Type::ip_address}, {"mac", Type::mac_address}, {"车牌", Type::vehicle_plate}, {"号牌", Type::vehicle_plate},
    {"plate", Type::vehicle_plate}, {"护照", Type::passport}, {"passport", Type::passport}, {"通行证", Type::hk_macao_permit},
    {"港澳", Type::hk_macao_permit}, {"permit", Type::hk_macao_permit}, {"邮编", Type::postal_code},
    {"邮政编码", Type::postal_code}, {"postal", Type::postal_code}, {"zip", Type::postal_code}, {"postcode", Type::postal_code},
    {"出生", Type::birth_date}, {"生日", Type::birth_date}, {"birth", Type::birth_date}, {"dob", Type::birth_date},
    {"经纬度", Type::gps_coordinates}, {"坐标", Type::gps_coordinates}, {"gps", Type::gps_coordinates},
    {"location", Type::gps_coordinates}, {"latlng", Type::gps_coordinates}, {"imei", Type::imei},
    {"车架号", Type::vin}, {"车辆识别", Type::vin}, {"vin", Type::vin}, {"电话", Type::phone}, {"座机", Type::phone},
    {"固话", Type::phone}, {"传真", Type::phone}, {"phone", Type::phone}, {"tel", Type::phone}, {"fax", Type::phone},
    {"地址", Type::address}, {"住址", Type::address}, {"住所", Type::address}, {"address", Type::address},
    {"addr", Type::address}, {"姓名", Type::person_name}, {"联系人", Type::person_name}, {"法定代表人", Type::person_name},
    {"负责人", Type::person_name}, {"申请人", Type::person_name}, {"name", Type::person_name},
    {"ip", Type::ip_address},
};

// Wilson score lower bound (95 %) of a proportion.
double wilson_lower(std::size_t hits, std::size_t n) {
  if (n == 0) return 0;
  const double z = 1.96, p = static_cast<double>(hits) / static_cast<double>(n), nn = static_cast<double>(n);
  double den = 1 + z * z / nn;
  double centre = p + z * z / (2 * nn);
  double margin = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  return std::max(0.0, (centre - margin) / den);
}

double round4(double x) { return std::round(x * 10000) / 10000; }

bool is_blank(std::string_view v) { return detail::trim(v).empty(); }

bool other_date_name(std::string_view column_name) {
  std::string n(column_name);
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : {"日期", "时间", "date", "time", "成立", "created", "updated", "established", "day", "年月"})
    if (n.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

std::string guess_encoding(std::string_view bytes) { return detail::valid_utf8(bytes) ? "utf-8" : "gb18030"; }

std::optional<Type> name_hint(std::string_view column_name) {
  std::string n(detail::trim(column_name));
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n.empty()) return std::nullopt;
  for (const Hint& h : kHints) {
    std::string_view w = h.word;
    std::size_t p = n.find(w);
    if (p == std::string::npos) continue;
    // Short ASCII words must stand alone (separated by _ - space or the ends).
    bool ascii = static_cast<unsigned char>(w[0]) < 0x80;
    if (ascii && w.size() <= 4) {
      auto sep = [&](std::size_t i) { return i >= n.size() || !std::isalnum(static_cast<unsigned char>(n[i])); };
      bool ok = false;
      for (; p != std::string::npos; p = n.find(w, p + 1))
        if ((p == 0 || sep(p - 1)) && sep(p + w.size())) ok = true;
      if (!ok) continue;
    }
    return h.type;
  }
  return std::nullopt;
}

double level_rank(std::string_view level) noexcept {
  std::string l(level);
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "core" || l == "核心" || l == "核心数据") return 3;
  if (l == "important" || l == "重要" || l == "重要数据") return 2;
  if (l.rfind("general", 0) == 0 || l.rfind("一般", 0) == 0) {
    int n = 0;
    for (char c : l)
      if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
    return 1 + std::min(n, 99) / 100.0;
  }
  return 0;
}

std::optional<std::string> table_level(const std::vector<ColumnResult>& columns,
                                       const std::function<double(std::string_view)>& rank) {
  std::optional<std::string> best;
  double best_rank = -1;
  for (const auto& c : columns) {
    if (!c.level) continue;
    double r = rank ? rank(*c.level) : level_rank(*c.level);
    if (!best || r > best_rank) best = c.level, best_rank = r;
  }
  return best;
}

ColumnResult classify_column(std::string_view name, const std::vector<std::string_view>& values,
                             const Detectors& d, const ColumnOptions& opts) {
  ColumnResult r;
  r.name = std::string(name);
  const auto& im = d.impl();
  std::array<std::size_t, kTypeCount> hits{};
  std::vector<std::size_t> custom_hits(im.custom.size(), 0);
  std::string folded;
  for (std::string_view raw : values) {
    std::string_view t = detail::trim(raw);
    if (t.empty()) {
      ++r.blank;
      continue;
    }
    ++r.sampled;
    folded = detail::fold_width(t);
    std::string_view v = folded;
    for (Type ty : detail::kPriority)
      if (detail::check(ty, v)) ++hits[static_cast<std::size_t>(ty)];
    for (std::size_t i = 0; i < im.custom.size(); ++i)
      if (RE2::FullMatch(v, *im.custom_re[i])) ++custom_hits[i];
  }
  std::optional<Type> hint = name_hint(name);
  if (r.sampled == 0) {
    if (hint) {
      r.type = type_name(*hint);
      r.source = "name";
      r.confidence = 0.3;
    } else {
      r.confidence = 0;
    }
    return r;
  }
  // Best type: highest hits; ties go to the earlier type in priority order; custom
  // detectors after the built-in ones.
  std::size_t best_hits = 0;
  std::string best = "none";
  int best_type = -1;  // a built-in Type, or -1
  const int hint_type = hint ? static_cast<int>(*hint) : -2;
  for (Type ty : detail::kPriority) {
    std::size_t h = hits[static_cast<std::size_t>(ty)];
    // A hinted type wins a tie with another type.
    if (h > best_hits || (h == best_hits && h > 0 && hint_type == static_cast<int>(ty) && best_type != hint_type)) {
      best_hits = h, best = type_name(ty), best_type = static_cast<int>(ty);
    }
  }
  for (std::size_t i = 0; i < im.custom.size(); ++i)
    if (custom_hits[i] > best_hits) best_hits = custom_hits[i], best = im.custom[i].name, best_type = -1;
  // Dates alone do not make birth dates: a column named for another date (成立日期,
  // created_at, 登记时间…) is not a birth-date column.
  if (best_type == static_cast<int>(Type::birth_date) && hint_type != best_type && other_date_name(name))
    best_hits = 0, best = "none", best_type = -1;
  double ratio = static_cast<double>(best_hits) / static_cast<double>(r.sampled);
  bool hinted = best_type >= 0 && hint_type == best_type;
  double threshold = hinted ? opts.hinted_threshold : opts.threshold;
  if (best_hits > 0 && ratio >= threshold) {
    r.type = best;
    r.ratio = round4(ratio);
    double conf = wilson_lower(best_hits, r.sampled);
    if (hinted) conf = std::min(1.0, conf + 0.05);
    r.confidence = round4(conf);
    if (best_type < 0)
      if (const CustomDetector* c = d.find_custom(best)) {
        if (!c->category.empty()) r.category = c->category;
        if (!c->level.empty()) r.level = c->level;
      }
  } else {
    r.type = "none";
    r.ratio = round4(1.0 - ratio);
    r.confidence = round4(wilson_lower(r.sampled - best_hits, r.sampled));
  }
  return r;
}

// ---- Tables -----------------------------------------------------------------------------

namespace {

// Rows of CSV text (decoded to UTF-8) into per-column value lists.
struct Collected {
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> values;  // per column
  std::uint64_t rows = 0;
};

void read_rows(std::string_view utf8, const schema::Dialect& dia, bool header, Collected& c,
               std::size_t ncols_hint, std::uint64_t max_rows) {
  schema::Dialect d = dia;
  d.encoding = "utf-8";
  d.header = header;
  auto reader = schema::csv_reader(schema::memory_source(utf8, "<segment>"), d);
  std::size_t ncols = ncols_hint;
  if (!header && ncols == 0) {  // no header, no schema: as many columns as the first record
    schema::Dialect h = d;
    h.header = true;
    ncols = schema::csv_reader(schema::memory_source(utf8, "<segment>"), h)->labels().size();
  }
  if (header) {
    c.labels = reader->labels();
    ncols = c.labels.size();
  }
  if (ncols == 0) return;
  if (c.values.size() < ncols) c.values.resize(ncols);
  schema::Batch b;
  std::uint64_t taken = 0;
  while (taken < max_rows && reader->next(b, ncols, 4096)) {
    for (std::size_t r = 0; r < b.rows && taken < max_rows; ++r, ++taken) {
      if (!header && b.cell_counts[r] != ncols) continue;  // a row cut by the segment, or misread
      for (std::size_t k = 0; k < ncols; ++k)
        c.values[k].emplace_back(b.columns[k].present(r) ? b.columns[k].value(r) : std::string_view{});
      ++c.rows;
    }
  }
}

std::string decode(std::string_view bytes, const std::string& enc) {
  if (enc == "utf-8" || enc == "utf8" || enc == "UTF-8") {
    std::string_view b = bytes;
    if (b.size() >= 3 && b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
    return std::string(b);
  }
  auto src = schema::decode_to_utf8(schema::memory_source(bytes, "<input>"), enc);
  std::string out;
  std::vector<char> buf(1 << 16);
  for (std::size_t n; (n = src->read(buf.data(), buf.size()));) out.append(buf.data(), n);
  return out;
}

// Cuts a raw segment to whole lines: after the first line break (unless at the file start)
// and up to its last line break (unless at the file end).
std::string_view whole_lines(std::string_view seg, bool at_start, bool at_end) {
  if (!at_start) {
    std::size_t p = seg.find('\n');
    if (p == std::string_view::npos) return {};
    seg.remove_prefix(p + 1);
  }
  if (!at_end) {
    std::size_t p = seg.rfind('\n');
    if (p == std::string_view::npos) return {};
    seg = seg.substr(0, p + 1);
  }
  return seg;
}

TableResult finish(Collected& c, const ScanOptions& o, std::string encoding, bool sampled) {
  const Detectors& d = o.detectors ? *o.detectors : builtin();
  TableResult t;
  t.encoding = std::move(encoding);
  t.sampled = sampled;
  t.rows_read = c.rows;
  std::size_t ncols = c.labels.size();
  if (o.schema && !o.dialect.header) ncols = o.schema->fields.size();
  if (ncols == 0) ncols = c.values.size();
  for (std::size_t k = 0; k < ncols; ++k) {
    std::string name = k < c.labels.size() ? c.labels[k] : "";
    const schema::Field* f = nullptr;
    if (o.schema) {
      int idx = o.schema->field_index(name);
      if (idx < 0 && (!o.dialect.header || name.empty()) && k < o.schema->fields.size()) idx = static_cast<int>(k);
      if (idx >= 0) f = &o.schema->fields[static_cast<std::size_t>(idx)];
      if (f && name.empty()) name = f->name;
    }
    // Sample: up to max_values non-blank values spread evenly over what was read.
    std::vector<std::string_view> vals;
    std::size_t blank = 0;
    if (k < c.values.size()) {
      const auto& all = c.values[k];
      std::vector<std::size_t> nonblank;
      for (std::size_t i = 0; i < all.size(); ++i)
        if (is_blank(all[i])) ++blank;
        else nonblank.push_back(i);
      std::size_t want = o.max_values ? std::min(o.max_values, nonblank.size()) : nonblank.size();
      vals.reserve(want);
      for (std::size_t j = 0; j < want; ++j)
        vals.push_back(all[nonblank[static_cast<std::size_t>(static_cast<double>(j) * static_cast<double>(nonblank.size()) / static_cast<double>(want))]]);
    }
    ColumnResult r = classify_column(name, vals, d, o.column);
    r.blank = blank;
    if (f) {
      if (f->identifier != schema::Identifier::none) {
        static const Type map[] = {Type::none, Type::uscc, Type::orgcode, Type::ric, Type::gb2260};
        Type ty = map[static_cast<int>(f->identifier)];
        std::size_t hits = 0;
        for (auto v : vals) hits += detail::check(ty, detail::fold_width(detail::trim(v))) ? 1 : 0;
        r.type = type_name(ty);
        r.ratio = vals.empty() ? 0 : round4(static_cast<double>(hits) / static_cast<double>(vals.size()));
        r.confidence = 1;
        r.source = "schema";
      }
      if (f->classification.is_object()) {
        const auto& cl = f->classification;
        if (cl.contains("category") && cl["category"].is_string()) r.category = cl["category"].get<std::string>();
        if (cl.contains("level") && cl["level"].is_string()) r.level = cl["level"].get<std::string>();
        if (r.category || r.level) r.source = "schema";
      }
    }
    t.columns.push_back(std::move(r));
  }
  t.level = table_level(t.columns, o.rank);
  return t;
}

TableResult scan_impl(std::string_view whole, const std::string& path, std::uint64_t size, const ScanOptions& o) {
  // Reads [off, off + n) of the input.
  std::ifstream f;
  if (!path.empty()) {
    f.open(path, std::ios::binary);
    if (!f) throw Error(Code::io, std::string("cannot open: ") + std::strerror(errno), Location{{}, {}, {}, path});
  }
  auto read_at = [&](std::uint64_t off, std::uint64_t n) -> std::string {
    if (path.empty()) return std::string(whole.substr(off, n));
    std::string s(n, '\0');
    f.clear();
    f.seekg(static_cast<std::streamoff>(off));
    f.read(s.data(), static_cast<std::streamsize>(n));
    s.resize(static_cast<std::size_t>(f.gcount()));
    if (f.bad()) throw Error(Code::io, "read failed", Location{{}, {}, off, path});
    return s;
  };
  const std::uint64_t budget = static_cast<std::uint64_t>(std::max<std::size_t>(o.segments, 1)) * std::max<std::size_t>(o.segment_bytes, 4096);
  const bool sampled = !o.full && size > budget;
  std::string enc = o.encoding;
  if (enc.empty() && o.encoding_explicit) enc = o.dialect.encoding;
  Collected c;
  try {
    if (!sampled) {
      std::string raw = read_at(0, size);
      if (enc.empty()) enc = guess_encoding(raw);
      std::string text = decode(raw, enc);
      read_rows(text, o.dialect, o.dialect.header, c, o.schema ? o.schema->fields.size() : 0, UINT64_MAX);
    } else {
      const std::size_t seg = std::max<std::size_t>(o.segment_bytes, 4096);
      const std::size_t nseg = std::max<std::size_t>(o.segments, 2);
      std::vector<std::string> raws;
      raws.push_back(read_at(0, seg));
      for (std::size_t i = 1; i < nseg; ++i) {
        std::uint64_t off = (size - seg) * i / (nseg - 1);
        raws.push_back(read_at(off, seg));
      }
      if (enc.empty()) {
        enc = "utf-8";
        for (std::size_t i = 0; i < raws.size(); ++i) {
          std::string_view part = whole_lines(raws[i], i == 0, i + 1 == raws.size());
          if (!detail::valid_utf8(part)) enc = "gb18030";
        }
      }
      for (std::size_t i = 0; i < raws.size(); ++i) {
        std::string_view part = whole_lines(raws[i], i == 0, i + 1 == raws.size());
        if (part.empty()) continue;
        std::string text = decode(part, enc);
        bool header = i == 0 && o.dialect.header;
        std::size_t ncols = !c.labels.empty() ? c.labels.size() : (o.schema ? o.schema->fields.size() : 0);
        read_rows(text, o.dialect, header, c, ncols, UINT64_MAX);
      }
    }
  } catch (const Error& e) {
    if (e.code() == Code::parse) {
      Location w = e.where();
      if (!path.empty()) w.source = path;
      throw Error(Code::parse, std::string(e.what()) + " (encoding " + (enc.empty() ? "?" : enc) + ")", w);
    }
    throw;
  }
  return finish(c, o, enc, sampled);
}

}  // namespace

TableResult scan_file(const std::string& path, const ScanOptions& opts) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error(Code::io, std::string("cannot open: ") + std::strerror(errno), Location{{}, {}, {}, path});
  if (S_ISDIR(st.st_mode)) throw Error(Code::io, "is a directory", Location{{}, {}, {}, path});
  return scan_impl({}, path, static_cast<std::uint64_t>(st.st_size), opts);
}

TableResult scan_bytes(std::string_view bytes, const ScanOptions& opts) {
  return scan_impl(bytes, "", bytes.size(), opts);
}

nlohmann::ordered_json to_json(const ColumnResult& c) {
  return nlohmann::ordered_json{{"name", c.name},
              {"type", c.type},
              {"ratio", c.ratio},
              {"confidence", c.confidence},
              {"category", c.category ? nlohmann::ordered_json(*c.category) : nlohmann::ordered_json(nullptr)},
              {"level", c.level ? nlohmann::ordered_json(*c.level) : nlohmann::ordered_json(nullptr)},
              {"source", c.source}};
}

nlohmann::ordered_json to_json(const TableResult& r) {
  nlohmann::ordered_json cols = nlohmann::ordered_json::array();
  for (const auto& c : r.columns) cols.push_back(to_json(c));
  return nlohmann::ordered_json{{"columns", cols}, {"level", r.level ? nlohmann::ordered_json(*r.level) : nlohmann::ordered_json(nullptr)}};
}

nlohmann::ordered_json to_json(const std::vector<Finding>& f, std::string_view text) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& x : f) {
    nlohmann::ordered_json j{{"type", std::string(x.type)}, {"offset", x.offset}, {"length", x.length}};
    if (!text.empty() && x.offset + x.length <= text.size()) j["text"] = std::string(text.substr(x.offset, x.length));
    a.push_back(std::move(j));
  }
  return a;
}

}  // namespace civitas::classify
