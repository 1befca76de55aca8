// Byte sources: files, memory, and streaming decoding to UTF-8 (UTF-8 validation with BOM
// removal, or iconv for GB18030/GBK and other legacy encodings).
#include <fcntl.h>
#include <iconv.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "civitas/schema.hpp"

namespace civitas::schema {
namespace {

class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(Code::io, std::string("cannot open: ") + std::strerror(errno), Location{{}, {}, {}, path});
#ifdef POSIX_FADV_SEQUENTIAL
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  std::size_t read(char* buf, std::size_t cap) override {
    while (true) {
      ssize_t n = ::read(fd_, buf, cap);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      throw Error(Code::io, std::string("read failed: ") + std::strerror(errno), Location{{}, {}, {}, path_});
    }
  }
  std::string label() const override { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string_view b, std::string label) : bytes_(b), label_(std::move(label)) {}
  std::size_t read(char* buf, std::size_t cap) override {
    std::size_t n = std::min(cap, bytes_.size() - pos_);
    if (n) std::memcpy(buf, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::string label() const override { return label_; }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::string label_;
};

// Length of a valid UTF-8 sequence starting at p (up to end), 0 if invalid, -1 if it may
// continue past end.
int utf8_seq(const unsigned char* p, const unsigned char* end) {
  unsigned char c = p[0];
  int n;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  else return 0;
  for (int i = 1; i < n; ++i) {
    if (p + i >= end) return -1;
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  if (n == 3) {
    if (c == 0xE0 && p[1] < 0xA0) return 0;
    if (c == 0xED && p[1] >= 0xA0) return 0;  // surrogates
  }
  if (n == 4) {
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] >= 0x90) return 0;
  }
  return n;
}

// Validates UTF-8 as it passes; drops a leading BOM.
class Utf8Source final : public ByteSource {
 public:
  explicit Utf8Source(std::unique_ptr<ByteSource> in) : in_(std::move(in)) {}
  std::size_t read(char* buf, std::size_t cap) override {
    if (cap < 8) throw Error(Code::invalid_argument, "read buffer too small");
    // Carry holds up to 3 bytes of a sequence cut by the previous read.
    std::size_t n = carry_n_;
    std::memcpy(buf, carry_, carry_n_);
    carry_n_ = 0;
    std::size_t got = 0;
    do {
      got = in_->read(buf + n, cap - n);
      n += got;
    } while (got && n < 4);
    if (first_) {
      first_ = false;
      if (n >= 3 && std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        std::memmove(buf, buf + 3, n - 3);
        n -= 3;
        offset_ += 3;
      }
    }
    const auto* p = reinterpret_cast<const unsigned char*>(buf);
    const auto* end = p + n;
    const auto* q = p;
    while (q < end) {
      // ASCII fast path, 8 bytes at a time.
      while (q + 8 <= end) {
        std::uint64_t w;
        std::memcpy(&w, q, 8);
        if (w & 0x8080808080808080ull) break;
        q += 8;
      }
      if (q >= end) break;
      if (*q < 0x80) {
        ++q;
        continue;
      }
      int len = utf8_seq(q, end);
      if (len == 0)
        throw Error(Code::parse, "invalid UTF-8 (wrong dialect encoding?)",
                    Location{{}, {}, offset_ + static_cast<std::uint64_t>(q - p), in_->label()});
      if (len < 0) {
        if (got == 0) {  // end of input
          throw Error(Code::parse, "UTF-8 sequence cut off at the end of the input",
                      Location{{}, {}, offset_ + static_cast<std::uint64_t>(q - p), in_->label()});
        }
        carry_n_ = static_cast<std::size_t>(end - q);
        std::memcpy(carry_, q, carry_n_);
        n -= carry_n_;
        break;
      }
      q += len;
    }
    offset_ += n;
    return n;
  }
  std::string label() const override { return in_->label(); }

 private:
  std::unique_ptr<ByteSource> in_;
  char carry_[4];
  std::size_t carry_n_ = 0;
  bool first_ = true;
  std::uint64_t offset_ = 0;
};

class IconvSource final : public ByteSource {
 public:
  IconvSource(std::unique_ptr<ByteSource> in, const std::string& enc) : in_(std::move(in)), enc_(enc) {
    cd_ = iconv_open("UTF-8", enc.c_str());
    if (cd_ == reinterpret_cast<iconv_t>(-1))
      throw Error(Code::invalid_argument, "unknown encoding \"" + enc + "\"");
    inbuf_.resize(1 << 16);
  }
  ~IconvSource() override { iconv_close(cd_); }
  std::size_t read(char* buf, std::size_t cap) override {
    if (cap < 16) throw Error(Code::invalid_argument, "read buffer too small");
    std::size_t produced = 0;
    while (produced == 0) {
      if (in_len_ < 8 && !eof_) {
        std::memmove(inbuf_.data(), inbuf_.data() + in_pos_, in_len_);
        in_pos_ = 0;
        std::size_t got = in_->read(inbuf_.data() + in_len_, inbuf_.size() - in_len_);
        if (got == 0) eof_ = true;
        in_len_ += got;
      }
      if (in_len_ == 0) break;
      char* ip = inbuf_.data() + in_pos_;
      std::size_t il = in_len_;
      char* op = buf + produced;
      std::size_t ol = cap - produced;
      std::size_t r = iconv(cd_, &ip, &il, &op, &ol);
      std::size_t used = in_len_ - il;
      consumed_ += used;
      in_pos_ += used;
      in_len_ = il;
      produced = cap - ol;
      if (r == static_cast<std::size_t>(-1)) {
        if (errno == EILSEQ)
          throw Error(Code::parse, "byte sequence not valid in encoding " + enc_, Location{{}, {}, consumed_, in_->label()});
        if (errno == EINVAL) {
          if (eof_)
            throw Error(Code::parse, "character cut off at the end of the input (encoding " + enc_ + ")",
                        Location{{}, {}, consumed_, in_->label()});
          if (in_pos_ > 0 || in_len_ < inbuf_.size()) {
            std::memmove(inbuf_.data(), inbuf_.data() + in_pos_, in_len_);
            in_pos_ = 0;
            std::size_t got = in_->read(inbuf_.data() + in_len_, inbuf_.size() - in_len_);
            if (got == 0) eof_ = true;
            in_len_ += got;
          }
          continue;
        }
        if (errno != E2BIG) throw Error(Code::parse, std::string("decoding failed: ") + std::strerror(errno));
      }
    }
    if (first_ && produced >= 3) {
      first_ = false;
      if (std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {  // U+FEFF from a GB18030 BOM
        std::memmove(buf, buf + 3, produced - 3);
        produced -= 3;
        if (produced == 0) return read(buf, cap);
      }
    }
    return produced;
  }
  std::string label() const override { return in_->label(); }

 private:
  std::unique_ptr<ByteSource> in_;
  std::string enc_;
  iconv_t cd_;
  std::vector<char> inbuf_;
  std::size_t in_pos_ = 0, in_len_ = 0;
  bool eof_ = false, first_ = true;
  std::uint64_t consumed_ = 0;
};

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

}  // namespace

std::unique_ptr<ByteSource> open_file(const std::string& path) { return std::make_unique<FileSource>(path); }

std::unique_ptr<ByteSource> memory_source(std::string_view bytes, std::string label) {
  return std::make_unique<MemorySource>(bytes, std::move(label));
}

std::unique_ptr<ByteSource> decode_to_utf8(std::unique_ptr<ByteSource> in, const std::string& encoding) {
  std::string e = lower(encoding);
  if (e.empty() || e == "utf-8" || e == "utf8" || e == "utf-8-sig" || e == "utf_8")
    return std::make_unique<Utf8Source>(std::move(in));
  if (e == "cp936") e = "gbk";
  return std::make_unique<IconvSource>(std::move(in), e);
}

}  // namespace civitas::schema
