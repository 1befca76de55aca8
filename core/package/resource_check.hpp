// What PackageWriter does with a resource's bytes before they are packed: transcodes them to
// UTF-8 (package resources are always UTF-8, docs/formats/package.md) and validates a table
// against its schema as it streams by, so that a package never carries records that break
// their schema. Push style (the writer is fed by write()): the decoder is iconv with the tail
// of an incomplete sequence carried over; the validator runs schema::validate on a thread that
// pulls the decoded bytes from a bounded queue.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace civitas::package::detail {

class ResourceCheck {
 public:
  /// encoding: "" or "utf-8" = no transcoding; else anything iconv knows (gb18030, gbk…).
  /// validate: check the records when the resource has a schema and a tabular format (csv,
  /// tsv, jsonl). Throws Error(invalid_argument) for an unknown encoding or unusable schema.
  ResourceCheck(const std::string& name, const std::string& format, const nlohmann::json& schema,
                const std::string& encoding, bool validate);
  ~ResourceCheck();
  ResourceCheck(const ResourceCheck&) = delete;
  ResourceCheck& operator=(const ResourceCheck&) = delete;

  /// The UTF-8 form of the next input bytes (appended to out). Error(parse) with the byte
  /// offset when the input is not in the encoding.
  void feed(const void* data, std::size_t n, std::string& out);
  /// The end of the resource: appends what the decoder still holds, waits for the validator,
  /// and throws RecordsError (invalid_data, with the report) when records break the schema.
  void finish(std::string& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civitas::package::detail
