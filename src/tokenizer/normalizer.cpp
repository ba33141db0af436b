#include "tokenizer/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <cstdint>

#include "core/error.h"

namespace fathom::tokenizer {

namespace {

const icu::Normalizer2& nfc() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) {
      throw Error(std::string("ICU: NFC normalizer unavailable: ") + u_errorName(status), ExitCode::Failure);
    }
    return p;
  }();
  return *n;
}

}  // namespace

bool to_nfc(std::string_view text, std::string& out) {
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    throw Error("text of " + std::to_string(text.size()) + " bytes is too long to normalize (ICU takes at most 2 GiB)");
  }
  const icu::StringPiece sp(text.data(), static_cast<int32_t>(text.size()));
  UErrorCode status = U_ZERO_ERROR;
  if (nfc().isNormalizedUTF8(sp, status) && U_SUCCESS(status)) return false;
  std::string normalized;
  icu::StringByteSink<std::string> sink(&normalized);
  status = U_ZERO_ERROR;
  nfc().normalizeUTF8(0, sp, sink, nullptr, status);
  if (U_FAILURE(status)) {
    throw Error(std::string("ICU: NFC normalization failed: ") + u_errorName(status), ExitCode::Failure);
  }
  out = std::move(normalized);
  return true;
}

}  // namespace fathom::tokenizer
