#include "formats/safetensors_checkpoint.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "nlohmann/json.hpp"

namespace fathom::safetensors {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kIndex = "model.safetensors.index.json";

// tensor name -> shard file name, from the index; empty without one.
std::map<std::string, std::string> read_index(const fs::path& dir) {
  std::map<std::string, std::string> map;
  const fs::path index = dir / kIndex;
  if (!fs::exists(index)) return map;
  std::ifstream in(index);
  const json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
    throw Error(index.string() + ": key weight_map: expected an object");
  }
  for (const auto& [tensor, file] : j["weight_map"].items()) {
    if (!file.is_string()) throw Error(index.string() + ": weight_map." + tensor + ": expected a file name");
    map[tensor] = file.get<std::string>();
  }
  return map;
}

}  // namespace

int64_t Tensor::n_elements() const {
  int64_t n = 1;
  for (int64_t d : info.shape) n *= d;
  return n;
}

struct Checkpoint::Mapping {
  void* addr = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (addr != MAP_FAILED) munmap(addr, size);
  }
};

std::vector<std::string> checkpoint_files(const std::string& dir_arg) {
  const fs::path dir(dir_arg);
  std::set<std::string> files;
  for (const auto& [tensor, file] : read_index(dir)) files.insert((dir / file).string());
  if (files.empty() && fs::is_directory(dir)) {
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".safetensors") files.insert(e.path().string());
    }
  }
  if (files.empty()) throw Error(dir_arg + ": no .safetensors files and no " + kIndex);
  return {files.begin(), files.end()};
}

std::unique_ptr<Checkpoint> Checkpoint::open(const std::string& dir) {
  std::unique_ptr<Checkpoint> c(new Checkpoint());
  c->dir_ = dir;
  const std::map<std::string, std::string> index = read_index(dir);
  for (const std::string& file : checkpoint_files(dir)) {
    if (!fs::exists(file)) throw Error(file + ": missing shard (named by " + std::string(kIndex) + ")");
    const Header h = read_header(file);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || fstat(fd, &st) != 0) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      throw Error(file + ": cannot open: " + std::strerror(err));
    }
    auto m = std::make_unique<Mapping>();
    m->size = static_cast<size_t>(st.st_size);
    m->addr = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (m->addr == MAP_FAILED) throw Error(file + ": cannot map: " + std::strerror(err), ExitCode::Failure);
    const uint64_t data_bytes = m->size - h.data_offset;
    const auto* base = static_cast<const uint8_t*>(m->addr) + h.data_offset;
    const std::string shard = fs::path(file).filename().string();
    for (const TensorInfo& info : h.tensors) {
      const std::string where = file + ": tensor " + info.name;
      Tensor t{info, file, base + info.begin};
      const int64_t elem = dtype_bytes(info.dtype);
      if (elem == 0) throw Error(where + ": unknown dtype " + info.dtype);
      if (static_cast<uint64_t>(t.n_elements() * elem) != info.end - info.begin) {
        throw Error(where + ": " + std::to_string(info.end - info.begin) + " bytes for " +
                    std::to_string(t.n_elements()) + " elements of " + info.dtype);
      }
      if (info.end > data_bytes) {
        throw Error(where + ": data ends at byte " + std::to_string(info.end) + " of a " + std::to_string(data_bytes) +
                    "-byte data section (truncated file?)");
      }
      if (const auto it = index.find(info.name); it != index.end() && it->second != shard) {
        throw Error(where + ": the index places it in " + it->second);
      }
      if (!c->tensors_.emplace(info.name, std::move(t)).second) {
        throw Error(where + ": also in " + c->tensors_.at(info.name).file);
      }
    }
    c->maps_.push_back(std::move(m));
  }
  for (const auto& [name, file] : index) {
    if (!c->tensors_.count(name)) throw Error(dir + "/" + file + ": tensor " + name + " named by the index is missing");
  }
  return c;
}

Checkpoint::~Checkpoint() = default;

const Tensor* Checkpoint::find(const std::string& name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const Tensor& Checkpoint::get(const std::string& name) const {
  const Tensor* t = find(name);
  if (t == nullptr) throw Error(dir_ + ": no tensor " + name + " in the safetensors files");
  return *t;
}

uint64_t Checkpoint::data_bytes() const {
  uint64_t n = 0;
  for (const auto& [name, t] : tensors_) n += t.info.end - t.info.begin;
  return n;
}

}  // namespace fathom::safetensors
