// The one exception-to-code wrapper every C entry point goes through.
#pragma once

#include <new>
#include <string>

#include "civitas/civitas.h"
#include "civitas/error.hpp"

namespace civitas::capi {

/// Records the calling thread's last error and returns code.
int set_error(int code, const std::string& message) noexcept;
/// Clears the calling thread's last error; returns CIV_OK.
int set_ok() noexcept;

/// Runs fn (which returns int) and turns every exception into a code + message.
template <class Fn>
int guard(Fn&& fn) noexcept {
  try {
    int rc = fn();
    if (rc == CIV_OK) set_ok();
    return rc;
  } catch (const civitas::Error& e) {
    return set_error(static_cast<int>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return set_error(CIV_ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return set_error(CIV_EINTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return set_error(CIV_EINTERNAL, "internal error: unknown exception");
  }
}

/// Throws Error(invalid_argument) naming the parameter when p is NULL.
inline void require(const void* p, const char* name) {
  if (!p) throw civitas::Error(civitas::Code::invalid_argument, std::string(name) + " must not be NULL");
}

/// A (pointer, length) input as a string_view; NULL is allowed only with length 0.
inline std::string_view view(const char* p, size_t n, const char* name) {
  if (!p && n) throw civitas::Error(civitas::Code::invalid_argument, std::string(name) + " is NULL with a non-zero length");
  return p ? std::string_view(p, n) : std::string_view();
}

/// Throws Error(buffer_too_small) naming the buffer when capacity < needed.
void check_capacity(std::size_t needed, std::size_t capacity, const char* name);

/// Copies s into a malloc'd NUL-terminated string for the caller (freed with civ_free).
char* dup_out(const std::string& s);

}  // namespace civitas::capi
