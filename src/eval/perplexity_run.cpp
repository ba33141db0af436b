#include "eval/perplexity_run.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "eval/logprob_file.h"

namespace fathom::eval {

namespace {

uint64_t hash_texts(const std::vector<Text>& texts, const WindowOptions& w) {
  uint64_t h = fnv1a(&w.ctx, sizeof w.ctx);
  h = fnv1a(&w.stride, sizeof w.stride, h);
  for (const Text& t : texts) {
    const uint64_t n = t.tokens.size();
    h = fnv1a(&n, sizeof n, h);
    h = fnv1a(t.tokens.data(), t.tokens.size() * sizeof(int32_t), h);
  }
  return h;
}

uint64_t hash_tokenizer(const tokenizer::Tokenizer& tok) {
  uint64_t h = fnv1a("", 0);
  for (int32_t i = 0; i < tok.n_vocab(); ++i) {
    const std::string b = tok.token_bytes(i);
    const uint64_t n = b.size();
    h = fnv1a(&n, sizeof n, h);
    h = fnv1a(b.data(), b.size(), h);
  }
  return h;
}

std::string hex(uint64_t x) {
  std::ostringstream o;
  o << std::hex << x;
  return o.str();
}

}  // namespace

std::vector<Text> load_texts(const std::vector<std::string>& paths, const tokenizer::Tokenizer& tok) {
  if (paths.empty()) throw Error("no text files given");
  std::vector<Text> texts;
  for (const std::string& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw Error(p + ": cannot open the text file");
    std::stringstream ss;
    ss << in.rdbuf();
    Text t{std::filesystem::path(p).filename().string(), tok.encode(ss.str())};
    if (t.tokens.size() < 2) throw Error(p + ": " + std::to_string(t.tokens.size()) + " tokens; at least 2 are needed");
    texts.push_back(std::move(t));
  }
  return texts;
}

PerplexityReport run_perplexity(models::Model& model, const tokenizer::Tokenizer& tok, const std::vector<Text>& texts,
                                const WindowOptions& w, const PerplexityRun& run) {
  const uint64_t text_hash = hash_texts(texts, w);
  const uint64_t tok_hash = hash_tokenizer(tok);
  const auto n_vocab = static_cast<uint32_t>(model.config().n_vocab);
  PerplexityReport report;
  report.model = run.model_name;
  report.window = w;

  std::unique_ptr<LogprobReader> base;
  if (!run.base_path.empty()) {
    base = std::make_unique<LogprobReader>(run.base_path);
    const LogprobFileInfo& b = base->info();
    if (b.tokenizer_hash != tok_hash || b.n_vocab != n_vocab) {
      throw Error(run.base_path + ": recorded with another vocabulary (" + std::to_string(b.n_vocab) + " tokens, hash " +
                  hex(b.tokenizer_hash) + "; this model: " + std::to_string(n_vocab) + ", hash " + hex(tok_hash) +
                  "): KL divergence needs the same tokenizer");
    }
    if (b.text_hash != text_hash) {
      throw Error(run.base_path + ": recorded for other texts or windows (hash " + hex(b.text_hash) + ", ctx " +
                  std::to_string(b.ctx) + ", stride " + std::to_string(b.stride) + "; this run: hash " +
                  hex(text_hash) + ", ctx " + std::to_string(w.ctx) + ", stride " + std::to_string(w.stride) +
                  "): give the same files in the same order with the same --ctx and --stride");
    }
    report.base_model = b.model;
  }
  std::unique_ptr<LogprobWriter> save;
  if (!run.save_path.empty()) {
    save = std::make_unique<LogprobWriter>(
        run.save_path, LogprobFileInfo{n_vocab, 0, text_hash, tok_hash, w.ctx, w.stride, run.model_name});
  }

  int64_t total = 0, done = 0;
  for (const Text& t : texts) total += scored_count(static_cast<int64_t>(t.tokens.size()), w);
  TokenStats all;
  std::vector<float> base_row;
  for (const Text& t : texts) {
    TokenStats stats;
    score_tokens(model, t.tokens, w, [&](int64_t, int32_t target, std::span<const float> lp) {
      std::span<const float> b;
      if (base) {
        if (base->next(base_row) != target) throw Error(run.base_path + ": the base's tokens differ from this text's");
        b = base_row;
      }
      stats.add(target, lp, b);
      all.add(target, lp, b);
      if (save) save->add(target, lp);
      if (run.progress) run.progress(++done, total);
    });
    report.texts.emplace_back(t.name, stats.summary());
  }
  if (save) save->finish();
  report.total = all.summary();
  return report;
}

}  // namespace fathom::eval
