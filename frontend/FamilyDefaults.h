//===- FamilyDefaults.h - Per-family defaults of a model spec ---*- C++ -*-===//
//
// A spec names a model family (gpt2, bert, llama, transformer) so that it
// only has to give sizes: the family supplies the architecture (FFN and norm
// kinds, positions, biases, tied embeddings, output) and the Hugging Face
// names of its weights. This file holds those defaults and which of them
// define the family (a spec naming the family may override the others but
// not these), Kiln's generic defaults for specs without a family, and the
// defaults that derive from other fields (head_dim = d_model / heads, ...).
// Both input formats use it: a field the input gave (one with an entry in
// ModelSpec::fieldLocs) is never changed.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_FAMILYDEFAULTS_H
#define KILN_FRONTEND_FAMILYDEFAULTS_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace kiln {

/// The model families a spec can start from.
enum class ModelFamily {
  Gpt2,
  Bert,
  DistilBert,
  Llama,
  Opt,
  GptNeox,
  Phi,
  Gptj,
  Phi3,
  Starcoder2,
  GptBigCode,
  Falcon,
  Transformer
};

/// The family called `name` in a spec (`gpt2`, `bert`, `distilbert`,
/// `llama`, `opt`, `gpt_neox`, `phi`, `gptj`, `phi3`, `starcoder2`,
/// `gpt_bigcode`, `falcon`, `transformer`), if there is one.
std::optional<ModelFamily> parseModelFamily(llvm::StringRef name);

/// The spec name of `family`.
llvm::StringRef getModelFamilyName(ModelFamily family);

/// The spec names of all families, for diagnostics.
llvm::ArrayRef<llvm::StringRef> getModelFamilyNames();

/// The choices that make a model a member of its family, as opposed to the
/// defaults a spec may override (sizes, epsilon, biases, weight names...).
/// A spec that names the family must not contradict them; besides these, a
/// family's encoder attends bidirectionally and its decoder causally.
struct FamilyArchitecture {
  Topology topology;
  NormKind norm;
  NormPlacement placement;
  PositionKind positions;
  /// The MLP is gated (isGated); a spec may choose another activation of
  /// the same form.
  bool gatedFfn;
};

/// The architecture of `family`.
FamilyArchitecture getFamilyArchitecture(ModelFamily family);

/// Fills each field of `spec` that the input did not give: from `family`'s
/// defaults, or Kiln's generic ones without a family; then the fields that
/// derive from others (head_dim, kv_heads, the position table size, the
/// masks of each stack, cross-attention, the embedding scale, mask-aware
/// pooling); then binds every logical weight the input left unbound to the
/// family's checkpoint name. Sizes have no defaults: the parsers require
/// them.
void applyDefaults(std::optional<ModelFamily> family, ModelSpec &spec);

} // namespace kiln

#endif // KILN_FRONTEND_FAMILYDEFAULTS_H
