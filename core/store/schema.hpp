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

class Store;
/// Work a migration needs beyond its SQL (converting rows), run right after that SQL inside
/// the same transaction.
void run_migration_code(int version, Store& db);

}  // namespace civitas::store
