#include "formats/npy.h"

#include <bit>

#include "core/error.h"
#include "formats/output_file.h"

namespace fathom::npy {
namespace {

static_assert(std::endian::native == std::endian::little, "'<f4' data is written as it lies");

constexpr char kMagic[] = "\x93NUMPY\x01\x00";  // format version 1.0
constexpr size_t kPreamble = 6 + 2 + 2;         // magic, version, u16 header length

// NumPy's own rendering of a shape tuple: "()", "(5,)", "(2, 3)".
std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t k = 0; k < shape.size(); ++k) {
    if (k) s += ", ";
    s += std::to_string(shape[k]);
  }
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

void write_f32(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) {
      throw Error(path + ": npy shape " + shape_text(shape) + " is invalid", ExitCode::Failure);
    }
  }
  uint64_t n_bytes;
  if (__builtin_mul_overflow(n, uint64_t{sizeof(float)}, &n_bytes)) {
    throw Error(path + ": npy shape " + shape_text(shape) + " is too large", ExitCode::Failure);
  }

  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Like NumPy: pad with spaces and end in '\n' so the data starts 64-byte aligned.
  const size_t total = (kPreamble + header.size() + 1 + 63) / 64 * 64;
  header.append(total - kPreamble - header.size() - 1, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) {
    throw Error(path + ": npy header too long for format 1.0", ExitCode::Failure);
  }
  const uint16_t len = static_cast<uint16_t>(header.size());

  formats::OutputFile out(path);
  out.write(kMagic, 8);
  out.write(&len, sizeof len);
  out.write(header.data(), header.size());
  out.write(data, n_bytes);
  out.commit();
}

}  // namespace fathom::npy
