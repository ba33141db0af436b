// fathom tokenize / detokenize: the token ids of a text, and the text of token ids.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "core/error.h"
#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace fathom::cli {

namespace {

// A model .gguf (only its header is read), or a Hugging Face tokenizer.json.
std::unique_ptr<tokenizer::Tokenizer> load_tokenizer(const std::string& path) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    return tokenizer::Tokenizer::from_hf_json(path);
  }
  const auto file = gguf::File::open(path, {.header_only = true});
  return tokenizer::Tokenizer::from_gguf(*file);
}

// A token's bytes for display: whole UTF-8 characters as they are, line breaks and
// tabs escaped, and the bytes of a split character as \xNN.
std::string shown(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const tokenizer::utf8::Scan sc = tokenizer::utf8::scan(bytes, i);
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (sc.kind == tokenizer::utf8::Scan::Valid && c >= 0x20 && c != 0x7F) {
      out.append(bytes, i, sc.len);
      i += sc.len;
      continue;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
    ++i;
  }
  return out;
}

struct TokenizeArgs {
  std::string model, text;
  bool ids_only = false, json = false, parse_special = false;
};

void run_tokenize(const TokenizeArgs& a) {
  const auto tok = load_tokenizer(a.model);
  const std::vector<int32_t> ids = tok->encode(a.text, a.parse_special);
  if (a.ids_only) {
    for (size_t i = 0; i < ids.size(); ++i) std::printf(i == 0 ? "%d" : ",%d", ids[i]);
    std::printf("\n");
  } else if (a.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (const int32_t id : ids) pieces.push_back(shown(tok->token_bytes(id)));
    const nlohmann::json out = {{"n_tokens", ids.size()}, {"ids", ids}, {"pieces", pieces}};
    std::printf("%s\n", out.dump().c_str());
  } else {
    for (const int32_t id : ids) {
      std::printf("%8d  %s%s\n", id, shown(tok->token_bytes(id)).c_str(), tok->is_special(id) ? "  (special)" : "");
    }
    std::fprintf(stderr, "%zu tokens (pre-tokenizer %s)\n", ids.size(), tok->pre_tokenizer().c_str());
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App* cmd = app.add_subcommand("tokenize", "token ids of a text");
  cmd->add_option("model", args->model, "model .gguf, or a tokenizer.json")->required();
  cmd->add_option("text", args->text, "text to tokenize")->required();
  cmd->add_flag("--ids-only", args->ids_only, "print only the ids, comma-separated");
  cmd->add_flag("--json", args->json, "print {n_tokens, ids, pieces} as JSON");
  cmd->add_flag("--parse-special", args->parse_special, "turn special-token texts (<|im_start|>) into their ids");
  cmd->callback([args] { run_tokenize(*args); });
}

void add_detokenize_command(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  auto tokens = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("detokenize", "text of token ids");
  cmd->add_option("model", *model, "model .gguf, or a tokenizer.json")->required();
  cmd->add_option("tokens", *tokens, "comma-separated token ids")->required();
  cmd->callback([model, tokens] {
    const std::vector<int32_t> ids = parse_token_list(*tokens);
    const std::string text = load_tokenizer(*model)->decode(ids);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::printf("\n");
  });
}

}  // namespace fathom::cli
