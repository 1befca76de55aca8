// Streaming JSON Lines reader: one JSON object (or array) per line. Labels come from the
// first object's keys in document order; the header counts as row 1, as in frictionless.
#include <cstring>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "civitas/json.hpp"
#include "civitas/schema.hpp"
#include "reader_base.hpp"

namespace civitas::schema {
namespace {

using ojson = nlohmann::ordered_json;

class JsonlReader final : public RecordReader {
 public:
  JsonlReader(std::unique_ptr<ByteSource> src, std::size_t max_record)
      : in_(decode_to_utf8(std::move(src), "utf-8"), max_record) {
    if (next_line()) {
      if (pending_.is_object()) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) labels_.push_back(it.key());
        have_pending_ = true;
        row_ = 1;
      } else {
        have_pending_ = true;  // arrays: positional, no header
        header_ = false;
      }
    }
  }
  const std::vector<std::string>& labels() const override { return labels_; }
  bool has_header() const override { return header_; }
  std::uint64_t bytes_read() const override { return in_.consumed(); }

  bool next(Batch& b, std::size_t ncols, std::size_t max_rows) override {
    b.reset(ncols);
    for (auto& c : b.columns) c.valid.assign((max_rows + 7) / 8, 0);
    std::size_t held = 0;  // a batch ends at max_rows or once it holds kBatchBytes of lines
    while (b.rows < max_rows && held < detail::kBatchBytes) {
      if (!have_pending_ && !next_line()) break;
      held += line_len_ + 1;
      have_pending_ = false;
      ++row_;
      std::size_t r = b.rows++;
      b.row_numbers.push_back(row_);
      b.row_offsets.push_back(line_offset_);
      cells_.clear();
      present_.clear();
      if (pending_.is_object()) {
        // The record's members by name, once per record (ordered_json finds a key by walking
        // its members: a lookup per label would cost labels x members).
        members_.clear();
        for (auto it = pending_.begin(); it != pending_.end(); ++it) members_.emplace(std::string_view(it.key()), &it.value());
        for (const auto& name : labels_) {
          auto it = members_.find(name);
          if (it == members_.end()) {
            cells_.emplace_back();
            present_.push_back(false);
          } else {
            cells_.push_back(text(*it->second));
            present_.push_back(true);
          }
        }
        // Cells are positional up to the last present one (like a short CSV row).
        while (!present_.empty() && !present_.back()) present_.pop_back(), cells_.pop_back();
      } else if (pending_.is_array()) {
        for (const auto& v : pending_) cells_.push_back(text(v)), present_.push_back(true);
      } else {
        throw Error(Code::parse, "a JSON Lines record must be an object or an array",
                    Location{row_, {}, line_offset_, in_.source().label()});
      }
      b.cell_counts.push_back(static_cast<std::uint32_t>(cells_.size()));
      std::size_t k = 0;
      for (; k < ncols; ++k) {
        Column& c = b.columns[k];
        if (k < cells_.size() && present_[k]) {
          c.data += cells_[k];
          c.valid[r >> 3] |= static_cast<std::uint8_t>(1u << (r & 7));
        }
        c.offsets.push_back(c.data.size());
      }
      for (std::size_t e = ncols; e < cells_.size(); ++e) b.add_extra(cells_[e]);
      b.end_row();
    }
    for (auto& c : b.columns) c.valid.resize((b.rows + 7) / 8);
    return b.rows > 0;
  }

 private:
  static std::string text(const ojson& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.dump();
  }

  // Reads the next non-blank line into pending_.
  bool next_line() {
    while (true) {
      if (in_.pos() >= in_.end() && !in_.fill()) return false;
      const char* p = in_.data() + in_.pos();
      const char* e = in_.data() + in_.end();
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p)));
      if (!nl && !in_.at_eof()) {
        if (in_.fill()) continue;
        p = in_.data() + in_.pos();
        e = in_.data() + in_.end();
      }
      std::size_t len = nl ? static_cast<std::size_t>(nl - p) : static_cast<std::size_t>(e - p);
      line_offset_ = in_.consumed();
      line_len_ = len;
      std::string_view line(p, len);
      in_.advance(len + (nl ? 1 : 0));
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.empty()) continue;
      pending_ = parse_ordered_json(line, "the line", Location{row_ + 1, {}, line_offset_, in_.source().label()});
      return true;
    }
  }

  detail::LineBuffer in_;
  std::vector<std::string> labels_;
  std::unordered_map<std::string_view, const ojson*> members_;
  bool header_ = true;
  ojson pending_;
  bool have_pending_ = false;
  std::uint64_t row_ = 0, line_offset_ = 0;
  std::size_t line_len_ = 0;
  std::vector<std::string> cells_;
  std::vector<bool> present_;
};

}  // namespace

std::unique_ptr<RecordReader> jsonl_reader(std::unique_ptr<ByteSource> src, std::size_t max_record) {
  if (max_record > detail::kMaxRecordLimit)
    throw Error(Code::invalid_argument, "max_record is at most " + std::to_string(detail::kMaxRecordLimit) + " bytes");
  return std::make_unique<JsonlReader>(std::move(src), max_record);
}

}  // namespace civitas::schema
