// The one version check of the structs a caller hands the C ABI (options, events, key
// sources, array elements). Every struct starts with `unsigned version`; every version from 1
// to the current one is accepted. A struct grows only by appending members and bumping its
// version; the table of sizes below each struct's reader records how large each version was.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "guard.hpp"

namespace civitas::capi {

/// Throws Error(invalid_argument) unless 1 <= version <= current.
void check_version(unsigned version, std::size_t current, const char* type);

// Each reader below takes `sizes`, the size of each version of T: sizes[v - 1] is the size of
// T as version v declared it (for an element of an array: sizeof of that declaration, the
// array's stride); the last entry is sizeof(T) of today's header.

/// A caller's struct of any version 1..N: the members its version has, over `defaults` (the
/// current defaults) for the members it does not have. NULL gives the defaults.
template <class T, std::size_t N>
T read_versioned(const T* in, const T& defaults, const std::size_t (&sizes)[N], const char* type) {
  static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>);
  if (!in) return defaults;
  check_version(in->version, N, type);
  T out = defaults;
  std::memcpy(&out, in, sizes[in->version - 1]);
  return out;
}

/// A caller's array of versioned structs: the version of element 0 gives the stride; every
/// element must carry that version.
template <class T, std::size_t N>
std::vector<T> read_versioned_array(const T* in, std::size_t count, const T& defaults,
                                    const std::size_t (&sizes)[N], const char* type) {
  static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>);
  std::vector<T> out;
  if (!count) return out;
  if (!in) throw Error(Code::invalid_argument, std::string(type) + " array is NULL with a non-zero count");
  check_version(in->version, N, type);
  const unsigned v = in->version;
  const std::size_t stride = sizes[v - 1];
  const auto* bytes = reinterpret_cast<const unsigned char*>(in);
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    unsigned ev;
    std::memcpy(&ev, bytes + i * stride, sizeof ev);
    if (ev != v)
      throw Error(Code::invalid_argument, std::string(type) + "[" + std::to_string(i) + "].version is " +
                                              std::to_string(ev) + ", element 0 has " + std::to_string(v) +
                                              ": every element of an array carries the same version");
    T e = defaults;
    std::memcpy(&e, bytes + i * stride, stride);
    out.push_back(e);
  }
  return out;
}

/// Body of the `*_init(ptr, version)` functions: writes the defaults of `version` (1..N), only
/// the bytes that version has (the caller's struct may be an older, smaller one).
template <class T, std::size_t N>
void init_versioned(T* out, unsigned version, const T& defaults, const std::size_t (&sizes)[N], const char* type) {
  require(out, type);
  check_version(version, N, type);
  T d = defaults;
  d.version = version;
  std::memcpy(out, &d, sizes[version - 1]);
}

}  // namespace civitas::capi
