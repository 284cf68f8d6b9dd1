//===- WeightNames.h - Kiln's logical weight names --------------*- C++ -*-===//
//
// Kiln names every weight a model can have with a fixed logical name
// (`embed.tokens`, `decoder.layer.attn.q.weight`, ...; see ModelSpec.h and
// docs/spec.md). A spec binds these names to checkpoint tensors. This file
// knows the full set of names, which of them are per-layer, and which ones a
// given architecture reads, so that the parsers can reject unknown names and
// validation can insist that every weight the model uses is bound.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_WEIGHTNAMES_H
#define KILN_FRONTEND_WEIGHTNAMES_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace kiln {

/// One stack of layers that a model has, with the name that prefixes its
/// fields (`encoder.layers`) and logical weights (`encoder.layer.attn.q`).
struct NamedStack {
  llvm::StringRef name;
  const StackSpec *stack;
};

/// The stacks present in `spec`'s topology: the encoder, the decoder or both
/// (encoder first).
llvm::SmallVector<NamedStack, 2> stacksOf(const ModelSpec &spec);

/// The placeholder that stands for the layer index in per-layer tensor names.
inline constexpr llvm::StringLiteral kLayerPlaceholder = "{layer}";

/// Every logical weight name Kiln knows, in a fixed order.
const std::vector<std::string> &allWeightNames();

/// Whether `name` is one of allWeightNames().
bool isKnownWeightName(llvm::StringRef name);

/// Whether the logical weight `name` exists once per layer (its checkpoint
/// name then needs the `{layer}` placeholder).
bool isPerLayerWeight(llvm::StringRef name);

/// A layer projection that checkpoints may store fused or as its parts, in
/// logical names below `<stack>.layer.`.
struct FusedProjection {
  llvm::StringLiteral fused;
  llvm::ArrayRef<llvm::StringLiteral> parts;
};

/// The fused projections: `attn.qkv` (Q, K and V) and `mlp.gate_up` (the
/// gate and up projections of a gated MLP).
llvm::ArrayRef<FusedProjection> getFusedProjections();

/// The logical weights that `spec`'s architecture reads, in model order. A
/// stack's Q, K and V come from `attn.qkv` when the spec binds it, and from
/// `attn.q`, `attn.k` and `attn.v` otherwise; a gated MLP's gate and up
/// projections likewise from `mlp.gate_up` or `mlp.gate` and `mlp.up`.
std::vector<std::string> requiredWeightNames(const ModelSpec &spec);

} // namespace kiln

#endif // KILN_FRONTEND_WEIGHTNAMES_H
