#include "common/atomic_file.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "common/error.hpp"
#include "common/process.hpp"

namespace gdl {

namespace {
struct DirCloser {
  void operator()(DIR* d) const {
    if (d) closedir(d);
  }
};

void split_path(const std::string& p, std::string* dir, std::string* base) {
  auto slash = p.find_last_of('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *base = p;
  } else {
    *dir = slash == 0 ? "/" : p.substr(0, slash);
    *base = p.substr(slash + 1);
  }
}

// The pid in "<base>.tmp<pid>.<suffix>", or 0 when name is not a temporary file of base.
pid_t temp_owner(const std::string& name, const std::string& base) {
  std::string prefix = base + ".tmp";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  std::size_t i = prefix.size(), j = i;
  while (j < name.size() && name[j] >= '0' && name[j] <= '9') ++j;
  if (j == i || j - i > 10 || j >= name.size() - 1 || name[j] != '.') return 0;
  long pid = std::strtol(name.substr(i, j - i).c_str(), nullptr, 10);
  return pid > 0 ? static_cast<pid_t>(pid) : 0;
}
}  // namespace

int remove_stale_temps(const std::string& target) {
  std::string dir, base;
  split_path(target, &dir, &base);
  std::unique_ptr<DIR, DirCloser> d(opendir(dir.c_str()));
  if (!d) return 0;
  int removed = 0;
  pid_t me = current_pid();
  while (dirent* e = readdir(d.get())) {
    std::string name(e->d_name);
    pid_t owner = temp_owner(name, base);
    if (owner == 0 || owner == me || process_alive(owner)) continue;
    if (std::remove((dir + "/" + name).c_str()) == 0) ++removed;
  }
  return removed;
}

AtomicFile::AtomicFile(const std::string& target) : target_(target) {
  remove_stale_temps(target);
  // mkstemp gives a unique name in the target's folder (same file system, so rename is atomic);
  // the pid in the name lets a later write tell a dead writer's leftovers from a live one's.
  std::string templ = target + ".tmp" + std::to_string(current_pid()) + ".XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  int fd = mkstemp(buf.data());
  if (fd < 0) fail("cannot create a file beside '", target, "': ", std::strerror(errno));
  // mkstemp creates the file 0600; give it the permissions an ordinary open() would.
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  close(fd);
  temp_.assign(buf.data());
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  if (std::rename(temp_.c_str(), target_.c_str()) != 0)
    fail("cannot write '", target_, "': ", std::strerror(errno));
  committed_ = true;
}

}  // namespace gdl
