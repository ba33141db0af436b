#include "chat/format.h"

#include "chat/chatml.h"
#include "chat/harmony.h"
#include "core/error.h"

namespace fathom::chat {

namespace {

class Harmony final : public ChatFormat {
 public:
  std::string_view name() const override { return "harmony"; }
  std::string render(const Conversation& c, const RenderOptions& o) const override { return render_harmony(c, o); }
  std::unique_ptr<OutputParser> make_parser() const override { return std::make_unique<HarmonyParser>(); }
};

class Chatml final : public ChatFormat {
 public:
  std::string_view name() const override { return "chatml"; }
  std::string render(const Conversation& c, const RenderOptions& o) const override { return render_chatml(c, o); }
  std::unique_ptr<OutputParser> make_parser() const override { return std::make_unique<ChatmlParser>(); }
};

}  // namespace

std::unique_ptr<ChatFormat> chat_format_for(std::string_view architecture) {
  if (architecture == "gpt-oss") return std::make_unique<Harmony>();
  if (architecture == "qwen3" || architecture == "qwen3moe") return std::make_unique<Chatml>();
  throw Error("no chat format for architecture '" + std::string(architecture) +
              "' (known: gpt-oss -> harmony, qwen3 and qwen3moe -> ChatML)");
}

}  // namespace fathom::chat
