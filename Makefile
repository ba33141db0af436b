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

# The main job on its built-in default: a tiny synthetic gpt-oss, inspected and run.
run: build
	@mkdir -p $(DEMO)
	$(FATHOM) synth --arch gpt-oss --preset tiny --type mxfp4 --seed 1 --out $(DEMO)/tiny-gpt-oss.gguf
	$(FATHOM) inspect $(DEMO)/tiny-gpt-oss.gguf
	$(FATHOM) run $(DEMO)/tiny-gpt-oss.gguf --tokens 1,2,3,4,5 -n 16 --temp 0

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
