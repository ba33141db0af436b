// Byte-pair encoding of one pre-tokenized piece: start from its bytes, repeatedly merge
// the adjacent pair of lowest rank (leftmost on ties). A heap keeps long pieces
// O(n log n); a bounded cache serves the pieces natural text repeats.
#pragma once
#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace fathom::tokenizer {

class Bpe {
 public:
  // Throws Error when a byte has no token of its own: byte-level BPE needs all 256.
  explicit Bpe(const Vocab& v);
  // Appends the ids of `piece` (any bytes) to out.
  void encode(std::string_view piece, std::vector<int32_t>& out) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  // (left, right) -> merge, open addressing: the table is hit once per candidate pair.
  class PairTable {
   public:
    struct Slot {
      uint64_t key;
      uint32_t rank;
      int32_t result;
    };
    void build(const std::vector<Merge>& merges);
    const Slot* find(int32_t left, int32_t right) const;

   private:
    static uint64_t key(int32_t l, int32_t r) { return (uint64_t(uint32_t(l)) << 32) | uint32_t(r); }
    size_t slot_of(uint64_t k) const { return (k * 0x9E3779B97F4A7C15ull) >> shift_; }
    std::vector<Slot> slots_;
    int shift_ = 64;
  };

  void merge(std::string_view piece, std::vector<int32_t>& out) const;

  std::array<int32_t, 256> byte_id_{};
  PairTable pairs_;
  bool whole_piece_first_ = false;
  StringMap<int32_t> piece_id_;  // ordinary tokens by bytes, for whole_piece_first

  static constexpr size_t kMaxCachedPiece = 64;
  static constexpr size_t kMaxCacheEntries = 1 << 16;  // then the cache starts over
  mutable std::mutex cache_mu_;
  mutable StringMap<std::vector<int32_t>> cache_;
};

}  // namespace fathom::tokenizer
