# Two commands on a fresh Debian 12 machine: `make run` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
FATHOM = $(BUILD)/bin/fathom
DEMO = $(BUILD)/demo

.PHONY: deps build run test clean

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

clean:
	rm -rf $(BUILD)
