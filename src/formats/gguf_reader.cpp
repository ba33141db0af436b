#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_error.h"
#include "formats/gguf_parse.h"
#include "formats/gguf_typed.h"

namespace fathom::gguf {

// A whole file mapped read-only; tensors view it for the File's lifetime.
struct File::Mapping {
  const uint8_t* data = nullptr;
  uint64_t size = 0;

  explicit Mapping(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, "open", std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      fail(path, "stat", std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      fail(path, "open", "not a regular file");
    }
    size = static_cast<uint64_t>(st.st_size);
    // mmap rejects length 0; an empty file is then reported by the parser as truncated.
    if (size > 0) {
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      const int err = errno;
      ::close(fd);
      if (p == MAP_FAILED) fail(path, "mmap", std::strerror(err));
      data = static_cast<const uint8_t*>(p);
    } else {
      ::close(fd);
    }
  }
  ~Mapping() {
    if (data) ::munmap(const_cast<uint8_t*>(data), size);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
};

File::~File() = default;

namespace {

// "dir/model-00002-of-00005.gguf" as written by llama.cpp's gguf-split.
struct SplitName {
  std::string prefix;  // "dir/model"
  int count = 0;

  std::string part(int index) const {  // 0-based index
    char buf[32];
    std::snprintf(buf, sizeof buf, "-%05d-of-%05d.gguf", index + 1, count);
    return prefix + buf;
  }
};

std::optional<SplitName> parse_split_name(const std::string& path) {
  constexpr std::string_view kSuffix = "-00000-of-00000.gguf";
  if (path.size() < kSuffix.size()) return std::nullopt;
  const std::string_view tail = std::string_view(path).substr(path.size() - kSuffix.size());
  int no = 0, count = 0;
  for (size_t k = 0; k < kSuffix.size(); ++k) {
    const char want = kSuffix[k], got = tail[k];
    if (want != '0') {
      if (got != want) return std::nullopt;
    } else if (got < '0' || got > '9') {
      return std::nullopt;
    } else {
      int& field = k < 7 ? no : count;
      field = field * 10 + (got - '0');
    }
  }
  if (count < 1 || no < 1 || no > count) {
    fail(path, "split file name",
         "part number, expected 1.." + std::to_string(count) + ", found " + std::to_string(no));
  }
  return SplitName{path.substr(0, path.size() - kSuffix.size()), count};
}

// A part of a split set must say which part it is and how many there are,
// matching its file name, or parts of two different models could be mixed.
void check_split_part(const ParsedFile& part, const std::string& path, int index, int count) {
  const uint64_t no = as_uint(path, "split.no", require_key(part.kv, path, "split.no"));
  if (no != static_cast<uint64_t>(index)) {
    fail(
        path, "key split.no",
        "expected " + std::to_string(index) + " (from the file name), found " + std::to_string(no));
  }
  const uint64_t n = as_uint(path, "split.count", require_key(part.kv, path, "split.count"));
  if (n != static_cast<uint64_t>(count)) {
    fail(path, "key split.count",
         "expected " + std::to_string(count) + " (from the file name), found " + std::to_string(n));
  }
}

}  // namespace

std::unique_ptr<File> File::open(const std::string& path, OpenOptions opts) {
  std::unique_ptr<File> f(new File());
  const std::optional<SplitName> split = parse_split_name(path);
  // The first part holds the metadata, so it names the set in messages.
  f->path_ = split ? split->part(0) : path;
  const int n_parts = split ? split->count : 1;
  std::vector<std::string> part_paths;
  for (int k = 0; k < n_parts; ++k) {
    part_paths.push_back(split ? split->part(k) : path);
    const std::string& part_path = part_paths.back();
    f->maps_.push_back(std::make_unique<Mapping>(part_path));
    const Mapping& m = *f->maps_.back();
    f->file_bytes_ += m.size;
    ParsedFile part = parse_file(m.data, m.size, part_path, opts.header_only);
    if (split) check_split_part(part, part_path, k, n_parts);
    for (TensorInfo& t : part.tensors) {
      t.file_index = k;
      f->tensors_.push_back(std::move(t));
    }
    if (k == 0) {  // later parts carry only their split.* keys
      f->version_ = part.version;
      f->alignment_ = part.alignment;
      f->kv_ = std::move(part.kv);
    }
  }

  if (split) {
    const std::string& first = part_paths[0];
    const uint64_t want =
        as_uint(first, "split.tensors.count", require_key(f->kv_, first, "split.tensors.count"));
    if (want != f->tensors_.size()) {
      fail(first, "key split.tensors.count",
           "expected " + std::to_string(f->tensors_.size()) + " (tensors in all " +
               std::to_string(n_parts) + " parts), found " + std::to_string(want));
    }
  }

  std::unordered_map<std::string_view, const TensorInfo*> names;
  for (const TensorInfo& t : f->tensors_) {
    if (auto [it, fresh] = names.emplace(t.name, &t); !fresh) {
      fail(part_paths[t.file_index], "tensor " + printable(t.name),
           "duplicate tensor name, first defined in " + part_paths[it->second->file_index]);
    }
  }
  return f;
}

}  // namespace fathom::gguf
