//===- ModelSpecPrinter.cpp - Print a ModelSpec as a Kiln spec ------------===//
//
// Prints each section of docs/spec.md in its order, spelling enumerated
// fields with the keyword tables the spec parser reads them with. Fields
// that only apply to some models (RoPE settings, the logits' positions,
// pooling options, a sliding window) are printed only for those models, and
// of the weights only those the architecture reads, so that the output
// passes validation as it stands.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelSpecPrinter.h"

#include "frontend/SpecKeywords.h"
#include "frontend/WeightNames.h"

#include "llvm/ADT/Twine.h"

#include <cstdio>
#include <cstdlib>

using namespace llvm;

namespace kiln {

//===----------------------------------------------------------------------===//
// Spellings
//===----------------------------------------------------------------------===//

/// A boolean as the spec parser reads it.
static StringRef spell(bool value) { return value ? "true" : "false"; }

/// The shortest `%g` form of `value` that reads back as the same double.
static std::string formatNumber(double value) {
  char text[32];
  for (int precision = 6; precision < 17; ++precision) {
    std::snprintf(text, sizeof(text), "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value)
      return text;
  }
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

/// `text` as a double-quoted YAML scalar, so that names starting with `{`
/// or holding `:` stay strings.
static std::string quote(StringRef text) {
  std::string result = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      result += '\\';
    result += c;
  }
  return result + "\"";
}

//===----------------------------------------------------------------------===//
// Sections
//===----------------------------------------------------------------------===//

namespace {

/// Writes `section:` headers and their indented `key: value` fields.
class SpecWriter {
public:
  explicit SpecWriter(raw_ostream &os) : os(os) {}

  void section(StringRef name) { os << name << ":\n"; }

  void field(StringRef key, const Twine &value) {
    os << "  " << key << ": " << value << "\n";
  }
  void field(StringRef key, int64_t value) { field(key, Twine(value)); }
  void number(StringRef key, double value) { field(key, formatNumber(value)); }

private:
  raw_ostream &os;
};

} // namespace

static void printModel(const ModelSpec &spec, SpecWriter &w) {
  w.section("model");
  w.field("name", quote(spec.name));
  w.field("topology", getKeywordName(spec.topology));
  w.field("vocab_size", spec.vocabSize);
  w.field("d_model", spec.dModel);
  w.field("max_seq_len", spec.maxSeqLen);
  if (spec.batch.dynamic)
    w.field("batch", "{max: " + Twine(spec.batch.size) + "}");
  else
    w.field("batch", spec.batch.size);
  w.field("weight_dtype", getKeywordName(spec.weightDType));
  if (spec.residualScale != 1.0)
    w.number("residual_scale", spec.residualScale);

  w.section("attention");
  w.field("heads", spec.numHeads);
  w.field("kv_heads", spec.numKvHeads);
  w.field("head_dim", spec.headDim);
  if (spec.qkvLayout != QkvLayout::Concatenated)
    w.field("qkv_layout", getKeywordName(spec.qkvLayout));
  w.field("bias", spell(spec.attentionBias));
  w.field("output_bias", spell(spec.attentionOutputBias));
  if (spec.qkNorm != QkNorm::None)
    w.field("qk_norm", getKeywordName(spec.qkNorm));
  if (spec.attentionScale)
    w.number("scale", *spec.attentionScale);

  w.section("ffn");
  w.field("kind", getKeywordName(spec.ffn));
  w.field("dim", spec.ffnDim);
  w.field("bias", spell(spec.mlpBias));

  w.section("norm");
  w.field("kind", getKeywordName(spec.norm));
  w.field("placement", getKeywordName(spec.normPlacement));
  if (spec.normPlacement == NormPlacement::Parallel)
    w.field("parallel_mlp_norm", spell(spec.parallelMlpNorm));
  w.number("epsilon", spec.normEpsilon);
  if (spec.normGammaOffset != 0.0)
    w.number("gamma_offset", spec.normGammaOffset);
  w.field("bias", spell(spec.normBias));
  w.field("embedding_norm", spell(spec.embeddingNorm));
  w.field("final_norm", spell(spec.finalNorm));
}

static void printPositions(const PositionSpec &positions, SpecWriter &w) {
  w.section("positions");
  w.field("kind", getKeywordName(positions.kind));
  if (positions.kind == PositionKind::None)
    return;
  w.field("max", positions.maxPositions);
  if (positions.kind == PositionKind::Learned) {
    if (positions.offset != 0)
      w.field("offset", positions.offset);
    if (positions.paddingIdx)
      w.field("padding_idx", *positions.paddingIdx);
    return;
  }
  w.number("theta", positions.theta);
  if (positions.kind != PositionKind::Rope)
    return;
  if (positions.rotaryDim)
    w.field("rotary_dim", *positions.rotaryDim);
  w.field("rope_style", getKeywordName(positions.ropeStyle));
  if (!positions.ropeScaling)
    return;
  w.field("rope_scaling", getKeywordName(*positions.ropeScaling));
  w.number("rope_scaling_factor", positions.ropeScalingFactor);
  if (*positions.ropeScaling != RopeScaling::Llama3)
    return;
  w.number("rope_low_freq_factor", positions.ropeLowFreqFactor);
  w.number("rope_high_freq_factor", positions.ropeHighFreqFactor);
  w.field("rope_original_max_positions", positions.ropeOriginalMaxPositions);
}

static void printEmbeddingsAndStacks(const ModelSpec &spec, SpecWriter &w) {
  w.section("embeddings");
  // Tying only applies to the logits output.
  if (spec.output == OutputKind::Logits)
    w.field("tied", spell(spec.tieEmbeddings));
  w.number("scale", spec.embeddingScale);
  w.field("token_types", spec.typeVocabSize);

  for (NamedStack stack : stacksOf(spec)) {
    const AttentionMaskSpec &mask = stack.stack->selfAttention;
    w.section(stack.name);
    w.field("layers", stack.stack->numLayers);
    w.field("mask", getKeywordName(getMaskKeywords(), mask.causal));
    w.field("padding_mask", spell(mask.padding));
    if (mask.slidingWindow)
      w.field("sliding_window", *mask.slidingWindow);
  }

  w.section("output");
  w.field("kind", getKeywordName(spec.output));
  if (spec.output == OutputKind::Logits) {
    w.field("positions", getKeywordName(spec.outputPositions));
    if (spec.outputBias)
      w.field("bias", "true");
    if (spec.logitsScale != 1.0)
      w.number("logits_scale", spec.logitsScale);
  }
  if (spec.output != OutputKind::PooledEmbedding)
    return;
  w.field("normalize", spell(spec.pooling.l2Normalize));
  w.field("mask_aware", spell(spec.pooling.maskAware));
}

static void printWeights(const ModelSpec &spec, raw_ostream &os) {
  os << "weights:\n  names:\n";
  for (const std::string &logical : requiredWeightNames(spec)) {
    auto binding = spec.weights.find(logical);
    if (binding == spec.weights.end())
      continue;
    os << "    " << logical << ": ";
    std::string tensor = quote(binding->second.tensorName);
    if (binding->second.transposed)
      os << "{name: " << tensor << ", transposed: true}\n";
    else
      os << tensor << "\n";
  }
}

void printModelSpec(const ModelSpec &spec, raw_ostream &os) {
  os << "# The model described by " << spec.loc.file
     << ", with every default spelled out.\n";
  SpecWriter writer(os);
  printModel(spec, writer);
  printPositions(spec.positions, writer);
  printEmbeddingsAndStacks(spec, writer);
  printWeights(spec, os);
}

} // namespace kiln
