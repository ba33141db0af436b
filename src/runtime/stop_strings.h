// Stop strings over streamed text: generation ends where one appears, and neither it
// nor anything after it is emitted. A tail that could still grow into a stop string is
// held back until it is decided, so a client never sees half of one.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace fathom::runtime {

class StopStrings {
 public:
  explicit StopStrings(std::vector<std::string> stops);

  // Appends streamed text and returns what is now safe to emit. Once a stop string is
  // complete, returns the text before it and stopped() turns true; later pushes are ignored.
  std::string push(std::string_view text);
  // The text still held back, for when generation ends for another reason.
  std::string flush();
  bool stopped() const { return stopped_; }
  bool empty() const { return stops_.empty(); }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace fathom::runtime
