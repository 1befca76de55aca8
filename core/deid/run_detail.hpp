// Internal: test hooks of `civitas deid run` (core/deid/run.cpp).
#pragma once

#include <cstddef>

namespace civitas::deid::detail {

/// Work is split over two threads from `bytes` of input (the in-place split of a plain file)
/// and from `rows` records (interning); defaults 1 MB and 16384 rows, and never on a machine
/// of one core. Tests set them low so that small files take the two-thread paths too.
void set_parallel_min(std::size_t bytes, std::size_t rows) noexcept;

}  // namespace civitas::deid::detail
