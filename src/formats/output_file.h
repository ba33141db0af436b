// A file that appears under its final name only when complete: bytes go to
// path + ".tmp", commit() renames it; destroyed uncommitted (an error on the way),
// it removes the temporary file so no half-written output is ever left behind.
#pragma once
#include <cstddef>
#include <string>

namespace fathom::formats {

class OutputFile {
 public:
  explicit OutputFile(std::string path);  // throws Error when the temp file cannot be created
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const void* data, size_t n);
  void write_zeros(size_t n);
  void commit();

 private:
  [[noreturn]] void fail_errno(const char* doing, int err) const;

  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace fathom::formats
