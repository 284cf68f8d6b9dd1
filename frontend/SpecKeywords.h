//===- SpecKeywords.h - Spellings of enumerated spec fields -----*- C++ -*-===//
//
// The keywords a Kiln spec uses for its enumerated fields (`decoder_only`,
// `gelu_tanh`, `rmsnorm`, ...), one table per enum. The spec parser reads
// them and the spec printer writes them from the same tables, so the two can
// never disagree and `--emit=spec` output always reads back.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECKEYWORDS_H
#define KILN_FRONTEND_SPECKEYWORDS_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/ErrorHandling.h"

namespace kiln {

/// One spelling of an enumerated field and the value it stands for.
template <typename E> struct Keyword {
  llvm::StringLiteral name;
  E value;
};

/// The keywords of the spec field whose values are `E`, in the order
/// docs/spec.md lists them; specialised for each enum of ModelSpec.h.
template <typename E> llvm::ArrayRef<Keyword<E>> getKeywords();

/// `model.topology`.
template <> llvm::ArrayRef<Keyword<Topology>> getKeywords<Topology>();
/// `ffn.kind`.
template <> llvm::ArrayRef<Keyword<FfnKind>> getKeywords<FfnKind>();
/// `norm.kind`.
template <> llvm::ArrayRef<Keyword<NormKind>> getKeywords<NormKind>();
/// `norm.placement`.
template <> llvm::ArrayRef<Keyword<NormPlacement>> getKeywords<NormPlacement>();
/// `attention.qkv_layout`.
template <> llvm::ArrayRef<Keyword<QkvLayout>> getKeywords<QkvLayout>();
/// `attention.qk_norm`.
template <> llvm::ArrayRef<Keyword<QkNorm>> getKeywords<QkNorm>();
/// `positions.kind`.
template <> llvm::ArrayRef<Keyword<PositionKind>> getKeywords<PositionKind>();
/// `positions.rope_style`.
template <> llvm::ArrayRef<Keyword<RopeStyle>> getKeywords<RopeStyle>();
template <> llvm::ArrayRef<Keyword<RopeScaling>> getKeywords<RopeScaling>();
/// `output.kind`.
template <> llvm::ArrayRef<Keyword<OutputKind>> getKeywords<OutputKind>();
/// `output.positions`.
template <>
llvm::ArrayRef<Keyword<OutputPositions>> getKeywords<OutputPositions>();
/// `model.weight_dtype`.
template <> llvm::ArrayRef<Keyword<DType>> getKeywords<DType>();

/// `attention.mask` and the stacks' `mask`: whether self-attention is causal
/// (AttentionMaskSpec::causal).
llvm::ArrayRef<Keyword<bool>> getMaskKeywords();

/// The spelling of `value` among `keywords`, which must hold it.
template <typename E>
llvm::StringRef getKeywordName(llvm::ArrayRef<Keyword<E>> keywords, E value) {
  for (const Keyword<E> &keyword : keywords)
    if (keyword.value == value)
      return keyword.name;
  llvm_unreachable("value without a keyword");
}

/// The spelling of `value` in a spec.
template <typename E> llvm::StringRef getKeywordName(E value) {
  return getKeywordName(getKeywords<E>(), value);
}

} // namespace kiln

#endif // KILN_FRONTEND_SPECKEYWORDS_H
