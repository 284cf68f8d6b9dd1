//===- SpecValidationTest.cpp - Tests of the cross-field spec checks ------===//
//
// Feeds YAML specs that are well-formed but inconsistent (values out of
// range, shapes that do not divide, features that need each other, weights
// without a checkpoint tensor) and checks the single error each gives and
// where it points; and that consistent variants pass.
//
//===----------------------------------------------------------------------===//

#include "SpecTestUtils.h"

using namespace kiln;
using namespace kiln::test;

namespace {

const std::string kTinyBert = replaceOnce(kTinyGpt2, "gpt2", "bert");
const std::string kTinyLlama = replaceOnce(kTinyGpt2, "gpt2", "llama");

/// The encoder-decoder spec has both stacks (sections from line 15 on).
const std::string kTinyTransformer = R"(model:
  family: transformer
  vocab_size: 100
  d_model: 32
  max_seq_len: 16
attention:
  heads: 4
ffn:
  dim: 64
encoder:
  layers: 2
decoder:
  layers: 2
)";

/// A spec without a family, which may combine choices no family has
/// (sections from line 17 on).
const std::string kTinyCustom = R"(model:
  topology: decoder_only
  vocab_size: 100
  d_model: 64
  layers: 2
  max_seq_len: 32
attention:
  heads: 4
ffn:
  dim: 256
  kind: gelu
norm:
  kind: layernorm
  placement: pre
positions:
  kind: learned
)";

std::string edit(const std::string &spec, llvm::StringRef from,
                 llvm::StringRef to) {
  return replaceOnce(spec, from, to);
}

class InconsistentSpecTest : public SpecTest,
                             public ::testing::WithParamInterface<BadInput> {};

TEST_P(InconsistentSpecTest, GivesOneLocatedError) {
  const BadInput &input = GetParam();
  EXPECT_FALSE(loadYaml(input.text)) << "accepted:\n" << input.text;
  expectSingleError(input.line, input.column, input.message);
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, InconsistentSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"ZeroHeads", edit(kTinyGpt2, "heads: 4", "heads: 0"), 8, 10,
         "'attention.heads' must be at least 1, got 0"},
        {"NegativeVocab", edit(kTinyGpt2, "vocab_size: 100", "vocab_size: -5"),
         3, 15, "'model.vocab_size' must be at least 1, got -5"},
        {"HugeDModel", edit(kTinyGpt2, "d_model: 64", "d_model: 3000000000"), 4,
         12, "'model.d_model' must be at most 2147483647, got 3000000000"},
        {"ZeroLayers", edit(kTinyGpt2, "layers: 2", "layers: 0"), 5, 11,
         "'model.layers' must be at least 1, got 0"},
        {"ZeroEncoderLayers",
         edit(kTinyTransformer, "  layers: 2", "  layers: 0"), 11, 11,
         "'encoder.layers' must be at least 1, got 0"},
        {"ZeroMaxSeqLen", edit(kTinyGpt2, "max_seq_len: 32", "max_seq_len: 0"),
         6, 16, "'model.max_seq_len' must be at least 1, got 0"},
        {"ZeroFfnDim", edit(kTinyGpt2, "dim: 256", "dim: 0"), 10, 8,
         "'ffn.dim' must be at least 1, got 0"},
        {"ZeroKvHeads", edit(kTinyGpt2, "heads: 4", "heads: 4\n  kv_heads: 0"),
         9, 13, "'attention.kv_heads' must be at least 1, got 0"},
        {"ZeroHeadDim", edit(kTinyGpt2, "heads: 4", "heads: 4\n  head_dim: 0"),
         9, 13, "'attention.head_dim' must be at least 1, got 0"},
        {"ZeroDynamicBatch",
         edit(kTinyGpt2, "max_seq_len: 32",
              "max_seq_len: 32\n  batch: {max: 0}"),
         7, 16, "'model.batch' must be at least 1, got 0"},
        {"NegativeTokenTypes", kTinyBert + "embeddings:\n  token_types: -1\n",
         12, 16, "'embeddings.token_types' must be at least 0, got -1"},
        {"ZeroSlidingWindow",
         edit(kTinyGpt2, "heads: 4", "heads: 4\n  sliding_window: 0"), 9, 19,
         "'attention.sliding_window' must be at least 1, got 0"},
        {"ZeroPositions", kTinyGpt2 + "positions:\n  max: 0\n", 12, 8,
         "'positions.max' must be at least 1, got 0"},
        {"ZeroEpsilon", kTinyGpt2 + "norm:\n  epsilon: 0\n", 12, 12,
         "'norm.epsilon' must be a positive finite number, got 0"},
        {"NegativeTheta", kTinyLlama + "positions:\n  theta: -10000\n", 12, 10,
         "'positions.theta' must be a positive finite number, got -10000"},
        {"OverflowingScale", kTinyGpt2 + "embeddings:\n  scale: 1e999\n", 12,
         10, "'embeddings.scale' must be a positive finite number, got inf"},
        {"ZeroAttentionScale",
         edit(kTinyGpt2, "heads: 4", "heads: 4\n  scale: 0"), 9, 10,
         "'attention.scale' must be a positive finite number, got 0"},
        {"NegativeResidualScale",
         edit(kTinyGpt2, "family: gpt2", "family: gpt2\n  residual_scale: -1"),
         3, 19,
         "'model.residual_scale' must be a positive finite number, got -1"},
        {"InfiniteLogitsScale", kTinyGpt2 + "output:\n  logits_scale: 1e999\n",
         12, 17,
         "'output.logits_scale' must be a positive finite number, got inf"},
        {"InvalidName",
         edit(kTinyGpt2, "family: gpt2", "family: gpt2\n  name: gpt 2"), 3, 9,
         "'model.name' must be made of letters, digits, '_', '-' and '.', "
         "got 'gpt 2'"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Shapes, InconsistentSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"DModelNotDivisibleByHeads", edit(kTinyGpt2, "heads: 4", "heads: 5"),
         8, 10,
         "'model.d_model' (64) is not divisible by 'attention.heads' (5)"},
        {"HeadsNotMultipleOfKvHeads",
         edit(kTinyLlama, "heads: 4", "heads: 4\n  kv_heads: 3"), 9, 13,
         "'attention.heads' (4) is not a multiple of 'attention.kv_heads' (3)"},
        {"MoreKvHeadsThanHeads",
         edit(kTinyLlama, "heads: 4", "heads: 4\n  kv_heads: 8"), 9, 13,
         "'attention.heads' (4) is not a multiple of 'attention.kv_heads' (8)"},
        {"OddHeadDimWithRope", edit(kTinyLlama, "d_model: 64", "d_model: 60"),
         8, 10,
         "rope positions need an even head dimension, but 'model.d_model' / "
         "'attention.heads' is 60 / 4 = 15"},
        {"OddExplicitHeadDimWithRope",
         edit(kTinyLlama, "heads: 4", "heads: 4\n  head_dim: 15"), 9, 13,
         "rope positions need an even 'attention.head_dim', got 15"},
        {"RotaryDimBeyondHead", kTinyLlama + "positions:\n  rotary_dim: 32\n",
         12, 15, "'positions.rotary_dim' (32) exceeds the head dimension (16)"},
        {"OddRotaryDim", kTinyLlama + "positions:\n  rotary_dim: 7\n", 12, 15,
         "rope positions need an even 'positions.rotary_dim', got 7"},
        {"PaddingIdxWithRope", kTinyLlama + "positions:\n  padding_idx: 1\n",
         12, 16, "'positions.padding_idx' only applies to learned positions"},
        {"OffsetWithRope", kTinyLlama + "positions:\n  offset: 2\n", 12, 11,
         "'positions.offset' only applies to learned positions"},
        {"NegativeOffset", kTinyGpt2 + "positions:\n  offset: -2\n", 12, 11,
         "'positions.offset' must be at least 0, got -2"},
        {"OffsetAndPaddingIdx",
         kTinyBert + "positions:\n  max: 40\n  offset: 2\n  padding_idx: 1\n",
         13, 11,
         "'positions.offset' and 'positions.padding_idx' are two ways of "
         "placing position 0; give one"},
        {"NegativePaddingIdx", kTinyBert + "positions:\n  padding_idx: -1\n",
         12, 16, "'positions.padding_idx' must be at least 0, got -1"},
        {"PaddingIdxLeavesTheLastTokenNoRow",
         kTinyBert + "positions:\n  padding_idx: 1\n", 12, 16,
         "'positions.max' (32) has no row for the last of 'model.max_seq_len' "
         "(32) tokens counted from 'positions.padding_idx' (1) + 1"},
        {"RopeScalingWithoutFactor",
         kTinyLlama + "positions:\n  rope_scaling: linear\n", 12, 17,
         "'positions.rope_scaling' linear needs "
         "'positions.rope_scaling_factor'"},
        {"RopeScalingBandsWithLinear",
         kTinyLlama + "positions:\n  rope_scaling: linear\n"
                      "  rope_scaling_factor: 2\n  rope_low_freq_factor: 1\n",
         14, 25,
         "'positions.rope_low_freq_factor' only applies to llama3 rope "
         "positions; set 'positions.rope_scaling' to llama3"},
        {"RopeScalingFactorWithoutScaling",
         kTinyLlama + "positions:\n  rope_scaling_factor: 2\n", 12, 24,
         "'positions.rope_scaling_factor' only applies to scaled rope "
         "positions; set 'positions.rope_scaling'"},
        {"RopeScalingZeroFactor",
         kTinyLlama + "positions:\n  rope_scaling: linear\n"
                      "  rope_scaling_factor: 0\n",
         13, 24,
         "'positions.rope_scaling_factor' must be a positive finite number, "
         "got 0"},
        {"RopeScalingZeroOriginalLength",
         kTinyLlama + "positions:\n  rope_scaling: llama3\n"
                      "  rope_scaling_factor: 8\n  rope_low_freq_factor: 1\n"
                      "  rope_high_freq_factor: 4\n"
                      "  rope_original_max_positions: 0\n",
         16, 32,
         "'positions.rope_original_max_positions' must be positive, "
         "got 0"},
        {"OddDModelWithSinusoids",
         edit(edit(kTinyTransformer, "d_model: 32", "d_model: 33"), "heads: 4",
              "heads: 3"),
         4, 12, "sinusoidal positions need an even 'model.d_model', got 33"},
        {"PositionTableTooShort", kTinyGpt2 + "positions:\n  max: 16\n", 12, 8,
         "'positions.max' (16) is smaller than 'model.max_seq_len' (32)"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Features, InconsistentSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"SlidingWindowOnBidirectionalEncoder",
         edit(kTinyBert, "heads: 4", "heads: 4\n  sliding_window: 16"), 9, 19,
         "a sliding window needs causal self-attention, but the encoder's is "
         "bidirectional"},
        {"SlidingWindowOnEncoderOfEncoderDecoder",
         edit(kTinyTransformer, "heads: 4", "heads: 4\n  sliding_window: 8"), 8,
         19, "but the encoder's is bidirectional"},
        {"SlidingWindowOnBidirectionalDecoder",
         edit(kTinyCustom, "heads: 4",
              "heads: 4\n  mask: bidirectional\n  sliding_window: 8"),
         10, 19, "but the decoder's is bidirectional"},
        {"ThetaWithLearnedPositions", kTinyGpt2 + "positions:\n  theta: 500\n",
         12, 10,
         "'positions.theta' only applies to rope and sinusoidal positions"},
        {"RotaryDimWithoutRope", kTinyGpt2 + "positions:\n  rotary_dim: 8\n",
         12, 15, "'positions.rotary_dim' only applies to rope positions"},
        {"RopeStyleWithoutRope",
         kTinyGpt2 + "positions:\n  rope_style: interleaved\n", 12, 15,
         "'positions.rope_style' only applies to rope positions"},
        {"RopeScalingWithoutRope",
         kTinyGpt2 + "positions:\n  rope_scaling: linear\n", 12, 17,
         "'positions.rope_scaling' only applies to rope positions"},
        {"MaxWithoutPositions",
         edit(kTinyCustom, "kind: learned", "kind: none\n  max: 64"), 17, 8,
         "'positions.max' only applies to learned, sinusoidal and rope "
         "positions"},
        {"PooledOutputOnDecoder",
         kTinyGpt2 + "output:\n  kind: pooled_embedding\n", 12, 9,
         "a pooled_embedding output needs an encoder_only model, but this "
         "model has a decoder"},
        {"PooledOutputOnEncoderDecoder",
         kTinyTransformer + "output:\n  kind: pooled_embedding\n", 15, 9,
         "a pooled_embedding output needs an encoder_only model"},
        {"NormalizeWithoutPooling", kTinyBert + "output:\n  normalize: true\n",
         12, 14,
         "'output.normalize' only applies to the pooled_embedding "
         "output"},
        {"PositionsWithoutLogits", kTinyBert + "output:\n  positions: last\n",
         12, 14, "'output.positions' only applies to the logits output"},
        {"MaskAwarePoolingWithoutMask",
         edit(kTinyBert, "heads: 4", "heads: 4\n  padding_mask: false") +
             "output:\n  kind: pooled_embedding\n  mask_aware: true\n",
         14, 15,
         "mask-aware pooling needs the attention-mask input; set "
         "'attention.padding_mask' to true"},
        {"TiedWithoutLogits",
         kTinyGpt2 + "embeddings:\n  tied: true\noutput:\n  kind: "
                     "hidden_states\n",
         12, 9, "'embeddings.tied' needs the logits output"},
        {"TiedWithBoundLmHead",
         kTinyGpt2 + "weights:\n  names:\n    lm_head: lm_head.weight\n", 13,
         14,
         "'lm_head' is bound, but with 'embeddings.tied' the output "
         "projection is 'embed.tokens' ([100, 64]); remove one of the two"},
        {"RmsNormWithBias", kTinyLlama + "norm:\n  bias: true\n", 12, 9,
         "'norm.bias' must be false for rmsnorm, which has no bias"},
        {"ExplicitRmsNormWithBias",
         edit(kTinyCustom, "kind: layernorm", "kind: rmsnorm\n  bias: true"),
         14, 9, "'norm.bias' must be false for rmsnorm"},
        {"GammaOffsetOnLayerNorm", kTinyGpt2 + "norm:\n  gamma_offset: 1\n", 12,
         17,
         "'norm.gamma_offset' applies to rmsnorm only, but 'norm.kind' is "
         "layernorm"},
        {"SharedNormOutsideParallelLayers",
         kTinyGpt2 + "norm:\n  parallel_mlp_norm: false\n", 12, 22,
         "'norm.parallel_mlp_norm' only applies to 'norm.placement' "
         "parallel"},
        {"ParallelLayersWithCrossAttention",
         edit(edit(edit(kTinyCustom, "decoder_only\n", "encoder_decoder\n"),
                   "  layers: 2\n", ""),
              "placement: pre", "placement: parallel") +
             "encoder:\n  layers: 1\ndecoder:\n  layers: 1\n",
         13, 14,
         "'norm.placement' 'parallel' needs layers without cross-attention, "
         "but the decoder attends to the encoder"},
        {"TooManyLayers", edit(kTinyGpt2, "layers: 2", "layers: 4097"), 5, 11,
         "'model.layers' must be at most 4096, got 4097"},
        {"HeadsWiderThanTheLargestSize",
         edit(kTinyLlama, "heads: 4", "heads: 4\n  head_dim: 1073741824"), 8,
         10,
         "'attention.heads' × 'attention.head_dim' is 4 × 1073741824 = "
         "4294967296 features; Kiln supports at most 2147483647"},
        {"QkNormWithCrossAttention",
         edit(edit(edit(kTinyCustom, "decoder_only\n", "encoder_decoder\n"),
                   "  layers: 2\n", ""),
              "heads: 4", "heads: 4\n  qk_norm: per_head") +
             "encoder:\n  layers: 1\ndecoder:\n  layers: 1\n",
         8, 12,
         "'attention.qk_norm' applies to self-attention, but the decoder also "
         "attends to the encoder"},
        {"PerHeadQkvWithGroupedQueries",
         edit(kTinyLlama, "heads: 4",
              "heads: 4\n  kv_heads: 2\n  qkv_layout: per_head"),
         10, 15,
         "'attention.qkv_layout' 'per_head' needs as many key/value heads as "
         "query heads, but 'attention.kv_heads' is 2 and 'attention.heads' "
         "4"},
        {"OutputBiasWithoutLogits",
         kTinyGpt2 + "output:\n  kind: hidden_states\n  bias: true\n", 13, 9,
         "'output.bias' only applies to the logits output"},
        {"InfiniteGammaOffset", kTinyLlama + "norm:\n  gamma_offset: 1e999\n",
         12, 17, "'norm.gamma_offset' must be a finite number, got inf"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Weights, InconsistentSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"TokenTypesWithoutTensor",
         kTinyGpt2 + "embeddings:\n  token_types: 2\n", 2, 11,
         "no checkpoint tensor bound to weight 'embed.token_types', which "
         "this model needs; add it to 'weights.names'"},
        {"LogitsWithoutLmHead",
         kTinyBert + "weights:\n  prefix: bert.\noutput:\n  kind: logits\n", 11,
         1, "no checkpoint tensor bound to weight 'lm_head'"},
        {"PerLayerNameWithoutPlaceholder",
         kTinyGpt2 + "weights:\n  names:\n    decoder.layer.attn.o.weight: "
                     "attn.o\n",
         13, 34,
         "tensor name 'attn.o' of per-layer weight "
         "'decoder.layer.attn.o.weight' must contain '{layer}'"},
        {"GlobalNameWithPlaceholder",
         kTinyGpt2 + "weights:\n  names:\n    embed.tokens: \"wte.{layer}\"\n",
         13, 19,
         "tensor name 'wte.{layer}' of weight 'embed.tokens' must not contain "
         "'{layer}': the weight is not per layer"},
        {"UnknownPlaceholder",
         kTinyGpt2 + "weights:\n  names:\n    decoder.layer.attn.o.weight: "
                     "\"h.{i}.o\"\n",
         13, 34,
         "tensor name 'h.{i}.o' of weight 'decoder.layer.attn.o.weight' has a "
         "placeholder other than '{layer}'"},
        {"EmptyTensorName",
         kTinyGpt2 + "weights:\n  names:\n    embed.tokens: \"\"\n", 13, 19,
         "empty checkpoint tensor name for weight 'embed.tokens'"},
        {"PlaceholderInPrefix",
         kTinyGpt2 + "weights:\n  prefix: \"layers.{layer}.\"\n", 12, 11,
         "must not contain '{layer}': the weight is not per layer"},
        {"FusedAndSeparateQkv",
         kTinyGpt2 + "weights:\n  names:\n"
                     "    decoder.layer.attn.qkv.weight: \"h.{layer}.qkv\"\n"
                     "    decoder.layer.attn.q.weight: \"h.{layer}.q\"\n",
         14, 34,
         "both the fused 'decoder.layer.attn.qkv.weight' and the separate "
         "'decoder.layer.attn.q.weight' projections are bound"},
        {"FusedAndSeparateGateUp",
         kTinyLlama +
             "weights:\n  names:\n"
             "    decoder.layer.mlp.up.weight: \"h.{layer}.up\"\n"
             "    decoder.layer.mlp.gate_up.weight: \"h.{layer}.gate_up\"\n",
         13, 34,
         "both the fused 'decoder.layer.mlp.gate_up.weight' and the separate "
         "'decoder.layer.mlp.up.weight' projections are bound"},
    }),
    badInputName);

//===----------------------------------------------------------------------===//
// Consistent variants
//===----------------------------------------------------------------------===//

using ConsistentSpecTest = SpecTest;

TEST_F(ConsistentSpecTest, AcceptsMultiQueryAttention) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(kTinyLlama, "heads: 4", "heads: 4\n  kv_heads: 1"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->numKvHeads, 1);
}

TEST_F(ConsistentSpecTest, AcceptsPositionsCountedAfterThePaddingRow) {
  std::optional<ModelSpec> spec =
      loadYaml(kTinyBert + "positions:\n  max: 34\n  padding_idx: 1\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->positions.paddingIdx, 1);
}

TEST_F(ConsistentSpecTest, AcceptsAHeadDimThatDoesNotDivideDModel) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(kTinyLlama, "heads: 4", "heads: 3\n  head_dim: 32"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->headDim, 32);
}

TEST_F(ConsistentSpecTest, AcceptsGemmaStyleRmsNormScales) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(kTinyLlama, "  dim: ", "  kind: geglu_tanh\n  dim: ") +
               "norm:\n  gamma_offset: 1\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->normGammaOffset, 1.0);
  EXPECT_EQ(spec->ffn, FfnKind::GeGluTanh);
}

TEST_F(ConsistentSpecTest, AcceptsGraniteStyleMultipliers) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(edit(kTinyLlama, "heads: 4", "heads: 4\n  scale: 1"),
                    "family: llama", "family: llama\n  residual_scale: 0.25") +
               "output:\n  logits_scale: 0.125\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->attentionScale, 1.0);
  EXPECT_EQ(spec->residualScale, 0.25);
  EXPECT_EQ(spec->logitsScale, 0.125);
}

TEST_F(ConsistentSpecTest, AcceptsParallelLayersSharingOneNorm) {
  std::optional<ModelSpec> spec = loadYaml(
      kTinyGpt2 + "norm:\n  placement: parallel\n  parallel_mlp_norm: false\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(spec->parallelMlpNorm);
}

TEST_F(ConsistentSpecTest, AcceptsSlidingWindowOnCausalDecoder) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(kTinyLlama, "heads: 4", "heads: 4\n  sliding_window: 8"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->decoder.selfAttention.slidingWindow, 8);
}

TEST_F(ConsistentSpecTest, AcceptsLogitsOfTheLastPosition) {
  std::optional<ModelSpec> spec =
      loadYaml(kTinyGpt2 + "output:\n  positions: last\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->outputPositions, OutputPositions::Last);
}

TEST_F(ConsistentSpecTest, AcceptsSeparateQkvInPlaceOfTheFamilysFusedOne) {
  std::optional<ModelSpec> spec = loadYaml(kTinyGpt2 + R"(weights:
  names:
    decoder.layer.attn.q.weight: "h.{layer}.q.weight"
    decoder.layer.attn.q.bias: "h.{layer}.q.bias"
    decoder.layer.attn.k.weight: "h.{layer}.k.weight"
    decoder.layer.attn.k.bias: "h.{layer}.k.bias"
    decoder.layer.attn.v.weight: "h.{layer}.v.weight"
    decoder.layer.attn.v.bias: "h.{layer}.v.bias"
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->weights.count("decoder.layer.attn.qkv.weight"), 0u);
  EXPECT_TRUE(warnings().empty()) << renderAll();
}

TEST_F(ConsistentSpecTest, SeparateQkvWithoutAllProjectionsIsIncomplete) {
  EXPECT_FALSE(loadYaml(kTinyGpt2 + R"(weights:
  names:
    decoder.layer.attn.q.weight: "h.{layer}.q.weight"
)"));
  // Reported at the `weights` section, where the missing binding belongs.
  expectSingleError(11, 1,
                    "no checkpoint tensor bound to weight "
                    "'decoder.layer.attn.q.bias'");
}

TEST_F(ConsistentSpecTest, WarnsAboutBindingsTheModelDoesNotUse) {
  std::optional<ModelSpec> spec = loadYaml(
      kTinyGpt2 +
      "weights:\n  names:\n    encoder.layer.attn.q.weight: \"e.{layer}.q\"\n");
  ASSERT_TRUE(spec) << renderAll();
  std::vector<Diagnostic> found = warnings();
  ASSERT_EQ(found.size(), 1u) << renderAll();
  EXPECT_EQ(found[0].line, 13);
  EXPECT_EQ(found[0].message,
            "weight 'encoder.layer.attn.q.weight' is not used by this model");
}

TEST_F(ConsistentSpecTest, AcceptsAModelWithoutFamily) {
  std::optional<ModelSpec> spec =
      loadYaml(edit(edit(edit(kTinyCustom, "kind: gelu", "kind: geglu"),
                         "kind: layernorm", "kind: rmsnorm"),
                    "kind: learned", "kind: rope"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffn, FfnKind::GeGlu);
  EXPECT_FALSE(spec->normBias);
  EXPECT_TRUE(spec->finalNorm);
  EXPECT_EQ(spec->output, OutputKind::Logits);
  EXPECT_EQ(spec->weights.at("decoder.layer.mlp.gate.weight").tensorName,
            "decoder.layers.{layer}.fc_gate.weight");
}

TEST_F(ConsistentSpecTest, AcceptsABidirectionalDecoderWithoutFamily) {
  // What a family forbids (see SpecParserTest) is fine in a custom model.
  std::optional<ModelSpec> spec = loadYaml(
      edit(kTinyCustom, "heads: 4", "heads: 4\n  mask: bidirectional"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_FALSE(spec->decoder.selfAttention.causal);
}

} // namespace
