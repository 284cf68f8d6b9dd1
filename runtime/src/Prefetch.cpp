//===- Prefetch.cpp - Software prefetches for kernels ---------------------===//
//
// Hardware prefetchers follow a stream only within a 4 KiB page and only a
// few lines ahead, which leaves a kernel that streams hundreds of MiB of
// weights waiting on memory at the start of every block. Kernels ask for
// the next block here, a share at a time, long before they read it.
//
//===----------------------------------------------------------------------===//

#include "kiln/model_abi.h"

#include <algorithm>

int32_t kiln_prefetch_part(const void *base, int64_t offset, int64_t bytes,
                           int32_t part, int32_t parts) {
  constexpr int64_t cacheLine = 64;
  if (parts <= 0 || part < 0 || part >= parts || bytes <= 0)
    return 0;
  int64_t lines = (bytes + cacheLine - 1) / cacheLine;
  int64_t first = lines * part / parts;
  int64_t last = lines * (part + 1) / parts;
  const char *data = static_cast<const char *>(base) + offset;
  for (int64_t line = first; line < last; ++line)
    // Read, moderate temporal locality: into L2, leaving L1 to the block
    // in use.
    __builtin_prefetch(data + line * cacheLine, 0, 2);
  return 0;
}
