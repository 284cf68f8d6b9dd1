//===- SpecKeywords.cpp - Spellings of enumerated spec fields -------------===//
//
// The keyword tables. Every enumerator has exactly one keyword; the order is
// the one diagnostics list the choices in ("expected one of ...").
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecKeywords.h"

using namespace kiln;
using namespace llvm;

static constexpr Keyword<Topology> kTopologies[] = {
    {"encoder_only", Topology::EncoderOnly},
    {"decoder_only", Topology::DecoderOnly},
    {"encoder_decoder", Topology::EncoderDecoder}};

static constexpr Keyword<FfnKind> kFfnKinds[] = {
    {"relu", FfnKind::Relu},           {"gelu", FfnKind::Gelu},
    {"gelu_tanh", FfnKind::GeluTanh},  {"silu", FfnKind::Silu},
    {"swiglu", FfnKind::SwiGlu},       {"geglu", FfnKind::GeGlu},
    {"geglu_tanh", FfnKind::GeGluTanh}};

static constexpr Keyword<NormKind> kNormKinds[] = {
    {"layernorm", NormKind::LayerNorm}, {"rmsnorm", NormKind::RmsNorm}};

static constexpr Keyword<NormPlacement> kNormPlacements[] = {
    {"pre", NormPlacement::Pre},
    {"post", NormPlacement::Post},
    {"parallel", NormPlacement::Parallel}};

static constexpr Keyword<QkvLayout> kQkvLayouts[] = {
    {"concatenated", QkvLayout::Concatenated},
    {"per_head", QkvLayout::PerHead}};

static constexpr Keyword<QkNorm> kQkNorms[] = {{"none", QkNorm::None},
                                               {"per_head", QkNorm::PerHead}};

static constexpr Keyword<PositionKind> kPositionKinds[] = {
    {"learned", PositionKind::Learned},
    {"sinusoidal", PositionKind::Sinusoidal},
    {"rope", PositionKind::Rope},
    {"none", PositionKind::None}};

static constexpr Keyword<RopeStyle> kRopeStyles[] = {
    {"half", RopeStyle::Half}, {"interleaved", RopeStyle::Interleaved}};

static constexpr Keyword<RopeScaling> kRopeScalings[] = {
    {"linear", RopeScaling::Linear}, {"llama3", RopeScaling::Llama3}};

static constexpr Keyword<OutputKind> kOutputKinds[] = {
    {"logits", OutputKind::Logits},
    {"hidden_states", OutputKind::HiddenStates},
    {"pooled_embedding", OutputKind::PooledEmbedding}};

static constexpr Keyword<OutputPositions> kOutputPositions[] = {
    {"all", OutputPositions::All}, {"last", OutputPositions::Last}};

static constexpr Keyword<DType> kDTypes[] = {
    {"f32", DType::F32}, {"f16", DType::F16}, {"bf16", DType::BF16}};

static constexpr Keyword<bool> kMasks[] = {{"causal", true},
                                           {"bidirectional", false}};

template <> ArrayRef<Keyword<Topology>> kiln::getKeywords<Topology>() {
  return kTopologies;
}

template <> ArrayRef<Keyword<FfnKind>> kiln::getKeywords<FfnKind>() {
  return kFfnKinds;
}

template <> ArrayRef<Keyword<NormKind>> kiln::getKeywords<NormKind>() {
  return kNormKinds;
}

template <>
ArrayRef<Keyword<NormPlacement>> kiln::getKeywords<NormPlacement>() {
  return kNormPlacements;
}

template <> ArrayRef<Keyword<QkvLayout>> kiln::getKeywords<QkvLayout>() {
  return kQkvLayouts;
}

template <> ArrayRef<Keyword<QkNorm>> kiln::getKeywords<QkNorm>() {
  return kQkNorms;
}

template <> ArrayRef<Keyword<PositionKind>> kiln::getKeywords<PositionKind>() {
  return kPositionKinds;
}

template <> ArrayRef<Keyword<RopeStyle>> kiln::getKeywords<RopeStyle>() {
  return kRopeStyles;
}

template <> ArrayRef<Keyword<RopeScaling>> kiln::getKeywords<RopeScaling>() {
  return kRopeScalings;
}

template <> ArrayRef<Keyword<OutputKind>> kiln::getKeywords<OutputKind>() {
  return kOutputKinds;
}

template <>
ArrayRef<Keyword<OutputPositions>> kiln::getKeywords<OutputPositions>() {
  return kOutputPositions;
}

template <> ArrayRef<Keyword<DType>> kiln::getKeywords<DType>() {
  return kDTypes;
}

ArrayRef<Keyword<bool>> kiln::getMaskKeywords() { return kMasks; }
