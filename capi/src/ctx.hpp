// The object behind civ_ctx, shared by capi/src/workspace.cpp and crypto.cpp.
#pragma once

#include <memory>

#include "civitas/workspace.hpp"
#include "guard.hpp"

struct civ_ctx {
  std::unique_ptr<civitas::workspace::Workspace> ws;
};

namespace civitas::capi {

inline workspace::Workspace& ws_of(civ_ctx* ctx) {
  require(ctx, "ctx");
  if (!ctx->ws) throw Error(Code::invalid_argument, "ctx is not open");
  return *ctx->ws;
}

/// Copies bytes into a malloc'd buffer for the caller (freed with civ_free); adds a NUL.
template <class T>
T* dup_bytes(const void* p, std::size_t n) {
  void* out = std::malloc(n + 1);
  if (!out) throw std::bad_alloc();
  if (n) std::memcpy(out, p, n);
  static_cast<char*>(out)[n] = '\0';
  return static_cast<T*>(out);
}

}  // namespace civitas::capi
