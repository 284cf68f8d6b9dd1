#!/usr/bin/env bash
#===- install-deps.sh - Install Kiln's build and test dependencies -------===#
#
# Installs the Debian 12 packages Kiln needs, and only those missing, so a
# second run on a ready machine returns at once; with --tests, also the
# references the tests compare with (NumPy, PyTorch), and with --bench those
# and the benchmarks' OpenBLAS. Runs apt-get as root,
# or through sudo when available.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

# What building Kiln and running compiled models needs.
packages=(
  # Toolchain: LLVM/MLIR 19, clang and lld 19, CMake, Ninja.
  clang-19 lld-19 llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  cmake ninja-build
  # Libraries.
  libfmt-dev libgtest-dev libhalide14-0-dev
)
# References that only the tests use: `install-deps.sh --tests`.
if [ "${1:-}" = "--tests" ] || [ "${1:-}" = "--bench" ]; then
  packages+=(python3 python3-numpy python3-torch)
fi
# The benchmarks' GEMM yardstick: `install-deps.sh --bench`.
if [ "${1:-}" = "--bench" ]; then
  packages+=(libopenblas-dev)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "kiln: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
