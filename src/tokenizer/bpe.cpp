#include "tokenizer/bpe.h"

#include <algorithm>
#include <bit>

#include "core/error.h"

namespace fathom::tokenizer {

namespace {
constexpr uint64_t kEmpty = ~uint64_t{0};
}

void Bpe::PairTable::build(const std::vector<Merge>& merges) {
  // Load factor at most 1/2 keeps probe runs short.
  const size_t n = std::bit_ceil(std::max<size_t>(2 * merges.size(), 16));
  shift_ = 64 - std::countr_zero(n);
  slots_.assign(n, Slot{kEmpty, 0, 0});
  for (const Merge& m : merges) {
    const uint64_t k = key(m.left, m.right);
    for (size_t s = slot_of(k);; s = (s + 1) & (n - 1)) {
      if (slots_[s].key == kEmpty) {
        slots_[s] = {k, m.rank, m.result};
        break;
      }
      if (slots_[s].key == k) {  // a pair listed twice: the first (lowest) rank wins, as in llama.cpp
        if (m.rank < slots_[s].rank) slots_[s] = {k, m.rank, m.result};
        break;
      }
    }
  }
}

const Bpe::PairTable::Slot* Bpe::PairTable::find(int32_t left, int32_t right) const {
  const uint64_t k = key(left, right);
  const size_t mask = slots_.size() - 1;
  for (size_t s = slot_of(k);; s = (s + 1) & mask) {
    if (slots_[s].key == k) return &slots_[s];
    if (slots_[s].key == kEmpty) return nullptr;
  }
}

Bpe::Bpe(const Vocab& v) : whole_piece_first_(v.whole_piece_first) {
  byte_id_.fill(-1);
  for (size_t id = 0; id < v.bytes.size(); ++id) {
    if (v.types[id] != TokenType::Normal) continue;
    const std::string& b = v.bytes[id];
    if (b.size() == 1 && byte_id_[static_cast<uint8_t>(b[0])] < 0) byte_id_[static_cast<uint8_t>(b[0])] = int32_t(id);
    if (whole_piece_first_) piece_id_.emplace(b, int32_t(id));
  }
  for (int b = 0; b < 256; ++b) {
    if (byte_id_[b] < 0) {
      throw Error(v.source + ": byte 0x" + "0123456789abcdef"[b >> 4] + "0123456789abcdef"[b & 15] +
                  " has no token (a byte-level BPE vocabulary needs all 256 bytes)");
    }
  }
  pairs_.build(v.merges);
}

void Bpe::encode(std::string_view piece, std::vector<int32_t>& out) const {
  if (piece.size() == 1) {
    out.push_back(byte_id_[static_cast<uint8_t>(piece[0])]);
    return;
  }
  if (whole_piece_first_) {
    if (const auto it = piece_id_.find(piece); it != piece_id_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  if (piece.size() > kMaxCachedPiece) {
    merge(piece, out);
    return;
  }
  {
    std::lock_guard lock(cache_mu_);
    if (const auto it = cache_.find(piece); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t start = out.size();
  merge(piece, out);
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_.emplace(std::string(piece), std::vector<int32_t>(out.begin() + std::ptrdiff_t(start), out.end()));
}

void Bpe::merge(std::string_view piece, std::vector<int32_t>& out) const {
  // Symbols form a linked list over the piece's bytes; a merge folds the right symbol
  // into the left one, so a symbol's index is its position and orders ties leftmost.
  struct Symbol {
    int32_t id, prev, next;
  };
  struct Candidate {
    uint32_t rank;
    int32_t left, left_id, right_id, result;
  };
  thread_local std::vector<Symbol> sym;
  thread_local std::vector<Candidate> heap;
  const auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  const int32_t n = static_cast<int32_t>(piece.size());
  sym.resize(size_t(n));
  heap.clear();
  const auto candidate = [&](int32_t l, int32_t r) {
    const PairTable::Slot* m = pairs_.find(sym[l].id, sym[r].id);
    if (m != nullptr) heap.push_back({m->rank, l, sym[l].id, sym[r].id, m->result});
    return m != nullptr;
  };
  const auto consider = [&](int32_t l, int32_t r) {
    if (candidate(l, r)) std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i < n; ++i) sym[i] = {byte_id_[static_cast<uint8_t>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
  for (int32_t i = 0; i + 1 < n; ++i) candidate(i, i + 1);
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate c = heap.back();
    heap.pop_back();
    // A candidate is stale when either side has merged since it was queued.
    Symbol& l = sym[c.left];
    if (l.id != c.left_id || l.next < 0 || sym[l.next].id != c.right_id) continue;
    Symbol& r = sym[l.next];
    l.id = c.result;
    r.id = -1;
    l.next = r.next;
    if (l.next >= 0) sym[l.next].prev = c.left;
    if (l.prev >= 0) consider(l.prev, c.left);
    if (l.next >= 0) consider(c.left, l.next);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

}  // namespace fathom::tokenizer
