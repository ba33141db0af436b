# Two commands on a fresh Debian 12 machine: `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
FATHOM = $(BUILD)/bin/fathom
DEMO = $(BUILD)/demo

.PHONY: deps build run test sanitize fuzz fuzz-build fuzz-smoke bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: will gpt-oss-120b and Qwen3-30B-A3B run on a 98 GB GPU with 132 GB of
# RAM, side by side (no weights needed). Then the engine on a tiny synthetic gpt-oss.
run: build
	$(FATHOM) plan gpt-oss-120b qwen3-30b-a3b --vram 98GB --ram 132GB
	@mkdir -p $(DEMO)
	$(FATHOM) synth --arch gpt-oss --preset tiny --type mxfp4 --seed 1 --out $(DEMO)/tiny-gpt-oss.gguf
	$(FATHOM) inspect $(DEMO)/tiny-gpt-oss.gguf
	$(FATHOM) run $(DEMO)/tiny-gpt-oss.gguf --tokens 1,2,3,4,5 -n 16 --temp 0

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory sanitize fuzz-smoke

# The unit tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer in
# their own folder; any report fails. (The CLI, reference and browser tests run on the
# plain build above: under ASan they would take several times as long.)
ASAN_BUILD ?= build-asan
sanitize: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Release -DFATHOM_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target fathom_tests
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		./bin/fathom_tests --gtest_brief=1

# libFuzzer targets (clang) for every parser of untrusted input. `make fuzz` runs each
# for FUZZ_SECONDS; `make fuzz-smoke` (part of make test) runs the checked-in crash
# regressions, then each target for FUZZ_SMOKE_SECONDS.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_TARGETS = gguf safetensors tokenizer_json bpe chat_parsers chat_request
fuzz-build: deps
	@cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
fuzz: fuzz-build
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-smoke: fuzz-build
	@bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

# Kernel micro-benchmarks (Google Benchmark) in their own build folder, so `make test`
# never builds them; then this machine's ceilings to read them against.
BENCH_BUILD ?= build-bench
bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DFATHOM_BENCH=ON >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target fathom fathom_kernel_bench
	$(BENCH_BUILD)/bin/fathom bench --probe
	$(BENCH_BUILD)/bin/fathom_kernel_bench --benchmark_min_time=0.2

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
