// AtomicFile: write to "<path>.tmpXXXXXX" beside the target, then rename() over it on commit().
// If commit() is never reached (an exception, an interrupt) the destructor removes the temporary
// file, so a failed write never leaves a half-written model, bigWig or MEME file behind.
#pragma once
#include <string>

namespace gdl {

class AtomicFile {
 public:
  explicit AtomicFile(const std::string& target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& target() const { return target_; }
  // Renames the temporary file onto the target. Throws gdl::Error when the rename fails.
  void commit();

 private:
  std::string target_;
  std::string temp_;
  bool committed_ = false;
};

}  // namespace gdl
