//===- SpecParserTest.cpp - Tests of the Kiln YAML spec parser ------------===//
//
// Checks what the parser reads from a YAML spec (fields, locations, the
// single-stack `model.layers`, `sqrt_d_model`, weight bindings and prefix)
// and the error it gives for each kind of malformed spec: YAML syntax,
// constructs a spec rejects, unknown keys, wrong types and missing fields.
//
//===----------------------------------------------------------------------===//

#include "SpecTestUtils.h"

#include "frontend/WeightNames.h"

#include <cmath>

using namespace kiln;
using namespace kiln::test;

namespace {

/// The encoder-decoder family without its stack sections (from line 10).
const std::string kTinyTransformer = R"(model:
  family: transformer
  vocab_size: 100
  d_model: 32
  max_seq_len: 16
attention:
  heads: 4
ffn:
  dim: 64
)";

using SpecParserTest = SpecTest;

//===----------------------------------------------------------------------===//
// What is read
//===----------------------------------------------------------------------===//

TEST_F(SpecParserTest, ReadsSizesAndRecordsValueLocations) {
  std::optional<ModelSpec> spec = loadYaml(kTinyGpt2);
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->vocabSize, 100);
  EXPECT_EQ(spec->dModel, 64);
  EXPECT_EQ(spec->decoder.numLayers, 2);
  EXPECT_EQ(spec->maxSeqLen, 32);
  EXPECT_EQ(spec->numHeads, 4);
  EXPECT_EQ(spec->ffnDim, 256);

  EXPECT_EQ(spec->loc.file, "spec.yaml");
  EXPECT_EQ(spec->loc.line, 1u);
  const SourceLoc &heads = spec->locOf("attention.heads");
  EXPECT_EQ(heads.file, "spec.yaml");
  EXPECT_EQ(heads.line, 8u);
  EXPECT_EQ(heads.column, 10u);
  // `model.layers` of a single-stack model is the decoder's layer count.
  EXPECT_EQ(spec->locOf("decoder.layers").line, 5u);
  EXPECT_EQ(spec->locOf("attention").line, 7u);
  // Defaults have no location of their own.
  EXPECT_EQ(spec->fieldLocs.count("norm.epsilon"), 0u);
  EXPECT_TRUE(warnings().empty()) << renderAll();
}

TEST_F(SpecParserTest, NamesTheModelAfterTheFileByDefault) {
  std::optional<ModelSpec> spec = loadYaml(kTinyGpt2, "dir/my model.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->name, "my_model");
}

TEST_F(SpecParserTest, ExplicitFieldsOverrideTheFamilysDefaults) {
  std::optional<ModelSpec> spec =
      loadYaml(replaceOnce(kTinyGpt2, "  dim: 256",
                           "  dim: 256\n  kind: relu\n  bias: false") +
               R"(norm:
  epsilon: 1e-6
  final_norm: false
positions:
  max: 64
embeddings:
  tied: false
  scale: sqrt_d_model
output:
  kind: hidden_states
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffn, FfnKind::Relu);
  EXPECT_FALSE(spec->mlpBias);
  EXPECT_EQ(spec->normEpsilon, 1e-6);
  EXPECT_FALSE(spec->finalNorm);
  EXPECT_EQ(spec->positions.maxPositions, 64);
  EXPECT_FALSE(spec->tieEmbeddings);
  EXPECT_DOUBLE_EQ(spec->embeddingScale, 8.0);
  EXPECT_EQ(spec->output, OutputKind::HiddenStates);
  // What the spec does not override stays GPT-2's.
  EXPECT_EQ(spec->normPlacement, NormPlacement::Pre);
  EXPECT_EQ(spec->positions.kind, PositionKind::Learned);
  EXPECT_TRUE(spec->attentionBias);
}

TEST_F(SpecParserTest, RopeSettingsAndActivationOverrideLlamasDefaults) {
  std::optional<ModelSpec> spec =
      loadYaml(replaceOnce(replaceOnce(kTinyGpt2, "gpt2", "llama"),
                           "  dim: 256", "  dim: 256\n  kind: geglu") +
               R"(positions:
  theta: 500000
  rotary_dim: 8
  rope_style: interleaved
  rope_scaling: llama3
  rope_scaling_factor: 32
  rope_low_freq_factor: 1
  rope_high_freq_factor: 4
  rope_original_max_positions: 8192
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffn, FfnKind::GeGlu);
  EXPECT_EQ(spec->positions.kind, PositionKind::Rope);
  EXPECT_EQ(spec->positions.theta, 500000.0);
  EXPECT_EQ(spec->positions.rotaryDim, 8);
  EXPECT_EQ(spec->positions.ropeStyle, RopeStyle::Interleaved);
  EXPECT_EQ(spec->positions.ropeScaling, RopeScaling::Llama3);
  EXPECT_EQ(spec->positions.ropeScalingFactor, 32.0);
  EXPECT_EQ(spec->positions.ropeLowFreqFactor, 1.0);
  EXPECT_EQ(spec->positions.ropeHighFreqFactor, 4.0);
  EXPECT_EQ(spec->positions.ropeOriginalMaxPositions, 8192);
}

TEST_F(SpecParserTest, OutputBiasFollowsTheAttentionBiasUnlessGiven) {
  std::string llama = replaceOnce(kTinyGpt2, "gpt2", "llama");
  std::optional<ModelSpec> qkvOnly = loadYaml(replaceOnce(
      llama, "  heads: 4", "  heads: 4\n  bias: true\n  output_bias: false"));
  ASSERT_TRUE(qkvOnly) << renderAll();
  EXPECT_TRUE(qkvOnly->attentionBias);
  EXPECT_FALSE(qkvOnly->attentionOutputBias);

  std::optional<ModelSpec> all =
      loadYaml(replaceOnce(llama, "  heads: 4", "  heads: 4\n  bias: true"));
  ASSERT_TRUE(all) << renderAll();
  EXPECT_TRUE(all->attentionOutputBias);
}

TEST_F(SpecParserTest, QkNormAddsANormOfEachHeadsQueriesAndKeys) {
  std::string llama = replaceOnce(kTinyGpt2, "gpt2", "llama");
  std::optional<ModelSpec> spec = loadYaml(
      replaceOnce(llama, "  heads: 4", "  heads: 4\n  qk_norm: per_head"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->qkNorm, QkNorm::PerHead);
  EXPECT_EQ(spec->weights.at("decoder.layer.attn.k_norm.weight").tensorName,
            "model.layers.{layer}.self_attn.k_norm.weight");

  std::optional<ModelSpec> none = loadYaml(llama);
  ASSERT_TRUE(none) << renderAll();
  EXPECT_EQ(none->qkNorm, QkNorm::None);
  EXPECT_FALSE(llvm::is_contained(requiredWeightNames(*none),
                                  "decoder.layer.attn.k_norm.weight"));
}

TEST_F(SpecParserTest, AcceptsTheFamilysOwnArchitectureSpelledOut) {
  std::optional<ModelSpec> spec = loadYaml(
      replaceOnce(replaceOnce(kTinyGpt2, "family: gpt2",
                              "family: gpt2\n  topology: decoder_only"),
                  "  heads: 4", "  heads: 4\n  mask: causal") +
      R"(norm:
  kind: layernorm
  placement: pre
positions:
  kind: learned
decoder:
  mask: causal
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(spec->decoder.selfAttention.causal);
}

TEST_F(SpecParserTest, AStacksOwnMaskDecidesAgainstTheFamily) {
  // The decoder's own mask replaces `attention.mask`, so only it has to
  // agree with the family.
  std::optional<ModelSpec> spec =
      loadYaml(replaceOnce(kTinyGpt2, "  heads: 4",
                           "  heads: 4\n  mask: bidirectional") +
               "decoder:\n  mask: causal\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(spec->decoder.selfAttention.causal);
}

TEST_F(SpecParserTest, ReadsFixedAndDynamicBatch) {
  std::optional<ModelSpec> fixed =
      loadYaml(replaceOnce(kTinyGpt2, "  max_seq_len: 32",
                           "  max_seq_len: 32\n"
                           "  batch: 4"));
  ASSERT_TRUE(fixed) << renderAll();
  EXPECT_EQ(fixed->batch.size, 4);
  EXPECT_FALSE(fixed->batch.dynamic);

  std::optional<ModelSpec> dynamic =
      loadYaml(replaceOnce(kTinyGpt2, "  max_seq_len: 32",
                           "  max_seq_len: 32\n"
                           "  batch: {max: 8}"));
  ASSERT_TRUE(dynamic) << renderAll();
  EXPECT_EQ(dynamic->batch.size, 8);
  EXPECT_TRUE(dynamic->batch.dynamic);
}

TEST_F(SpecParserTest, StackSectionsOverrideAttentionMaskSettings) {
  std::optional<ModelSpec> spec = loadYaml(R"(model:
  family: transformer
  vocab_size: 100
  d_model: 32
  max_seq_len: 16
attention:
  heads: 4
  padding_mask: true
ffn:
  dim: 64
encoder:
  layers: 3
decoder:
  layers: 2
  padding_mask: false
  sliding_window: 8
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->encoder.numLayers, 3);
  EXPECT_EQ(spec->decoder.numLayers, 2);
  EXPECT_TRUE(spec->encoder.selfAttention.padding);
  EXPECT_FALSE(spec->encoder.selfAttention.causal);
  EXPECT_FALSE(spec->decoder.selfAttention.padding);
  EXPECT_TRUE(spec->decoder.selfAttention.causal);
  EXPECT_EQ(spec->decoder.selfAttention.slidingWindow, 8);
  EXPECT_FALSE(spec->encoder.selfAttention.slidingWindow);
  EXPECT_TRUE(spec->decoder.crossAttention);
  EXPECT_FALSE(spec->encoder.crossAttention);
}

TEST_F(SpecParserTest, BindsWeightsAndAppliesThePrefixToAllNames) {
  std::optional<ModelSpec> spec = loadYaml(kTinyGpt2 + R"(weights:
  prefix: "transformer."
  names:
    embed.tokens: tok.weight
    decoder.layer.mlp.up.weight: {name: "h.{layer}.up", transposed: false}
)");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->weights.at("embed.tokens").tensorName,
            "transformer.tok.weight");
  const WeightBinding &up = spec->weights.at("decoder.layer.mlp.up.weight");
  EXPECT_EQ(up.tensorName, "transformer.h.{layer}.up");
  EXPECT_FALSE(up.transposed);
  // Family names get the prefix too.
  EXPECT_EQ(spec->weights.at("decoder.final_norm.weight").tensorName,
            "transformer.ln_f.weight");
  // Bindings are located by logical name, as MLIRGen looks them up.
  EXPECT_EQ(spec->locOf("weights.embed.tokens").line, 14u);
  EXPECT_EQ(spec->locOf("weights.decoder.layer.mlp.up.weight").column, 41u);
}

TEST_F(SpecParserTest, AcceptsYamlSpellingsOfScalars) {
  std::optional<ModelSpec> spec = loadYaml(kTinyGpt2 + R"(norm:
  epsilon: .5e-5
  bias: True
  embedding_norm: FALSE
model2: ~
)");
  EXPECT_FALSE(spec);
  // The only error is the unknown section: the scalars were accepted.
  expectSingleError(15, 1, "unknown section 'model2'");
}

TEST_F(SpecParserTest, AcceptsAByteOrderMarkAndNonAsciiUTF8) {
  std::optional<ModelSpec> spec =
      loadYaml("\xEF\xBB\xBF# Mod\xC3\xA8le\n" + kTinyGpt2 +
               "weights:\n  names:\n    embed.tokens: \"wt\xC3\xA9.weight\"\n");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->weights.at("embed.tokens").tensorName, "wt\xC3\xA9.weight");
  EXPECT_EQ(spec->locOf("attention.heads").line, 9u);
}

TEST_F(SpecParserTest, JudgesANonAsciiNameByTheNameRuleNotTheEncoding) {
  EXPECT_FALSE(loadYaml(replaceOnce(kTinyGpt2, "family: gpt2",
                                    "family: gpt2\n  name: caf\xC3\xA9")));
  expectSingleError(3, 9,
                    "'model.name' must be made of letters, digits, '_', '-' "
                    "and '.', got 'caf\xC3\xA9'");
}

TEST_F(SpecParserTest, ReportsTheErrorWithSourceLineAndCaret) {
  EXPECT_FALSE(loadYaml(replaceOnce(kTinyGpt2, "heads: 4", "heads: 0")));
  ASSERT_EQ(errors().size(), 1u);
  EXPECT_EQ(errors()[0].rendered,
            "spec.yaml:8:10: error: 'attention.heads' must be at least 1, "
            "got 0\n"
            "  heads: 0\n"
            "         ^\n");
}

TEST_F(SpecParserTest, ReportsSeveralIndependentFieldErrors) {
  EXPECT_FALSE(loadYaml(kTinyGpt2 + "norm:\n  bias: yes\n  kind: l2\n"));
  std::vector<Diagnostic> found = errors();
  ASSERT_EQ(found.size(), 2u) << renderAll();
  EXPECT_EQ(found[0].line, 12);
  EXPECT_EQ(found[1].line, 13);
}

TEST_F(SpecParserTest, PointsIntoTheSpecJustReadWhenNamesRepeat) {
  ASSERT_TRUE(loadYaml(kTinyGpt2));
  EXPECT_FALSE(
      loadYaml("\n\n" + replaceOnce(kTinyGpt2, "heads: 4", "heads: 5")));
  ASSERT_EQ(errors().size(), 1u) << renderAll();
  EXPECT_EQ(errors()[0].line, 10);
  EXPECT_NE(errors()[0].rendered.find("  heads: 5\n"), std::string::npos)
      << renderAll();
}

TEST_F(SpecParserTest, RestoresTheCallersDiagnosticHandler) {
  EXPECT_FALSE(loadYaml("model: 1\n"));
  EXPECT_EQ(sourceMgr.getDiagContext(), this);
}

//===----------------------------------------------------------------------===//
// Malformed specs
//===----------------------------------------------------------------------===//

class BadYamlSpecTest : public SpecTest,
                        public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadYamlSpecTest, GivesOneLocatedError) {
  const BadInput &input = GetParam();
  EXPECT_FALSE(loadYaml(input.text)) << "accepted:\n" << input.text;
  expectSingleError(input.line, input.column, input.message);
}

/// `text` `count` times over.
std::string repeat(llvm::StringRef text, size_t count) {
  std::string result;
  for (size_t i = 0; i < count; ++i)
    result += text.str();
  return result;
}

/// Appends `text` to the tiny spec (it starts at line 11).
std::string append(const std::string &text) { return kTinyGpt2 + text; }

/// Replaces `from` by `to` in the tiny spec.
std::string edit(llvm::StringRef from, llvm::StringRef to) {
  return replaceOnce(kTinyGpt2, from, to);
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"UnclosedFlowMapping", append("norm: {epsilon: 1e-5\n"), 11, 21,
         "unexpected token"},
        {"UnclosedFlowSequence", append("norm: [1, 2\n"), 11, 12,
         "could not find closing ]"},
        {"BadIndentation", edit("  layers: 2", "    layers: 2"), 5, 11,
         "unexpected token"},
        {"UnterminatedString", edit("family: gpt2", "family: \"gpt2"), 10, 11,
         "expected quote at end of scalar"},
        {"DuplicateKey", edit("  heads: 4", "  heads: 4\n  heads: 8"), 9, 3,
         "duplicate key 'heads'"},
        {"DuplicateSection", append("attention:\n  kv_heads: 2\n"), 11, 1,
         "duplicate key 'attention'"},
        {"SecondDocument", append("---\nmodel: {}\n"), 12, 1,
         "a spec holds a single YAML document"},
        {"EmptySpec", "", 1, 1, "the spec is empty"},
        {"CommentsOnly", "# nothing here\n", 1, 1, "the spec is empty"},
        {"ScalarRoot", "gpt2\n", 1, 1,
         "a spec must be a mapping of sections, got a scalar"},
        {"ListRoot", "- model\n", 1, 1,
         "a spec must be a mapping of sections, got a list"},
        {"Alias",
         append("norm:\n  epsilon: &eps 0.5\nembeddings:\n"
                "  scale: *eps\n"),
         14, 3, "YAML aliases are not supported"},
        {"Tag", edit("heads: 4", "heads: !!int 4"), 8, 16,
         "YAML tags are not supported"},
        {"ComplexKey", append("? [a, b]\n: 1\n"), 11, 3,
         "expected a plain scalar as mapping key"},
        {"DeepFlowNesting",
         append("norm: " + repeat("{a: ", 500000) + "1" + repeat("}", 500000) +
                "\n"),
         11, 7 + 4 * 32, "a spec nests at most 32 levels deep"},
        {"DeepListNesting",
         append("norm: " + repeat("[", 500000) + repeat("]", 500000) + "\n"),
         11, 7 + 32, "a spec nests at most 32 levels deep"},
        {"DeepBlockNesting", append([] {
           std::string text;
           for (int level = 0; level < 40; ++level)
             text += std::string(level, ' ') + "a:\n";
           return text;
         }()),
         44, 34, "a spec nests at most 32 levels deep"},
        // The quote inside the plain scalar `b 'c` opens no string, but the
        // nesting check cannot tell; the bracket count still stops the list.
        {"NestingAfterAQuoteInPlainText",
         append("x: b 'c\nnorm: " + repeat("[", 5000) + repeat("]", 5000) +
                "\n"),
         12, 7 + 4096, "a spec holds at most 4096 '{' and '[' characters"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    UnknownKeys, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"MisspeltSection", append("atention:\n  heads: 4\n"), 11, 1,
         "unknown section 'atention'; did you mean 'attention'?"},
        {"UnknownSection", append("optimizer: {lr: 1}\n"), 11, 1,
         "unknown section 'optimizer'; expected one of model, attention, "
         "ffn, norm, positions, embeddings, encoder, decoder, output, "
         "weights"},
        {"MisspeltField", edit("  heads: 4", "  head: 4"), 8, 3,
         "unknown field 'head' in section 'attention'; did you mean "
         "'heads'?"},
        {"UnknownField", append("norm:\n  momentum: 0.9\n"), 12, 3,
         "unknown field 'momentum' in section 'norm'; expected one of kind, "
         "placement, parallel_mlp_norm, epsilon, gamma_offset, bias, "
         "embedding_norm, final_norm"},
        {"FieldOfAnotherSection", append("norm:\n  heads: 4\n"), 12, 3,
         "unknown field 'heads' in section 'norm'"},
        {"MisspeltWeight",
         append("weights:\n  names:\n    decoder.layer.atn.q.weight: x\n"), 13,
         5,
         "unknown weight 'decoder.layer.atn.q.weight'; did you mean "
         "'decoder.layer.attn.q.weight'?"},
        {"UnknownWeight",
         append("weights:\n  names:\n    rotary.inv_freq: x\n"), 13, 5,
         "unknown weight 'rotary.inv_freq'"},
        {"MisspeltBindingField",
         append("weights:\n  names:\n    embed.tokens: {nam: wte.weight}\n"),
         13, 20,
         "unknown field 'nam' in 'weights.names.embed.tokens'; did you mean "
         "'name'?"},
        {"MisspeltBatchField",
         edit("  max_seq_len: 32", "  max_seq_len: 32\n  batch: {maximum: 8}"),
         7, 11, "unknown field 'maximum' in 'model.batch'"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Types, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"WordForInteger", edit("heads: 4", "heads: four"), 8, 10,
         "expected an integer for 'attention.heads', got 'four'"},
        {"QuotedInteger", edit("heads: 4", "heads: \"4\""), 8, 10,
         "expected an integer for 'attention.heads', got the string '4'"},
        {"FractionalInteger", edit("heads: 4", "heads: 4.5"), 8, 10,
         "expected an integer for 'attention.heads', got '4.5'"},
        {"HexInteger", edit("heads: 4", "heads: 0x4"), 8, 10,
         "expected an integer for 'attention.heads', got '0x4'"},
        {"IntegerOverflow",
         edit("vocab_size: 100", "vocab_size: 99999999999999999999"), 3, 15,
         "integer '99999999999999999999' for 'model.vocab_size' is out of "
         "range"},
        {"MissingValue", edit("  heads: 4", "  heads:"), 8, 3,
         "missing value for 'attention.heads'; expected an integer"},
        {"NullValue", edit("heads: 4", "heads: null"), 8, 10,
         "missing value for 'attention.heads'"},
        {"MappingForInteger", edit("heads: 4", "heads: {n: 4}"), 8, 10,
         "expected an integer for 'attention.heads', got a mapping"},
        {"ListForInteger", edit("heads: 4", "heads: [4]"), 8, 10,
         "expected an integer for 'attention.heads', got a list"},
        {"YesForBool", append("norm:\n  bias: yes\n"), 12, 9,
         "expected true or false for 'norm.bias', got 'yes'"},
        {"QuotedBool", append("norm:\n  bias: \"true\"\n"), 12, 9,
         "expected true or false for 'norm.bias', got the string 'true'"},
        {"WordForNumber", append("norm:\n  epsilon: small\n"), 12, 12,
         "expected a number for 'norm.epsilon', got 'small'"},
        {"InfinityForNumber", append("norm:\n  epsilon: .inf\n"), 12, 12,
         "expected a number for 'norm.epsilon', got '.inf'"},
        {"UnknownEnumValue", edit("  dim: 256", "  dim: 256\n  kind: swish"),
         11, 9,
         "invalid value 'swish' for 'ffn.kind'; expected one of relu, gelu, "
         "gelu_tanh, silu, swiglu, geglu"},
        {"EnumValueInWrongCase", append("norm:\n  kind: LayerNorm\n"), 12, 9,
         "invalid value 'LayerNorm' for 'norm.kind'"},
        {"MappingForEnum", append("positions:\n  kind: {rope: true}\n"), 12, 9,
         "expected one of learned, sinusoidal, rope, none for "
         "'positions.kind', got a mapping"},
        {"UnknownFamily", edit("family: gpt2", "family: gpt3"), 2, 11,
         "unknown model family 'gpt3'; expected one of gpt2, bert, "
         "distilbert, llama, opt, gpt_neox, phi, gptj, phi3, starcoder2, "
         "gpt_bigcode, falcon, transformer"},
        {"UnknownTopology",
         edit("family: gpt2", "family: gpt2\n  topology: decoder"), 3, 13,
         "invalid value 'decoder' for 'model.topology'"},
        {"UnknownDType",
         edit("family: gpt2", "family: gpt2\n  weight_dtype: f64"), 3, 17,
         "invalid value 'f64' for 'model.weight_dtype'; expected one of f32, "
         "f16, bf16"},
        {"ListForBatch",
         edit("  max_seq_len: 32", "  max_seq_len: 32\n  batch: [1]"), 7, 10,
         "expected an integer or {max: N} for 'model.batch', got a list"},
        {"BatchWithoutMax",
         edit("  max_seq_len: 32", "  max_seq_len: 32\n  batch: {}"), 7, 10,
         "missing 'max' in 'model.batch'"},
        {"SectionNotAMapping", append("norm: layernorm\n"), 11, 7,
         "section 'norm' must be a mapping, got a scalar"},
        {"WeightNamesNotAMapping", append("weights:\n  names: wte.weight\n"),
         12, 10, "expected a mapping of weight names for 'weights.names'"},
        {"BindingWithoutName",
         append("weights:\n  names:\n    embed.tokens: {transposed: true}\n"),
         13, 19, "missing 'name' in 'weights.names.embed.tokens'"},
        {"ListForTensorName",
         append("weights:\n  names:\n    embed.tokens: {name: [1]}\n"), 13, 26,
         "expected a string for 'weights.names.embed.tokens.name'"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    MissingFields, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"MissingSection", edit("attention:\n  heads: 4\n", ""), 1, 1,
         "missing required field 'attention.heads'"},
        {"MissingField", edit("  heads: 4", "  bias: true"), 7, 1,
         "missing required field 'attention.heads'"},
        {"MissingLayers", edit("  layers: 2\n", ""), 1, 1,
         "missing required field 'model.layers'"},
        {"MissingFfnDim", edit("  dim: 256", "  bias: true"), 9, 1,
         "missing required field 'ffn.dim'"},
        {"MissingTopologyWithoutFamily", edit("  family: gpt2\n", ""), 1, 1,
         "missing required field 'model.topology' (a spec without "
         "'model.family' must give it)"},
        {"MissingFfnKindWithoutFamily",
         edit("  family: gpt2", "  topology: decoder_only") +
             "norm: {kind: layernorm, placement: pre}\n"
             "positions: {kind: learned}\n",
         9, 1, "missing required field 'ffn.kind'"},
        {"EncoderDecoderWithoutDecoderLayers",
         replaceOnce(edit("family: gpt2", "family: transformer"),
                     "  layers: 2\n", "") +
             "encoder:\n  layers: 2\n",
         1, 1,
         "missing required field 'decoder.layers' (an encoder_decoder model "
         "needs the layer count of both stacks)"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Stacks, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"SectionOfMissingStack", append("encoder:\n  layers: 2\n"), 11, 1,
         "section 'encoder' does not apply to topology 'decoder_only'"},
        {"DecoderSectionOnEncoder",
         edit("family: gpt2", "family: bert") + "decoder:\n  layers: 2\n", 11,
         1, "section 'decoder' does not apply to topology 'encoder_only'"},
        {"ModelLayersOnEncoderDecoder",
         edit("family: gpt2", "family: transformer"), 5, 11,
         "'model.layers' is for single-stack models; an encoder_decoder "
         "model gives 'encoder.layers' and 'decoder.layers'"},
        {"LayersGivenTwice", append("decoder:\n  layers: 3\n"), 12, 11,
         "the layer count is given twice, by 'model.layers' and "
         "'decoder.layers'"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Encoding, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"Latin1Byte",
         edit("family: gpt2", "family: gpt2\n  name: \"caf\xe9\""), 3, 13,
         "invalid UTF-8 byte 0xE9; model descriptions must be UTF-8"},
        {"TruncatedSequence", append("# caf\xc3\n"), 11, 6,
         "invalid UTF-8 byte 0xC3"},
        {"OverlongEncoding", append("# \xc0\xaf\n"), 11, 3,
         "invalid UTF-8 byte 0xC0"},
        {"EncodedSurrogate", append("# \xed\xa0\x80\n"), 11, 3,
         "invalid UTF-8 byte 0xED"},
        {"Utf16", std::string("\xff\xfem\0o\0", 6), 1, 1,
         "invalid UTF-8 byte 0xFF"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    FamilyContradictions, BadYamlSpecTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"Gpt2BidirectionalMask",
         edit("  heads: 4", "  heads: 4\n  mask: bidirectional"), 9, 9,
         "attention.mask 'bidirectional' contradicts family 'gpt2', whose "
         "decoder is causal; omit 'family' to describe a custom model"},
        {"LlamaBidirectionalDecoder",
         replaceOnce(kTinyGpt2, "gpt2", "llama") +
             "decoder:\n  mask: bidirectional\n",
         12, 9,
         "decoder.mask 'bidirectional' contradicts family 'llama', whose "
         "decoder is causal"},
        {"BertCausalMask",
         replaceOnce(edit("  heads: 4", "  heads: 4\n  mask: causal"), "gpt2",
                     "bert"),
         9, 9,
         "attention.mask 'causal' contradicts family 'bert', whose encoder is "
         "bidirectional; omit 'family' to describe a custom model"},
        {"TransformerCausalEncoder",
         kTinyTransformer + "encoder:\n  layers: 2\n  mask: causal\n"
                            "decoder:\n  layers: 2\n",
         12, 9,
         "encoder.mask 'causal' contradicts family 'transformer', whose "
         "encoder is bidirectional"},
        {"TransformerBidirectionalDecoder",
         kTinyTransformer + "encoder:\n  layers: 2\n"
                            "decoder:\n  layers: 2\n  mask: bidirectional\n",
         14, 9,
         "decoder.mask 'bidirectional' contradicts family 'transformer', "
         "whose decoder is causal"},
        {"TransformerSharedMask",
         replaceOnce(kTinyTransformer, "  heads: 4",
                     "  heads: 4\n  mask: causal") +
             "encoder:\n  layers: 2\ndecoder:\n  layers: 2\n",
         8, 9,
         "attention.mask 'causal' contradicts family 'transformer', whose "
         "encoder is bidirectional"},
        {"Topology",
         edit("family: gpt2", "family: gpt2\n  topology: encoder_only"), 3, 13,
         "model.topology 'encoder_only' contradicts family 'gpt2', which is "
         "decoder_only; omit 'family' to describe a custom model"},
        {"PositionKind", append("positions:\n  kind: rope\n"), 12, 9,
         "positions.kind 'rope' contradicts family 'gpt2', which uses learned "
         "positions"},
        {"NoPositions",
         replaceOnce(kTinyGpt2, "gpt2", "llama") + "positions:\n  kind: none\n",
         12, 9,
         "positions.kind 'none' contradicts family 'llama', which uses rope "
         "positions"},
        {"NormPlacement", append("norm:\n  placement: post\n"), 12, 14,
         "norm.placement 'post' contradicts family 'gpt2', which is pre-norm"},
        {"NormKind",
         replaceOnce(kTinyGpt2, "gpt2", "llama") + "norm:\n  kind: layernorm\n",
         12, 9,
         "norm.kind 'layernorm' contradicts family 'llama', which uses "
         "rmsnorm"},
        {"GatedFfnOnGpt2", edit("  dim: 256", "  dim: 256\n  kind: swiglu"), 11,
         9,
         "ffn.kind 'swiglu' contradicts family 'gpt2', whose MLP is not "
         "gated (relu, gelu, gelu_tanh, silu)"},
        {"UngatedFfnOnLlama",
         replaceOnce(edit("  dim: 256", "  dim: 256\n  kind: silu"), "gpt2",
                     "llama"),
         11, 9,
         "ffn.kind 'silu' contradicts family 'llama', whose MLP is gated "
         "(swiglu, geglu, geglu_tanh)"},
    }),
    badInputName);

} // namespace
