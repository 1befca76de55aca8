// civitas deid run on files: read the CSV, build the frequency table and hierarchies, search,
// write the output (temp file + rename) and the report (docs/formats/deid-report.md).
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <atomic>
#include <future>
#include <initializer_list>
#include <memory>
#include <thread>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "civitas/deid.hpp"
#include "civitas/schema.hpp"
#include "intern.hpp"
#include "run_detail.hpp"

namespace civitas::deid {

namespace {
std::atomic<std::size_t> g_parallel_bytes{std::size_t{1} << 20}, g_parallel_rows{16384};
}  // namespace

void detail::set_parallel_min(std::size_t bytes, std::size_t rows) noexcept {
  g_parallel_bytes = bytes;
  g_parallel_rows = rows;
}

using nlohmann::json;

namespace {

// The SHA-256 of the parts one after another, in hex.
std::string sha256_hex(std::initializer_list<std::string_view> parts) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (std::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  if (!(ok && EVP_DigestFinal_ex(ctx.get(), md, &n) == 1)) throw Error(Code::internal, "SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    s += hex[md[i] >> 4];
    s += hex[md[i] & 15];
  }
  return s;
}

// Offset of the first byte that is not well-formed UTF-8, or npos.
std::size_t utf8_error(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      // ASCII runs 8 bytes at a time
      while (i + 8 <= s.size()) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ULL) break;
        i += 8;
      }
      continue;
    }
    std::size_t n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (!n || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((p[i + k] & 0xc0) != 0x80) return i;
    if (n >= 3) {
      const unsigned char c1 = p[i + 1];
      if ((b == 0xe0 && c1 < 0xa0) || (b == 0xed && c1 >= 0xa0) || (b == 0xf0 && c1 < 0x90) || (b == 0xf4 && c1 >= 0x90)) return i;
    }
    i += n;
  }
  return std::string_view::npos;
}

std::string read_file(const std::string& path) {
  // One read straight into a string of the file's size (no stream buffer in between); a file
  // that grows meanwhile is read to its end.
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(Code::io, "cannot read " + path, Location{std::nullopt, std::nullopt, std::nullopt, path});
  std::string data;
  struct stat st {};
  if (::fstat(::fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    throw Error(Code::io, path + " is a directory, not a file");
  }
  std::size_t have = 0;
  data.resize(st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : std::size_t{1} << 16);
  while (true) {
    const std::size_t n = std::fread(data.data() + have, 1, data.size() - have, f);
    have += n;
    if (have < data.size()) break;
    data.resize(data.size() * 2);
  }
  data.resize(have);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) throw Error(Code::io, "error reading " + path);
  return data;
}

void append_cell(std::string& out, std::string_view v, char delim) {
  bool q = false;
  for (char c : v)
    if (c == delim || c == '"' || c == '\n' || c == '\r') {
      q = true;
      break;
    }
  if (!q) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// Whether some cell of `data` needs quoting in the output (the delimiter, a quote, a line
// break): when none does, cells are copied as they are.
bool any_quotable(std::string_view data, char delim) {
  for (char c : data)
    if (c == delim || c == '"' || c == '\n' || c == '\r') return true;
  return false;
}

// A column of cells, the CSV reader's layout: the bytes one after another and rows + 1
// offsets (no std::string per cell).
// Or, for a plain file (split_plain), views into the input: cell r is
// base[pos[r] .. end[r]) and nothing is copied.
struct Cells {
  std::string data;
  std::vector<std::uint64_t> off{0};
  // View mode: row r's cell is base[b[r*stride] .. b[r*stride + 1] - 1), where b points at this
  // column's entry in the rows' bounds (split_plain: per row, each cell's start and, last, one
  // past the line's end).
  // A file split in two parts (split_plain) has its rows from `split` on in a second array.
  const char* base = nullptr;
  std::shared_ptr<const std::uint32_t[]> bounds, bounds2;
  const std::uint32_t* b = nullptr;
  const std::uint32_t* b2 = nullptr;
  std::size_t stride = 0, rows = 0, split = 0;
  std::string_view at(std::size_t r) const noexcept {
    if (base) {
      const std::uint32_t* x = r < split ? b + r * stride : b2 + (r - split) * stride;
      return {base + x[0], static_cast<std::size_t>(x[1] - 1 - x[0])};
    }
    return {data.data() + off[r], static_cast<std::size_t>(off[r + 1] - off[r])};
  }
  std::size_t size() const noexcept { return base ? rows : off.size() - 1; }
  // Whether some cell needs quoting in the output (views never do: split_plain takes only
  // files without quotes or line breaks in cells).
  bool quotable(char delim) const { return !base && any_quotable(data, delim); }
  // Appends the first `rows` cells of a batch column (takes its buffers when this is empty).
  void append(schema::Column& c, std::size_t rows) {
    if (off.size() == 1 && c.offsets.size() == rows + 1) {
      data.swap(c.data);
      off.swap(c.offsets);
      return;
    }
    const std::uint64_t base = data.size();
    data.append(c.data.data(), static_cast<std::size_t>(c.offsets[rows]));
    off.reserve(off.size() + rows);
    for (std::size_t r = 1; r <= rows; ++r) off.push_back(base + c.offsets[r]);
  }
  std::vector<std::string> strings() const {
    std::vector<std::string> v;
    v.reserve(size());
    for (std::size_t r = 0; r < size(); ++r) v.emplace_back(at(r));
    return v;
  }
  void assign(const std::vector<std::string>& v) {
    base = nullptr;
    bounds.reset();
    bounds2.reset();
    b = b2 = nullptr;
    stride = rows = split = 0;
    data.clear();
    off.assign(1, 0);
    off.reserve(v.size() + 1);
    for (const auto& x : v) {
      data += x;
      off.push_back(data.size());
    }
  }
};

// Writes the parts one after another into path, through a temporary file renamed over it.
void write_atomic(const std::string& path, std::initializer_list<std::string_view> parts) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(Code::io, "cannot write " + path, Location{std::nullopt, std::nullopt, std::nullopt, path});
    bool ok = true;
    for (std::string_view data : parts) ok = ok && std::fwrite(data.data(), 1, data.size(), f) == data.size();
    const bool closed = std::fclose(f) == 0;
    if (!ok || !closed) {
      std::remove(tmp.c_str());
      throw Error(Code::io, "cannot write " + path);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(Code::io, "cannot rename the output into " + path);
  }
}


// The rows of a plain file's part (split_plain): per row, ncols + 1 offsets into the file,
// each cell's start, then one past the line's end (so that cell k ends one byte before entry
// k + 1), in one array written in order.
struct RowBounds {
  std::unique_ptr<std::uint32_t[]> b;
  std::size_t n = 0;  // rows
};

constexpr std::size_t kMaxLine = std::size_t{64} << 20;  // csv_reader's default max_record

// Splits the lines of [from, e) of the file b into rows of ncols cells. A line ends at '\n',
// '\r\n' or '\r', a cell at the delimiter. Returns false for a line over kMaxLine; throws the
// CSV reader's error for a row of another number of cells (numbered from row0, the line before
// `from`).
bool scan_rows(const char* b, const char* from, const char* e, char delim, std::size_t ncols, std::uint64_t row0,
               const std::string& in_path, RowBounds& out) {
  const std::size_t S = ncols + 1;
  // Sized from the line endings ('\r\n' counts once; a part that mixes endings may need more,
  // and it grows).
  std::size_t cap = std::max<std::size_t>(static_cast<std::size_t>(std::count(from, e, '\n')),
                                          static_cast<std::size_t>(std::count(from, e, '\r'))) + 1;
  std::unique_ptr<std::uint32_t[]> B(new std::uint32_t[cap * S]);
  std::uint64_t row = row0;
  std::size_t n = 0;         // rows done
  std::size_t k = 0;         // cells of the current line so far
  const char* line = from;   // start of the current line
  const char* cr = nullptr;  // a '\r' that ended the last line (a '\n' right after it is part of the ending)
  std::uint32_t* cur = B.get();  // the current row's entries
  cur[0] = static_cast<std::uint32_t>(from - b);
  // Cell k ends at `at` (a delimiter or the line's end).
  const auto cell = [&](const char* at) {
    if (k < ncols) cur[k + 1] = static_cast<std::uint32_t>(at - b + 1);
    ++k;
  };
  const auto end_line = [&](const char* at, const char* next) {
    if (static_cast<std::size_t>(at - line) > kMaxLine) return false;
    if (k != ncols)
      throw Error(Code::parse, "row has " + std::to_string(k) + " cells, the header " + std::to_string(ncols),
                  Location{row, std::nullopt, std::nullopt, in_path});
    ++n;
    k = 0;
    if (n == cap) {
      std::unique_ptr<std::uint32_t[]> g(new std::uint32_t[2 * cap * S]);
      std::memcpy(g.get(), B.get(), cap * S * sizeof(std::uint32_t));
      B = std::move(g);
      cap *= 2;
    }
    cur = B.get() + n * S;
    cur[0] = static_cast<std::uint32_t>(next - b);
    return true;
  };
  for (const char* q = from; q < e; q += 16) {
    unsigned m = 0;
#if defined(__SSE2__)
    if (q + 16 <= e) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(delim)), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
          _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')))));
    } else
#endif
    {
      const std::size_t len = std::min<std::size_t>(16, static_cast<std::size_t>(e - q));
      for (std::size_t i = 0; i < len; ++i)
        if (q[i] == delim || q[i] == '\n' || q[i] == '\r') m |= 1u << i;
    }
    for (; m; m &= m - 1) {
      const char* at = q + std::countr_zero(m);
      const char c = *at;
      if (c == delim) {
        cell(at);
        continue;
      }
      if (c == '\n' && cr && at == cr + 1) {  // the '\n' of a '\r\n'
        line = at + 1;
        cur[0] = static_cast<std::uint32_t>(line - b);
        continue;
      }
      ++row;
      if (at != line) cell(at);  // an empty line is a record of no cells
      if (!end_line(at, at + 1)) return false;
      cr = c == '\r' ? at : nullptr;
      line = at + 1;
    }
  }
  if (line < e || k > 0) {  // a last line without its line ending
    ++row;
    cell(e);
    if (!end_line(e, e)) return false;
  }
  out.b = std::move(B);
  out.n = n;
  return true;
}

// The fast path of the common file: no quote character anywhere, under 4 GiB, no line over
// the reader's record limit. Lines end at '\n', '\r\n' or '\r' and cells at the delimiter, and
// the cells stay in the input (Cells views). The labels, cells and errors are those of the CSV
// reader (schema::csv_reader) on the same bytes; returns false, having changed nothing, when
// the file does not qualify, and the reader runs instead.
//
// A file of 1 MB or more on a machine of two cores or more is split in two at a line ending
// near its middle, and the second part is scanned on another thread. A line ends at the same
// place in either way (a part starts right after a '\n', where a line always starts), so the
// rows are the same; when the second part finds an error, the whole file is scanned again on
// one thread, so that the error is the first one in the file, with its row number.
bool split_plain(const std::string& bytes, char delim, const std::string& in_path, std::vector<std::string>& header,
                 std::vector<Cells>& cols, std::uint64_t& nrows, bool parallel) {
  if (bytes.size() >= 0xffffffffu || delim == '"' || delim == '\n' || delim == '\r') return false;
  if (std::memchr(bytes.data(), '"', bytes.size())) return false;
  const char* const b = bytes.data();
  const char* p = b;
  const char* const e = b + bytes.size();
  if (bytes.size() >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;  // the reader drops a BOM
  const char* hend = p;
  while (hend < e && *hend != '\n' && *hend != '\r') ++hend;
  if (hend == p || static_cast<std::size_t>(hend - p) > kMaxLine) return false;
  std::vector<std::string> labels;
  for (const char* c = p;;) {
    const char* d = static_cast<const char*>(std::memchr(c, delim, static_cast<std::size_t>(hend - c)));
    labels.emplace_back(c, d ? d : hend);
    if (!d) break;
    c = d + 1;
  }
  const std::size_t ncols = labels.size();
  // After the header's line ending.
  p = hend >= e ? hend : *hend == '\r' && hend + 1 < e && hend[1] == '\n' ? hend + 2 : hend + 1;
  RowBounds first, second;
  bool split = false;
  const char* mid = p + (e - p) / 2;
  const char* nl = parallel && static_cast<std::size_t>(e - p) >= g_parallel_bytes ? static_cast<const char*>(std::memchr(mid, '\n', static_cast<std::size_t>(e - mid))) : nullptr;
  if (nl && nl + 1 < e) {
    const char* const s = nl + 1;
    auto later = std::async(std::launch::async, [&] {
      try {
        return scan_rows(b, s, e, delim, ncols, 0, in_path, second);
      } catch (const Error&) {
        return false;
      }
    });
    bool ok;
    try {
      ok = scan_rows(b, p, s, delim, ncols, 1, in_path, first);
    } catch (...) {
      later.wait();
      throw;
    }
    split = later.get();
    if (!ok) return false;
  }
  if (!split && !scan_rows(b, p, e, delim, ncols, 1, in_path, first)) return false;
  std::shared_ptr<const std::uint32_t[]> one(first.b.release()), two(second.b.release());
  std::vector<Cells> out(ncols);
  for (std::size_t c = 0; c < ncols; ++c) {
    out[c].base = b;
    out[c].bounds = one;
    out[c].bounds2 = two;
    out[c].b = one.get() + c;
    out[c].b2 = split ? two.get() + c : nullptr;
    out[c].stride = ncols + 1;
    out[c].split = first.n;
    out[c].rows = first.n + (split ? second.n : 0);
  }
  header = std::move(labels);
  cols = std::move(out);
  nrows = first.n + (split ? second.n : 0);
  return true;
}

}  // namespace

bool spec_needs_keys(const Spec& spec) {
  for (const auto& f : spec.fields)
    if (f.action == "pseudonymize" || f.action == "tokenize" || f.action == "date_shift") return true;
  return false;
}

json run_files(const Spec& spec, std::string_view spec_bytes, const std::string& in_path, const std::string& out_path,
               const RunOptions& opt) {
  // ---- read ----
  const std::string bytes = read_file(in_path);
  schema::Dialect d;
  d.delimiter = opt.delimiter;
  const bool utf8 = opt.encoding.empty() || opt.encoding == "utf-8" || opt.encoding == "UTF-8" || opt.encoding == "utf8";
  d.encoding = utf8 ? "utf-8" : opt.encoding;
  if (utf8) {
    const std::size_t bad = utf8_error(bytes);
    if (bad != std::string_view::npos)
      throw Error(Code::parse, in_path + " is not UTF-8 (byte " + std::to_string(bad) + "); name its encoding with --encoding",
                  Location{std::nullopt, std::nullopt, bad, in_path});
  }
  // Two threads split and intern a large file (split_plain, below); the input's SHA-256 (for
  // the report) runs on the second core after them, else while the file is parsed.
  const bool two = std::thread::hardware_concurrency() >= 2;
  std::future<std::string> in_sha;
  const auto hash_input = [&in_sha, &bytes] {
    if (!in_sha.valid()) in_sha = std::async(std::launch::async, [&bytes] { return sha256_hex({bytes}); });
  };
  if (!two || bytes.size() < g_parallel_bytes) hash_input();
  std::vector<std::string> header;
  std::vector<Cells> cols;
  std::uint64_t nrows = 0;
  if (!(utf8 && split_plain(bytes, opt.delimiter, in_path, header, cols, nrows, two))) {
    auto reader = schema::csv_reader(schema::memory_source(bytes, in_path), d);
    header = reader->labels();
    if (header.empty()) throw Error(Code::parse, in_path + " has no header row");
    const std::size_t n = header.size();
    cols.assign(n, Cells{});
    schema::Batch batch;
    while (reader->next(batch, n, 65536)) {
      for (std::size_t r = 0; r < batch.rows; ++r)
        if (batch.cell_counts[r] != n)
          throw Error(Code::parse,
                      "row has " + std::to_string(batch.cell_counts[r]) + " cells, the header " + std::to_string(n),
                      Location{batch.row_numbers[r], std::nullopt, std::nullopt, in_path});
      for (std::size_t c = 0; c < n; ++c) cols[c].append(batch.columns[c], batch.rows);
      nrows += batch.rows;
    }
  }
  const std::size_t ncols = header.size();
  // Records interned and written by two threads, each half (a large file, two cores).
  const bool rows_in_two = two && nrows >= 2 && nrows >= g_parallel_rows;
  // ---- fields ----
  std::vector<int> col_of(spec.fields.size(), -1);
  for (std::size_t f = 0; f < spec.fields.size(); ++f) {
    for (std::size_t c = 0; c < ncols; ++c)
      if (header[c] == spec.fields[f].name) col_of[f] = static_cast<int>(c);
    if (col_of[f] < 0)
      throw Error(Code::not_found, "the spec names field \"" + spec.fields[f].name + "\", which " + in_path + " does not have",
                  Location{1, spec.fields[f].name, std::nullopt, in_path});
  }
  std::vector<const FieldSpec*> fs_of(ncols, nullptr);
  for (std::size_t f = 0; f < spec.fields.size(); ++f) fs_of[static_cast<std::size_t>(col_of[f])] = &spec.fields[f];
  // ---- field actions (transforms), on the original columns, before the search ----
  std::vector<std::optional<Action>> actions(ncols);
  for (std::size_t c = 0; c < ncols; ++c) {
    const FieldSpec* f = fs_of[c];
    if (!f || f->action.empty() || f->action == "keep" || f->action == "drop" || f->action == "generalize") continue;
    actions[c] = parse_action(f->action_json, f->name);
    if (actions[c]->kind == ActionKind::date_shift && !actions[c]->subject.empty()) {
      bool found = false;
      for (std::size_t k = 0; k < ncols; ++k) found = found || header[k] == actions[c]->subject;
      if (!found)
        throw Error(Code::not_found, "field \"" + f->name + "\": date_shift subject column \"" + actions[c]->subject + "\" is not in " + in_path);
    }
  }
  {
    // date_shift subjects are read before any column changes
    std::vector<std::vector<std::string>> subjects(ncols);
    for (std::size_t c = 0; c < ncols; ++c)
      if (actions[c] && actions[c]->kind == ActionKind::date_shift && !actions[c]->subject.empty())
        for (std::size_t k = 0; k < ncols; ++k)
          if (header[k] == actions[c]->subject) subjects[c] = cols[k].strings();
    static const TransformKeys kNoKeys{};
    const TransformKeys& keys = opt.keys ? *opt.keys : kNoKeys;
    for (std::size_t c = 0; c < ncols; ++c) {
      if (!actions[c]) continue;
      ColumnContext ctx;
      ctx.field = header[c];
      ctx.first_row = 2;
      if (!subjects[c].empty()) ctx.subject = &subjects[c];
      std::vector<std::string> values = cols[c].strings();
      apply_action(*actions[c], values, keys, ctx);
      cols[c].assign(values);
    }
  }
  std::vector<std::size_t> qcols, scols;
  for (std::size_t c = 0; c < ncols; ++c) {
    const FieldSpec* f = fs_of[c];
    if (!f) continue;
    const std::string action = f->action.empty() ? (f->role == Role::identifier ? "drop" : f->role == Role::quasi_identifier ? "generalize" : "keep") : f->action;
    if (f->role == Role::quasi_identifier && action != "drop") qcols.push_back(c);
    if (f->role == Role::sensitive && action != "drop") scols.push_back(c);
  }
  if ((spec.privacy.l || spec.privacy.t) && scols.empty())
    throw Error(Code::invalid_argument, "l-diversity and t-closeness need a sensitive field that is not dropped");
  // ---- frequency table ----
  std::vector<std::string> qn, sn;
  for (auto c : qcols) qn.push_back(header[c]);
  for (auto c : scols) sn.push_back(header[c]);
  // Interned column by column straight from the cells (first-seen order, as
  // FrequencyTableBuilder numbers them), then one tuple per record: the same table.
  FrequencyTable table;
  table.qi_names = qn;
  table.sensitive_names = sn;
  std::vector<std::uint32_t> row_of(nrows);
  {
    const std::size_t Q = qcols.size();
    std::vector<std::uint32_t> ids(Q * nrows);  // record-major: the tuple of record r at r * Q
    // Record by record (each record's cells are near each other in the input), one interner
    // per column: the same first-seen numbering as column by column. Sensitive values too.
    const std::size_t SC = scols.size();
    std::vector<detail::Interner> qin(Q), sin(SC);
    std::vector<std::vector<std::uint32_t>> sids(SC, std::vector<std::uint32_t>(nrows));
    const auto intern_rows = [&](std::uint64_t from, std::uint64_t to, std::vector<detail::Interner>& qi,
                                 std::vector<detail::Interner>& si) {
      for (std::uint64_t r = from; r < to; ++r) {
        for (std::size_t i = 0; i < Q; ++i) ids[r * Q + i] = qi[i].intern(cols[qcols[i]].at(r));
        for (std::size_t k = 0; k < SC; ++k) sids[k][r] = si[k].intern(cols[scols[k]].at(r));
      }
    };
    if (rows_in_two) {
      // The second half on another thread, with interners of its own, whose values are then
      // interned here in their first-seen order: the ids are those of one pass (first seen in
      // the first half, then first seen in the second), and the second half's are mapped.
      const std::uint64_t h = nrows / 2;
      std::vector<detail::Interner> qloc(Q), sloc(SC);
      auto later = std::async(std::launch::async, [&] { intern_rows(h, nrows, qloc, sloc); });
      try {
        intern_rows(0, h, qin, sin);
      } catch (...) {
        later.wait();
        throw;
      }
      later.get();
      std::vector<std::vector<std::uint32_t>> qmap(Q), smap(SC);
      for (std::size_t i = 0; i < Q; ++i)
        for (const auto& v : qloc[i].values()) qmap[i].push_back(qin[i].intern(v));
      for (std::size_t k = 0; k < SC; ++k)
        for (const auto& v : sloc[k].values()) smap[k].push_back(sin[k].intern(v));
      for (std::uint64_t r = h; r < nrows; ++r)
        for (std::size_t i = 0; i < Q; ++i) ids[r * Q + i] = qmap[i][ids[r * Q + i]];
      for (std::size_t k = 0; k < SC; ++k)
        for (std::uint64_t r = h; r < nrows; ++r) sids[k][r] = smap[k][sids[k][r]];
    } else {
      intern_rows(0, nrows, qin, sin);
    }
    hash_input();
    for (std::size_t i = 0; i < Q; ++i) table.qi_values.push_back(qin[i].take());
    detail::TupleIndex index(Q, 1024);
    for (std::uint64_t r = 0; r < nrows; ++r) {
      const auto [id, fresh] = index.insert(ids.data() + r * Q);
      if (fresh) table.weights.push_back(0);
      ++table.weights[id];
      row_of[r] = id;
    }
    table.codes = std::move(index.keys);
    // Sensitive counts per table row, values in first-seen order within a row.
    const std::size_t R = table.weights.size();
    std::vector<std::uint32_t> start(R + 1, 0), order(nrows);
    if (!scols.empty()) {
      for (std::uint64_t r = 0; r < nrows; ++r) ++start[row_of[r] + 1];
      for (std::size_t k = 0; k < R; ++k) start[k + 1] += start[k];
      std::vector<std::uint32_t> pos(start.begin(), start.end() - 1);
      for (std::uint64_t r = 0; r < nrows; ++r) order[pos[row_of[r]]++] = static_cast<std::uint32_t>(r);
    }
    for (std::size_t s = 0; s < scols.size(); ++s) {
      const std::vector<std::uint32_t>& sid = sids[s];
      table.sensitive_values.push_back(sin[s].take());
      const std::size_t D = table.sensitive_values.back().size();
      std::vector<std::uint32_t> slot(D, 0xffffffffu);
      std::vector<std::pair<std::uint32_t, std::uint64_t>> list;
      std::vector<std::uint64_t> begin;
      begin.reserve(R + 1);
      begin.push_back(0);
      for (std::size_t k = 0; k < R; ++k) {
        const std::size_t b = list.size();
        for (std::uint32_t j = start[k]; j < start[k + 1]; ++j) {
          const std::uint32_t v = sid[order[j]];
          if (slot[v] == 0xffffffffu) {
            slot[v] = static_cast<std::uint32_t>(list.size());
            list.emplace_back(v, 0);
          }
          ++list[slot[v]].second;
        }
        for (std::size_t e = b; e < list.size(); ++e) slot[list[e].first] = 0xffffffffu;
        begin.push_back(list.size());
      }
      table.sens.push_back(std::move(list));
      table.sens_begin.push_back(std::move(begin));
    }
  }
  std::vector<Hierarchy> hier;
  for (std::size_t i = 0; i < qcols.size(); ++i) {
    const FieldSpec* f = fs_of[qcols[i]];
    if (!f->action.empty() && f->action != "generalize")
      hier.push_back(Hierarchy::from_rows([&] {
        std::vector<std::vector<std::string>> rows;
        for (const auto& v : table.qi_values[i]) rows.push_back({v});
        return rows;
      }(), table.qi_values[i], "the kept values of " + f->name));
    else
      hier.push_back(Hierarchy::build(f->hierarchy, spec.base_dir, table.qi_values[i], f->name));
  }
  std::vector<Hierarchy> sh_store;
  sh_store.reserve(scols.size());
  std::vector<const Hierarchy*> sh;
  for (std::size_t i = 0; i < scols.size(); ++i) {
    const FieldSpec* f = fs_of[scols[i]];
    if (!f->hierarchy.empty()) {
      sh_store.push_back(Hierarchy::build(f->hierarchy, spec.base_dir, table.sensitive_values[i], f->name));
      sh.push_back(&sh_store.back());
    } else {
      sh.push_back(nullptr);
    }
  }
  // Fields that are not quasi-identifiers but generalised at a fixed "level".
  for (std::size_t c = 0; c < ncols; ++c) {
    const FieldSpec* f = fs_of[c];
    if (!f || f->action != "generalize" || f->role == Role::quasi_identifier) continue;
    const nlohmann::json* lj = f->params.contains("level") ? &f->params["level"]
                               : f->action_json.is_object() && f->action_json.contains("level") ? &f->action_json["level"] : nullptr;
    if (!lj || !lj->is_number_unsigned())
      throw Error(Code::invalid_argument, "field \"" + f->name + "\": \"level\" must be an integer >= 0");
    detail::Interner vals;
    std::vector<std::uint32_t> ids(cols[c].size());
    for (std::size_t r = 0; r < cols[c].size(); ++r) ids[r] = vals.intern(cols[c].at(r));
    const Hierarchy h = Hierarchy::build(f->hierarchy, spec.base_dir, vals.values(), f->name);
    const auto level = lj->get<std::uint64_t>();
    if (level >= h.levels())
      throw Error(Code::invalid_argument, "field \"" + f->name + "\": level " + std::to_string(level) + " is above its hierarchy (" + std::to_string(h.levels() - 1) + ")");
    Cells g;
    g.off.reserve(ids.size() + 1);
    for (const auto id : ids) {
      g.data += h.label(level, h.of(level, id));
      g.off.push_back(g.data.size());
    }
    cols[c] = std::move(g);
  }
  // ---- search ----
  SearchResult res = search(table, hier, sh, spec.privacy);
  if (!res.found)
    throw Error(Code::invalid_data, "no generalisation of the quasi-identifiers satisfies the privacy model (even with every quasi-identifier at its top level and the suppression limit)");
  // Per frequency-table row: levels (global, then local rounds) and suppression.
  std::vector<std::uint8_t> sup = res.row_suppressed;
  std::vector<std::uint16_t> row_round(table.rows(), 0);
  std::vector<std::vector<std::uint32_t>> round_levels{res.levels};
  json local = json::array();
  if (spec.privacy.recoding == Recoding::local) {
    for (int round = 1; round <= 16; ++round) {
      std::vector<std::uint32_t> subset;
      for (std::uint32_t r = 0; r < table.rows(); ++r)
        if (sup[r]) subset.push_back(r);
      if (subset.empty()) break;
      FrequencyTable st;
      st.qi_names = table.qi_names;
      st.sensitive_names = table.sensitive_names;
      st.qi_values = table.qi_values;
      st.sensitive_values = table.sensitive_values;
      st.sens_begin.resize(table.sensitive_names.size());
      st.sens.resize(table.sensitive_names.size());
      for (std::size_t s = 0; s < st.sens.size(); ++s) st.sens_begin[s].push_back(0);
      for (auto r : subset) {
        st.codes.insert(st.codes.end(), table.codes.begin() + static_cast<std::ptrdiff_t>(r * table.qis()),
                        table.codes.begin() + static_cast<std::ptrdiff_t>((r + 1) * table.qis()));
        st.weights.push_back(table.weights[r]);
        for (std::size_t s = 0; s < st.sens.size(); ++s) {
          for (auto e = table.sens_begin[s][r]; e < table.sens_begin[s][r + 1]; ++e) st.sens[s].push_back(table.sens[s][e]);
          st.sens_begin[s].push_back(st.sens[s].size());
        }
      }
      const SearchResult r2 = search(st, hier, sh, spec.privacy);
      if (!r2.found) break;
      std::uint64_t recoded = 0;
      for (std::size_t k = 0; k < subset.size(); ++k)
        if (!r2.row_suppressed[k]) {
          sup[subset[k]] = 0;
          row_round[subset[k]] = static_cast<std::uint16_t>(round_levels.size());
          recoded += st.weights[k];
        }
      if (!recoded) break;
      round_levels.push_back(r2.levels);
      res.checks += r2.checks;
      local.push_back({{"levels", r2.levels}, {"records", recoded}});
    }
  }
  // ---- output ----
  std::vector<int> qi_index(ncols, -1);
  for (std::size_t i = 0; i < qcols.size(); ++i) qi_index[qcols[i]] = static_cast<int>(i);
  std::vector<std::size_t> out_cols;
  for (std::size_t c = 0; c < ncols; ++c) {
    const FieldSpec* f = fs_of[c];
    const std::string action = !f ? "keep" : !f->action.empty() ? f->action : f->role == Role::identifier ? "drop" : "x";
    if (action != "drop") out_cols.push_back(c);
  }
  std::string out;
  out.reserve(rows_in_two ? bytes.size() / 2 + 64 : bytes.size());
  for (std::size_t k = 0; k < out_cols.size(); ++k) {
    if (k) out += opt.delimiter;
    append_cell(out, header[out_cols[k]], opt.delimiter);
  }
  out += '\n';
  // The output text of every quasi-identifier value at each pass's levels, quoted once.
  const std::size_t Q = qcols.size();
  std::vector<std::vector<std::vector<std::string>>> qtext(Q);  // [qi][round][value id]
  for (std::size_t i = 0; i < Q; ++i)
    for (const auto& lv : round_levels) {
      std::vector<std::string> t(table.qi_values[i].size());
      for (std::uint32_t v = 0; v < t.size(); ++v) append_cell(t[v], hier[i].label(lv[i], hier[i].of(lv[i], v)), opt.delimiter);
      qtext[i].push_back(std::move(t));
    }
  std::vector<std::uint8_t> quote(ncols, 0);
  for (const auto c : out_cols)
    if (qi_index[c] < 0) quote[c] = cols[c].quotable(opt.delimiter);
  // Records [from, to) in input order: appended to o, counted in rows and suppressed.
  const auto emit = [&](std::uint64_t from, std::uint64_t to, std::string& o, std::uint64_t& rows, std::uint64_t& suppressed) {
    for (std::uint64_t r = from; r < to; ++r) {
      const std::uint32_t fr = row_of[r];
      const bool s = sup[fr];
      if (s) ++suppressed;
      if (s && opt.drop_suppressed) continue;
      const auto round = row_round[fr];
      for (std::size_t k = 0; k < out_cols.size(); ++k) {
        if (k) o += opt.delimiter;
        const std::size_t c = out_cols[k];
        const int qi = qi_index[c];
        if (qi < 0) {
          if (quote[c]) append_cell(o, cols[c].at(r), opt.delimiter);
          else o.append(cols[c].at(r));
        } else if (s) {
          o += '*';
        } else {
          const auto i = static_cast<std::size_t>(qi);
          o.append(qtext[i][round][table.codes[fr * Q + i]]);
        }
      }
      o += '\n';
      ++rows;
    }
  };
  // A large file's second half is written on another thread into a string of its own; the
  // output is the two strings one after the other.
  std::uint64_t out_rows = 0, suppressed_records = 0, rows2 = 0, suppressed2 = 0;
  std::string out2;
  if (rows_in_two) {
    const std::uint64_t h = nrows / 2;
    out2.reserve(bytes.size() / 2 + 64);
    auto later = std::async(std::launch::async, [&] { emit(h, nrows, out2, rows2, suppressed2); });
    try {
      emit(0, h, out, out_rows, suppressed_records);
    } catch (...) {
      later.wait();
      throw;
    }
    later.get();
    out_rows += rows2;
    suppressed_records += suppressed2;
  } else {
    emit(0, nrows, out, out_rows, suppressed_records);
  }
  // The output's SHA-256 beside the class count and the write.
  auto out_sha = std::async(std::launch::async, [&out, &out2] { return sha256_hex({out, out2}); });
  // Released classes: the table rows that are not suppressed, by their generalised values.
  detail::TupleIndex after(Q, 1024);
  std::vector<std::uint64_t> after_w;
  {
    std::vector<std::uint32_t> key(Q);
    for (std::uint32_t fr = 0; fr < table.rows(); ++fr) {
      if (sup[fr]) continue;
      const auto& lv = round_levels[row_round[fr]];
      for (std::size_t i = 0; i < Q; ++i) key[i] = (lv[i] << 24) ^ hier[i].of(lv[i], table.codes[fr * Q + i]);
      const auto [id, fresh] = after.insert(key.data());
      if (fresh) after_w.push_back(0);
      after_w[id] += table.weights[fr];
    }
  }
  write_atomic(out_path, {out, out2});
  // ---- report ----
  json levels = json::object();
  for (std::size_t i = 0; i < qcols.size(); ++i) levels[header[qcols[i]]] = res.levels[i];
  json fields = json::array();
  for (std::size_t c = 0; c < ncols; ++c) {
    const FieldSpec* f = fs_of[c];
    json fj = {{"name", header[c]}};
    if (!f) {
      fj["role"] = nullptr;
      fj["action"] = "keep";
      fj["detail"] = "not named in the spec: kept as it is";
    } else {
      fj["role"] = role_name(f->role);
      const int qi = qi_index[c];
      if (qi >= 0) {
        const auto i = static_cast<std::size_t>(qi);
        if (actions[c]) {
          fj["action"] = action_name(actions[c]->kind);
          fj["detail"] = describe_action(*actions[c]) + " (then counted by the privacy model as it is)";
        } else {
          fj["action"] = f->action == "keep" ? "keep" : "generalize";
          fj["detail"] = f->action == "keep" ? "kept (quasi-identifier counted by the privacy model)"
                                             : "level " + std::to_string(res.levels[i]) + " of " + f->hierarchy;
        }
      } else if (actions[c]) {
        fj["action"] = action_name(actions[c]->kind);
        fj["detail"] = describe_action(*actions[c]);
      } else {
        const std::string action = !f->action.empty() ? f->action : f->role == Role::identifier ? "drop" : "keep";
        fj["action"] = action;
        fj["detail"] = action == "drop" ? (f->role == Role::identifier ? "identifier: removed" : "removed")
                     : action == "generalize" ? "fixed level of " + f->hierarchy
                                              : "kept as it is";
      }
    }
    fields.push_back(fj);
  }
  std::vector<std::uint64_t> ws(after_w);
  std::sort(ws.begin(), ws.end());
  json after_sizes = json::array();
  for (std::size_t i = 0; i < ws.size();) {
    std::size_t j = i;
    while (j < ws.size() && ws[j] == ws[i]) ++j;
    after_sizes.push_back({ws[i], j - i});
    i = j;
  }
  json before_sizes = json::array();
  const auto before_hist = table_class_sizes(table);
  for (const auto& [size, count] : before_hist) before_sizes.push_back({size, count});
  // Risk after: the released classes, and the suppressed records (when written) as one more
  // class of records whose quasi-identifiers are all '*'.
  std::vector<std::uint64_t> after_classes(ws);
  if (suppressed_records && !opt.drop_suppressed) after_classes.push_back(suppressed_records);
  const json risk = {{"before", risk_to_json(measure_risk(before_hist))},
                     {"after", risk_to_json(measure_risk(class_size_histogram(after_classes)))}};
  hash_input();  // (started already, unless the run was short)
  json report = {
      {"format", "civitas-deid-report/1"},
      {"input", {{"rows", nrows}, {"sha256", in_sha.get()}}},
      {"output", {{"rows", out_rows}, {"sha256", out_sha.get()}}},
      {"spec_sha256", sha256_hex({spec_bytes})},
      {"privacy", spec.privacy.to_json()},
      {"levels", levels},
      {"suppressed", suppressed_records},
      {"classes", ws.size()},
      {"measures", res.measures.to_json()},
      {"search", {{"lattice", res.lattice}, {"checks", res.checks}, {"recoding", spec.privacy.recoding == Recoding::global ? "global" : "local"}}},
      {"fields", fields},
      {"risk", risk},
      {"class_sizes", {{"before", before_sizes}, {"after", after_sizes}}},
  };
  if (spec.privacy.recoding == Recoding::local) report["search"]["local"] = local;
  return report;
}

}  // namespace civitas::deid
