// AtomicFile: temporary files name their writer's pid; a dead writer's are removed by the
// next write to the same target, a live one's are kept.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "common/atomic_file.hpp"
#include "common/process.hpp"

namespace {
bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}
void touch(const std::string& p) { std::ofstream f(p); }
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}
}  // namespace

TEST_CASE("stale temporary files of dead writers are removed, live ones kept", "[common]") {
  std::string target = "/tmp/gdl_atomic_" + std::to_string(::getpid()) + ".out";
  pid_t dead = dead_pid();
  REQUIRE_FALSE(gdl::process_alive(dead));
  REQUIRE(gdl::process_alive(::getppid()));
  std::string stale = target + ".tmp" + std::to_string(dead) + ".Ab12Cd";
  std::string live = target + ".tmp" + std::to_string(::getppid()) + ".Xy34Zw";
  std::string other = target + "2.tmp" + std::to_string(dead) + ".Qr56St";  // another target
  std::string odd = target + ".tmpnotapid";
  for (const auto& p : {stale, live, other, odd}) touch(p);
  {
    gdl::AtomicFile f(target);
    CHECK(f.temp_path().rfind(target + ".tmp" + std::to_string(::getpid()) + ".", 0) == 0);
    { std::ofstream o(f.temp_path()); o << "x"; }
    f.commit();
  }
  CHECK(exists(target));
  CHECK_FALSE(exists(stale));
  CHECK(exists(live));
  CHECK(exists(other));
  CHECK(exists(odd));
  CHECK(gdl::remove_stale_temps(target) == 0);
  {
    gdl::AtomicFile f(target);  // not committed: its temporary file goes with it
    CHECK(exists(f.temp_path()));
  }
  for (const auto& p : {target, live, other, odd}) std::remove(p.c_str());
}

TEST_CASE("forked_child tells a fork from the loading process", "[common]") {
  CHECK_FALSE(gdl::forked_child());
  pid_t pid = fork();
  if (pid == 0) _exit(gdl::forked_child() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
