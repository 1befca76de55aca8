// Streaming CSV reader (RFC 4180 plus Table Dialect options) delivering columnar batches.
// Quoting follows Python's csv module in its default, non-strict mode, as frictionless-py
// reads CSV with it: a quote opens a quoted cell only at the start of a cell; a character
// after a closing quote is kept; a quoted cell left open at the end of the input ends there.
#include <cstdint>
#include <cstring>

#include "civitas/schema.hpp"
#include "reader_base.hpp"

namespace civitas::schema {

void Batch::reset(std::size_t ncols) {
  rows = 0;
  if (columns.size() != ncols) columns.resize(ncols);
  for (auto& c : columns) c.clear();
  row_numbers.clear();
  row_offsets.clear();
  cell_counts.clear();
  extra_data.clear();
  extra_ends.clear();
  extra_begin.assign(1, 0);
}

namespace detail {

LineBuffer::LineBuffer(std::unique_ptr<ByteSource> src, std::size_t max_record)
    : src_(std::move(src)), max_record_(max_record) {
  buf_.resize(kChunk + 64);
}

bool LineBuffer::fill() {
  if (eof_) return false;
  // Keep [pos_, end_) and read more behind it.
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ + kChunk > buf_.size()) {
    if (end_ >= max_record_ + kChunk)
      throw Error(Code::parse, "record longer than " + std::to_string(max_record_) + " bytes",
                  Location{{}, {}, base_, src_->label()});
    buf_.resize(end_ + kChunk + 64);
  }
  std::size_t got = src_->read(buf_.data() + end_, kChunk);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

}  // namespace detail

namespace {

using detail::Span;

class CsvReader final : public RecordReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> src, const Dialect& d, std::size_t max_record)
      : in_(decode_to_utf8(std::move(src), d.encoding), max_record), d_(d) {
    std::memset(special_, 0, sizeof special_);
    special_[static_cast<unsigned char>('\n')] = 1;
    special_[static_cast<unsigned char>('\r')] = 1;
    special_[static_cast<unsigned char>(d.delimiter)] = 1;
    if (d.escape) special_[static_cast<unsigned char>(d.escape)] = 1;
    if (d_.header) {
      std::uint64_t off;
      if (read_record(off)) {
        labels_.reserve(spans_.size());
        for (const Span& s : spans_) labels_.emplace_back(cell(s));
      }
      row_ = 1;
    }
  }

  const std::vector<std::string>& labels() const override { return labels_; }
  bool has_header() const override { return d_.header; }
  std::uint64_t bytes_read() const override { return in_.consumed(); }

  bool next(Batch& b, std::size_t ncols, std::size_t max_rows) override {
    b.reset(ncols);
    std::size_t bits = (max_rows + 7) / 8;
    for (auto& c : b.columns) {
      c.valid.assign(bits, 0);
      c.offsets.reserve(max_rows + 1);
    }
    std::uint64_t off = 0;
    // Cells beyond the schema's columns go straight into the batch's extra cells (a few bytes
    // each), not into spans_, so that a row of millions of cells stays small.
    keep_ = ncols ? ncols : SIZE_MAX;
    out_ = &b;
    // A batch also ends once it holds kBatchBytes of cells, so that its memory stays bounded
    // when rows are long (and a row alone is bounded by max_record).
    std::size_t held = 0;
    while (b.rows < max_rows && held < detail::kBatchBytes && (mark_extras(b), read_record(off))) {
      ++row_;
      if (!d_.comment_char.empty() && !spans_.empty() && spans_[0].len() >= d_.comment_char.size() &&
          std::memcmp(cell(spans_[0]).data(), d_.comment_char.data(), d_.comment_char.size()) == 0) {
        drop_extras(b);
        continue;
      }
      std::size_t r = b.rows++;
      std::size_t n = ncells_;
      b.row_numbers.push_back(row_);
      b.row_offsets.push_back(off);
      b.cell_counts.push_back(static_cast<std::uint32_t>(n));
      std::size_t k = 0;
      for (; k < ncols && k < n; ++k) {
        Column& c = b.columns[k];
        std::string_view v = cell(spans_[k]);
        c.data.append(v.data(), v.size());
        c.offsets.push_back(c.data.size());
        c.valid[r >> 3] |= static_cast<std::uint8_t>(1u << (r & 7));
      }
      for (; k < ncols; ++k) b.columns[k].offsets.push_back(b.columns[k].data.size());
      for (std::size_t e = ncols; e < spans_.size(); ++e) b.add_extra(cell(spans_[e]));
      b.end_row();
      held += record_bytes_ + n * sizeof(std::uint32_t);
    }
    out_ = nullptr;
    keep_ = SIZE_MAX;
    for (auto& c : b.columns) c.valid.resize((b.rows + 7) / 8);
    return b.rows > 0;
  }

 private:
  void mark_extras(const Batch& b) {
    xdata0_ = b.extra_data.size();
    xends0_ = b.extra_ends.size();
  }
  void drop_extras(Batch& b) {
    b.extra_data.resize(xdata0_);
    b.extra_ends.resize(xends0_);
  }
  // A cell of the record being parsed: the first keep_ in spans_, the others into the batch.
  void push_cell(Span s) {
    if (spans_.size() < keep_) spans_.push_back(s);
    else out_->add_extra(cell(s));
    ++ncells_;
  }

  std::string_view cell(const Span& s) const {
    const char* base = s.scratch() ? scratch_.data() : in_.data();
    return {base + s.start, s.len()};
  }

  // Parses one record starting at the buffer position into spans_. Returns false at the end
  // of input. Refills (and restarts the record) when the record runs past the buffer.
  bool read_record(std::uint64_t& offset) {
    while (true) {
      if (in_.pos() >= in_.end() && !in_.fill()) return false;
      std::size_t used;
      int r = parse(in_.data() + in_.pos(), in_.data() + in_.end(), in_.at_eof(), used);
      if (r == 1) {
        offset = in_.base() + in_.pos();
        in_.advance(used);
        record_bytes_ = used;
        return true;
      }
      if (!in_.fill()) {
        // End of input inside the record: parse again treating the end as the record end.
        r = parse(in_.data() + in_.pos(), in_.data() + in_.end(), true, used);
        offset = in_.base() + in_.pos();
        in_.advance(used);
        record_bytes_ = used;
        return r == 1;
      }
    }
  }

  // Returns 1 with a complete record (used = bytes including the line ending), 0 when more
  // input is needed.
  int parse(const char* p0, const char* end, bool eof, std::size_t& used) {
    spans_.clear();
    scratch_.clear();
    ncells_ = 0;
    if (out_) drop_extras(*out_);  // parsing (again) from the record's start
    const char* p = p0;
    const char* base = in_.data();
    const char delim = d_.delimiter, quote = d_.quote, esc = d_.escape;
    if (p >= end) {
      if (!eof) return 0;
      used = 0;
      return 0;
    }
    // An empty line is a record with no cells (Python's csv gives []).
    if (*p == '\n' || *p == '\r') {
      if (*p == '\r') {
        if (p + 1 >= end && !eof) return 0;
        used = (p + 1 < end && p[1] == '\n') ? 2 : 1;
      } else {
        used = 1;
      }
      return 1;
    }
    while (true) {
      if (d_.skip_initial_space)
        while (p < end && *p == ' ') ++p;
      if (p < end && quote && *p == quote) {
        // Quoted cell; copied to scratch only when it contains escapes or doubled quotes.
        ++p;
        const char* start = p;
        bool copied = false;
        std::size_t sstart = scratch_.size();
        while (true) {
          const char* q = p;
          while (q < end && *q != quote && !(esc && *q == esc)) ++q;
          if (q >= end) {
            if (!eof) return 0;
            if (copied) scratch_.append(p, q);
            p = q;
            break;  // open quote at the end of input: the cell ends there
          }
          if (*q == esc && esc) {
            if (q + 1 >= end) {
              if (!eof) return 0;
              if (!copied) scratch_.append(start, q), copied = true;
              else scratch_.append(p, q);
              p = q + 1;
              continue;
            }
            if (!copied) scratch_.append(start, q), copied = true;
            else scratch_.append(p, q);
            scratch_ += q[1];
            p = q + 2;
            continue;
          }
          // quote
          if (q + 1 >= end && !eof) return 0;
          if (q + 1 < end && q[1] == quote && d_.double_quote) {
            if (!copied) scratch_.append(start, q + 1), copied = true;
            else scratch_.append(p, q + 1);
            p = q + 2;
            continue;
          }
          // closing quote
          if (copied) scratch_.append(p, q);
          p = q + 1;
          // Characters after the closing quote up to the delimiter belong to the cell.
          if (p < end && *p != delim && *p != '\n' && *p != '\r') {
            if (!copied) scratch_.append(start, q), copied = true;
            const char* r = p;
            while (r < end && !special_[static_cast<unsigned char>(*r)]) ++r;
            if (r >= end && !eof) return 0;
            scratch_.append(p, r);
            p = r;
          }
          if (copied) {
            push_cell(Span::make(sstart, scratch_.size() - sstart, true));
          } else {
            push_cell(Span::make(static_cast<std::size_t>(start - base), static_cast<std::size_t>(q - start), false));
          }
          goto after_cell;
        }
        // reached only at end of input inside quotes
        if (copied) push_cell(Span::make(sstart, scratch_.size() - sstart, true));
        else push_cell(Span::make(static_cast<std::size_t>(start - base), static_cast<std::size_t>(p - start), false));
        used = static_cast<std::size_t>(p - p0);
        return 1;
      } else {
        const char* start = p;
        const unsigned char* s = reinterpret_cast<const unsigned char*>(p);
        const unsigned char* e = reinterpret_cast<const unsigned char*>(end);
        while (s < e && !special_[*s]) ++s;
        p = reinterpret_cast<const char*>(s);
        if (p < end && esc && *p == esc) {
          std::size_t sstart = scratch_.size();
          scratch_.append(start, p);
          while (p < end && *p != delim && *p != '\n' && *p != '\r') {
            if (*p == esc) {
              if (p + 1 >= end) {
                if (!eof) return 0;
                ++p;
                break;
              }
              scratch_ += p[1];
              p += 2;
            } else {
              scratch_ += *p++;
            }
          }
          if (p >= end && !eof) return 0;
          push_cell(Span::make(sstart, scratch_.size() - sstart, true));
        } else {
          if (p >= end && !eof) return 0;
          push_cell(Span::make(static_cast<std::size_t>(start - base), static_cast<std::size_t>(p - start), false));
        }
      }
    after_cell:
      if (p >= end) {
        used = static_cast<std::size_t>(p - p0);
        return 1;  // eof
      }
      if (*p == delim) {
        ++p;
        if (p >= end) {
          if (!eof) return 0;
          push_cell(Span::make(0, 0, true));  // trailing delimiter: one more empty cell
          used = static_cast<std::size_t>(p - p0);
          return 1;
        }
        continue;
      }
      // line ending
      if (*p == '\r') {
        if (p + 1 >= end && !eof) return 0;
        p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      } else {
        ++p;
      }
      used = static_cast<std::size_t>(p - p0);
      return 1;
    }
  }

  detail::LineBuffer in_;
  Dialect d_;
  unsigned char special_[256];
  std::vector<Span> spans_;
  std::string scratch_;
  std::vector<std::string> labels_;
  std::uint64_t row_ = 0;
  std::size_t record_bytes_ = 0;
  std::size_t ncells_ = 0;           ///< cells of the record, spans_ and extra cells together
  std::size_t keep_ = SIZE_MAX;      ///< cells kept in spans_
  Batch* out_ = nullptr;             ///< where the other cells go (during next())
  std::size_t xdata0_ = 0, xends0_ = 0;
};

}  // namespace

std::unique_ptr<RecordReader> csv_reader(std::unique_ptr<ByteSource> src, const Dialect& d, std::size_t max_record) {
  if (max_record > detail::kMaxRecordLimit)
    throw Error(Code::invalid_argument, "max_record is at most " + std::to_string(detail::kMaxRecordLimit) + " bytes");
  if (d.delimiter == '\n' || d.delimiter == '\r' || (d.quote && d.quote == d.delimiter))
    throw Error(Code::invalid_argument, "dialect delimiter cannot be a line break or the quote character");
  return std::make_unique<CsvReader>(std::move(src), d, max_record);
}

}  // namespace civitas::schema
