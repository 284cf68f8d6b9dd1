//===- WeightNames.cpp - Kiln's logical weight names ----------------------===//
//
// Builds the list of logical weight names from the parts a model is made of
// and derives the subset that one architecture needs.
//
//===----------------------------------------------------------------------===//

#include "frontend/WeightNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

using namespace kiln;
using namespace llvm;

SmallVector<NamedStack, 2> kiln::stacksOf(const ModelSpec &spec) {
  SmallVector<NamedStack, 2> stacks;
  if (spec.topology != Topology::DecoderOnly)
    stacks.push_back({"encoder", &spec.encoder});
  if (spec.topology != Topology::EncoderOnly)
    stacks.push_back({"decoder", &spec.decoder});
  return stacks;
}

/// Weights outside the stacks.
static constexpr StringLiteral kModelWeights[] = {
    "embed.tokens",      "embed.positions", "embed.token_types",
    "embed.norm.weight", "embed.norm.bias", "lm_head",
    "lm_head.bias"};

/// Parts of a layer that have a weight and a bias, below `<stack>.layer.`.
static constexpr StringLiteral kLayerParts[] = {
    "attn.q",          "attn.k",       "attn.v",       "attn.qkv",
    "attn.o",          "attn.q_norm",  "attn.k_norm",  "cross_attn.q",
    "cross_attn.k",    "cross_attn.v", "cross_attn.o", "attn_norm",
    "cross_attn_norm", "mlp_norm",     "mlp.up",       "mlp.gate",
    "mlp.gate_up",     "mlp.down"};

static constexpr StringLiteral kQkvParts[] = {"attn.q", "attn.k", "attn.v"};
static constexpr StringLiteral kGateUpParts[] = {"mlp.gate", "mlp.up"};
static constexpr FusedProjection kFusedProjections[] = {
    {"attn.qkv", kQkvParts}, {"mlp.gate_up", kGateUpParts}};

ArrayRef<FusedProjection> kiln::getFusedProjections() {
  return kFusedProjections;
}

const std::vector<std::string> &kiln::allWeightNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result(std::begin(kModelWeights),
                                    std::end(kModelWeights));
    for (StringRef stack : {"encoder", "decoder"}) {
      for (StringRef part : kLayerParts)
        for (StringRef kind : {"weight", "bias"})
          result.push_back((stack + ".layer." + part + "." + kind).str());
      for (StringRef kind : {"weight", "bias"})
        result.push_back((stack + ".final_norm." + kind).str());
    }
    return result;
  }();
  return names;
}

bool kiln::isKnownWeightName(StringRef name) {
  return is_contained(allWeightNames(), name);
}

bool kiln::isPerLayerWeight(StringRef name) { return name.contains(".layer."); }

namespace {

/// Collects the weights of one architecture.
class RequiredWeights {
public:
  explicit RequiredWeights(const ModelSpec &spec) : spec(spec) {}

  std::vector<std::string> collect() {
    add("embed.tokens");
    if (spec.positions.kind == PositionKind::Learned)
      add("embed.positions");
    if (spec.typeVocabSize > 0)
      add("embed.token_types");
    if (spec.embeddingNorm)
      addNorm("embed.norm");
    for (NamedStack stack : stacksOf(spec))
      addStack(stack);
    if (spec.output == OutputKind::Logits && !spec.tieEmbeddings)
      add("lm_head");
    if (spec.output == OutputKind::Logits && spec.outputBias)
      add("lm_head.bias");
    return std::move(names);
  }

private:
  void add(const Twine &name) { names.push_back(name.str()); }

  /// `<part>.weight` and, if `hasBias`, `<part>.bias`.
  void addAffine(const Twine &part, bool hasBias) {
    add(part + ".weight");
    if (hasBias)
      add(part + ".bias");
  }

  /// A norm: RMS norms never have a bias.
  void addNorm(const Twine &part) {
    addAffine(part, spec.norm == NormKind::LayerNorm && spec.normBias);
  }

  /// Q, K, V and the output projection of an attention block, and the
  /// norms of queries and keys of self-attention.
  void addAttention(const std::string &block, bool isSelfAttention) {
    if (isSelfAttention && spec.weights.count(block + ".qkv.weight")) {
      addAffine(block + ".qkv", spec.attentionBias);
    } else {
      for (StringRef projection : {".q", ".k", ".v"})
        addAffine(block + projection, spec.attentionBias);
    }
    if (isSelfAttention && spec.qkNorm != QkNorm::None) {
      addNorm(block + ".q_norm");
      addNorm(block + ".k_norm");
    }
    addAffine(block + ".o", spec.attentionOutputBias);
  }

  void addStack(NamedStack stack) {
    std::string layer = (stack.name + ".layer.").str();
    addNorm(layer + "attn_norm");
    addAttention(layer + "attn", /*isSelfAttention=*/true);
    if (stack.stack->crossAttention) {
      addNorm(layer + "cross_attn_norm");
      addAttention(layer + "cross_attn", /*isSelfAttention=*/false);
    }
    if (spec.normPlacement != NormPlacement::Parallel || spec.parallelMlpNorm)
      addNorm(layer + "mlp_norm");
    bool fusedGateUp =
        isGated(spec.ffn) && spec.weights.count(layer + "mlp.gate_up.weight");
    if (fusedGateUp) {
      addAffine(layer + "mlp.gate_up", spec.mlpBias);
    } else {
      if (isGated(spec.ffn))
        addAffine(layer + "mlp.gate", spec.mlpBias);
      addAffine(layer + "mlp.up", spec.mlpBias);
    }
    addAffine(layer + "mlp.down", spec.mlpBias);
    if (spec.finalNorm)
      addNorm(stack.name + ".final_norm");
  }

  const ModelSpec &spec;
  std::vector<std::string> names;
};

} // namespace

std::vector<std::string> kiln::requiredWeightNames(const ModelSpec &spec) {
  return RequiredWeights(spec).collect();
}
