//===- AlignedBuffer.cpp - Owned memory at the ABI's alignment ------------===//
//
// Allocates with std::aligned_alloc, rounding sizes up to the alignment as
// it requires.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/AlignedBuffer.h"

#include "kiln/model_abi.h"

#include <cstdlib>
#include <utility>

using namespace kiln::runtime;

AlignedBuffer::AlignedBuffer(AlignedBuffer &&other) noexcept
    : block(std::exchange(other.block, nullptr)),
      capacityBytes(std::exchange(other.capacityBytes, 0)) {}

AlignedBuffer &AlignedBuffer::operator=(AlignedBuffer &&other) noexcept {
  std::swap(block, other.block);
  std::swap(capacityBytes, other.capacityBytes);
  return *this;
}

AlignedBuffer::~AlignedBuffer() { std::free(block); }

Status AlignedBuffer::reserve(size_t bytes, const std::string &what) {
  if (block && bytes <= capacityBytes)
    return ok();
  constexpr size_t alignment = KILN_ARENA_ALIGNMENT;
  size_t rounded = bytes == 0 ? alignment : bytes;
  void *grown = nullptr;
  if (!__builtin_add_overflow(rounded, alignment - 1, &rounded)) {
    rounded -= rounded % alignment;
    grown = std::aligned_alloc(alignment, rounded);
  }
  if (!grown)
    return makeError(KILN_STATUS_OUT_OF_MEMORY, "cannot allocate " +
                                                    std::to_string(bytes) +
                                                    " bytes for " + what);
  std::free(block);
  block = grown;
  capacityBytes = rounded;
  return ok();
}
