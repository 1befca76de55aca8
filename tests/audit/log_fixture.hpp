// A fresh workspace database (store only, random page key) in a temporary directory.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "civitas/audit.hpp"
#include "civitas/crypto.hpp"
#include "civitas/ids.hpp"
#include "civitas/store.hpp"

struct LogFixture {
  std::filesystem::path dir;
  std::string path;
  civitas::crypto::SecretBytes page_key = civitas::crypto::SecretBytes::random(32);
  std::unique_ptr<civitas::store::Store> db;
  std::unique_ptr<civitas::audit::Log> log;
  civitas::crypto::Key key = civitas::crypto::generate_key(civitas::crypto::Purpose::checkpoint);

  LogFixture() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("civitas-audit-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    path = (dir / "ws.db").string();
    civitas::store::OpenOptions o;
    o.create = true;
    db = std::make_unique<civitas::store::Store>(path, page_key, o);
    log = std::make_unique<civitas::audit::Log>(*db, "civitas.test/audit");
  }
  ~LogFixture() {
    log.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::unique_ptr<civitas::store::Store> second_connection() {
    return std::make_unique<civitas::store::Store>(path, page_key);
  }
  civitas::audit::NoteVerifier verifier() const { return log->verifier(key); }

  static std::string dept() {
    static std::string d = std::string("91110000MA0000000") + civitas::ids::uscc_check_char("91110000MA0000000");
    return d;
  }
  static civitas::audit::Event event(int i, const std::string& action = "data.read") {
    civitas::audit::Event e;
    e.actor_dept = dept();
    e.actor_user = "user" + std::to_string(i % 3);
    e.action = action;
    e.resource = "res-" + std::to_string(i % 5);
    e.purpose = "test";
    e.details = "{\"i\":" + std::to_string(i) + "}";
    return e;
  }
};
