#include "common/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/error.hpp"

namespace gdl {

AtomicFile::AtomicFile(const std::string& target) : target_(target) {
  // mkstemp gives a unique name in the target's folder (same file system, so rename is atomic).
  std::string templ = target + ".tmpXXXXXX";
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
