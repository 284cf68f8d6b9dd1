//===- AlignedBuffer.h - Owned memory at the ABI's alignment ----*- C++ -*-===//
//
// Weights, inputs, outputs and the arena that compiled kernels read and write
// are all KILN_ARENA_ALIGNMENT-aligned, so that kernels may use aligned
// vector loads on any of them. An AlignedBuffer owns one such block and can
// grow, so that output buffers are reused across runs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_ALIGNEDBUFFER_H
#define KILN_RUNTIME_SRC_ALIGNEDBUFFER_H

#include "runtime/src/Status.h"

#include <cstddef>
#include <string>

namespace kiln::runtime {

/// A block of KILN_ARENA_ALIGNMENT-aligned memory; its contents are
/// uninitialised.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  AlignedBuffer(AlignedBuffer &&other) noexcept;
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer();

  /// Makes the buffer hold at least `bytes` bytes, reallocating (without
  /// keeping the contents) only when it is too small. Even an empty buffer
  /// gets a block, so that data() is never null once reserved. `what` names
  /// the buffer in the out-of-memory error.
  Status reserve(size_t bytes, const std::string &what);

  void *data() const { return block; }
  size_t capacity() const { return capacityBytes; }

private:
  void *block = nullptr;
  size_t capacityBytes = 0;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_ALIGNEDBUFFER_H
