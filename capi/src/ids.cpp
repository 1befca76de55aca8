#define CIV_EXPERIMENTAL 1  // defines the experimental entry points too
#include <cstring>
#include <iterator>

#include "civitas/ids.hpp"
#include "guard.hpp"
#include "versioned.hpp"

using civitas::Code;
using civitas::Error;
using namespace civitas::capi;
namespace ids = civitas::ids;

namespace {

const civ_id_result kResultDefaults = [] {
  civ_id_result r{};
  r.version = CIV_ID_RESULT_VERSION;
  return r;
}();
constexpr std::size_t kResultSizes[] = {sizeof(civ_id_result)};

ids::Kind to_kind(int kind) {
  if (kind < CIV_ID_USCC || kind > CIV_ID_GB2260)
    throw Error(Code::invalid_argument, "unknown identifier kind " + std::to_string(kind));
  return static_cast<ids::Kind>(kind);
}

ids::Options to_options(unsigned flags) {
  if (flags & ~CIV_ID_STRICT) throw Error(Code::invalid_argument, "unknown flags " + std::to_string(flags));
  ids::Options o;
  o.strict = (flags & CIV_ID_STRICT) != 0;
  return o;
}

template <std::size_t N>
void copy_str(char (&dst)[N], const std::string& src) {
  // Truncate on a UTF-8 character boundary so the result stays valid UTF-8.
  std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
  while (n > 0 && n < src.size() && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80) --n;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

extern "C" {

const char* civ_id_reason_name(int reason) {
  if (reason < CIV_ID_OK || reason > CIV_ID_ORGCODE_CHECKSUM) return "unknown";
  return ids::reason_name(static_cast<ids::Reason>(reason));
}

const char* civ_id_kind_name(int kind) {
  if (kind < CIV_ID_USCC || kind > CIV_ID_GB2260) return "unknown";
  return ids::kind_name(static_cast<ids::Kind>(kind));
}

int civ_id_kind_from_name(int* out_kind, const char* name, size_t name_len) {
  return guard([&] {
    require(out_kind, "out_kind");
    *out_kind = static_cast<int>(ids::kind_from_name(view(name, name_len, "name")));
    return CIV_OK;
  });
}

int civ_id_result_init(civ_id_result* result, unsigned version) {
  return guard([&] {
    init_versioned(result, version, kResultDefaults, kResultSizes, "civ_id_result");
    return CIV_OK;
  });
}

int civ_id_validate(civ_id_result* out, int kind, const char* code, size_t code_len, unsigned flags) {
  return guard([&] {
    require(out, "out");
    check_version(out->version, std::size(kResultSizes), "civ_id_result");
    ids::Result r = ids::validate(to_kind(kind), view(code, code_len, "code"), to_options(flags));
    const unsigned version = out->version;
    civ_id_result res;  // filled whole here, then copied up to the caller's version's size
    std::memset(&res, 0, sizeof res);
    res.version = version;
    civ_id_result* const caller = out;
    out = &res;
    out->valid = r.valid ? 1 : 0;
    out->reason = static_cast<int>(r.reason);
    out->warnings = r.warnings;
    copy_str(out->canonical, r.canonical);
    copy_str(out->message, r.message);
    civ_id_parts& p = out->parts;
    p.authority = r.parts.authority;
    p.category = r.parts.category;
    p.check = r.parts.check;
    p.sex = r.parts.sex;
    copy_str(p.authority_name, r.parts.authority_name);
    copy_str(p.category_name, r.parts.category_name);
    copy_str(p.orgcode, r.parts.orgcode);
    copy_str(p.division, r.parts.region.code);
    copy_str(p.province, r.parts.region.province);
    copy_str(p.prefecture, r.parts.region.prefecture);
    copy_str(p.county, r.parts.region.county);
    p.region_known = r.parts.region.known ? 1 : 0;
    copy_str(p.birth_date, r.parts.birth_date);
    copy_str(p.sequence, r.parts.sequence);
    copy_str(p.legacy, r.parts.legacy);
    std::memcpy(caller, &res, kResultSizes[version - 1]);
    return CIV_OK;
  });
}

int civ_id_check(int* out_reason, unsigned* out_warnings, int kind, const char* code, size_t code_len,
                 unsigned flags) {
  return guard([&] {
    require(out_reason, "out_reason");
    std::uint32_t w = 0;
    *out_reason = static_cast<int>(ids::check(to_kind(kind), view(code, code_len, "code"), to_options(flags), &w));
    if (out_warnings) *out_warnings = w;
    return CIV_OK;
  });
}

int civ_id_validate_column(uint8_t* out_reasons, uint32_t* out_warnings, size_t* out_valid_count, int kind,
                           const char* data, const uint64_t* offsets, size_t count, unsigned flags) {
  return guard([&] {
    ids::Kind k = to_kind(kind);
    ids::Options o = to_options(flags);
    if (count == 0) {
      if (out_valid_count) *out_valid_count = 0;
      return CIV_OK;
    }
    require(out_reasons, "out_reasons");
    require(offsets, "offsets");
    for (size_t i = 0; i < count; ++i)
      if (offsets[i + 1] < offsets[i])
        throw Error(Code::invalid_argument, "offsets decrease at index " + std::to_string(i + 1));
    if (offsets[count] > offsets[0]) require(data, "data");
    size_t n = ids::check_column(k, data, offsets, count, o, out_reasons, out_warnings);
    if (out_valid_count) *out_valid_count = n;
    return CIV_OK;
  });
}

int civ_id_validate_many(uint8_t* out_reasons, uint32_t* out_warnings, size_t* out_valid_count, int kind,
                         const char* const* codes, const size_t* lengths, size_t count, unsigned flags) {
  return guard([&] {
    ids::Kind k = to_kind(kind);
    ids::Options o = to_options(flags);
    if (count) {
      require(out_reasons, "out_reasons");
      require(codes, "codes");
      require(lengths, "lengths");
    }
    if (o.today == 0) o.today = ids::today();  // once for the whole batch
    size_t valid = 0;
    for (size_t i = 0; i < count; ++i) {
      std::uint32_t w = 0;
      ids::Reason r = ids::check(k, view(codes[i], lengths[i], "codes[i]"), o, &w);
      out_reasons[i] = static_cast<uint8_t>(r);
      if (out_warnings) out_warnings[i] = w;
      valid += r == ids::Reason::ok;
    }
    if (out_valid_count) *out_valid_count = valid;
    return CIV_OK;
  });
}

int civ_id_check_char(char* out, int kind, const char* body, size_t body_len) {
  return guard([&] {
    require(out, "out");
    *out = ids::check_char(to_kind(kind), view(body, body_len, "body"));
    return CIV_OK;
  });
}

int civ_id_ric_upgrade(char* out, size_t out_cap, const char* legacy, size_t legacy_len) {
  return guard([&] {
    require(out, "out");
    check_capacity(19, out_cap, "out");
    std::string s = ids::ric_upgrade(view(legacy, legacy_len, "legacy"));
    std::memcpy(out, s.c_str(), s.size() + 1);
    return CIV_OK;
  });
}

int civ_id_load_division_table(const char* path, size_t path_len) {
  return guard([&] {
    ids::load_division_table_file(std::string(view(path, path_len, "path")));
    return CIV_OK;
  });
}

int civ_id_reset_division_table(void) {
  return guard([&] {
    ids::reset_division_table();
    return CIV_OK;
  });
}

int civ_id_division_table_source(char** out) {
  return guard([&] {
    require(out, "out");
    *out = dup_out(ids::division_table_source());
    return CIV_OK;
  });
}

}  // extern "C"
