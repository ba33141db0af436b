// Readers that take a path get the input through a file in the temp folder.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

inline std::string fuzz_input_file(const uint8_t* data, size_t size, const char* name) {
  const std::string path = "/tmp/fathom-fuzz-" + std::to_string(::getpid()) + "-" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}
