// fathom chat: an interactive conversation in the terminal, in the model's own chat
// format. Lines come from GNU readline on a terminal, or one per line from a pipe (so
// sessions can be scripted). Ctrl-C stops the reply being written; Ctrl-D quits.
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "chat/format.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "runtime/chat_session.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace fathom::cli {

namespace {

struct ChatArgs {
  std::string model, system, reasoning = "medium", kv_type = "f16";
  bool think = true, show_reasoning = false;
  int64_t n_predict = -1, ctx = 4096;
  std::vector<std::string> stop;
  runtime::SamplerParams sampling;
  int threads = 1;
};

// Ctrl-C while a reply streams stops it (checked once per token); at the prompt it
// discards the line being typed, as shells do.
std::atomic<bool> g_stop{false};
std::atomic<bool> g_at_prompt{false};

extern "C" void on_interrupt(int) {
  if (g_at_prompt.load()) {
    // readline has restored the terminal before passing the signal on (rl_catch_signals).
    (void)!write(STDOUT_FILENO, "\n", 1);
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_redisplay();
  } else {
    g_stop.store(true);
  }
}

// The next user line: readline with history on a terminal, plain lines from a pipe.
std::optional<std::string> read_line(bool tty) {
  std::string line;
  if (tty) {
    g_at_prompt.store(true);
    char* raw = readline("> ");
    g_at_prompt.store(false);
    if (raw == nullptr) return std::nullopt;
    line = raw;
    std::free(raw);
    if (!line.empty()) add_history(line.c_str());
  } else if (!std::getline(std::cin, line)) {
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Writes a streaming reply: reasoning dimmed (or, hidden, a "thinking" placeholder on a
// terminal), the answer as it comes, tool calls on their own line.
class ReplyPrinter {
 public:
  ReplyPrinter(bool tty, bool show_reasoning) : tty_(tty), show_reasoning_(show_reasoning) {}

  void on_event(const chat::Event& e) {
    switch (e.type) {
      case chat::Event::Type::Reasoning:
        if (show_reasoning_) {
          write(tty_ ? "\x1b[2m" + e.text + "\x1b[0m" : e.text);
          in_reasoning_ = true;
        } else if (tty_ && !placeholder_) {
          write("\x1b[2mthinking…\x1b[0m");
          placeholder_ = true;
        }
        break;
      case chat::Event::Type::Content:
        leave_reasoning();
        write(e.text);
        break;
      case chat::Event::Type::ToolCall:
        leave_reasoning();
        write(dim("[tool call] " + e.call.name + " " + e.call.arguments.dump()) + "\n");
        break;
      case chat::Event::Type::End:
        leave_reasoning();
        break;
    }
  }

  std::string dim(const std::string& s) const { return tty_ ? "\x1b[2m" + s + "\x1b[0m" : s; }

 private:
  void leave_reasoning() {
    if (placeholder_) write("\r\x1b[K");
    if (in_reasoning_) write("\n\n");
    placeholder_ = in_reasoning_ = false;
  }
  static void write(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  }

  bool tty_, show_reasoning_;
  bool in_reasoning_ = false, placeholder_ = false;
};

std::string stats_line(const runtime::ReplyStats& st) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld tokens, %.2f tokens/s; prompt %lld tokens (%lld cached), %.2f tokens/s",
                static_cast<long long>(st.n_generated), st.decode_tps(), static_cast<long long>(st.n_prompt),
                static_cast<long long>(st.n_reused), st.prefill_tps());
  std::string s = buf;
  switch (st.stop) {
    case runtime::StopReason::End:
      break;
    case runtime::StopReason::Length:
      s += "; stopped at -n";
      break;
    case runtime::StopReason::ContextFull:
      s += "; context full";
      break;
    case runtime::StopReason::Cancelled:
      s += "; interrupted";
      break;
    case runtime::StopReason::StopString:
      s += "; stop string";
      break;
  }
  return "[" + s + "]";
}

void run_chat(const ChatArgs& a, const CLI::App& cmd) {
  const DType kv = parse_type_option("--kv-type", a.kv_type);
  ThreadPool pool(a.threads);
  const auto file = gguf::File::open(a.model);
  const auto model = models::load_model(*file, pool);
  const std::string arch = models::arch_name(model->config().arch);
  const auto format = chat::chat_format_for(arch);
  const bool harmony = format->name() == "harmony";
  if (harmony && (cmd.count("--think") + cmd.count("--no-think")) > 0) {
    throw Error("--think/--no-think apply to Qwen3; " + arch + " sets its reasoning with --reasoning");
  }
  if (!harmony && cmd.count("--reasoning") > 0) {
    throw Error("--reasoning applies to gpt-oss; " + arch + " switches thinking with --think/--no-think");
  }
  const auto tok = tokenizer::Tokenizer::from_gguf(*file);
  models::KvCache cache(model->config(), a.ctx, kv);
  runtime::ChatSession session(*model, cache, *tok, *format);

  chat::RenderOptions render;
  render.reasoning_effort = chat::parse_effort(a.reasoning);
  render.enable_thinking = a.think;
  chat::Conversation conv;
  if (!a.system.empty()) conv.messages.push_back({chat::Role::System, a.system});

  const bool tty_in = isatty(STDIN_FILENO) != 0, tty_out = isatty(STDOUT_FILENO) != 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  if (tty_in) {
    std::fprintf(stderr, "fathom chat: %s (%s, %s). Ctrl-C stops a reply, Ctrl-D quits.\n", a.model.c_str(),
                 arch.c_str(), std::string(format->name()).c_str());
  }

  runtime::Sampler sampler(a.sampling);
  runtime::ReplyOptions opts;
  opts.max_tokens = a.n_predict;
  opts.stop = a.stop;
  opts.cancel = &g_stop;
  while (const auto line = read_line(tty_in)) {
    if (line->find_first_not_of(" \t") == std::string::npos) continue;
    conv.messages.push_back({chat::Role::User, *line});
    g_stop.store(false);
    ReplyPrinter printer(tty_out, a.show_reasoning);
    runtime::Reply r = session.reply(conv, render, opts, sampler, [&](const chat::Event& e) { printer.on_event(e); });
    std::printf("\n");
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", (tty_out ? printer.dim(stats_line(r.stats)) : stats_line(r.stats)).c_str());
    conv.messages.push_back(std::move(r.message));
  }
}

}  // namespace

void add_chat_command(CLI::App& app) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* cmd = app.add_subcommand("chat", "interactive chat in the model's chat format");
  cmd->add_option("model", args->model, "model .gguf")->required();
  cmd->add_option("--system", args->system, "system prompt (gpt-oss: the developer instructions)");
  cmd->add_option("--reasoning", args->reasoning, "gpt-oss reasoning effort")
      ->check(CLI::IsMember({"low", "medium", "high"}))
      ->capture_default_str();
  cmd->add_flag("--think,!--no-think", args->think, "Qwen3: think before answering (default) or not");
  cmd->add_flag("--show-reasoning", args->show_reasoning, "print the reasoning (dimmed on a terminal)");
  cmd->add_option("-n,--n-predict", args->n_predict, "most tokens per reply (-1: no limit)")->capture_default_str();
  cmd->add_option("-c,--ctx", args->ctx, "context size (KV cache positions)")->capture_default_str();
  cmd->add_option("--kv-type", args->kv_type, "KV cache type: f16 or f32")->capture_default_str();
  add_sampling_options(cmd, &args->sampling);
  cmd->add_option("--stop", args->stop, "end a reply where this text appears, without showing it (repeatable)");
  add_threads_option(cmd, &args->threads);
  cmd->callback([args, cmd] { run_chat(*args, *cmd); });
}

}  // namespace fathom::cli
