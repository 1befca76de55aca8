// Internal: the sliding input window shared by the CSV and JSON Lines readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "civitas/schema.hpp"

namespace civitas::schema::detail {

/// The largest record a reader accepts (max_record): offsets in a record fit in 31 bits.
constexpr std::size_t kMaxRecordLimit = std::size_t{1} << 30;
/// A batch ends once its rows hold this many bytes (or at max_rows).
constexpr std::size_t kBatchBytes = std::size_t{16} << 20;

/// A cell, 8 bytes: bytes in the window or (flag bit) in the reader's scratch buffer.
struct Span {
  std::uint32_t start;
  std::uint32_t len_flag;
  static Span make(std::size_t start, std::size_t len, bool scratch) noexcept {
    return {static_cast<std::uint32_t>(start),
            static_cast<std::uint32_t>(len) | (scratch ? 0x80000000u : 0u)};
  }
  std::size_t len() const noexcept { return len_flag & 0x7fffffffu; }
  bool scratch() const noexcept { return (len_flag & 0x80000000u) != 0; }
};

/// A window over a ByteSource: [pos, end) is unread; fill() moves it to the front and reads
/// more. The window grows only while one record does not fit, up to max_record.
class LineBuffer {
 public:
  static constexpr std::size_t kChunk = 1u << 20;
  LineBuffer(std::unique_ptr<ByteSource> src, std::size_t max_record);
  bool fill();
  const char* data() const noexcept { return buf_.data(); }
  std::size_t pos() const noexcept { return pos_; }
  std::size_t end() const noexcept { return end_; }
  bool at_eof() const noexcept { return eof_; }
  void advance(std::size_t n) noexcept { pos_ += n; }
  std::uint64_t base() const noexcept { return base_; }
  std::uint64_t consumed() const noexcept { return base_ + pos_; }
  const ByteSource& source() const noexcept { return *src_; }

 private:
  std::unique_ptr<ByteSource> src_;
  std::size_t max_record_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t base_ = 0;  ///< decoded-input offset of buf_[0]
  bool eof_ = false;
};

}  // namespace civitas::schema::detail
