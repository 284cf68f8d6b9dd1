//===- Generators.h - The generator of each op family -----------*- C++ -*-===//
//
// Internal to the kernel library: one accessor per op family, each defined
// in the file of that family, and the list the generator registry is built
// from.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_GENERATORS_GENERATORS_H
#define KILN_CODEGEN_CPU_GENERATORS_GENERATORS_H

#include "codegen/cpu/KernelGenerator.h"

#include <vector>

namespace kiln {

/// `kiln.attention` (Attention.cpp).
const KernelGenerator &getAttentionGenerator();
/// Broadcasting arithmetic, scale, activation and cast (Elementwise.cpp).
const KernelGenerator &getElementwiseGenerator();
/// Token embeddings and learned and sinusoidal positions (Embedding.cpp).
const KernelGenerator &getEmbeddingGenerator();
/// Transpose, head split and merge, repeat_kv and slice (Layout.cpp).
const KernelGenerator &getLayoutGenerator();
/// `kiln.linear` and `kiln.matmul` (Linear.cpp).
const KernelGenerator &getLinearGenerator();

/// The runtime function that packed linear kernels scheduled for AMX call
/// as an extern stage (`kiln_amx_linear` in kiln/model_abi.h); JIT users
/// bind it to the runtime's.
inline constexpr const char *kAmxLinearFunction = "kiln_amx_linear";
/// Likewise for attention kernels scheduled for AMX (`kiln_amx_attention`).
inline constexpr const char *kAmxAttentionFunction = "kiln_amx_attention";
/// Causal, sliding-window and padding masks (Masks.cpp).
const KernelGenerator &getMaskGenerator();
/// Layer, RMS and L2 normalisation, alone or after an add (Norms.cpp).
const KernelGenerator &getNormGenerator();
/// `kiln.mean_pool` (Pooling.cpp).
const KernelGenerator &getPoolingGenerator();
/// `kiln.rope` (Rope.cpp).
const KernelGenerator &getRopeGenerator();
/// `kiln.softmax` (Softmax.cpp).
const KernelGenerator &getSoftmaxGenerator();

/// Every generator above.
std::vector<const KernelGenerator *> getAllKernelGenerators();

} // namespace kiln

#endif // KILN_CODEGEN_CPU_GENERATORS_GENERATORS_H
