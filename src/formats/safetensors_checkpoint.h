// A Hugging Face checkpoint folder's weights: every shard mmap'd, tensors viewed in
// place, so a converter touches one tensor's pages at a time and memory stays bounded
// by what the kernel chooses to cache, not by the model's size.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "formats/safetensors.h"

namespace fathom::safetensors {

// The shards of a folder: those model.safetensors.index.json names (sorted, without
// checking they exist, so a planner can work from a partial download), else every
// *.safetensors file. Throws Error when there are none.
std::vector<std::string> checkpoint_files(const std::string& dir);

struct Tensor {
  TensorInfo info;
  std::string file;               // the shard holding it, for messages
  const uint8_t* data = nullptr;  // info.end - info.begin bytes, inside the mapping
  int64_t n_elements() const;
};

class Checkpoint {
 public:
  // Maps every shard. Throws Error naming the file for a missing shard, a tensor whose
  // byte range lies outside its file or disagrees with its dtype and shape, a tensor
  // the index places in another shard, or a name held by two shards.
  static std::unique_ptr<Checkpoint> open(const std::string& dir);
  ~Checkpoint();

  const std::string& dir() const { return dir_; }
  const Tensor* find(const std::string& name) const;  // nullptr when absent
  // The tensor, or Error("<dir>: no tensor <name> in the safetensors files").
  const Tensor& get(const std::string& name) const;
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }
  uint64_t data_bytes() const;

 private:
  Checkpoint() = default;
  struct Mapping;
  std::string dir_;
  std::map<std::string, Tensor> tensors_;
  std::vector<std::unique_ptr<Mapping>> maps_;
};

}  // namespace fathom::safetensors
