# Two commands on a fresh Debian 12 machine: `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
FATHOM = $(BUILD)/bin/fathom
DEMO = $(BUILD)/demo

.PHONY: deps build run test bench clean

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

# Kernel micro-benchmarks (Google Benchmark) in their own build folder, so `make test`
# never builds them; then this machine's ceilings to read them against.
BENCH_BUILD ?= build-bench
bench: deps
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DFATHOM_BENCH=ON >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target fathom fathom_kernel_bench
	$(BENCH_BUILD)/bin/fathom bench --probe
	$(BENCH_BUILD)/bin/fathom_kernel_bench --benchmark_min_time=0.2

clean:
	rm -rf $(BUILD)
