// Internal: what backup.cpp shares with the rest of the workspace module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "civitas/store.hpp"
#include "civitas/workspace.hpp"

namespace civitas::workspace {

/// The signing keys listed by a department's public-key document whose self-signature
/// verifies (peers.cpp). Errors: those of Workspace::import_public's parsing.
std::vector<Peer> document_signing_keys(std::string_view text);

/// The audit-log origin of a workspace database: "civitas/audit/<department or workspace id>"
/// in epoch 1, with "/epoch-<n>" appended after a restore started epoch n (table
/// restored_from, docs/formats/backup.md).
std::string audit_origin(store::Store& db, const std::string& department, const std::string& workspace_id);

}  // namespace civitas::workspace
