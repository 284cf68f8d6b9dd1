//===- ModelWeights.h - The weights a compiled model reads ------*- C++ -*-===//
//
// Every weight of a model's descriptor, held in its own aligned buffer in
// the dtype and layout `forward` reads: either loaded from a checkpoint by
// name (converted and, where the descriptor says so, transposed) or filled
// with seeded pseudo-random values for running without a checkpoint. Once
// they are in place, the packed copies that kernels read are made (see
// kiln_packed_weight_desc), and weights read only through them are
// released.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_MODELWEIGHTS_H
#define KILN_RUNTIME_SRC_MODELWEIGHTS_H

#include "kiln/model_abi.h"
#include "runtime/src/AlignedBuffer.h"
#include "runtime/src/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::runtime {

/// The weights of one model, in descriptor order.
class ModelWeights {
public:
  /// Loads every weight of `desc` from the checkpoint at `path` (see
  /// kiln_weights_open), checking each tensor's shape and converting it to
  /// the weight's dtype. Tensors the model does not use are ignored.
  Status load(const kiln_model_desc &desc, const std::string &path);

  /// Fills every weight of `desc` with values drawn uniformly from
  /// [-1/sqrt(n), 1/sqrt(n)), n being its last dimension (the inputs of a
  /// [out, in] matrix, as PyTorch initialises linear layers), so that
  /// activations keep their scale. The values of a weight depend only on
  /// `seed` and its name.
  Status randomize(const kiln_model_desc &desc, uint64_t seed);

  /// The data of each weight, as kiln_forward_args::weights wants it.
  const void *const *getPointers() const { return pointers.data(); }

  /// The data of each packed weight, as kiln_forward_args::packed_weights
  /// wants it.
  const void *const *getPackedPointers() const {
    return packedPointers.data();
  }

private:
  /// Allocates a buffer for every weight of `desc`.
  Status allocate(const kiln_model_desc &desc);

  /// Makes the packed copies of `desc`'s weights, then releases the weights
  /// that are read only packed.
  Status pack(const kiln_model_desc &desc);

  std::vector<AlignedBuffer> buffers;
  std::vector<const void *> pointers;
  std::vector<AlignedBuffer> packedBuffers;
  std::vector<const void *> packedPointers;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_MODELWEIGHTS_H
