#include "formats/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace fathom::formats {

OutputFile::OutputFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_errno("creating", errno);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void OutputFile::fail_errno(const char* doing, int err) const {
  throw Error(path_ + ": " + doing + " " + tmp_ + ": " + std::strerror(err), ExitCode::Failure);
}

void OutputFile::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_errno("writing", errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void OutputFile::write_zeros(size_t n) {
  static const char kZeros[4096] = {};
  while (n > 0) {
    const size_t k = n < sizeof kZeros ? n : sizeof kZeros;
    write(kZeros, k);
    n -= k;
  }
}

void OutputFile::commit() {
  const int fd = fd_;
  fd_ = -1;
  // close() reports write-back errors of some file systems (NFS): check it.
  if (::close(fd) != 0) fail_errno("closing", errno);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail_errno("renaming", errno);
  committed_ = true;
}

}  // namespace fathom::formats
