#include <cstdlib>
#include <cstring>

#include "guard.hpp"
#include "versioned.hpp"

// Every CIV_E* equals the civitas::Code of the same meaning (core/include/civitas/error.hpp).
#define CIV_SAME_CODE(c, code) \
  static_assert(static_cast<int>(c) == static_cast<int>(civitas::Code::code), #c " differs from civitas::Code::" #code)
CIV_SAME_CODE(CIV_OK, ok);
CIV_SAME_CODE(CIV_EINVAL, invalid_argument);
CIV_SAME_CODE(CIV_ENOMEM, out_of_memory);
CIV_SAME_CODE(CIV_EINTERNAL, internal);
CIV_SAME_CODE(CIV_EIO, io);
CIV_SAME_CODE(CIV_ENOTFOUND, not_found);
CIV_SAME_CODE(CIV_EPARSE, parse);
CIV_SAME_CODE(CIV_EINTEGRITY, integrity);
CIV_SAME_CODE(CIV_EKEY, wrong_key);
CIV_SAME_CODE(CIV_EVERSION, unsupported_version);
CIV_SAME_CODE(CIV_EEXISTS, exists);
CIV_SAME_CODE(CIV_EBUSY, busy);
CIV_SAME_CODE(CIV_EDENIED, denied);
CIV_SAME_CODE(CIV_ESIGNATURE, bad_signature);
CIV_SAME_CODE(CIV_EREPLAY, replay);
CIV_SAME_CODE(CIV_EUNKNOWNKEY, unknown_key);
CIV_SAME_CODE(CIV_ENOTRECIPIENT, not_recipient);
CIV_SAME_CODE(CIV_ETRUNCATED, truncated);
CIV_SAME_CODE(CIV_ESCHEMA, schema_mismatch);
CIV_SAME_CODE(CIV_EBUFFER, buffer_too_small);
CIV_SAME_CODE(CIV_EINVALIDDATA, invalid_data);
#undef CIV_SAME_CODE

namespace civitas::capi {

void check_version(unsigned version, std::size_t current, const char* type) {
  if (version < 1 || version > current)
    throw Error(Code::invalid_argument, std::string(type) + ".version is " + std::to_string(version) +
                                            ": this civitas accepts versions 1 to " + std::to_string(current) +
                                            " (initialise it with its *_INIT macro or *_init function)");
}

void check_capacity(std::size_t needed, std::size_t capacity, const char* name) {
  if (capacity < needed)
    throw Error(Code::buffer_too_small, std::string(name) + " holds " + std::to_string(capacity) +
                                            " bytes; " + std::to_string(needed) + " are needed");
}

namespace {

struct LastError {
  int code = CIV_OK;
  std::string message;
  civ_error view{CIV_OK, ""};
};
thread_local LastError t_last;

}  // namespace

int set_error(int code, const std::string& message) noexcept {
  t_last.code = code;
  try {
    t_last.message = message;
  } catch (...) {
    t_last.message.clear();
  }
  return code;
}

int set_ok() noexcept {
  t_last.code = CIV_OK;
  t_last.message.clear();
  return CIV_OK;
}

char* dup_out(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

}  // namespace civitas::capi

extern "C" {

const char* civ_version(void) { return CIV_VERSION_STRING; }

int civ_version_number(void) { return CIV_VERSION_MAJOR * 10000 + CIV_VERSION_MINOR * 100 + CIV_VERSION_PATCH; }

const civ_error* civ_error_last(void) {
  auto& l = civitas::capi::t_last;
  l.view.code = l.code;
  l.view.message = l.code == CIV_OK && l.message.empty() ? "no error" : l.message.c_str();
  return &l.view;
}

const char* civ_error_name(int code) {
  if (code > 0 || code < static_cast<int>(CIV_EINVALIDDATA)) return "unknown";
  return civitas::code_name(static_cast<civitas::Code>(code));
}

void civ_error_clear(void) { civitas::capi::set_ok(); }

void civ_free(void* ptr) { std::free(ptr); }

}  // extern "C"
