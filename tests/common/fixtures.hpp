// Fixtures shared by the doctest suites: a temporary directory, the code of a thrown
// civitas::Error, and child processes that must all succeed.
// (Include as "common/fixtures.hpp": tests/ is on every suite's include path.)
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "civitas/error.hpp"

namespace civitas::test {

/// A fresh directory /tmp/<prefix>-XXXXXX, removed with everything in it at the end of the test.
struct TempDir {
  std::filesystem::path p;
  explicit TempDir(const std::string& prefix = "civitas-test") {
    std::string t = "/tmp/" + prefix + "-XXXXXX";
    p = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(p); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& n) const { return (p / n).string(); }
};

/// The code of the civitas::Error that f throws, or Code::ok when it throws none.
inline Code code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Code::ok;
}

/// Forks n child processes that run body(0) … body(n - 1) at once; a child exits 0 when its
/// body returns and 1 when it throws. Waits for them all and checks that each exited 0.
inline void in_child_processes(int n, const std::function<void(int)>& body) {
  std::vector<pid_t> kids;
  for (int i = 0; i < n; ++i) {
    pid_t k = ::fork();
    REQUIRE(k >= 0);
    if (k == 0) {
      int rc = 0;
      try {
        body(i);
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
    kids.push_back(k);
  }
  for (pid_t k : kids) {
    int st = 0;
    ::waitpid(k, &st, 0);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
  }
}

}  // namespace civitas::test
