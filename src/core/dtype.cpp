#include "core/dtype.h"

#include <array>
#include <cctype>

#include "core/error.h"

namespace fathom {
namespace {

constexpr uint32_t kTypeCount = 40;

// Indexed by ggml type id. Ids 4 and 5 (q4_2, q4_3) were dropped before GGUF
// existed, so no file can carry them. The repacked ids 31-33 and 36-38 were
// written into GGUF files in late 2024; ggml no longer reads them, but their
// historical layout (Q4_0 / IQ4_NL blocks) keeps such files sizeable and nameable.
constexpr std::array<TypeTraits, kTypeCount> kTraits = {{
    {"f32", 1, 4, true},            // 0
    {"f16", 1, 2, true},            // 1
    {"q4_0", 32, 18, true},         // 2
    {"q4_1", 32, 20, false},        // 3
    {nullptr, 0, 0, false},         // 4: q4_2, removed
    {nullptr, 0, 0, false},         // 5: q4_3, removed
    {"q5_0", 32, 22, false},        // 6
    {"q5_1", 32, 24, false},        // 7
    {"q8_0", 32, 34, true},         // 8
    {"q8_1", 32, 36, false},        // 9
    {"q2_K", 256, 84, false},       // 10
    {"q3_K", 256, 110, false},      // 11
    {"q4_K", 256, 144, true},       // 12
    {"q5_K", 256, 176, true},       // 13
    {"q6_K", 256, 210, true},       // 14
    {"q8_K", 256, 292, false},      // 15: activations only
    {"iq2_xxs", 256, 66, false},    // 16
    {"iq2_xs", 256, 74, false},     // 17
    {"iq3_xxs", 256, 98, false},    // 18
    {"iq1_s", 256, 50, false},      // 19
    {"iq4_nl", 32, 18, false},      // 20
    {"iq3_s", 256, 110, false},     // 21
    {"iq2_s", 256, 82, false},      // 22
    {"iq4_xs", 256, 136, false},    // 23
    {"i8", 1, 1, false},            // 24
    {"i16", 1, 2, false},           // 25
    {"i32", 1, 4, false},           // 26
    {"i64", 1, 8, false},           // 27
    {"f64", 1, 8, false},           // 28
    {"iq1_m", 256, 56, false},      // 29
    {"bf16", 1, 2, true},           // 30
    {"q4_0_4_4", 32, 18, false},    // 31: removed, repacked q4_0
    {"q4_0_4_8", 32, 18, false},    // 32: removed, repacked q4_0
    {"q4_0_8_8", 32, 18, false},    // 33: removed, repacked q4_0
    {"tq1_0", 256, 54, false},      // 34
    {"tq2_0", 256, 66, false},      // 35
    {"iq4_nl_4_4", 32, 18, false},  // 36: removed, repacked iq4_nl
    {"iq4_nl_4_8", 32, 18, false},  // 37: removed, repacked iq4_nl
    {"iq4_nl_8_8", 32, 18, false},  // 38: removed, repacked iq4_nl
    {"mxfp4", 32, 17, true},        // 39
}};

bool iequals(const std::string& a, const char* b) {
  size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

const TypeTraits* type_traits(uint32_t id) {
  if (id >= kTypeCount || kTraits[id].name == nullptr) return nullptr;
  return &kTraits[id];
}

std::string type_name(uint32_t id) {
  const TypeTraits* t = type_traits(id);
  return t ? std::string(t->name) : "type#" + std::to_string(id);
}

bool parse_dtype(const std::string& name, DType* out) {
  for (uint32_t id = 0; id < kTypeCount; ++id) {
    const TypeTraits* t = type_traits(id);
    if (t && iequals(name, t->name)) {
      // Only ids that DType names are representable; others parse as unknown.
      switch (static_cast<DType>(id)) {
        case DType::F32:
        case DType::F16:
        case DType::Q4_0:
        case DType::Q8_0:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
        case DType::Q8_K:
        case DType::BF16:
        case DType::MXFP4: *out = static_cast<DType>(id); return true;
      }
      return false;
    }
  }
  return false;
}

int64_t row_bytes(DType t, int64_t n) {
  const TypeTraits* tr = type_traits(static_cast<uint32_t>(t));
  if (!tr) throw Error("row_bytes: unknown type id " + std::to_string(static_cast<uint32_t>(t)));
  if (n < 0 || n % tr->block_elems != 0) {
    throw Error(std::string("row_bytes: ") + tr->name + " row of " + std::to_string(n) +
                " elements is not a multiple of its block size " + std::to_string(tr->block_elems));
  }
  return n / tr->block_elems * tr->block_bytes;
}

}  // namespace fathom
