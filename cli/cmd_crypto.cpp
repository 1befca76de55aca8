// civitas encrypt|decrypt --column NAME IN.csv -o OUT.csv
// Field encryption (or deterministic tokens) of whole CSV columns, a batch of rows at a time.
// The CSV reader/writer here is a small RFC 4180 one; core/schema has the full module.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <iostream>

#include "civitas/crypto.hpp"
#include "civitas/error.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

namespace c = civitas::crypto;

// ---- minimal RFC 4180 CSV -------------------------------------------------------------

class CsvReader {
 public:
  CsvReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}
  /// Reads one record; false at end of input. Throws Error(parse) with the row.
  bool next(std::vector<std::string>& rec) {
    rec.clear();
    int ch = in_.get();
    if (ch == EOF) return false;
    ++row_;
    std::string f;
    bool quoted = false, after_quote = false;
    for (;; ch = in_.get()) {
      if (quoted) {
        if (ch == EOF) throw err("a quoted field is not closed");
        if (ch == '"') {
          if (in_.peek() == '"') {
            f.push_back('"');
            in_.get();
          } else {
            quoted = false;
            after_quote = true;
          }
        } else {
          f.push_back(static_cast<char>(ch));
        }
        continue;
      }
      if (ch == ',' || ch == '\n' || ch == '\r' || ch == EOF) {
        rec.push_back(std::move(f));
        f.clear();
        after_quote = false;
        if (ch == ',') continue;
        if (ch == '\r' && in_.peek() == '\n') {
          in_.get();
          if (!eol_) eol_ = "\r\n";
        } else if (!eol_) {
          eol_ = ch == '\r' ? "\r" : "\n";  // EOF: a one-line file without an ending
          if (ch == EOF) eol_ = nullptr;
        }
        return true;
      }
      if (after_quote) throw err("text after a closing quote");
      if (ch == '"' && f.empty()) {
        quoted = true;
        continue;
      }
      f.push_back(static_cast<char>(ch));
    }
  }
  std::uint64_t row() const { return row_; }
  /// The line ending of the first record that had one ("\n" when none had).
  const char* line_ending() const { return eol_ ? eol_ : "\n"; }

 private:
  Error err(const std::string& what) const {
    Location at;
    at.source = source_;
    at.row = row_;
    return Error(Code::parse, "CSV: " + what, at);
  }
  std::istream& in_;
  std::string source_;
  std::uint64_t row_ = 0;
  const char* eol_ = nullptr;
};

void write_field(std::ostream& out, std::string_view f) {
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << f;
    return;
  }
  out << '"';
  for (char ch : f) {
    if (ch == '"') out << '"';
    out << ch;
  }
  out << '"';
}

// eol: the input's own line ending, so that LF files stay LF and CRLF files CRLF.
void write_record(std::ostream& out, const std::vector<std::string>& rec, const char* eol) {
  for (std::size_t i = 0; i < rec.size(); ++i) {
    if (i) out << ',';
    write_field(out, rec[i]);
  }
  out << eol;
}

// ---- commands ----------------------------------------------------------------------------

struct CryptoArgs {
  WorkspaceArgs ws;
  std::vector<std::string> columns;
  std::string input;
  std::string output;
  std::string resource;
  std::string record_column;
  bool deterministic = false;
  std::string domain;
};

constexpr std::size_t kBatch = 8192;

std::size_t column_index(const std::vector<std::string>& header, const std::string& name, const std::string& source) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw Error(Code::invalid_argument, "column '" + name + "' is not in the header of " + source);
}

int run(const CryptoArgs& a, bool encrypt) {
  if (a.columns.empty()) throw Error(Code::invalid_argument, "name at least one --column");
  std::ifstream fin;
  std::istream* in = &std::cin;
  if (a.input != "-") {
    fin.open(a.input, std::ios::binary);
    if (!fin) throw Error(Code::io, "cannot read " + a.input);
    in = &fin;
  }
  auto w = a.ws.open();
  std::ofstream fout;
  std::ostream* out = &std::cout;
  // A file output is written beside the target and renamed on success: never a partial file.
  const std::string partial = a.output + ".partial";
  struct Cleanup {
    std::string path;
    ~Cleanup() {
      if (!path.empty()) std::remove(path.c_str());
    }
  } cleanup;
  if (!a.output.empty() && a.output != "-") {
    fout.open(partial, std::ios::binary | std::ios::trunc);
    if (!fout) throw Error(Code::io, "cannot write " + partial);
    cleanup.path = partial;
    out = &fout;
  }
  CsvReader reader(*in, a.input);
  std::vector<std::string> header;
  if (!reader.next(header)) throw Error(Code::parse, a.input + " is empty (no header row)");
  std::vector<std::size_t> cols;
  for (const auto& name : a.columns) cols.push_back(column_index(header, name, a.input));
  std::optional<std::size_t> rec_col;
  if (!a.record_column.empty()) rec_col = column_index(header, a.record_column, a.input);
  for (std::size_t ci : cols)
    if (rec_col && ci == *rec_col) throw Error(Code::invalid_argument, "the record-id column cannot itself be encrypted");
  // Decryption reads every row and decrypts each column in one audited call (one audit entry
  // per column, with its count) before it writes anything: a bad value anywhere means no
  // plaintext is emitted, to a file or to stdout. Encryption streams a batch at a time.
  const std::size_t batch = encrypt ? kBatch : SIZE_MAX;
  bool header_written = false;

  std::vector<std::vector<std::string>> rows;
  std::uint64_t first_row = 2;  // row number of rows[0] (header is row 1)
  auto write_header = [&] {
    if (!header_written) write_record(*out, header, reader.line_ending());
    header_written = true;
  };
  auto flush = [&] {
    if (rows.empty()) return write_header();
    c::Column recs;
    if (rec_col) {
      std::vector<std::string> ids;
      ids.reserve(rows.size());
      for (auto& r : rows) ids.push_back(*rec_col < r.size() ? r[*rec_col] : std::string());
      recs = c::Column::from(ids);
    }
    c::ColumnView rv = recs.view();
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const std::size_t ci = cols[k];
      const std::string& name = header[ci];
      std::vector<std::string> vals;
      vals.reserve(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) {
        std::string v = ci < rows[i].size() ? rows[i][ci] : std::string();
        if (!encrypt) {
          try {
            auto b = c::from_base64url(v);
            v.assign(b.begin(), b.end());
          } catch (const Error&) {
            Location at;
            at.source = a.input;
            at.row = first_row + i;
            at.field = name;
            throw Error(Code::parse, "not a civitas ciphertext (base64url expected)", at);
          }
        }
        vals.push_back(std::move(v));
      }
      try {
        if (a.deterministic) {
          const std::string domain = a.domain.empty() ? name : a.domain;
          if (encrypt) {
            for (std::size_t i = 0; i < vals.size(); ++i) {
              auto t = w->tokenize(vals[i], domain);
              vals[i] = c::base64url(t.data(), t.size());
            }
          } else {
            // One audited call (one "token.reverse" entry listing the count) for the column.
            c::Column col = c::Column::from(vals), res;
            w->detokenize_column(col.view(), domain, res);
            for (std::size_t i = 0; i < vals.size(); ++i) vals[i] = std::string(res.at(i));
          }
        } else {
          c::Column col = c::Column::from(vals), res;
          if (encrypt) w->encrypt_column(a.resource, name, col.view(), rec_col ? &rv : nullptr, res);
          else w->decrypt_column(a.resource, name, col.view(), rec_col ? &rv : nullptr, res);
          for (std::size_t i = 0; i < vals.size(); ++i) {
            std::string_view v = res.at(i);
            vals[i] = encrypt ? c::base64url(v.data(), v.size()) : std::string(v);
          }
        }
      } catch (const Error& e) {
        std::string msg = e.what();
        if (auto p = msg.find(" (at "); p != std::string::npos) msg.resize(p);
        Location at;
        at.source = a.input;
        at.field = name;
        if (e.where().row) at.row = first_row + *e.where().row - 1;
        throw Error(e.code(), msg, at);
      }
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (ci >= rows[i].size()) rows[i].resize(ci + 1);
        rows[i][ci] = std::move(vals[i]);
      }
    }
    write_header();
    for (auto& r : rows) write_record(*out, r, reader.line_ending());
    first_row += rows.size();
    rows.clear();
  };
  std::vector<std::string> rec;
  while (reader.next(rec)) {
    rows.push_back(rec);
    if (rows.size() == batch) flush();
  }
  flush();
  out->flush();
  if (!*out) throw Error(Code::io, "cannot write " + a.output);
  if (fout.is_open()) {
    fout.close();
    if (std::rename(partial.c_str(), a.output.c_str()) != 0) throw Error(Code::io, "cannot write " + a.output);
    cleanup.path.clear();
  }
  return kOk;
}

void add_common(CLI::App* cmd, CryptoArgs& a) {
  add_workspace_options(cmd, a.ws);
  cmd->add_option("--column,-c", a.columns, "Column to process (repeatable)")->required();
  cmd->add_option("IN", a.input, "Input CSV with a header row ('-' for stdin)")->required();
  cmd->add_option("-o,--output", a.output, "Output CSV (default: stdout)");
  cmd->add_option("--resource", a.resource, "Resource name bound into each value's associated data (default: empty)");
  cmd->add_option("--record-column", a.record_column, "Column whose value (record id) is bound into each value's associated data");
  cmd->add_flag("--deterministic", a.deterministic, "Deterministic tokens (AES-SIV) instead of randomised encryption");
  cmd->add_option("--domain", a.domain, "Token domain (default: the column name)");
}

Register reg(30, {"encrypt", "decrypt"}, [](Root& root, int& result) {
  static CryptoArgs enc, dec;
  auto* e = root.add_subcommand("encrypt", "Encrypt CSV columns (XChaCha20-Poly1305; values become base64url)");
  add_common(e, enc);
  e->callback([&result] { result = run(enc, true); });
  auto* d = root.add_subcommand("decrypt", "Decrypt CSV columns made by `civitas encrypt`");
  add_common(d, dec);
  d->callback([&result] { result = run(dec, false); });
});

}  // namespace
}  // namespace civitas::cli
