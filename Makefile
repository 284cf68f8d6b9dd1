# Kiln's two entry points for a new machine (Debian 12):
#
#   make run    install what is missing, build, and run the main job
#   make check  install what is missing, build, and pass every test
#
# Both are idempotent: on a ready machine they only rebuild what changed.

BUILD_DIR ?= build
LLVM_DIR  ?= /usr/lib/llvm-19
JOBS      ?= $(shell nproc)

CMAKE_FLAGS = -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=$(LLVM_DIR)/bin/clang \
  -DCMAKE_CXX_COMPILER=$(LLVM_DIR)/bin/clang++ \
  -DLLVM_USE_LINKER=lld \
  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/build/utils/lit/lit.py

.PHONY: deps configure build run check clean

deps:
	@utils/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS)

# The main job, as far as Kiln lowers today: GPT-2 small from its spec to
# fused, memory-planned kiln IR, then the fp64 check that the pipeline keeps
# a tiny GPT-2's results.
run: build
	$(BUILD_DIR)/bin/kiln-compile examples/gpt2-small.yaml --emit=graph \
	  -o $(BUILD_DIR)/gpt2-small.mlir
	@echo "kiln: fused IR of GPT-2 small written to $(BUILD_DIR)/gpt2-small.mlir"
	$(BUILD_DIR)/bin/kiln-compile examples/tiny-gpt2.yaml --verify-numerics \
	  -o /dev/null

check: build
	ninja -C $(BUILD_DIR) -j $(JOBS) check-kiln

clean:
	rm -rf $(BUILD_DIR)
