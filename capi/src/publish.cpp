// C ABI of the publishing job (civitas/publish.h): Workspace::publish and
// Workspace::verify_publication[_with], with JSON in and out.
#include <nlohmann/json.hpp>

#include "civitas/json.hpp"
#include "civitas/publish.h"
#include "civitas/workspace.hpp"
#include "ctx.hpp"

using civitas::Code;
using civitas::Error;
using nlohmann::json;
using namespace civitas::capi;
using civitas::workspace::Workspace;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string text_member(const json& r, const char* k, bool required) {
  if (!r.contains(k) || r[k].is_null()) {
    if (required) throw Error(Code::invalid_argument, std::string("request_json needs \"") + k + "\"");
    return "";
  }
  if (r[k].is_string()) return r[k].get<std::string>();
  if (r[k].is_object()) return dump(r[k]);
  throw Error(Code::invalid_argument, std::string("request_json \"") + k + "\" must be a string or an object");
}

}  // namespace

extern "C" {

int civ_publish_run(char** out, civ_ctx* ctx, const char* request_json, size_t request_len, civ_publish_progress_fn progress,
                    void* user) {
  if (out) *out = nullptr;
  return guard([&] {
    auto& ws = ws_of(ctx);
    require(request_json, "request_json");
    const json r = civitas::parse_json(view(request_json, request_len, "request_json"), "request_json");
    if (!r.is_object()) throw Error(Code::invalid_argument, "request_json must be a JSON object");
    Workspace::PublishOptions o;
    const std::string data = text_member(r, "data", true), dir = text_member(r, "out", true);
    o.resource = text_member(r, "resource", true);
    o.schema_json = text_member(r, "schema", true);
    o.policy_json = text_member(r, "policy", false);
    o.spec_json = text_member(r, "spec", false);
    if (const std::string d = text_member(r, "spec_dir", false); !d.empty()) o.spec_dir = d;
    o.encoding = text_member(r, "encoding", false);
    if (const std::string d = text_member(r, "delimiter", false); !d.empty()) {
      if (d.size() != 1) throw Error(Code::invalid_argument, "request_json \"delimiter\" must be one character");
      o.delimiter = d[0];
    }
    if (progress)
      o.progress = [progress, user](std::string_view step, double done) {
        const std::string s(step);
        if (progress(s.c_str(), done, user) != 0) throw Error(Code::invalid_argument, "stopped by the progress callback");
      };
    try {
      json summary = ws.publish(data, dir, o);
      if (out) *out = dup_out(dump(summary));
    } catch (const Workspace::PublishRefused& e) {
      if (out)
        *out = dup_out(dump({{"refused", {{"reason", e.reason}, {"column", e.column}, {"rule", e.rule}, {"message", e.what()}}}}));
      throw;
    }
    return CIV_OK;
  });
}

int civ_publish_verify(char** out, civ_ctx* ctx, const char* dir, size_t dir_len) {
  if (out) *out = nullptr;
  return guard([&] {
    auto& ws = ws_of(ctx);
    require(dir, "dir");
    json v = ws.verify_publication(std::string(view(dir, dir_len, "dir")));
    if (out) *out = dup_out(dump(v));
    return CIV_OK;
  });
}

int civ_publish_verify_with(char** out, const char* dir, size_t dir_len, const char* key_document, size_t key_document_len) {
  if (out) *out = nullptr;
  return guard([&] {
    require(dir, "dir");
    require(key_document, "key_document");
    json v = Workspace::verify_publication_with(std::string(view(dir, dir_len, "dir")), view(key_document, key_document_len, "key_document"));
    if (out) *out = dup_out(dump(v));
    return CIV_OK;
  });
}

}  // extern "C"
