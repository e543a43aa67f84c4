// AtomicFile: write to "<path>.tmp<pid>.XXXXXX" beside the target, then rename() over it on
// commit(). If commit() is never reached (an exception, an interrupt) the destructor removes the
// temporary file, so a failed write never leaves a half-written model, bigWig or MEME file
// behind. A process killed outright (SIGKILL) cannot clean up; its temporary files name its pid,
// so the next write to the same target removes those whose process is gone (and only those: a
// live writer's file is kept).
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

// Removes "<target>.tmp<pid>.<suffix>" files beside target whose process <pid> no longer
// exists; returns how many were removed. Called by AtomicFile and by the R writers.
int remove_stale_temps(const std::string& target);

}  // namespace gdl
