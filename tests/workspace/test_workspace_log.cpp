// The workspace's audit log: sensitive actions land in it through the workspace's sink.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>

#include "civitas/audit.hpp"
#include "civitas/error.hpp"
#include "civitas/ids.hpp"
#include "civitas/workspace.hpp"

namespace a = civitas::audit;
namespace c = civitas::crypto;
namespace w = civitas::workspace;

TEST_CASE("workspace creation, key rotation, decryption and token reversal are audited and verifiable") {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("civitas-audit-ws-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "ws.db").string();
  std::string dept = std::string("91110000MA0000000") + civitas::ids::uscc_check_char("91110000MA0000000");
  c::SecretBytes master = c::SecretBytes::random(32);
  {
    w::CreateOptions o;
    o.department = dept;
    auto ws = w::Workspace::create(path, w::KeySource::raw_key(master.clone()), o);
    auto al = a::WorkspaceLog::attach(*ws, "alice");  // created with the default user; now alice
    CHECK(al->log().origin() == "civitas/audit/" + dept);
    CHECK(al->log().size() == 1);
    CHECK(al->log().get(0).entry.action == "workspace.create");

    ws->rotate(c::Purpose::field);
    auto ct = ws->encrypt_field("secret", {"res", "name", "r1"});
    CHECK(ws->decrypt_field(ct.data(), ct.size(), {"res", "name", "r1"}) == "secret");
    auto tok = ws->tokenize("110101199003074514", "ric");
    CHECK(ws->detokenize(tok.data(), tok.size(), "ric") == "110101199003074514");
    std::string first = al->checkpoint();
    ws->rotate(c::Purpose::checkpoint);  // later checkpoints use the new key
    std::string second = al->checkpoint();
    CHECK(a::open_checkpoint(second, {al->verifier()}).size == 5);
    CHECK_THROWS_AS(a::open_checkpoint(first, {al->verifier()}), civitas::Error);
    auto rep = al->verify({first});
    for (auto& p : rep.problems) MESSAGE(p.kind << ": " << p.message);
    CHECK(rep.ok());

    a::Filter f;
    f.actor_dept = dept;
    f.actor_user = "alice";
    auto es = al->log().query(f);
    std::vector<std::string> actions;
    for (auto& e : es) actions.push_back(e.entry.action);
    CHECK(actions == std::vector<std::string>{"key.rotate", "field.decrypt", "token.reverse", "key.rotate"});
  }
  {
    auto ws = w::Workspace::open(path, w::KeySource::raw_key(master.clone()));
    auto al = a::WorkspaceLog::attach(*ws, "bob");
    CHECK(al->log().size() == 5);  // reopening does not record a second creation
    CHECK(al->verify().ok());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
