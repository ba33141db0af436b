// GGUF reading and writing: round trips, split sets, a third-party file, and
// corrupt or hostile files, which must end in fathom::Error and never in a crash.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "formats/npy.h"

namespace fathom::gguf {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

constexpr uint32_t kQ4_1 = 3;  // a ggml type fathom has no kernels for
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const uint8_t* data, size_t n) {
  // A fresh file rather than a truncated one: ext4 flushes truncated files on close,
  // which makes the thousands of rewrites below crawl.
  fs::remove(path);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  ASSERT_TRUE(out.good()) << path;
}
void write_bytes(const std::string& path, const Bytes& b) { write_bytes(path, b.data(), b.size()); }

// Deterministic tensor contents, different per tensor.
uint8_t pattern(int tensor, uint64_t k) { return static_cast<uint8_t>(k * 131 + tensor * 17 + 7); }
Writer::Fill fill_pattern(int tensor) {
  return [tensor](uint8_t* dst, uint64_t n) {
    for (uint64_t k = 0; k < n; ++k) dst[k] = pattern(tensor, k);
  };
}

// Runs f, which must throw fathom::Error whose message holds every one of `parts`.
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ExitCode::BadInput) << msg;
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << msg;
    return;
  }
  ADD_FAILURE() << "no fathom::Error thrown";
}

// Opening must end in a File or a fathom::Error; anything else fails the test.
// Everything a successful open exposes is read, so a sanitizer sees bad views.
volatile size_t touched;  // keeps those reads from being optimised away
bool opens(const std::string& path, OpenOptions opts = {}) {
  try {
    auto f = File::open(path, opts);
    size_t sink = 0;
    for (const KeyValue& kv : f->metadata()) sink += kv.value.to_string(4).size();
    for (const TensorInfo& t : f->tensors()) {
      if (!t.data) continue;
      for (uint64_t k = 0; k < t.n_bytes; ++k) sink += t.data[k];
    }
    touched = sink;
    return true;
  } catch (const Error&) {
    return false;
  }
}

class GgufTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fathom-gguf-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

// ---------------------------------------------------------------------------
// Round trip

Value nested_array() {
  Value inner1 = Value::i32_array({1, -2, 3});
  Value inner2 = Value::i32_array({});
  Value outer;
  outer.type = ValueType::ARRAY;
  outer.arr.elem_type = ValueType::ARRAY;
  outer.arr.items = {inner1, inner2};
  Value outer2;  // three levels: [[[1, -2, 3], []]]
  outer2.type = ValueType::ARRAY;
  outer2.arr.elem_type = ValueType::ARRAY;
  outer2.arr.items = {outer};
  return outer2;
}

Value scalar(ValueType t, uint64_t u, int64_t i = 0, double f = 0) {
  Value v;
  v.type = t;
  v.u = u;
  v.i = i;
  v.f = f;
  return v;
}

std::vector<KeyValue> every_value_type() {
  Value bool_array;
  bool_array.type = ValueType::ARRAY;
  bool_array.arr.elem_type = ValueType::BOOL;
  bool_array.arr.items = {Value::boolean(true), Value::boolean(false)};
  return {
      {"general.architecture", Value::str("llama")},
      {"t.u8", scalar(ValueType::U8, 255)},
      {"t.i8", scalar(ValueType::I8, 0, -128)},
      {"t.u16", scalar(ValueType::U16, 65535)},
      {"t.i16", scalar(ValueType::I16, 0, -32768)},
      {"t.u32", Value::u32(4000000000u)},
      {"t.i32", Value::i32(-2000000000)},
      {"t.f32", Value::f32(0.1f)},
      {"t.bool", Value::boolean(true)},
      {"t.string", Value::str("Привет, мир \n\"quoted\"")},
      {"t.u64", Value::u64(kU64Max)},
      {"t.i64", scalar(ValueType::I64, 0, std::numeric_limits<int64_t>::min())},
      {"t.f64", scalar(ValueType::F64, 0, 0, 3.141592653589793)},
      {"t.empty_string", Value::str("")},
      {"t.strings", Value::str_array({"a", "", "ü"})},
      {"t.floats", Value::f32_array({1.5f, -2.25f})},
      {"t.bools", bool_array},
      {"t.nested", nested_array()},
  };
}

void expect_same(const Value& want, const Value& got, const std::string& key) {
  ASSERT_EQ(want.type, got.type) << key;
  switch (want.type) {
    case ValueType::U8:
    case ValueType::U16:
    case ValueType::U32:
    case ValueType::U64:
    case ValueType::BOOL: EXPECT_EQ(want.u, got.u) << key; break;
    case ValueType::I8:
    case ValueType::I16:
    case ValueType::I32:
    case ValueType::I64: EXPECT_EQ(want.i, got.i) << key; break;
    case ValueType::F32: EXPECT_EQ(static_cast<float>(want.f), got.f) << key; break;
    case ValueType::F64: EXPECT_EQ(want.f, got.f) << key; break;
    case ValueType::STRING: EXPECT_EQ(want.s, got.s) << key; break;
    case ValueType::ARRAY:
      EXPECT_EQ(want.arr.elem_type, got.arr.elem_type) << key;
      ASSERT_EQ(want.arr.items.size(), got.arr.items.size()) << key;
      for (size_t k = 0; k < want.arr.items.size(); ++k) {
        expect_same(want.arr.items[k], got.arr.items[k], key + "[" + std::to_string(k) + "]");
      }
      break;
  }
}

struct TensorSpec {
  std::string name;
  std::vector<int64_t> dims;
  uint32_t type;
  uint64_t n_bytes;
};

std::vector<TensorSpec> tensor_specs() {
  return {
      {"token_embd.weight", {7, 3}, static_cast<uint32_t>(DType::F32), 7 * 3 * 4},
      {"f16.1d", {5}, static_cast<uint32_t>(DType::F16), 10},
      {"blk.0.attn_q.weight", {64, 2}, static_cast<uint32_t>(DType::Q8_0), 2 * 2 * 34},
      {"blk.0.ffn_down.weight", {256, 1, 2}, static_cast<uint32_t>(DType::Q4_K), 2 * 144},
      {"bf16.4d", {3, 2, 2, 2}, static_cast<uint32_t>(DType::BF16), 24 * 2},
      {"blk.0.ffn_gate_exps.weight", {32, 3}, static_cast<uint32_t>(DType::MXFP4), 3 * 17},
      {"unsupported.q4_1", {32}, kQ4_1, 20},
  };
}

void write_rich(const std::string& path, uint64_t alignment = 32) {
  Writer w;
  for (const KeyValue& kv : every_value_type()) w.set(kv.key, kv.value);
  if (alignment != 32) w.set_alignment(alignment);
  const auto specs = tensor_specs();
  for (size_t k = 0; k < specs.size(); ++k) {
    w.add_tensor(specs[k].name, specs[k].dims, specs[k].type, fill_pattern(static_cast<int>(k)));
  }
  w.write(path);
}

void expect_rich(const File& f, uint64_t alignment) {
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), alignment);
  auto want_kv = every_value_type();
  if (alignment != 32) want_kv.push_back({"general.alignment", Value::u32(alignment)});
  ASSERT_EQ(f.metadata().size(), want_kv.size());
  for (size_t k = 0; k < want_kv.size(); ++k) {
    EXPECT_EQ(f.metadata()[k].key, want_kv[k].key);
    expect_same(want_kv[k].value, f.metadata()[k].value, want_kv[k].key);
  }

  const auto specs = tensor_specs();
  ASSERT_EQ(f.tensors().size(), specs.size());
  uint64_t total = 0;
  for (size_t k = 0; k < specs.size(); ++k) {
    const TensorInfo& t = f.tensors()[k];
    EXPECT_EQ(t.name, specs[k].name);
    EXPECT_EQ(t.dims, specs[k].dims);
    EXPECT_EQ(t.type, specs[k].type);
    EXPECT_EQ(t.n_bytes, specs[k].n_bytes) << t.name;
    int64_t n = 1;
    for (int64_t d : specs[k].dims) n *= d;
    EXPECT_EQ(t.n_elements, n);
    EXPECT_EQ(t.offset % alignment, 0u);
    EXPECT_EQ(t.file_index, 0);
    ASSERT_NE(t.data, nullptr);
    // The mapping is page-aligned, so an aligned offset gives an aligned pointer.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % alignment, 0u) << t.name;
    for (uint64_t b = 0; b < t.n_bytes; ++b) {
      ASSERT_EQ(t.data[b], pattern(static_cast<int>(k), b)) << t.name << " byte " << b;
    }
    EXPECT_EQ(f.find_tensor(t.name), &t);
    total += t.n_bytes;
  }
  EXPECT_EQ(f.tensor_bytes(), total);
  EXPECT_EQ(f.find_tensor("absent"), nullptr);
}

class GgufRoundTrip : public GgufTest {};

TEST_F(GgufRoundTrip, EveryValueTypeNestedArraysAndTensorTypes) {
  const std::string p = path("rich.gguf");
  write_rich(p);
  EXPECT_FALSE(fs::exists(p + ".tmp"));
  auto f = File::open(p);
  expect_rich(*f, 32);
  EXPECT_EQ(f->file_bytes(), fs::file_size(p));
  EXPECT_EQ(f->file_bytes() % 32, 0u);  // padded after the last tensor, like ggml
  EXPECT_EQ(f->path(), p);
}

TEST_F(GgufRoundTrip, CustomAlignmentIsStoredAndHonoured) {
  const std::string p = path("aligned.gguf");
  write_rich(p, 256);
  auto f = File::open(p);
  expect_rich(*f, 256);
  EXPECT_EQ(f->find("general.alignment")->type, ValueType::U32);
}

TEST_F(GgufRoundTrip, AlignmentKeyFollowsSetAlignment) {
  Writer w;
  w.set("general.alignment", Value::u32(64));
  w.set("general.alignment", Value::u32(32));  // back to the default: key dropped
  w.add_tensor("x", {4}, 0, fill_pattern(0));
  w.write(path("a.gguf"));
  auto f = File::open(path("a.gguf"));
  EXPECT_EQ(f->find("general.alignment"), nullptr);
  EXPECT_EQ(f->alignment(), 32u);

  expect_error([&] { w.set_alignment(48); }, {"alignment", "48"});
  expect_error([&] { w.set_alignment(0); }, {"alignment"});
  expect_error([&] { w.set("general.alignment", Value::u64(64)); }, {"general.alignment", "u64"});
}

TEST_F(GgufRoundTrip, SetReplacesAnExistingKey) {
  Writer w;
  w.set("k", Value::u32(1));
  w.set("other", Value::u32(2));
  w.set("k", Value::str("two"));
  w.write(path("r.gguf"));
  auto f = File::open(path("r.gguf"));
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(f->metadata()[0].key, "k");
  EXPECT_EQ(f->get_string("k"), "two");
  EXPECT_TRUE(f->tensors().empty());
}

// ---------------------------------------------------------------------------
// Typed getters and value rendering

class GgufGetters : public GgufTest {};

TEST_F(GgufGetters, ConvertCheckAndName) {
  const std::string p = path("getters.gguf");
  write_rich(p);
  auto f = File::open(p);
  EXPECT_EQ(f->get_uint("t.u8"), 255u);
  EXPECT_EQ(f->get_uint("t.u64"), kU64Max);
  EXPECT_EQ(f->get_int("t.i32"), -2000000000);
  EXPECT_EQ(f->get_int("t.u32"), 4000000000);
  EXPECT_FLOAT_EQ(static_cast<float>(f->get_float("t.f32")), 0.1f);
  EXPECT_DOUBLE_EQ(f->get_float("t.f64"), 3.141592653589793);
  EXPECT_DOUBLE_EQ(f->get_float("t.u16"), 65535.0);
  EXPECT_TRUE(f->get_bool("t.bool"));
  EXPECT_EQ(f->get_string("general.architecture"), "llama");
  EXPECT_EQ(f->get_array("t.strings").items.size(), 3u);

  EXPECT_EQ(f->get_uint("absent", 7), 7u);
  EXPECT_DOUBLE_EQ(f->get_float("absent", 0.5), 0.5);
  EXPECT_FALSE(f->get_bool("absent", false));
  EXPECT_EQ(f->get_string("absent", "dflt"), "dflt");
  EXPECT_EQ(f->get_uint("t.u32", 1), 4000000000u);

  expect_error([&] { f->get_uint("t.i8"); }, {"getters.gguf", "key t.i8", "-128"});
  expect_error([&] { f->get_int("t.u64"); }, {"getters.gguf", "key t.u64"});
  expect_error([&] { f->get_uint("t.string"); }, {"getters.gguf", "key t.string", "found string"});
  expect_error([&] { f->get_string("t.u8"); }, {"key t.u8", "expected string, found u8"});
  expect_error([&] { f->get_bool("t.u8"); }, {"key t.u8", "expected bool"});
  expect_error([&] { f->get_array("t.bool"); }, {"key t.bool", "expected array, found bool"});
  expect_error([&] { f->get_float("t.strings"); }, {"key t.strings", "found array"});
  expect_error([&] { f->get_string("t.u8", "x"); }, {"key t.u8"});
  expect_error([&] { f->get_uint("nope"); }, {"getters.gguf: missing key nope"});
}

TEST(GgufValue, ToString) {
  EXPECT_EQ(Value::u32(7).to_string(), "7");
  EXPECT_EQ(Value::i32(-7).to_string(), "-7");
  EXPECT_EQ(Value::f32(0.1f).to_string(), "0.1");
  EXPECT_EQ(scalar(ValueType::F64, 0, 0, 0.1).to_string(), "0.1");
  EXPECT_EQ(Value::boolean(false).to_string(), "false");
  EXPECT_EQ(Value::str("a\"b\n").to_string(), "\"a\\\"b\\n\"");
  EXPECT_EQ(Value::i32_array({1, 2}).to_string(), "[1, 2]");
  EXPECT_EQ(Value::str_array(std::vector<std::string>(201088, "x")).to_string(),
            "[201088 strings]");
  EXPECT_EQ(Value::f32_array(std::vector<float>(9, 1.f)).to_string(), "[9 f32 values]");
  EXPECT_EQ(nested_array().to_string(), "[[[1, -2, 3], []]]");
  // Long strings are cut on a character boundary, never inside a UTF-8 sequence.
  const std::string s = Value::str(std::string(200, 'x') + "Ж").to_string();
  EXPECT_LT(s.size(), 100u);
  const std::string cyr = Value::str(std::string(79, 'x') + "ЖЖ").to_string();
  EXPECT_EQ(cyr, "\"" + std::string(79, 'x') + "...\"");
  EXPECT_STREQ(value_type_name(ValueType::STRING), "string");
  EXPECT_STREQ(value_type_name(ValueType::F64), "f64");
}

// ---------------------------------------------------------------------------
// Writer failures leave nothing behind

class GgufWriter : public GgufTest {};

TEST_F(GgufWriter, IoErrorNamesThePathAndLeavesNoFile) {
  Writer w;
  w.add_tensor("x", {4}, 0, fill_pattern(0));
  const std::string p = path("no/such/dir/x.gguf");
  try {
    w.write(p);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
}

TEST_F(GgufWriter, FailingFillRemovesTheTempFile) {
  Writer w;
  w.add_tensor("x", {4}, 0, fill_pattern(0));
  w.add_tensor("y", {4}, 0, [](uint8_t*, uint64_t) { throw std::runtime_error("boom"); });
  const std::string p = path("x.gguf");
  EXPECT_THROW(w.write(p), std::runtime_error);
  EXPECT_FALSE(fs::exists(p));
  EXPECT_FALSE(fs::exists(p + ".tmp"));
}

TEST_F(GgufWriter, RejectsInvalidTensorsAndValuesBeforeWriting) {
  const std::string p = path("bad.gguf");
  auto try_tensor = [&](std::vector<int64_t> dims, uint32_t type, std::vector<std::string> parts) {
    Writer w;
    w.add_tensor("blk.1.w", std::move(dims), type, fill_pattern(0));
    expect_error([&] { w.write(p); }, parts);
    EXPECT_FALSE(fs::exists(p));
    EXPECT_FALSE(fs::exists(p + ".tmp"));
  };
  try_tensor({33}, static_cast<uint32_t>(DType::Q8_0), {"bad.gguf", "blk.1.w", "multiple of 32"});
  try_tensor({}, 0, {"blk.1.w", "n_dims"});
  try_tensor({1, 1, 1, 1, 1}, 0, {"blk.1.w", "n_dims"});
  try_tensor({4, 0}, 0, {"blk.1.w", "dims[1]"});
  try_tensor({4}, 57, {"blk.1.w", "unknown ggml type"});

  Writer long_name;
  long_name.add_tensor(std::string(64, 'n'), {4}, 0, fill_pattern(0));
  expect_error([&] { long_name.write(p); }, {"name length", "found 64"});

  Writer dup;
  dup.add_tensor("same", {4}, 0, fill_pattern(0));
  dup.add_tensor("same", {4}, 0, fill_pattern(0));
  expect_error([&] { dup.write(p); }, {"tensor same", "duplicate"});

  Value mixed = Value::i32_array({1});
  mixed.arr.items.push_back(Value::u32(2));
  Writer w1;
  w1.set("mixed", mixed);
  expect_error([&] { w1.write(p); }, {"key mixed", "item #1"});

  Writer w2;
  w2.set("small", scalar(ValueType::U8, 256));
  expect_error([&] { w2.write(p); }, {"key small", "256"});

  Value deep = Value::i32_array({1});
  for (int k = 0; k < 8; ++k) {  // 9 levels of arrays
    Value outer;
    outer.type = ValueType::ARRAY;
    outer.arr.elem_type = ValueType::ARRAY;
    outer.arr.items = {deep};
    deep = outer;
  }
  Writer w3;
  w3.set("deep", deep);
  expect_error([&] { w3.write(p); }, {"key deep", "nested"});
  EXPECT_FALSE(fs::exists(p));
}

// ---------------------------------------------------------------------------
// Split sets

class GgufSplit : public GgufTest {
 protected:
  // Two parts as llama.cpp's gguf-split lays them out: all metadata in the first,
  // only split.* keys in the others; split.no counts from 0.
  void write_parts(uint16_t second_no = 1, int32_t total = 3, const char* third = "c") {
    Writer a;
    a.set("general.architecture", Value::str("qwen3"));
    a.set("split.no", scalar(ValueType::U16, 0));
    a.set("split.count", scalar(ValueType::U16, 2));
    a.set("split.tensors.count", Value::i32(total));
    a.add_tensor("a", {8}, 0, fill_pattern(0));
    a.add_tensor("b", {32, 2}, static_cast<uint32_t>(DType::Q8_0), fill_pattern(1));
    a.write(path("m-00001-of-00002.gguf"));
    Writer b;
    b.set("split.no", scalar(ValueType::U16, second_no));
    b.set("split.count", scalar(ValueType::U16, 2));
    b.set("split.tensors.count", Value::i32(total));
    b.add_tensor(third, {3, 5}, static_cast<uint32_t>(DType::F16), fill_pattern(2));
    b.write(path("m-00002-of-00002.gguf"));
  }
};

TEST_F(GgufSplit, OpensAllPartsFromAnyPartName) {
  write_parts();
  for (const char* name : {"m-00001-of-00002.gguf", "m-00002-of-00002.gguf"}) {
    auto f = File::open(path(name));
    EXPECT_EQ(f->path(), path("m-00001-of-00002.gguf"));
    EXPECT_EQ(f->get_string("general.architecture"), "qwen3");
    ASSERT_EQ(f->tensors().size(), 3u);
    const int want_file[] = {0, 0, 1};
    for (int k = 0; k < 3; ++k) {
      const TensorInfo& t = f->tensors()[k];
      EXPECT_EQ(t.file_index, want_file[k]) << t.name;
      for (uint64_t b = 0; b < t.n_bytes; ++b) ASSERT_EQ(t.data[b], pattern(k, b)) << t.name;
    }
    EXPECT_EQ(f->find_tensor("c")->dims, (std::vector<int64_t>{3, 5}));
    EXPECT_EQ(f->file_bytes(), fs::file_size(path("m-00001-of-00002.gguf")) +
                                   fs::file_size(path("m-00002-of-00002.gguf")));
  }
}

TEST_F(GgufSplit, HeaderOnlyOpensAllParts) {
  write_parts();
  auto f = File::open(path("m-00001-of-00002.gguf"), {.header_only = true});
  ASSERT_EQ(f->tensors().size(), 3u);
  EXPECT_EQ(f->tensors()[2].data, nullptr);
}

TEST_F(GgufSplit, InconsistentPartsAreErrors) {
  write_parts(/*second_no=*/0);
  expect_error([&] { File::open(path("m-00001-of-00002.gguf")); },
               {"m-00002-of-00002.gguf", "split.no", "expected 1", "found 0"});
  write_parts(1, /*total=*/4);
  expect_error([&] { File::open(path("m-00001-of-00002.gguf")); },
               {"m-00001-of-00002.gguf", "split.tensors.count", "expected 3", "found 4"});
  write_parts(1, 3, /*third=*/"a");
  expect_error([&] { File::open(path("m-00001-of-00002.gguf")); },
               {"m-00002-of-00002.gguf", "tensor a", "duplicate"});
  write_parts();
  fs::remove(path("m-00002-of-00002.gguf"));
  expect_error([&] { File::open(path("m-00001-of-00002.gguf")); },
               {"m-00002-of-00002.gguf", "No such file"});
  expect_error([&] { File::open(path("m-00003-of-00002.gguf")); }, {"part number"});
}

TEST_F(GgufSplit, PartWithoutSplitKeysIsAnError) {
  write_rich(path("x-00001-of-00001.gguf"));
  expect_error([&] { File::open(path("x-00001-of-00001.gguf")); },
               {"x-00001-of-00001.gguf", "missing key split.no"});
}

// ---------------------------------------------------------------------------
// Header-only opening of a partial file

class GgufHeaderOnly : public GgufTest {};

TEST_F(GgufHeaderOnly, TruncatedDataIsPlannableButNotLoadable) {
  const std::string full = path("full.gguf");
  write_rich(full);
  Bytes b = read_bytes(full);
  const std::string p = path("partial.gguf");
  write_bytes(p, b.data(), b.size() - 100);

  expect_error([&] { File::open(p); }, {"partial.gguf", "extends past end of file"});
  auto f = File::open(p, {.header_only = true});
  ASSERT_EQ(f->tensors().size(), tensor_specs().size());
  for (const TensorInfo& t : f->tensors()) EXPECT_EQ(t.data, nullptr);
  EXPECT_EQ(f->get_string("general.architecture"), "llama");

  // Headers themselves must still be whole.
  write_bytes(p, b.data(), 200);
  expect_error([&] { File::open(p, {.header_only = true}); }, {"partial.gguf", "header"});
  write_bytes(p, b.data(), 500);
  expect_error([&] { File::open(p, {.header_only = true}); }, {"partial.gguf", "end of file"});
}

// ---------------------------------------------------------------------------
// A GGUF written by another program (llama.cpp's converter)

TEST(GgufThirdParty, Gpt2VocabularyFile) {
  const std::string p = FATHOM_SHARED_DIR "/tokenizer-vectors/ggml-vocab-gpt-2.gguf";
  if (!fs::exists(p)) GTEST_SKIP() << p << " not present";
  auto f = File::open(p);
  EXPECT_EQ(f->get_string("tokenizer.ggml.model"), "gpt2");
  const Array& tokens = f->get_array("tokenizer.ggml.tokens");
  EXPECT_EQ(tokens.elem_type, ValueType::STRING);
  EXPECT_GT(tokens.items.size(), 50000u);
  EXPECT_EQ(tokens.items[0].s, "!");
  EXPECT_TRUE(f->tensors().empty());
  EXPECT_EQ(f->file_bytes(), fs::file_size(p));
}

// ---------------------------------------------------------------------------
// Corrupt and hostile files

// Builds GGUF bytes by hand, so every field can be set to what no writer would write.
class Raw {
 public:
  template <class T>
  Raw& put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b_.insert(b_.end(), p, p + sizeof v);
    return *this;
  }
  Raw& str(std::string_view s) {
    put<uint64_t>(s.size());
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b_.insert(b_.end(), {'G', 'G', 'U', 'F'});
    return put(version).put(n_tensors).put(n_kv);
  }
  Raw& kv_u32(std::string_view key, uint32_t v) { return str(key).put<uint32_t>(4).put(v); }
  Raw& tensor(std::string_view name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
    str(name).put<uint32_t>(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) put(d);
    return put(type).put(offset);
  }
  // Pads to `alignment` and appends n data bytes.
  Raw& data(uint64_t n, uint64_t alignment = 32) {
    while (b_.size() % alignment) b_.push_back(0);
    b_.resize(b_.size() + n, 0xAB);
    return *this;
  }
  const Bytes& bytes() const { return b_; }

 private:
  Bytes b_;
};

class GgufCorrupt : public GgufTest {
 protected:
  // Writes raw bytes as bad.gguf and expects an Error mentioning every part.
  void expect_bad(const Raw& r, std::vector<std::string> parts) {
    write_bytes(path("bad.gguf"), r.bytes());
    parts.insert(parts.begin(), "bad.gguf");
    expect_error([&] { File::open(path("bad.gguf")); }, parts);
  }
};

TEST_F(GgufCorrupt, MinimalValidFileOpens) {
  Raw r;
  r.header(1, 1).kv_u32("k", 5).tensor("t", {8}, 0, 0).data(32);
  write_bytes(path("ok.gguf"), r.bytes());
  auto f = File::open(path("ok.gguf"));
  EXPECT_EQ(f->get_uint("k"), 5u);
  EXPECT_EQ(f->tensors()[0].data[0], 0xAB);
}

TEST_F(GgufCorrupt, HeaderFields) {
  expect_bad(Raw(), {"header", "end of file", "magic"});
  Raw magic;
  magic.put<uint32_t>(0x4C4D4747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0);
  expect_bad(magic, {"header", "expected magic \"GGUF\"", "found \"GGML\""});
  expect_bad(Raw().header(0, 0, 1), {"header", "version", "expected 2 or 3", "found 1"});
  expect_bad(Raw().header(0, 0, 4), {"version", "found 4"});
  expect_bad(Raw().header(0, 0, 0x03000000), {"version", "big-endian"});
  write_bytes(path("v2.gguf"), Raw().header(0, 0, 2).bytes());
  EXPECT_EQ(File::open(path("v2.gguf"))->version(), 2u);
}

TEST_F(GgufCorrupt, HugeCountsAndLengthsFailWithoutAllocating) {
  // Allocating from any of these would end in std::bad_alloc or std::length_error
  // (or an ASan abort), not the fathom::Error expect_error demands.
  expect_bad(Raw().header(kU64Max, 0), {"header", "tensor count", "found 18446744073709551615"});
  expect_bad(Raw().header(0, uint64_t{1} << 40), {"header", "metadata count", "1099511627776"});
  expect_bad(Raw().header(1, 0).put<uint64_t>(kU64Max).data(64), {"tensor info #0", "tensor name"});
  expect_bad(Raw().header(0, 1).put<uint64_t>(uint64_t{1} << 40).data(64),
             {"metadata entry #0", "key"});
  expect_bad(Raw().header(0, 1).str("s").put<uint32_t>(8).put<uint64_t>(kU64Max).data(64),
             {"key s", "string value"});
  for (uint32_t elem : {0u, 8u, 9u}) {  // u8, string, array elements
    expect_bad(Raw()
                   .header(0, 1)
                   .str("arr")
                   .put<uint32_t>(9)
                   .put(elem)
                   .put<uint64_t>(uint64_t{1} << 40)
                   .data(64),
               {"key arr", "array count", "1099511627776"});
    expect_bad(Raw().header(0, 1).str("arr").put<uint32_t>(9).put(elem).put(kU64Max).data(64),
               {"key arr", "array count"});
  }
}

TEST_F(GgufCorrupt, BadValues) {
  expect_bad(Raw().header(0, 1).str("k").put<uint32_t>(13).put<uint32_t>(0),
             {"key k", "value type", "found 13"});
  expect_bad(Raw().header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(77).put<uint64_t>(0),
             {"key k", "array element type", "found 77"});
  expect_bad(Raw().header(0, 1).str("k").put<uint32_t>(7).put<uint8_t>(2),
             {"key k", "bool", "found 2"});
  expect_bad(Raw().header(0, 2).kv_u32("dup", 1).kv_u32("dup", 2), {"key dup", "duplicate"});
  Raw deep;
  deep.header(0, 1).str("deep").put<uint32_t>(9);
  for (int k = 0; k < 9; ++k) deep.put<uint32_t>(9).put<uint64_t>(1);
  deep.put<uint32_t>(0).put<uint64_t>(0);
  expect_bad(deep, {"key deep", "nested too deep"});
}

TEST_F(GgufCorrupt, BadAlignment) {
  expect_bad(Raw().header(0, 1).kv_u32("general.alignment", 0), {"general.alignment", "found 0"});
  expect_bad(Raw().header(0, 1).kv_u32("general.alignment", 48), {"general.alignment", "found 48"});
  expect_bad(Raw().header(0, 1).str("general.alignment").put<uint32_t>(10).put<uint64_t>(64),
             {"general.alignment", "expected u32, found u64"});
  Raw ok;
  ok.header(1, 1).kv_u32("general.alignment", 64).tensor("t", {8}, 0, 0).data(32, 64);
  write_bytes(path("a64.gguf"), ok.bytes());
  EXPECT_EQ(File::open(path("a64.gguf"))->alignment(), 64u);
}

TEST_F(GgufCorrupt, BadTensorInfos) {
  const uint32_t q8 = static_cast<uint32_t>(DType::Q8_0);
  expect_bad(Raw().header(1, 0).tensor("w.bad", {}, 0, 0).data(64), {"tensor w.bad", "n_dims"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {1, 1, 1, 1, 1}, 0, 0).data(64),
             {"tensor w.bad", "n_dims", "found 5"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8, 0}, 0, 0).data(64),
             {"tensor w.bad", "dims[1]", "found 0"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {kU64Max}, 0, 0).data(64),
             {"tensor w.bad", "dims[0]"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {1u << 31, 1u << 31, 1u << 31}, 0, 0).data(64),
             {"tensor w.bad", "overflow"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {uint64_t{1} << 62}, 0, 0).data(64),
             {"tensor w.bad", "overflow"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {33}, q8, 0).data(64),
             {"tensor w.bad", "multiple of 32", "found 33"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8}, 57, 0).data(64),
             {"tensor w.bad", "unknown ggml type", "57"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8}, 4, 0).data(64),
             {"tensor w.bad", "unknown ggml type"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8}, 0, 16).data(64),
             {"tensor w.bad", "multiple of the alignment 32", "found 16"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8}, 0, kU64Max - 31).data(64),
             {"tensor w.bad", "overflows"});
  expect_bad(Raw().header(1, 0).tensor("w.bad", {8}, 0, 64).data(64),
             {"tensor w.bad", "extends past end of file"});
  expect_bad(Raw().header(2, 0).tensor("w.a", {16}, 0, 0).tensor("w.b", {8}, 0, 32).data(128),
             {"tensor w.b", "overlaps tensor w.a"});
  expect_bad(Raw().header(2, 0).tensor("w.a", {8}, 0, 0).tensor("w.a", {8}, 0, 32).data(128),
             {"tensor w.a", "duplicate tensor name"});
  // A known type without kernels is the model loader's business, not the reader's.
  write_bytes(path("q41.gguf"), Raw().header(1, 0).tensor("w", {32}, kQ4_1, 0).data(32).bytes());
  EXPECT_EQ(File::open(path("q41.gguf"))->tensors()[0].n_bytes, 20u);
}

TEST_F(GgufCorrupt, MessageEscapesHostileNames) {
  expect_bad(Raw().header(1, 0).tensor("evil\nname\x01", {8}, 57, 0).data(64),
             {"tensor evil\\nname\\x01", "unknown ggml type"});
}

// Where the data section of a file from write_rich starts and how long its
// tensor bytes run (the writer pads the end to 32 bytes, like ggml).
struct DataSection {
  uint64_t start = 0;
  uint64_t used = 0;  // up to the end of the last tensor
};
DataSection data_section(const std::string& p) {
  auto f = File::open(p);
  DataSection d;
  for (const TensorInfo& t : f->tensors()) d.used = std::max(d.used, t.offset + t.n_bytes);
  d.start = f->file_bytes() - (d.used + 31) / 32 * 32;
  return d;
}

TEST_F(GgufCorrupt, TruncationAtEveryHeaderByteAndInData) {
  const std::string full = path("full.gguf");
  write_rich(full);
  const Bytes b = read_bytes(full);
  const DataSection d = data_section(full);
  const std::string p = path("cut.gguf");
  std::vector<uint64_t> cuts;
  for (uint64_t n = 0; n < d.start; ++n) cuts.push_back(n);
  for (uint64_t n = d.start; n < d.start + d.used; n += 7) cuts.push_back(n);
  cuts.push_back(d.start + d.used - 1);
  for (uint64_t n : cuts) {
    write_bytes(p, b.data(), n);
    EXPECT_FALSE(opens(p)) << "cut at " << n;
    // Whole headers are enough to plan from; the padding after them is optional.
    const bool header_opens = opens(p, {.header_only = true});
    if (n >= d.start) {
      EXPECT_TRUE(header_opens) << "cut at " << n;
    } else if (n + 32 <= d.start) {
      EXPECT_FALSE(header_opens) << "cut at " << n;
    }
  }
  write_bytes(p, b.data(), d.start + d.used);  // the last tensor's padding is optional
  EXPECT_TRUE(opens(p));
}

TEST_F(GgufCorrupt, FlippingEveryHeaderByteNeverCrashes) {
  const std::string full = path("full.gguf");
  write_rich(full);
  const Bytes b = read_bytes(full);
  const uint64_t header = data_section(full).start;
  const std::string p = path("flip.gguf");
  int opened = 0, rejected = 0;
  for (uint64_t pos = 0; pos < header; ++pos) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      Bytes m = b;
      m[pos] ^= mask;
      write_bytes(p, m);
      (opens(p) ? opened : rejected)++;
      (opens(p, {.header_only = true}) ? opened : rejected)++;
    }
  }
  // Most flips land in strings and values and still open; structural ones are rejected.
  EXPECT_GT(opened, 0);
  EXPECT_GT(rejected, 0);
}

TEST_F(GgufCorrupt, RandomHeaderMutationsNeverCrash) {
  const std::string full = path("full.gguf");
  write_rich(full);
  const Bytes b = read_bytes(full);
  const uint64_t header = data_section(full).start;
  // Counts and lengths are where hostile values hurt most: plant extreme ones too.
  const uint64_t extremes[] = {0, 1, kU64Max, uint64_t{1} << 40, uint64_t{1} << 63, 0xFFFFFFFF};
  std::mt19937_64 rng(12345);
  const std::string p = path("mut.gguf");
  for (int iter = 0; iter < 2000; ++iter) {
    Bytes m = b;
    const int n_mutations = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n_mutations; ++k) {
      const uint64_t pos = rng() % (header - 8);
      if (rng() % 2) {
        m[pos] = static_cast<uint8_t>(rng());
      } else {
        std::memcpy(&m[pos], &extremes[rng() % std::size(extremes)], 8);
      }
    }
    write_bytes(p, m);
    opens(p);
    opens(p, {.header_only = true});
  }
}

// ---------------------------------------------------------------------------
// .npy

class NpyWrite : public GgufTest {
 protected:
  // Parses the format 1.0 preamble back; returns the header text and checks the data.
  std::string header_of(const std::string& p, const std::vector<float>& want) {
    const Bytes b = read_bytes(p);
    const size_t len = b.size() >= 10 ? b[8] | (b[9] << 8) : 0;
    if (b.size() < 10 + len || len == 0) {
      ADD_FAILURE() << p << ": truncated preamble";
      return {};
    }
    EXPECT_EQ(std::memcmp(b.data(), "\x93NUMPY\x01\x00", 8), 0);
    EXPECT_EQ((10 + len) % 64, 0u);
    EXPECT_EQ(b[10 + len - 1], '\n');
    const auto* w = reinterpret_cast<const uint8_t*>(want.data());
    EXPECT_EQ(Bytes(b.begin() + 10 + len, b.end()), Bytes(w, w + want.size() * 4));
    return std::string(b.begin() + 10, b.begin() + 10 + len);
  }
};

TEST_F(NpyWrite, HeaderShapeDtypeAndBytes) {
  const std::vector<float> v = {1, 2, 3, 4, 5, -6.5f};
  npy::write_f32(path("a.npy"), {2, 3}, v.data());
  const std::string h = header_of(path("a.npy"), v);
  EXPECT_EQ(h.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << h;
  EXPECT_EQ(h.find_first_not_of(' ', h.find('}') + 1), h.size() - 1);  // spaces, then '\n'
  EXPECT_FALSE(fs::exists(path("a.npy.tmp")));

  npy::write_f32(path("b.npy"), {6}, v.data());
  EXPECT_NE(header_of(path("b.npy"), v).find("'shape': (6,)"), std::string::npos);
  npy::write_f32(path("c.npy"), {}, v.data());
  EXPECT_NE(header_of(path("c.npy"), {1}).find("'shape': ()"), std::string::npos);
  npy::write_f32(path("d.npy"), {0, 3}, v.data());
  EXPECT_NE(header_of(path("d.npy"), {}).find("'shape': (0, 3)"), std::string::npos);
}

TEST_F(NpyWrite, ErrorsNameThePath) {
  const float x = 0;
  EXPECT_THROW(npy::write_f32(path("no/dir/a.npy"), {1}, &x), Error);
  EXPECT_THROW(npy::write_f32(path("neg.npy"), {-1}, &x), Error);
  EXPECT_FALSE(fs::exists(path("neg.npy")));
}

}  // namespace
}  // namespace fathom::gguf
