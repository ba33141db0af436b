// The one bounds-checked reader over untrusted GGUF bytes: every read is checked
// against the end of the buffer, and every error names the file and the place.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "formats/gguf_error.h"

namespace fathom::gguf {

static_assert(std::endian::native == std::endian::little,
              "GGUF is little-endian; reads below copy bytes as they are");

class Cursor {
 public:
  Cursor(const uint8_t* data, uint64_t size, std::string_view path)
      : data_(data), size_(size), path_(path) {}

  uint64_t pos() const { return pos_; }
  uint64_t size() const { return size_; }
  uint64_t remaining() const { return size_ - pos_; }

  // What is being read, for messages ("header", "key general.name", "tensor x").
  void set_where(std::string where) { where_ = std::move(where); }
  const std::string& where() const { return where_; }

  [[noreturn]] void fail(std::string_view what) const { gguf::fail(path_, where_, what); }

  void need(uint64_t n, const char* what) const {
    if (n > remaining()) {
      fail(std::string("unexpected end of file reading ") + what + " at offset " +
           std::to_string(pos_) + ", expected " + std::to_string(n) + " bytes, found " +
           std::to_string(remaining()));
    }
  }

  template <class T>
  T read(const char* what) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  // A GGUF string: u64 byte length, then the bytes (no terminator). The view
  // points into the buffer and lives as long as it.
  std::string_view read_string(const char* what) {
    const uint64_t len = read<uint64_t>(what);
    need(len, what);
    std::string_view s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return s;
  }

  // Rejects a count of items of at least min_bytes each that cannot fit in what is
  // left, so a corrupt count never drives an allocation or a long loop.
  void check_count(uint64_t count, uint64_t min_bytes, const char* what) const {
    const uint64_t most = remaining() / min_bytes;
    if (count > most) {
      fail(std::string(what) + " too large for the " + std::to_string(remaining()) +
           " bytes left in the file, expected at most " + std::to_string(most) + ", found " +
           std::to_string(count));
    }
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string_view path_;
  std::string where_;
};

}  // namespace fathom::gguf
