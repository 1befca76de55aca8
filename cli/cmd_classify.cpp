// civitas classify scan|text — what a table or a text file holds (docs/classify.md).
//   civitas classify scan DATA.csv [--schema S] [--dialect D] [--encoding E] [--delimiter C] [--json]
//   civitas classify text FILE|- [--encoding E] [--json] [--show]
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "civitas/classify.hpp"
#include "civitas/error.hpp"
#include "civitas/json.hpp"
#include "civitas/policy.hpp"  // policy (issue #13): --policy, --store
#include "civitas/schema.hpp"
#include "civitas/workspace.hpp"
#include "cli.hpp"
#include "workspace_args.hpp"

namespace civitas::cli {
namespace {

using nlohmann::json;
namespace cl = civitas::classify;

struct ScanArgs {
  std::string data, schema, dialect, encoding, delimiter;
  bool json_out = false;
  bool full = false;
  // ---- policy (issue #13): grading with a policy, recording for a catalog entry ----
  std::string policy, resource;
  bool store = false;
  WorkspaceArgs ws;
  // ---- end policy ----
};

struct TextArgs {
  std::string file, encoding;
  bool json_out = false;
  bool show = false;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(Code::io, "cannot open", Location{{}, {}, {}, path});
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw Error(Code::io, "read failed", Location{{}, {}, {}, path});
  return s;
}

std::string where(const Error& e) {
  std::string w;
  if (e.where().source) w += *e.where().source + ": ";
  return w;
}

// Builds the scan options from the arguments (schema, dialect, encoding rule).
cl::ScanOptions scan_options(const ScanArgs& a) {
  cl::ScanOptions o;
  if (!a.schema.empty()) o.schema = schema::load_schema_file(a.schema);
  if (!a.dialect.empty()) {
    json d = parse_json(slurp(a.dialect), "dialect", Location{{}, {}, {}, a.dialect});
    o.dialect = schema::Dialect::from_json(d);
    if (d.contains("encoding")) o.encoding_explicit = true;
  }
  if (!a.encoding.empty()) o.encoding = a.encoding;
  if (!a.delimiter.empty()) {
    std::string d = a.delimiter == "\\t" || a.delimiter == "tab" ? "\t" : a.delimiter;
    if (d.size() != 1) throw Error(Code::invalid_argument, "--delimiter must be one character");
    o.dialect.delimiter = d[0];
  }
  o.full = a.full;
  return o;
}

void print_human(const cl::TableResult& r, const std::string& path) {
  std::cout << cli::printable(path) << ": " << r.columns.size() << " columns, encoding " << r.encoding
            << (r.sampled ? ", sampled " : ", read whole, ") << r.rows_read << " rows\n";
  for (const auto& c : r.columns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "ratio %.2f  confidence %.2f", c.ratio, c.confidence);
    std::cout << "  " << cli::printable(c.name) << "\t" << c.type << "\t" << buf << "\t" << c.source;
    if (c.category) std::cout << "\tcategory " << cli::printable(*c.category);
    if (c.level) std::cout << "\tlevel " << cli::printable(*c.level);
    std::cout << "\n";
  }
  std::cout << "table level: " << (r.level ? cli::printable(*r.level) : std::string("none")) << "\n";
}

int do_scan(const ScanArgs& a) {
  try {
    cl::ScanOptions o = scan_options(a);
    // ---- policy (issue #13): the policy's detectors, then its grading fills category and level ----
    if (a.store && a.resource.empty()) throw Error(Code::invalid_argument, "--store needs --resource CODE");
    if (!a.store && !a.resource.empty()) throw Error(Code::invalid_argument, "--resource is for --store");
    const policy::Policy pol = a.policy.empty() ? policy::Policy::builtin() : policy::Policy::load(a.policy);
    o.detectors = &pol.classify_detectors();
    cl::TableResult r = cl::scan_file(a.data, o);
    const policy::Grading g = policy::grade(pol, r, o.schema ? &*o.schema : nullptr);
    for (std::size_t i = 0; i < r.columns.size() && i < g.columns.size(); ++i) {
      r.columns[i].category = g.columns[i].category;
      r.columns[i].level = g.columns[i].level;
      r.columns[i].source = g.columns[i].source;
    }
    r.level = g.level;
    if (a.store) {
      auto ws = a.ws.open();
      auto s = ws->record_classification(a.resource, policy::to_json(g), pol);  // audited "classify.record"
      (a.json_out ? std::cerr : std::cout) << "recorded\t" << cli::printable(s.resource_code) << "\tclassification "
                                           << s.seq << "\tlevel " << s.level << "\n";
    }
    // ---- end policy ----
    if (a.json_out) std::cout << cl::to_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    else print_human(r, a.data);
    return kOk;
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << where(e) << e.what() << "\n";
    return kUsage;
  }
}

// A whole file, mapped read-only (falls back to reading for what cannot be mapped).
class Mapped {
 public:
  explicit Mapped(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(Code::io, std::string("cannot open: ") + std::strerror(errno), Location{{}, {}, {}, path});
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw Error(Code::io, S_ISDIR(st.st_mode) ? "is a directory" : "cannot stat", Location{{}, {}, {}, path});
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
      flags |= MAP_POPULATE;  // the whole file is read: map it in one go rather than fault by fault
#endif
      void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, flags, fd, 0);
      if (p != MAP_FAILED) {
        map_ = p;
        size_ = static_cast<std::size_t>(st.st_size);
        ::madvise(p, size_, MADV_SEQUENTIAL);
        ::close(fd);
        return;
      }
    }
    ::close(fd);
    copy_ = slurp(path);
  }
  ~Mapped() {
    if (map_) ::munmap(map_, size_);
  }
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;
  std::string_view bytes() const { return map_ ? std::string_view(static_cast<const char*>(map_), size_) : copy_; }

 private:
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string copy_;
};

int do_text(const TextArgs& a) {
  try {
    std::string in;
    std::unique_ptr<Mapped> map;
    if (a.file == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      if (std::cin.bad()) throw Error(Code::io, "cannot read standard input");
      in = ss.str();
    } else {
      map = std::make_unique<Mapped>(a.file);
    }
    std::string_view bytes = map ? map->bytes() : std::string_view(in);
    auto found = cl::find_encoded(bytes, a.encoding);
    // Written straight into one buffer (no JSON tree per finding): the bytes are those
    // nlohmann::ordered_json{{"type"},{"offset"},{"length"}[,{"text"}]}.dump() gives.
    std::string out;
    out.reserve(std::min<std::size_t>(found.size() * 32 + 64, (1u << 16) + 4096));
    char num[24];
    auto number = [&out, &num](std::uint64_t v) {
      auto r = std::to_chars(num, num + sizeof num, v);
      out.append(num, static_cast<std::size_t>(r.ptr - num));
    };
    auto json_string = [&out](std::string_view v) {
      bool plain = true;
      for (char c : v) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
      if (plain) {
        out += '"';
        out.append(v);
        out += '"';
      } else {
        out += nlohmann::ordered_json(std::string(v)).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      }
    };
    for (const auto& f : found) {
      if (a.json_out) {
        out.append("{\"type\":");
        json_string(f.type);
        out.append(",\"offset\":");
        number(f.offset);
        out.append(",\"length\":");
        number(f.length);
        if (a.show) {
          out.append(",\"text\":");
          out += nlohmann::ordered_json(std::string(bytes.substr(f.offset, f.length)))
                     .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        }
        out.append("}\n");
      } else {
        out.append(f.type);
        out += '\t';
        number(f.offset);
        out += '\t';
        number(f.length);
        if (a.show) out += '\t' + cli::printable(bytes.substr(f.offset, f.length));
        out += '\n';
      }
      if (out.size() > (1u << 16)) {
        std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
        out.clear();
      }
    }
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    return kOk;
  } catch (const Error& e) {
    std::cerr << "civitas: error: " << (a.file == "-" ? std::string("<stdin>: ") : a.file + ": ") << e.what();
    if (e.where().offset) std::cerr << " (at byte " << *e.where().offset << ")";
    std::cerr << "\n";
    return kUsage;
  }
}

ScanArgs sargs;
TextArgs targs;

Register reg(33, {"classify"}, [](Root& root, int& result) {
  auto* c = root.add_subcommand("classify", "Classify tables and texts: identifiers and other personal information");
  c->require_subcommand(1);
  auto* s = c->add_subcommand("scan", "Classify the columns of a CSV file (sampled in segments when large)");
  s->add_option("data", sargs.data, "CSV file")->required();
  s->add_option("--schema", sargs.schema, "Table schema: civitas:identifier and civitas:classification annotations win");
  s->add_option("--dialect", sargs.dialect, "Table Dialect (JSON): delimiter, quoting, header, encoding");
  s->add_option("--encoding", sargs.encoding, "Input encoding (default: the dialect's, else guessed: UTF-8, or GB18030 when not UTF-8)");
  s->add_option("--delimiter", sargs.delimiter, "CSV delimiter (one character, or 'tab')");
  s->add_flag("--json", sargs.json_out, "Print {\"columns\": [...], \"level\"} as JSON");
  s->add_flag("--full", sargs.full, "Read every row instead of sampled segments");
  // ---- policy (issue #13) ----
  s->add_option("--policy", sargs.policy, "Policy document that grades the columns (default: the bundled city policy)");
  s->add_flag("--store", sargs.store, "Record the classification for a stored catalog entry (audited; needs --resource)");
  s->add_option("--resource", sargs.resource, "Catalog resource code the classification is recorded for");
  add_workspace_options(s, sargs.ws);
  // ---- end policy ----
  s->callback([&result] { result = do_scan(sargs); });

  auto* t = c->add_subcommand("text", "Find identifiers and personal information in a text file, with byte offsets");
  t->add_option("file", targs.file, "Text file ('-' = standard input)")->required();
  t->add_option("--encoding", targs.encoding, "Input encoding (default: UTF-8, or GB18030 when not UTF-8)");
  t->add_flag("--json", targs.json_out, "One JSON object per finding: {\"type\",\"offset\",\"length\"}");
  t->add_flag("--show", targs.show, "Also print the matched text");
  t->callback([&result] { result = do_text(targs); });
});

}  // namespace
}  // namespace civitas::cli
