// Internal: provider sequence statements (statements.cpp), consulted by package openings
// (packages.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "impl.hpp"

namespace civitas::workspace {

/// Throws when a package from `provider` with `sequence` must be refused because of the
/// sequence statements: denied (a restore made this workspace wait for the provider's
/// statement, none imported since), replay (at or below the stated last sequence number),
/// integrity (the statement tables do not authenticate). Inside or outside a transaction.
void check_sequence_statement(Workspace::Impl& ws, const std::string& provider, std::uint64_t sequence);

}  // namespace civitas::workspace
