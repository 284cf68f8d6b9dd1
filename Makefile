# Kiln's two entry points for a new machine (Debian 12):
#
#   make run    install what is missing, build, and run the main job
#   make check  install what is missing, build, and pass every test
#   make bench  install what is missing, build, and run every benchmark
#
# All are idempotent: on a ready machine they only rebuild what changed.

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

.PHONY: deps test-deps bench-deps configure build run check bench clean

deps:
	@utils/install-deps.sh

test-deps:
	@utils/install-deps.sh --tests

bench-deps:
	@utils/install-deps.sh --bench

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: configure
	ninja -C $(BUILD_DIR) -j $(JOBS)

# The main job: GPT-2 small from its spec to a native executable, run on a
# prompt with seeded random weights (pass --weights model.safetensors for
# the real checkpoint).
run: build
	$(BUILD_DIR)/bin/kiln-compile examples/gpt2-small.yaml -o $(BUILD_DIR)/gpt2-small
	$(BUILD_DIR)/gpt2-small --random-weights --seed 1 \
	  --tokens 464,2068,7586,21831,18045,625,262 --bench 5

check: build test-deps
	ninja -C $(BUILD_DIR) -j $(JOBS) check-kiln

# The benchmarks of docs/benchmarks.md: builds only the tools they use, runs
# them all (a few minutes) and writes bench/results/latest.{md,json} and the
# results section of the README. Not part of `check`: they measure, they do
# not test.
# Reconfiguring finds an OpenBLAS installed after the build tree was made.
bench: bench-deps configure
	cmake -S . -B $(BUILD_DIR) > /dev/null
	ninja -C $(BUILD_DIR) -j $(JOBS) kiln-bench-kernels kiln-compile kiln-reference
	/usr/bin/python3 bench/run_benchmarks.py --build-dir $(BUILD_DIR) --readme README.md

clean:
	rm -rf $(BUILD_DIR)
