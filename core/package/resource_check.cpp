#include "resource_check.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "civitas/error.hpp"
#include "civitas/package.hpp"
#include "civitas/schema.hpp"

namespace civitas::package::detail {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_utf8_name(const std::string& e) {
  const std::string l = lower(e);
  return l.empty() || l == "utf-8" || l == "utf8";
}

// Bytes handed from the writer's thread to the validator's: bounded, so that memory does not
// grow with the resource. After the validator stopped (error limit, unreadable input), pushes
// are dropped.
class Pipe final : public schema::ByteSource {
 public:
  explicit Pipe(std::string label) : label_(std::move(label)) {}
  void push(const char* p, std::size_t n) {
    std::unique_lock<std::mutex> l(m_);
    while (n) {
      cv_.wait(l, [&] { return stopped_ || buf_.size() - pos_ < kCap; });
      if (stopped_) return;
      std::size_t k = std::min(n, kCap - (buf_.size() - pos_));
      if (pos_ > kCap) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      buf_.append(p, k);
      p += k;
      n -= k;
      cv_.notify_all();
    }
  }
  void close() {
    std::lock_guard<std::mutex> l(m_);
    closed_ = true;
    cv_.notify_all();
  }
  void stop() {
    std::lock_guard<std::mutex> l(m_);
    stopped_ = closed_ = true;
    cv_.notify_all();
  }
  std::size_t read(char* out, std::size_t cap) override {
    std::unique_lock<std::mutex> l(m_);
    cv_.wait(l, [&] { return closed_ || pos_ < buf_.size(); });
    std::size_t k = std::min(cap, buf_.size() - pos_);
    std::memcpy(out, buf_.data() + pos_, k);
    pos_ += k;
    cv_.notify_all();
    return k;
  }
  std::string label() const override { return label_; }

 private:
  static constexpr std::size_t kCap = 4u << 20;
  std::mutex m_;
  std::condition_variable cv_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool closed_ = false, stopped_ = false;
  std::string label_;
};

// A ByteSource that borrows the pipe (the reader owns its source).
class PipeRef final : public schema::ByteSource {
 public:
  explicit PipeRef(Pipe& p) : p_(p) {}
  std::size_t read(char* b, std::size_t n) override { return p_.read(b, n); }
  std::string label() const override { return p_.label(); }

 private:
  Pipe& p_;
};

}  // namespace

struct ResourceCheck::Impl {
  std::string name, encoding;
  iconv_t cd = reinterpret_cast<iconv_t>(-1);
  std::string pending;      // an incomplete multi-byte sequence carried to the next feed
  std::uint64_t consumed = 0;
  bool first = true;
  std::unique_ptr<Pipe> pipe;
  std::thread worker;
  json report;
  std::exception_ptr failure;

  ~Impl() {
    if (pipe) pipe->stop();
    if (worker.joinable()) worker.join();
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }

  void decode(const char* p, std::size_t n, std::string& out, bool last) {
    std::string in = std::move(pending);
    pending.clear();
    in.append(p, n);
    char* ip = in.data();
    std::size_t il = in.size();
    char buf[1 << 16];
    while (il) {
      char* op = buf;
      std::size_t ol = sizeof buf;
      std::size_t before = il;
      std::size_t r = iconv(cd, &ip, &il, &op, &ol);
      consumed += before - il;
      out.append(buf, sizeof buf - ol);
      if (r != static_cast<std::size_t>(-1)) continue;
      if (errno == E2BIG) continue;
      Location at;
      at.offset = consumed;
      at.field = std::nullopt;
      if (errno == EINVAL) {
        if (last)
          throw Error(Code::parse, "resource " + name + ": character cut off at the end (encoding " + encoding + ")", at);
        pending.assign(ip, il);
        break;
      }
      throw Error(Code::parse, "resource " + name + ": bytes not valid in encoding " + encoding, at);
    }
    if (first && out.size() >= 3) {
      first = false;
      if (std::memcmp(out.data(), "\xEF\xBB\xBF", 3) == 0) out.erase(0, 3);  // U+FEFF of a BOM
    }
  }
};

ResourceCheck::ResourceCheck(const std::string& name, const std::string& format, const json& schema,
                             const std::string& encoding, bool validate)
    : impl_(std::make_unique<Impl>()) {
  impl_->name = name;
  impl_->encoding = encoding;
  if (!is_utf8_name(encoding)) {
    impl_->cd = iconv_open("UTF-8", encoding.c_str());
    if (impl_->cd == reinterpret_cast<iconv_t>(-1))
      throw Error(Code::invalid_argument, "unknown encoding \"" + encoding + "\"");
  }
  const std::string f = lower(format);
  if (!validate || schema.is_null() || (f != "csv" && f != "tsv" && f != "jsonl" && f != "ndjson")) return;
  schema::TableSchema ts;
  try {
    ts = schema::parse_schema(schema);
  } catch (const Error& e) {
    throw Error(Code::invalid_data, "resource " + name + ": its schema is not usable: " + e.what());
  }
  impl_->pipe = std::make_unique<Pipe>(name);
  Impl* s = impl_.get();
  impl_->worker = std::thread([s, ts = std::move(ts), f] {
    try {
      schema::ValidateOptions vo;
      vo.name = s->name;
      vo.place = s->name;
      auto src = std::make_unique<PipeRef>(*s->pipe);
      std::unique_ptr<schema::RecordReader> rd;
      if (f == "jsonl" || f == "ndjson") {
        rd = schema::jsonl_reader(std::move(src));
      } else {
        schema::Dialect d;
        if (f == "tsv") d.delimiter = '\t';
        rd = schema::csv_reader(std::move(src), d);
      }
      s->report = schema::validate(*rd, ts, vo, s->name, s->name);
    } catch (...) {
      s->failure = std::current_exception();
    }
    s->pipe->stop();  // later bytes are not needed
  });
}

ResourceCheck::~ResourceCheck() = default;

void ResourceCheck::feed(const void* data, std::size_t n, std::string& out) {
  const std::size_t from = out.size();
  if (impl_->cd == reinterpret_cast<iconv_t>(-1)) out.append(static_cast<const char*>(data), n);
  else impl_->decode(static_cast<const char*>(data), n, out, false);
  if (impl_->pipe && out.size() > from) impl_->pipe->push(out.data() + from, out.size() - from);
}

void ResourceCheck::finish(std::string& out) {
  const std::size_t from = out.size();
  if (impl_->cd != reinterpret_cast<iconv_t>(-1)) impl_->decode(nullptr, 0, out, true);
  if (!impl_->pipe) return;
  if (out.size() > from) impl_->pipe->push(out.data() + from, out.size() - from);
  impl_->pipe->close();
  impl_->worker.join();
  if (impl_->failure) {
    try {
      std::rethrow_exception(impl_->failure);
    } catch (const Error& e) {
      // The report says what could not be read (encoding-error, source-error); keep the code.
      throw RecordsError("resource " + impl_->name + ": cannot be read as its format: " + e.what(),
                         json{{"valid", false}, {"errors", json::array({json{{"message", e.what()}}})}, {"tasks", json::array()}});
    }
  }
  const json& r = impl_->report;
  if (r.value("valid", false)) return;
  std::uint64_t count = 0;
  std::string first;
  if (auto t = r.find("tasks"); t != r.end() && t->is_array())
    for (const json& task : *t)
      if (auto e = task.find("errors"); e != task.end() && e->is_array()) {
        count += e->size();
        if (first.empty() && !e->empty()) first = (*e)[0].value("message", "");
      }
  throw RecordsError("resource " + impl_->name + ": records do not match their schema (" + std::to_string(count) +
                         " error(s); first: " + first + ")",
                     r);
}

}  // namespace civitas::package::detail
