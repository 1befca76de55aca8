// Keyed column transforms: pseudonyms (identity keys), tokens, per-subject date shifts and
// keyed noise. Every key comes in as a crypto::Key; subkeys are separated by purpose and
// domain with the key's suite PRF (docs/formats/deid-actions.md, "Keys").
#include <sodium.h>

#include <cmath>
#include <cstring>

#include "civitas/crypto.hpp"
#include "civitas/deid.hpp"
#include "civitas/ids.hpp"

namespace civitas::deid {

namespace {

Location where(const ColumnContext& ctx, std::size_t i) {
  Location l;
  l.row = ctx.first_row + i;
  l.field = ctx.field;
  return l;
}

/// PRF keyed with Kd = PRF(S, label || domain), where S is the identity key's secret.
std::unique_ptr<crypto::Suite::Prf> domain_prf(const crypto::Key& key, std::string_view label, std::string_view domain) {
  if (key.purpose != crypto::Purpose::identity)
    throw Error(Code::invalid_argument, "this action needs an identity key (purpose identity)");
  if (key.secret.empty()) throw Error(Code::denied, "the identity key " + key.id_hex() + " has been destroyed");
  if (domain.empty()) throw Error(Code::invalid_argument, "the key domain must not be empty");
  const crypto::Suite& su = crypto::suite_of(key);
  auto master = su.prf(key.secret.data(), key.secret.size());
  crypto::SecretBytes kd(32);
  master->compute(label.data(), label.size(), domain.data(), domain.size(), kd.data());
  return su.prf(kd.data(), kd.size());
}

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

/// A uniform double in (0, 1) from 53 bits.
double unit(std::uint64_t bits) { return (static_cast<double>(bits >> 11) + 0.5) / 9007199254740992.0; }

// Days from 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}
bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

void pseudonymize_column(std::vector<std::string>& values, const crypto::Key& identity_key, std::string_view domain,
                         int id_kind, const ColumnContext& ctx) {
  if (id_kind != 0) {
    if (id_kind < 1 || id_kind > 4) throw Error(Code::invalid_argument, "unknown identifier kind " + std::to_string(id_kind));
    const auto kind = static_cast<ids::Kind>(id_kind);
    crypto::IdentityKeyer keyer(identity_key, domain);
    char out[crypto::IdentityKeyer::kTextSize];
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i].empty()) continue;
      ids::Reason r = keyer.key_into(kind, values[i], out);
      if (r != ids::Reason::ok)
        throw Error(Code::invalid_data,
                    std::string("not a valid ") + ids::kind_name(kind) + " identifier (" + ids::reason_name(r) + ")",
                    where(ctx, i));
      values[i].assign(out, sizeof out);
    }
    return;
  }
  if (crypto::suite_of(identity_key).id() != crypto::kSuite1)
    throw Error(Code::unsupported_version, "ps1 pseudonyms are defined for suite-1 identity keys only");
  auto prf = domain_prf(identity_key, "civitas pseudonym domain v1", domain);
  // "ps1:" + 16 hex + ":" + 43 base64url = 64 characters (+ the NUL sodium_bin2base64 writes).
  std::string prefix = "ps1:" + identity_key.id_hex() + ":";
  char text[65];
  std::memcpy(text, prefix.data(), 21);
  std::uint8_t mac[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) continue;
    prf->compute(nullptr, 0, values[i].data(), values[i].size(), mac);
    sodium_bin2base64(text + 21, 44, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    values[i].assign(text, 64);
  }
  sodium_memzero(mac, sizeof mac);
}

void pseudonymize_column(const crypto::ColumnView& values, const crypto::Key& identity_key, std::string_view domain,
                         int id_kind, const ColumnContext& ctx, crypto::Column& out) {
  crypto::check_column(values, "values");
  out.data.clear();
  out.offsets.assign(1, 0);
  out.offsets.reserve(values.n + 1);
  std::size_t nonempty = 0;
  for (std::size_t i = 0; i < values.n; ++i) nonempty += values.offsets[i + 1] != values.offsets[i];
  out.data.resize(nonempty * 64);
  char* w = reinterpret_cast<char*>(out.data.data());
  std::size_t pos = 0;
  auto put = [&](bool filled) {
    if (filled) pos += 64;
    out.offsets.push_back(pos);
  };
  if (id_kind != 0) {
    if (id_kind < 1 || id_kind > 4) throw Error(Code::invalid_argument, "unknown identifier kind " + std::to_string(id_kind));
    const auto kind = static_cast<ids::Kind>(id_kind);
    crypto::IdentityKeyer keyer(identity_key, domain);
    for (std::size_t i = 0; i < values.n; ++i) {
      std::string_view v = values.at(i);
      if (v.empty()) {
        put(false);
        continue;
      }
      ids::Reason r = keyer.key_into(kind, v, w + pos);
      if (r != ids::Reason::ok)
        throw Error(Code::invalid_data,
                    std::string("not a valid ") + ids::kind_name(kind) + " identifier (" + ids::reason_name(r) + ")",
                    where(ctx, i));
      put(true);
    }
    return;
  }
  if (crypto::suite_of(identity_key).id() != crypto::kSuite1)
    throw Error(Code::unsupported_version, "ps1 pseudonyms are defined for suite-1 identity keys only");
  auto prf = domain_prf(identity_key, "civitas pseudonym domain v1", domain);
  const std::string prefix = "ps1:" + identity_key.id_hex() + ":";
  std::uint8_t mac[32];
  char b64[45];
  for (std::size_t i = 0; i < values.n; ++i) {
    std::string_view v = values.at(i);
    if (v.empty()) {
      put(false);
      continue;
    }
    prf->compute(nullptr, 0, v.data(), v.size(), mac);
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    std::memcpy(w + pos, prefix.data(), 21);
    std::memcpy(w + pos + 21, b64, 43);
    put(true);
  }
  sodium_memzero(mac, sizeof mac);
}

void tokenize_column(std::vector<std::string>& values, const crypto::Key& token_key, std::string_view domain,
                     const ColumnContext& ctx) {
  if (token_key.purpose != crypto::Purpose::token)
    throw Error(Code::invalid_argument, "tokenize needs a token key (purpose token)");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) continue;
    try {
      auto tok = crypto::token_encode(token_key, values[i], domain);
      values[i] = crypto::base64url(tok.data(), tok.size());
    } catch (const Error& e) {
      throw Error(e.code(), e.what(), where(ctx, i));
    }
  }
}

int date_shift_offset(const crypto::Key& identity_key, std::string_view domain, std::string_view subject, int max_days) {
  if (max_days < 0) throw Error(Code::invalid_argument, "max_days must not be negative");
  if (max_days == 0) return 0;
  auto prf = domain_prf(identity_key, "civitas date shift v1", domain);
  std::uint8_t h[32];
  prf->compute(nullptr, 0, subject.data(), subject.size(), h);
  // Uniform over the 2 * max_days non-zero offsets (the modulo bias of 64 bits is < 2^-40).
  const auto span = static_cast<std::uint64_t>(max_days) * 2;
  const auto idx = static_cast<std::int64_t>(load64(h) % span);
  return idx < max_days ? static_cast<int>(-(idx + 1)) : static_cast<int>(idx - max_days + 1);
}

void date_shift_column(std::vector<std::string>& values, const crypto::Key& identity_key, std::string_view domain,
                       int max_days, const ColumnContext& ctx) {
  if (!ctx.subject) throw Error(Code::invalid_argument, "date_shift needs the subject column");
  if (ctx.subject->size() != values.size())
    throw Error(Code::invalid_argument, "the subject column has " + std::to_string(ctx.subject->size()) +
                                            " values, the dates " + std::to_string(values.size()));
  if (max_days < 0 || max_days > 36500) throw Error(Code::invalid_argument, "max_days must be from 0 to 36500");
  auto prf = domain_prf(identity_key, "civitas date shift v1", domain);
  const auto span = static_cast<std::uint64_t>(max_days) * 2;
  std::uint8_t h[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string& v = values[i];
    if (v.empty()) continue;
    auto digit = [&](std::size_t p) { return p < v.size() && v[p] >= '0' && v[p] <= '9'; };
    bool shape = v.size() >= 10 && v[4] == '-' && v[7] == '-' && (v.size() == 10 || v[10] == 'T' || v[10] == ' ');
    for (std::size_t p : {0, 1, 2, 3, 5, 6, 8, 9}) shape = shape && digit(p);
    unsigned y = 0, m = 0, d = 0;
    if (shape) {
      y = static_cast<unsigned>((v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0'));
      m = static_cast<unsigned>((v[5] - '0') * 10 + (v[6] - '0'));
      d = static_cast<unsigned>((v[8] - '0') * 10 + (v[9] - '0'));
      static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      shape = m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] + (m == 2 && leap(y) ? 1u : 0u);
    }
    if (!shape) {
      std::string shown = v.substr(0, 40);
      for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) c = '?';
      throw Error(Code::invalid_data, "not a date YYYY-MM-DD: \"" + shown + "\"", where(ctx, i));
    }
    int off = 0;
    if (span) {
      const std::string& s = (*ctx.subject)[i];
      prf->compute(nullptr, 0, s.data(), s.size(), h);
      const auto idx = static_cast<std::int64_t>(load64(h) % span);
      off = idx < max_days ? static_cast<int>(-(idx + 1)) : static_cast<int>(idx - max_days + 1);
    }
    std::int64_t ny = 0;
    unsigned nm = 0, nd = 0;
    civil_from_days(days_from_civil(y, m, d) + off, ny, nm, nd);
    if (ny < 0 || ny > 9999) throw Error(Code::invalid_data, "the shifted date leaves years 0000-9999", where(ctx, i));
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ny), nm, nd);
    std::memcpy(v.data(), buf, 10);
  }
}

void noise_column(std::vector<std::string>& values, const NoiseOptions& o, const crypto::Key* identity_key,
                  std::string_view domain, const ColumnContext& ctx) {
  if (o.distribution != "laplace" && o.distribution != "gaussian" && o.distribution != "uniform")
    throw Error(Code::invalid_argument, "noise distribution must be laplace, gaussian or uniform");
  if (!(o.scale >= 0) || !std::isfinite(o.scale)) throw Error(Code::invalid_argument, "noise scale must be a finite number >= 0");
  std::unique_ptr<crypto::Suite::Prf> prf;
  if (identity_key) prf = domain_prf(*identity_key, "civitas noise v1", domain);
  crypto::init();
  std::uint8_t h[32];
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) continue;
    auto x = parse_number(values[i]);
    if (!x) {
      std::string shown = values[i].substr(0, 40);
      for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) c = '?';
      throw Error(Code::invalid_data, "not a number: \"" + shown + "\" (numeric actions take decimal numbers)",
                  where(ctx, i));
    }
    if (prf) {
      // Keyed: the row index (8 bytes, big endian) and the value pick the noise.
      std::uint8_t row[8];
      for (int b = 0; b < 8; ++b) row[b] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(i) >> (56 - 8 * b));
      prf->compute(row, 8, values[i].data(), values[i].size(), h);
    } else {
      randombytes_buf(h, sizeof h);
    }
    const double u1 = unit(load64(h));
    const double u2 = unit(load64(h + 8));
    double n = 0;
    if (o.distribution == "laplace") {
      const double c = u1 - 0.5;
      n = -o.scale * (c < 0 ? -1.0 : 1.0) * std::log(1 - 2 * std::fabs(c));
    } else if (o.distribution == "gaussian") {
      n = o.scale * std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979323846 * u2);
    } else {
      n = o.scale * (2 * u1 - 1);
    }
    const double y = *x + n;
    if (!std::isfinite(y)) throw Error(Code::invalid_data, "the noisy value is not finite", where(ctx, i));
    values[i] = format_number(y, o.decimals);
  }
  sodium_memzero(h, sizeof h);
}

}  // namespace civitas::deid
