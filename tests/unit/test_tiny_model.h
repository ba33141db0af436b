// A tiny synthetic model written to a temp file and loaded, for tests that run the engine.
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "models/presets.h"
#include "models/synth.h"

namespace fathom {

struct TinyModel {
  std::string path;
  std::unique_ptr<gguf::File> file;
  std::unique_ptr<models::Model> model;
  ~TinyModel() { std::remove(path.c_str()); }
};

// CTest runs each test in its own process, in parallel: the test's name keeps files apart.
inline std::unique_ptr<TinyModel> tiny_model(models::Arch arch, DType type, ThreadPool& pool) {
  auto t = std::make_unique<TinyModel>();
  t->path = ::testing::TempDir() + "tiny-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".gguf";
  models::SynthOptions o;
  o.type = type;
  models::synth(models::find_preset("tiny", arch)->config, o, t->path, pool);
  t->file = gguf::File::open(t->path);
  t->model = models::load_model(*t->file, pool);
  return t;
}

}  // namespace fathom
