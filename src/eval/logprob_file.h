// The base file of a KL-divergence comparison: for every scored token of the texts, its
// id and the reference model's full log-softmax row (float32), so KLD against a
// candidate is exact, not estimated from a top-k. Recorded with it: the hash of the
// token ids (texts and windows), of the vocabulary and the window settings, which a
// candidate run must match, and the reference model's name, for the report.
#pragma once
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace fathom::eval {

struct LogprobFileInfo {
  uint32_t n_vocab = 0;
  uint64_t n_rows = 0;
  uint64_t text_hash = 0;       // token ids of every text, in order
  uint64_t tokenizer_hash = 0;  // every token's bytes, in id order
  int64_t ctx = 0, stride = 0;
  std::string model;            // the reference model's name
};

class LogprobWriter {
 public:
  // Rows are appended as they come; the header is completed by finish().
  LogprobWriter(const std::string& path, const LogprobFileInfo& info);
  void add(int32_t target, std::span<const float> logprobs);
  void finish();  // writes the row count; the file is complete

 private:
  std::string path_, tmp_;
  LogprobFileInfo info_;
  std::ofstream out_;
};

class LogprobReader {
 public:
  explicit LogprobReader(const std::string& path);
  const LogprobFileInfo& info() const { return info_; }
  // The next row; throws when the file ends early.
  int32_t next(std::vector<float>& logprobs);

 private:
  std::string path_;
  LogprobFileInfo info_;
  std::ifstream in_;
  uint64_t read_ = 0;
};

// FNV-1a over bytes, continuing from h.
uint64_t fnv1a(const void* data, size_t n, uint64_t h = 14695981039346656037ull);

}  // namespace fathom::eval
