// Internal: the migrations of the store's own table (module_schema).
#pragma once

#include <vector>

#include "civitas/store.hpp"

namespace civitas::store {

const std::vector<Migration>& own_migrations();

}  // namespace civitas::store
