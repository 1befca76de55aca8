// Internal: the list of schema migrations.
#pragma once

#include <vector>

namespace civitas::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace civitas::store
