#include <cstdlib>
#include <cstring>

#include "guard.hpp"

namespace civitas::capi {
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
