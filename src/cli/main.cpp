// fathom: one program to plan, inspect, run and measure open-weight LLMs.
#include <cstdio>
#include <exception>

#include "CLI/CLI.hpp"
#include "cli/common.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"fathom: run open-weight MoE language models on your own hardware and measure them honestly"};
  app.require_subcommand(1);
  fathom::cli::add_plan_command(app);
  fathom::cli::add_synth_command(app);
  fathom::cli::add_inspect_command(app);
  fathom::cli::add_logits_command(app);
  fathom::cli::add_run_command(app);
  fathom::cli::add_tokenize_command(app);
  fathom::cli::add_detokenize_command(app);
  fathom::cli::add_chat_command(app);
  fathom::cli::add_convert_command(app);
  fathom::cli::add_quantize_command(app);
  fathom::cli::add_bench_command(app);
  fathom::cli::add_serve_command(app);
  fathom::cli::add_perplexity_command(app);
  fathom::cli::add_precision_command(app);
  fathom::cli::add_experts_command(app);
  fathom::cli::add_eval_command(app);
  fathom::cli::add_compare_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error (CLI11's own report adds a second).
    std::fprintf(stderr, "fathom: error: %s (see --help)\n", e.what());
    return static_cast<int>(fathom::ExitCode::BadInput);
  } catch (const fathom::Error& e) {
    std::fprintf(stderr, "fathom: error: %s\n", e.what());
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fathom: error: %s\n", e.what());
    return static_cast<int>(fathom::ExitCode::Failure);
  }
  return 0;
}
