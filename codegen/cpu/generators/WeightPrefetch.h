//===- WeightPrefetch.h - Prefetching the next block of weights -*- C++ -*-===//
//
// A packed linear kernel reads each block of a weight panel first in its
// first register tile of rows, and would wait on memory there: the
// hardware prefetchers follow a stream only a few lines ahead and never
// across a 4 KiB page. This lowering pass makes the tiles of a block fetch
// the next block between them, long before it is read.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_GENERATORS_WEIGHTPREFETCH_H
#define KILN_CODEGEN_CPU_GENERATORS_WEIGHTPREFETCH_H

#include <Halide.h>

#include <cstdint>
#include <string>

namespace kiln {

/// Adds to `pipeline` a lowering pass that, in the update of `accumulator`,
/// calls `kiln_prefetch_part` (kiln/model_abi.h) before each register
/// tile's loop over a block of `kBlock` input features (the loops
/// `<accumulator>.s1.*.row_tile` and `<accumulator>.s1.*.k_inner` of the
/// packed linear schedule): tile `i` of `n` prefetches the `i`-th of `n`
/// parts of the `blockBytes` bytes of `weight` that the next block reads.
void addNextWeightBlockPrefetch(Halide::Pipeline &pipeline,
                                const std::string &accumulator,
                                const std::string &weight, int kBlock,
                                int64_t blockBytes);

/// The runtime function that the prefetching kernels call; JIT users bind
/// it to the runtime's `kiln_prefetch_part`.
inline constexpr const char *kWeightPrefetchFunction = "kiln_prefetch_part";

} // namespace kiln

#endif // KILN_CODEGEN_CPU_GENERATORS_WEIGHTPREFETCH_H
