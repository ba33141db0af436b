// IEEE half and bfloat16 conversions (round-to-nearest-even), portable C++.
#pragma once
#include <cstdint>

namespace fathom {

float fp16_to_f32(uint16_t h);
uint16_t f32_to_fp16(float f);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_bf16(float f);

}  // namespace fathom
