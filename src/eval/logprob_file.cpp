#include "eval/logprob_file.h"

#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace fathom::eval {

namespace {

constexpr char kMagic[8] = {'F', 'T', 'H', 'M', 'L', 'P', '0', '1'};
constexpr size_t kNameBytes = 128;

// Fixed little-endian layout: magic, n_vocab u32, pad u32, n_rows u64, text hash u64,
// tokenizer hash u64, ctx i64, stride i64, model name (128 bytes, NUL-padded).
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 8 * 5 + kNameBytes;

template <typename T>
void put(std::string& b, T v) {
  b.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
T get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

std::string header_bytes(const LogprobFileInfo& i) {
  std::string b(kMagic, 8);
  put<uint32_t>(b, i.n_vocab);
  put<uint32_t>(b, 0);
  put<uint64_t>(b, i.n_rows);
  put<uint64_t>(b, i.text_hash);
  put<uint64_t>(b, i.tokenizer_hash);
  put<int64_t>(b, i.ctx);
  put<int64_t>(b, i.stride);
  std::string name = i.model.substr(0, kNameBytes - 1);
  name.resize(kNameBytes, '\0');
  return b + name;
}

}  // namespace

uint64_t fnv1a(const void* data, size_t n, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

LogprobWriter::LogprobWriter(const std::string& path, const LogprobFileInfo& info)
    : path_(path), tmp_(path + ".partial"), info_(info) {
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error(path + ": cannot create the logits file");
  const std::string h = header_bytes(info_);
  out_.write(h.data(), static_cast<std::streamsize>(h.size()));
}

void LogprobWriter::add(int32_t target, std::span<const float> logprobs) {
  if (logprobs.size() != info_.n_vocab) throw Error(path_ + ": row of " + std::to_string(logprobs.size()) + " values, expected " + std::to_string(info_.n_vocab));
  out_.write(reinterpret_cast<const char*>(&target), sizeof target);
  out_.write(reinterpret_cast<const char*>(logprobs.data()), static_cast<std::streamsize>(logprobs.size_bytes()));
  ++info_.n_rows;
}

void LogprobWriter::finish() {
  const std::string h = header_bytes(info_);
  out_.seekp(0);
  out_.write(h.data(), static_cast<std::streamsize>(h.size()));
  out_.close();
  if (!out_) throw Error(path_ + ": writing the logits file failed (disk full?)");
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) throw Error(path_ + ": cannot rename " + tmp_ + " into place");
}

LogprobReader::LogprobReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw Error(path + ": cannot open the base logits file");
  char h[kHeaderBytes];
  if (!in_.read(h, kHeaderBytes) || std::memcmp(h, kMagic, 8) != 0) {
    throw Error(path + ": not a fathom logits file (written by perplexity --save-logits)");
  }
  const char* p = h + 8;
  info_.n_vocab = get<uint32_t>(p);
  get<uint32_t>(p);
  info_.n_rows = get<uint64_t>(p);
  info_.text_hash = get<uint64_t>(p);
  info_.tokenizer_hash = get<uint64_t>(p);
  info_.ctx = get<int64_t>(p);
  info_.stride = get<int64_t>(p);
  info_.model = std::string(p, strnlen(p, kNameBytes));
  in_.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in_.tellg());
  const uint64_t want = kHeaderBytes + info_.n_rows * (4 + 4ull * info_.n_vocab);
  if (size != want) {
    throw Error(path + ": " + std::to_string(size) + " bytes, expected " + std::to_string(want) + " for " +
                std::to_string(info_.n_rows) + " rows of " + std::to_string(info_.n_vocab) + " (truncated?)");
  }
  in_.seekg(kHeaderBytes);
}

int32_t LogprobReader::next(std::vector<float>& logprobs) {
  if (read_ >= info_.n_rows) throw Error(path_ + ": the base file has fewer rows than the text has scored tokens");
  int32_t target = 0;
  logprobs.resize(info_.n_vocab);
  in_.read(reinterpret_cast<char*>(&target), sizeof target);
  in_.read(reinterpret_cast<char*>(logprobs.data()), static_cast<std::streamsize>(4ull * info_.n_vocab));
  if (!in_) throw Error(path_ + ": read failed at row " + std::to_string(read_));
  ++read_;
  return target;
}

}  // namespace fathom::eval
