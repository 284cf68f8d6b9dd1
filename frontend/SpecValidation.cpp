//===- SpecValidation.cpp - Consistency checks of a model spec ------------===//
//
// The checks run in a fixed order, from single values to the relations
// between them, and stop at the first failure: a later check may rely on an
// earlier one (the head dimension is only meaningful once d_model divides by
// the number of heads), and one clear error beats a cascade.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecValidation.h"

#include "frontend/SpecKeywords.h"

#include "frontend/WeightNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <initializer_list>

using namespace kiln;
using namespace llvm;

/// Whether `c` may appear in a model name.
static bool isModelNameChar(char c) {
  return isAlnum(c) || c == '_' || c == '-' || c == '.';
}

bool kiln::isValidModelName(StringRef name) {
  return !name.empty() && all_of(name, isModelNameChar);
}

std::string kiln::toModelName(StringRef text) {
  std::string name = text.str();
  for (char &c : name)
    if (!isModelNameChar(c))
      c = '_';
  return name.empty() ? "model" : name;
}

namespace {

/// Runs the checks on one spec.
class Validator {
public:
  Validator(const ModelSpec &spec, SpecDiagnostics &diagnostics,
            const FieldSpellings &spellings)
      : spec(spec), diagnostics(diagnostics), spellings(spellings) {}

  /// Runs every check in order; false after the first failure.
  bool run() {
    return checkName() && checkSizes() && checkScalars() && checkHeads() &&
           checkPositions() && checkMasks() && checkNorm() && checkOutput() &&
           checkWeightBindings() && checkRequiredWeights();
  }

private:
  //===--------------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------------===//

  /// Whether the input gave the field at dotted path `path`.
  bool given(const Twine &path) const {
    return spec.fieldLocs.count(path.str()) != 0;
  }

  /// A field as the input spells it, quoted.
  std::string quoted(const Twine &path) const {
    std::string key = path.str();
    auto it = spellings.find(key);
    return "'" + (it == spellings.end() ? key : it->second) + "'";
  }

  /// The first of `paths` that the input gave, else the first path (whose
  /// location then falls back to the whole model).
  std::string firstGiven(std::initializer_list<std::string> paths) const {
    for (const std::string &path : paths)
      if (given(path))
        return path;
    return *paths.begin();
  }

  /// Reports `message` at the field `path` and fails the validation.
  bool fail(const std::string &path, const Twine &message) {
    diagnostics.error(spec.locOf(path), message);
    return false;
  }

  /// The field holding a stack's mask setting: its own, else `attention.`.
  std::string maskField(StringRef stack, StringRef field) const {
    return firstGiven(
        {(stack + "." + field).str(), ("attention." + field).str()});
  }

  //===--------------------------------------------------------------------===//
  // Single values
  //===--------------------------------------------------------------------===//

  /// The model name can name a function and a binary.
  bool checkName() {
    if (isValidModelName(spec.name))
      return true;
    return fail("model.name", quoted("model.name") +
                                  " must be made of letters, digits, '_', "
                                  "'-' and '.', got '" +
                                  spec.name + "'");
  }

  /// `value` of field `path` lies in [minimum, maximum].
  bool checkSize(const std::string &path, int64_t value, int64_t minimum,
                 int64_t maximum = kMaxSpecSize) {
    if (value < minimum)
      return fail(path, quoted(path) + " must be at least " + Twine(minimum) +
                            ", got " + Twine(value));
    if (value > maximum)
      return fail(path, quoted(path) + " must be at most " + Twine(maximum) +
                            ", got " + Twine(value));
    return true;
  }

  /// Every size in range; layer counts and windows per stack.
  bool checkSizes() {
    if (!checkSize("model.vocab_size", spec.vocabSize, 1) ||
        !checkSize("model.d_model", spec.dModel, 1) ||
        !checkSize("model.max_seq_len", spec.maxSeqLen, 1) ||
        !checkSize("model.batch", spec.batch.size, 1) ||
        !checkSize("attention.heads", spec.numHeads, 1) ||
        !checkSize("attention.kv_heads", spec.numKvHeads, 1) ||
        !checkSize("ffn.dim", spec.ffnDim, 1) ||
        !checkSize("embeddings.token_types", spec.typeVocabSize, 0))
      return false;
    if (given("attention.head_dim") &&
        !checkSize("attention.head_dim", spec.headDim, 1))
      return false;
    if (spec.positions.kind != PositionKind::None &&
        !checkSize("positions.max", spec.positions.maxPositions, 1))
      return false;
    if (spec.positions.rotaryDim &&
        !checkSize("positions.rotary_dim", *spec.positions.rotaryDim, 1))
      return false;
    if (spec.positions.paddingIdx &&
        !checkSize("positions.padding_idx", *spec.positions.paddingIdx, 0))
      return false;
    if (!checkSize("positions.offset", spec.positions.offset, 0))
      return false;
    for (NamedStack stack : stacksOf(spec)) {
      if (!checkSize((stack.name + ".layers").str(), stack.stack->numLayers, 1,
                     kMaxLayers))
        return false;
      const std::optional<int64_t> &window =
          stack.stack->selfAttention.slidingWindow;
      if (window &&
          !checkSize(maskField(stack.name, "sliding_window"), *window, 1))
        return false;
    }
    return true;
  }

  /// `value` of field `path` is finite and positive.
  bool checkPositive(const std::string &path, double value) {
    if (std::isfinite(value) && value > 0)
      return true;
    return fail(path, quoted(path) + " must be a positive finite number, got " +
                          formatNumber(value));
  }

  /// Epsilon, theta and the scales positive and finite.
  bool checkScalars() {
    return checkPositive("norm.epsilon", spec.normEpsilon) &&
           checkPositive("positions.theta", spec.positions.theta) &&
           checkPositive("embeddings.scale", spec.embeddingScale) &&
           (!spec.attentionScale ||
            checkPositive("attention.scale", *spec.attentionScale)) &&
           checkPositive("model.residual_scale", spec.residualScale) &&
           checkPositive("output.logits_scale", spec.logitsScale);
  }

  //===--------------------------------------------------------------------===//
  // Shapes
  //===--------------------------------------------------------------------===//

  /// Heads split d_model, and query heads split evenly over kv heads; the
  /// heads are at most kMaxSpecSize features wide in all; a per-head QKV
  /// layout has as many of both, and a norm on queries and keys no
  /// cross-attention to leave out.
  bool checkHeads() {
    if (!given("attention.head_dim") && spec.dModel % spec.numHeads != 0)
      return fail("attention.heads",
                  quoted("model.d_model") + " (" + Twine(spec.dModel) +
                      ") is not divisible by " + quoted("attention.heads") +
                      " (" + Twine(spec.numHeads) + ")");
    if (spec.numHeads % spec.numKvHeads != 0)
      return fail("attention.kv_heads",
                  quoted("attention.heads") + " (" + Twine(spec.numHeads) +
                      ") is not a multiple of " + quoted("attention.kv_heads") +
                      " (" + Twine(spec.numKvHeads) + ")");
    if (spec.qkvLayout == QkvLayout::PerHead &&
        spec.numKvHeads != spec.numHeads)
      return fail("attention.qkv_layout",
                  quoted("attention.qkv_layout") +
                      " 'per_head' needs as many key/value heads as query "
                      "heads, but " +
                      quoted("attention.kv_heads") + " is " +
                      Twine(spec.numKvHeads) + " and " +
                      quoted("attention.heads") + " " + Twine(spec.numHeads));
    // Sizes are at most kMaxSpecSize, so these products fit in int64_t.
    for (auto [heads, field] :
         {std::pair<int64_t, StringRef>{spec.numHeads, "attention.heads"},
          {spec.numKvHeads, "attention.kv_heads"}})
      if (heads * spec.headDim > kMaxSpecSize)
        return fail(field.str(),
                    quoted(field) + " × " + quoted("attention.head_dim") +
                        " is " + Twine(heads) + " × " + Twine(spec.headDim) +
                        " = " + Twine(heads * spec.headDim) +
                        " features; Kiln supports at most " +
                        Twine(kMaxSpecSize));
    if (spec.qkNorm != QkNorm::None && spec.decoder.crossAttention)
      return fail("attention.qk_norm",
                  quoted("attention.qk_norm") +
                      " applies to self-attention, but the decoder also "
                      "attends to the encoder");
    return true;
  }

  /// Reports a positions field that the position kind does not use.
  bool failInapplicable(const std::string &path, StringRef kinds) {
    return fail(path,
                quoted(path) + " only applies to " + kinds + " positions");
  }

  /// Position fields fit their kind, the head and the sequence length.
  bool checkPositions() {
    const PositionSpec &positions = spec.positions;
    bool rope = positions.kind == PositionKind::Rope;
    bool sinusoidal = positions.kind == PositionKind::Sinusoidal;
    if (given("positions.theta") && !rope && !sinusoidal)
      return failInapplicable("positions.theta", "rope and sinusoidal");
    if (given("positions.rotary_dim") && !rope)
      return failInapplicable("positions.rotary_dim", "rope");
    for (const char *field :
         {"positions.rope_style", "positions.rope_scaling",
          "positions.rope_scaling_factor", "positions.rope_low_freq_factor",
          "positions.rope_high_freq_factor",
          "positions.rope_original_max_positions"})
      if (given(field) && !rope)
        return failInapplicable(field, "rope");
    if (given("positions.max") && positions.kind == PositionKind::None)
      return failInapplicable("positions.max", "learned, sinusoidal and rope");
    for (const char *field : {"positions.offset", "positions.padding_idx"})
      if (given(field) && positions.kind != PositionKind::Learned)
        return failInapplicable(field, "learned");
    if (positions.offset != 0 && positions.paddingIdx)
      return fail(firstGiven({"positions.offset", "positions.padding_idx"}),
                  quoted("positions.offset") + " and " +
                      quoted("positions.padding_idx") +
                      " are two ways of placing position 0; give one");

    if (rope && (!checkRotaryDim() || !checkRopeScaling()))
      return false;
    if (sinusoidal && spec.dModel % 2 != 0)
      return fail("model.d_model", "sinusoidal positions need an even " +
                                       quoted("model.d_model") + ", got " +
                                       Twine(spec.dModel));
    if (positions.kind != PositionKind::None &&
        positions.maxPositions < spec.maxSeqLen)
      return fail(firstGiven({"positions.max", "model.max_seq_len"}),
                  quoted("positions.max") + " (" +
                      Twine(positions.maxPositions) + ") is smaller than " +
                      quoted("model.max_seq_len") + " (" +
                      Twine(spec.maxSeqLen) + ")");
    // Counted positions start after the padding row.
    if (positions.paddingIdx &&
        *positions.paddingIdx + 1 + spec.maxSeqLen > positions.maxPositions)
      return fail(firstGiven({"positions.padding_idx", "positions.max",
                              "model.max_seq_len"}),
                  quoted("positions.max") + " (" +
                      Twine(positions.maxPositions) + ") has no row for the " +
                      "last of " + quoted("model.max_seq_len") + " (" +
                      Twine(spec.maxSeqLen) + ") tokens counted from " +
                      quoted("positions.padding_idx") + " (" +
                      Twine(*positions.paddingIdx) + ") + 1");
    return true;
  }

  /// RoPE scaling has exactly the parameters of its kind: a positive
  /// factor, and for llama3 positive bands, the high one above the low one,
  /// and a positive training context length.
  bool checkRopeScaling() {
    const PositionSpec &positions = spec.positions;
    std::optional<RopeScaling> scaling = positions.ropeScaling;
    bool isLlama3 = scaling == RopeScaling::Llama3;
    const std::pair<const char *, bool> fields[] = {
        {"positions.rope_scaling_factor", scaling.has_value()},
        {"positions.rope_low_freq_factor", isLlama3},
        {"positions.rope_high_freq_factor", isLlama3},
        {"positions.rope_original_max_positions", isLlama3}};
    for (auto [field, isExpected] : fields) {
      if (given(field) == isExpected)
        continue;
      if (!isExpected)
        return fail(field, quoted(field) + " only applies to " +
                               (scaling ? "llama3" : "scaled") +
                               " rope positions; set " +
                               quoted("positions.rope_scaling") +
                               (scaling ? " to llama3" : ""));
      return fail("positions.rope_scaling", quoted("positions.rope_scaling") +
                                                " " + getKeywordName(*scaling) +
                                                " needs " + quoted(field));
    }
    if (!scaling)
      return true;
    if (!checkPositive("positions.rope_scaling_factor",
                       positions.ropeScalingFactor))
      return false;
    if (!isLlama3)
      return true;
    if (!checkPositive("positions.rope_low_freq_factor",
                       positions.ropeLowFreqFactor) ||
        !checkPositive("positions.rope_high_freq_factor",
                       positions.ropeHighFreqFactor))
      return false;
    if (positions.ropeHighFreqFactor <= positions.ropeLowFreqFactor)
      return fail("positions.rope_high_freq_factor",
                  quoted("positions.rope_high_freq_factor") + " (" +
                      formatNumber(positions.ropeHighFreqFactor) +
                      ") must be greater than " +
                      quoted("positions.rope_low_freq_factor") + " (" +
                      formatNumber(positions.ropeLowFreqFactor) + ")");
    if (positions.ropeOriginalMaxPositions <= 0)
      return fail("positions.rope_original_max_positions",
                  quoted("positions.rope_original_max_positions") +
                      " must be positive, got " +
                      Twine(positions.ropeOriginalMaxPositions));
    return true;
  }

  /// RoPE rotates pairs of features, so the rotated width must be even and
  /// fit in a head.
  bool checkRotaryDim() {
    if (std::optional<int64_t> rotaryDim = spec.positions.rotaryDim) {
      if (*rotaryDim > spec.headDim)
        return fail("positions.rotary_dim",
                    quoted("positions.rotary_dim") + " (" + Twine(*rotaryDim) +
                        ") exceeds the head dimension (" + Twine(spec.headDim) +
                        ")");
      if (*rotaryDim % 2 != 0)
        return fail("positions.rotary_dim", "rope positions need an even " +
                                                quoted("positions.rotary_dim") +
                                                ", got " + Twine(*rotaryDim));
      return true;
    }
    if (spec.headDim % 2 == 0)
      return true;
    if (given("attention.head_dim"))
      return fail("attention.head_dim", "rope positions need an even " +
                                            quoted("attention.head_dim") +
                                            ", got " + Twine(spec.headDim));
    return fail("attention.heads",
                "rope positions need an even head dimension, but " +
                    quoted("model.d_model") + " / " +
                    quoted("attention.heads") + " is " + Twine(spec.dModel) +
                    " / " + Twine(spec.numHeads) + " = " + Twine(spec.headDim));
  }

  //===--------------------------------------------------------------------===//
  // Features that need each other
  //===--------------------------------------------------------------------===//

  /// Sliding windows only on causal self-attention.
  bool checkMasks() {
    for (NamedStack stack : stacksOf(spec)) {
      const AttentionMaskSpec &mask = stack.stack->selfAttention;
      if (mask.slidingWindow && !mask.causal)
        return fail(maskField(stack.name, "sliding_window"),
                    "a sliding window needs causal self-attention, but the " +
                        stack.name + "'s is bidirectional");
    }
    return true;
  }

  /// RMS norms have no bias; only they take a finite scale offset; only
  /// parallel layers may share a norm, and they have no cross-attention.
  bool checkNorm() {
    if (spec.norm == NormKind::RmsNorm && spec.normBias)
      return fail("norm.bias", quoted("norm.bias") +
                                   " must be false for rmsnorm, which has no "
                                   "bias");
    const std::string offsetPath = "norm.gamma_offset";
    if (!std::isfinite(spec.normGammaOffset))
      return fail(offsetPath, quoted(offsetPath) +
                                  " must be a finite number, got " +
                                  formatNumber(spec.normGammaOffset));
    bool isParallel = spec.normPlacement == NormPlacement::Parallel;
    if (given("norm.parallel_mlp_norm") && !isParallel)
      return fail("norm.parallel_mlp_norm",
                  quoted("norm.parallel_mlp_norm") +
                      " only applies to 'norm.placement' parallel");
    if (isParallel && spec.decoder.crossAttention)
      return fail("norm.placement",
                  quoted("norm.placement") +
                      " 'parallel' needs layers without cross-attention, but "
                      "the decoder attends to the encoder");
    if (spec.normGammaOffset != 0.0 && spec.norm != NormKind::RmsNorm)
      return fail(offsetPath, quoted(offsetPath) +
                                  " applies to rmsnorm only, but 'norm.kind' "
                                  "is " +
                                  getKeywordName(spec.norm).str());
    return true;
  }

  /// Pooling needs an encoder; its options, the logits' positions and tied
  /// embeddings need their output kind.
  bool checkOutput() {
    bool pooled = spec.output == OutputKind::PooledEmbedding;
    if (pooled && spec.topology != Topology::EncoderOnly)
      return fail("output.kind", "a pooled_embedding output needs an "
                                 "encoder_only model, but this model has a "
                                 "decoder");
    for (StringRef field : {"output.normalize", "output.mask_aware"})
      if (given(field) && !pooled)
        return fail(field.str(), quoted(field) +
                                     " only applies to the pooled_embedding "
                                     "output");
    for (StringRef field :
         {"output.positions", "output.bias", "output.logits_scale"})
      if (given(field) && spec.output != OutputKind::Logits)
        return fail(field.str(),
                    quoted(field) + " only applies to the logits output");
    if (pooled && spec.pooling.maskAware && !spec.encoder.selfAttention.padding)
      return fail("output.mask_aware",
                  "mask-aware pooling needs the attention-mask input; set " +
                      quoted("attention.padding_mask") + " to true");
    if (given("embeddings.tied") && spec.tieEmbeddings &&
        spec.output != OutputKind::Logits)
      return fail("embeddings.tied",
                  quoted("embeddings.tied") +
                      " needs the logits output, whose projection it shares "
                      "with the token embeddings");
    return true;
  }

  //===--------------------------------------------------------------------===//
  // Weights
  //===--------------------------------------------------------------------===//

  /// The field to blame for the binding of `logical`.
  std::string bindingField(const std::string &logical) const {
    return firstGiven({"weights." + logical, "weights.prefix", "weights"});
  }

  /// Tensor names are non-empty, and per-layer ones (only those) contain the
  /// `{layer}` placeholder, which is the only placeholder.
  bool checkTensorName(const std::string &logical,
                       const WeightBinding &binding) {
    StringRef tensor = binding.tensorName;
    std::string field = bindingField(logical);
    if (tensor.empty())
      return fail(field,
                  "empty checkpoint tensor name for weight '" + logical + "'");
    bool hasPlaceholder = tensor.contains(kLayerPlaceholder);
    std::string withoutPlaceholder = tensor.str();
    for (size_t pos; (pos = withoutPlaceholder.find(kLayerPlaceholder)) !=
                     std::string::npos;)
      withoutPlaceholder.erase(pos, kLayerPlaceholder.size());
    if (StringRef(withoutPlaceholder).find_first_of("{}") != StringRef::npos)
      return fail(field, "tensor name '" + tensor + "' of weight '" + logical +
                             "' has a placeholder other than '" +
                             kLayerPlaceholder + "'");
    if (isPerLayerWeight(logical) && !hasPlaceholder)
      return fail(field, "tensor name '" + tensor + "' of per-layer weight '" +
                             logical + "' must contain '" + kLayerPlaceholder +
                             "'");
    if (!isPerLayerWeight(logical) && hasPlaceholder)
      return fail(field, "tensor name '" + tensor + "' of weight '" + logical +
                             "' must not contain '" + kLayerPlaceholder +
                             "': the weight is not per layer");
    return true;
  }

  /// The input does not bind both `projection` fused and one of its parts
  /// in `stack`.
  bool checkFusedOrSeparate(StringRef stack,
                            const FusedProjection &projection) {
    std::string fused =
        (stack + ".layer." + projection.fused + ".weight").str();
    if (!given("weights." + fused))
      return true;
    for (StringRef part : projection.parts) {
      std::string separate = (stack + ".layer." + part + ".weight").str();
      if (given("weights." + separate))
        return fail("weights." + separate,
                    "both the fused '" + fused + "' and the separate '" +
                        separate +
                        "' projections are bound; bind one or the other");
    }
    return true;
  }

  /// Tensor names are well-formed and bindings do not contradict each other
  /// or the architecture.
  bool checkWeightBindings() {
    for (const auto &[logical, binding] : spec.weights)
      if (!checkTensorName(logical, binding))
        return false;

    for (NamedStack stack : stacksOf(spec))
      for (const FusedProjection &projection : getFusedProjections())
        if (!checkFusedOrSeparate(stack.name, projection))
          return false;

    if (spec.tieEmbeddings && given("weights.lm_head"))
      return fail("weights.lm_head",
                  "'lm_head' is bound, but with " + quoted("embeddings.tied") +
                      " the output projection is 'embed.tokens' ([" +
                      Twine(spec.vocabSize) + ", " + Twine(spec.dModel) +
                      "]); remove one of the two");
    return true;
  }

  /// Every weight the model reads is bound; explicit bindings it does not
  /// read get a warning.
  bool checkRequiredWeights() {
    std::vector<std::string> required = requiredWeightNames(spec);
    for (const std::string &logical : required)
      if (!spec.weights.count(logical))
        return fail(firstGiven({"weights", "model.family"}),
                    "no checkpoint tensor bound to weight '" + logical +
                        "', which this model needs; add it to "
                        "'weights.names'");
    for (const auto &entry : spec.weights) {
      std::string field = "weights." + entry.first;
      if (given(field) && !is_contained(required, entry.first))
        diagnostics.warning(spec.locOf(field),
                            "weight '" + entry.first +
                                "' is not used by this model");
    }
    return true;
  }

  const ModelSpec &spec;
  SpecDiagnostics &diagnostics;
  const FieldSpellings &spellings;
};

} // namespace

bool kiln::validateModelSpec(const ModelSpec &spec,
                             SpecDiagnostics &diagnostics,
                             const FieldSpellings &spellings) {
  return Validator(spec, diagnostics, spellings).run();
}
