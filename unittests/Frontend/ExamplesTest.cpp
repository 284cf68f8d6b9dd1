//===- ExamplesTest.cpp - The shipped specs parse to the expected models --===//
//
// Loads every spec under examples/ through the path-based entry point and
// checks the models they describe; checks that the Hugging Face configs give
// the same models as the equivalent YAML specs; and that every complete
// YAML example in docs/spec.md is a valid spec.
//
//===----------------------------------------------------------------------===//

#include "SpecTestUtils.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <sstream>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Everything a spec says about the model except its name and locations, in
/// one string, so that two specs of the same model compare equal.
std::string describeModel(const ModelSpec &spec) {
  std::ostringstream os;
  os << int(spec.topology) << " vocab " << spec.vocabSize << " d "
     << spec.dModel << " heads " << spec.numHeads << "/" << spec.numKvHeads
     << "x" << spec.headDim << " ffn " << spec.ffnDim << " " << int(spec.ffn)
     << " norm " << int(spec.norm) << int(spec.normPlacement) << " "
     << spec.normEpsilon << " " << spec.embeddingNorm << spec.finalNorm
     << " positions " << int(spec.positions.kind) << " "
     << spec.positions.maxPositions << " " << spec.positions.theta << " "
     << spec.positions.rotaryDim.value_or(0) << int(spec.positions.ropeStyle)
     << " types " << spec.typeVocabSize << " scale " << spec.embeddingScale;
  for (const StackSpec *stack : {&spec.encoder, &spec.decoder})
    os << " stack " << stack->numLayers << stack->selfAttention.causal
       << stack->selfAttention.padding
       << stack->selfAttention.slidingWindow.value_or(0)
       << stack->crossAttention;
  os << " bias " << spec.attentionBias << spec.mlpBias << spec.normBias
     << " tied " << spec.tieEmbeddings << " dtype " << int(spec.weightDType)
     << " batch " << spec.batch.size << spec.batch.dynamic << " seq "
     << spec.maxSeqLen << " output " << int(spec.output)
     << int(spec.outputPositions) << spec.pooling.maskAware
     << spec.pooling.l2Normalize << "\n";
  for (const auto &[logical, binding] : spec.weights)
    os << logical << " = " << binding.tensorName << " " << binding.transposed
       << "\n";
  return os.str();
}

using ExamplesTest = SpecTest;

class ExampleFileTest : public SpecTest,
                        public ::testing::WithParamInterface<const char *> {};

TEST_P(ExampleFileTest, LoadsWithoutDiagnostics) {
  EXPECT_TRUE(loadSourceFile(GetParam()));
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleFileTest,
    ::testing::Values("examples/gpt2-small.yaml", "examples/tiny-gpt2.yaml",
                      "examples/bert-base.yaml", "examples/tiny-bert.yaml",
                      "examples/llama-gqa.yaml", "examples/tiny-llama.yaml",
                      "examples/transformer-base.yaml",
                      "examples/tiny-transformer.yaml",
                      "examples/hf/gpt2/config.json",
                      "examples/hf/bert-base-uncased/config.json",
                      "examples/hf/tiny-llama/config.json"));

TEST_F(ExamplesTest, Gpt2Small) {
  std::optional<ModelSpec> spec = loadSourceFile("examples/gpt2-small.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->name, "gpt2-small");
  EXPECT_EQ(spec->loc.file, sourcePath("examples/gpt2-small.yaml"));
  EXPECT_EQ(spec->topology, Topology::DecoderOnly);
  EXPECT_EQ(spec->vocabSize, 50257);
  EXPECT_EQ(spec->dModel, 768);
  EXPECT_EQ(spec->decoder.numLayers, 12);
  EXPECT_EQ(spec->numHeads, 12);
  EXPECT_EQ(spec->numKvHeads, 12);
  EXPECT_EQ(spec->headDim, 64);
  EXPECT_EQ(spec->ffnDim, 3072);
  EXPECT_EQ(spec->ffn, FfnKind::GeluTanh);
  EXPECT_EQ(spec->norm, NormKind::LayerNorm);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Pre);
  EXPECT_EQ(spec->normEpsilon, 1e-5);
  EXPECT_TRUE(spec->finalNorm);
  EXPECT_EQ(spec->positions.kind, PositionKind::Learned);
  EXPECT_EQ(spec->positions.maxPositions, 1024);
  EXPECT_TRUE(spec->decoder.selfAttention.causal);
  EXPECT_FALSE(spec->decoder.selfAttention.padding);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_EQ(spec->output, OutputKind::Logits);
  const WeightBinding &qkv = spec->weights.at("decoder.layer.attn.qkv.weight");
  EXPECT_EQ(qkv.tensorName, "h.{layer}.attn.c_attn.weight");
  EXPECT_TRUE(qkv.transposed);
  EXPECT_EQ(spec->locOf("weights.decoder.layer.attn.qkv.weight").line, 48u);
}

TEST_F(ExamplesTest, FamilySpecsEqualTheirSpelledOutForm) {
  // gpt2-small.yaml spells out every field and weight name of the gpt2
  // family, so the family defaults must give exactly the same model.
  std::optional<ModelSpec> full = loadSourceFile("examples/gpt2-small.yaml");
  ASSERT_TRUE(full) << renderAll();
  std::optional<ModelSpec> short_ = loadYaml(R"(model:
  family: gpt2
  vocab_size: 50257
  d_model: 768
  layers: 12
  max_seq_len: 1024
attention:
  heads: 12
ffn:
  dim: 3072
)");
  ASSERT_TRUE(short_) << renderAll();
  EXPECT_EQ(describeModel(*full), describeModel(*short_));
}

TEST_F(ExamplesTest, TinyGpt2) {
  std::optional<ModelSpec> spec = loadSourceFile("examples/tiny-gpt2.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->name, "tiny-gpt2");
  EXPECT_EQ(spec->vocabSize, 100);
  EXPECT_EQ(spec->dModel, 64);
  EXPECT_EQ(spec->decoder.numLayers, 2);
  EXPECT_EQ(spec->headDim, 16);
  EXPECT_EQ(spec->positions.maxPositions, 32);
  EXPECT_EQ(spec->weights.at("embed.positions").tensorName, "wpe.weight");
}

TEST_F(ExamplesTest, BertBase) {
  std::optional<ModelSpec> spec = loadSourceFile("examples/bert-base.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->name, "bert-base-uncased");
  EXPECT_EQ(spec->topology, Topology::EncoderOnly);
  EXPECT_EQ(spec->encoder.numLayers, 12);
  EXPECT_EQ(spec->decoder.numLayers, 0);
  EXPECT_EQ(spec->ffn, FfnKind::Gelu);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Post);
  EXPECT_EQ(spec->normEpsilon, 1e-12);
  EXPECT_TRUE(spec->embeddingNorm);
  EXPECT_FALSE(spec->finalNorm);
  EXPECT_EQ(spec->typeVocabSize, 2);
  EXPECT_FALSE(spec->encoder.selfAttention.causal);
  EXPECT_TRUE(spec->encoder.selfAttention.padding);
  EXPECT_EQ(spec->batch.size, 8);
  EXPECT_TRUE(spec->batch.dynamic);
  EXPECT_EQ(spec->output, OutputKind::HiddenStates);
  EXPECT_EQ(spec->weights.at("embed.tokens").tensorName,
            "bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(spec->weights.at("encoder.layer.attn_norm.bias").tensorName,
            "bert.encoder.layer.{layer}.attention.output.LayerNorm.bias");
}

TEST_F(ExamplesTest, TinyBertPoolsAndNormalises) {
  std::optional<ModelSpec> spec = loadSourceFile("examples/tiny-bert.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->output, OutputKind::PooledEmbedding);
  EXPECT_TRUE(spec->pooling.l2Normalize);
  EXPECT_TRUE(spec->pooling.maskAware);
  EXPECT_EQ(spec->batch.size, 4);
  EXPECT_TRUE(spec->batch.dynamic);
}

TEST_F(ExamplesTest, LlamaGqa) {
  std::optional<ModelSpec> spec = loadSourceFile("examples/llama-gqa.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->dModel, 2048);
  EXPECT_EQ(spec->decoder.numLayers, 22);
  EXPECT_EQ(spec->numHeads, 32);
  EXPECT_EQ(spec->numKvHeads, 4);
  EXPECT_EQ(spec->headDim, 64);
  EXPECT_EQ(spec->ffnDim, 5632);
  EXPECT_EQ(spec->ffn, FfnKind::SwiGlu);
  EXPECT_EQ(spec->norm, NormKind::RmsNorm);
  EXPECT_FALSE(spec->normBias);
  EXPECT_EQ(spec->normEpsilon, 1e-5);
  EXPECT_EQ(spec->positions.kind, PositionKind::Rope);
  EXPECT_EQ(spec->positions.ropeStyle, RopeStyle::Half);
  EXPECT_FALSE(spec->attentionBias);
  EXPECT_FALSE(spec->mlpBias);
  EXPECT_FALSE(spec->tieEmbeddings);
  EXPECT_EQ(spec->weightDType, DType::BF16);
  EXPECT_EQ(spec->weights.at("decoder.layer.attn.k.weight").tensorName,
            "model.layers.{layer}.self_attn.k_proj.weight");
  EXPECT_EQ(spec->weights.at("lm_head").tensorName, "lm_head.weight");
}

TEST_F(ExamplesTest, TransformerBase) {
  std::optional<ModelSpec> spec =
      loadSourceFile("examples/transformer-base.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->topology, Topology::EncoderDecoder);
  EXPECT_EQ(spec->encoder.numLayers, 6);
  EXPECT_EQ(spec->decoder.numLayers, 6);
  EXPECT_EQ(spec->dModel, 512);
  EXPECT_EQ(spec->numHeads, 8);
  EXPECT_EQ(spec->ffnDim, 2048);
  EXPECT_EQ(spec->ffn, FfnKind::Relu);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Post);
  EXPECT_FALSE(spec->finalNorm);
  EXPECT_EQ(spec->positions.kind, PositionKind::Sinusoidal);
  EXPECT_DOUBLE_EQ(spec->embeddingScale, std::sqrt(512.0));
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_FALSE(spec->encoder.selfAttention.causal);
  EXPECT_TRUE(spec->encoder.selfAttention.padding);
  EXPECT_TRUE(spec->decoder.selfAttention.causal);
  EXPECT_TRUE(spec->decoder.crossAttention);
  EXPECT_EQ(spec->weights.at("decoder.layer.cross_attn.q.weight").tensorName,
            "decoder.layers.{layer}.encoder_attn.q_proj.weight");
}

TEST_F(ExamplesTest, TinyTransformer) {
  std::optional<ModelSpec> spec =
      loadSourceFile("examples/tiny-transformer.yaml");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->encoder.numLayers, 2);
  EXPECT_EQ(spec->decoder.numLayers, 2);
  EXPECT_EQ(spec->dModel, 32);
  EXPECT_FALSE(spec->encoder.selfAttention.padding);
  EXPECT_DOUBLE_EQ(spec->embeddingScale, std::sqrt(32.0));
}

TEST_F(ExamplesTest, HFGpt2IsGpt2Small) {
  std::optional<ModelSpec> hf = loadSourceFile("examples/hf/gpt2/config.json");
  std::optional<ModelSpec> yaml = loadSourceFile("examples/gpt2-small.yaml");
  ASSERT_TRUE(hf && yaml) << renderAll();
  EXPECT_EQ(hf->name, "gpt2");
  EXPECT_EQ(describeModel(*hf), describeModel(*yaml));
}

TEST_F(ExamplesTest, HFTinyLlamaIsTinyLlama) {
  std::optional<ModelSpec> hf =
      loadSourceFile("examples/hf/tiny-llama/config.json");
  std::optional<ModelSpec> yaml = loadSourceFile("examples/tiny-llama.yaml");
  ASSERT_TRUE(hf && yaml) << renderAll();
  EXPECT_EQ(hf->name, yaml->name);
  EXPECT_EQ(describeModel(*hf), describeModel(*yaml));
}

TEST_F(ExamplesTest, HFBertBase) {
  std::optional<ModelSpec> spec =
      loadSourceFile("examples/hf/bert-base-uncased/config.json");
  ASSERT_TRUE(spec) << renderAll();
  std::optional<ModelSpec> yaml = loadSourceFile("examples/bert-base.yaml");
  ASSERT_TRUE(yaml) << renderAll();
  // The YAML example differs only in its dynamic batch and weight prefix.
  yaml->batch = spec->batch;
  yaml->weights = spec->weights;
  EXPECT_EQ(describeModel(*spec), describeModel(*yaml));
  EXPECT_EQ(spec->weights.at("embed.token_types").tensorName,
            "embeddings.token_type_embeddings.weight");
}

TEST_F(ExamplesTest, ReportsUnreadableAndUnrecognisedFiles) {
  EXPECT_FALSE(loadModelSpec("/nonexistent/model.yaml", sourceMgr));
  EXPECT_FALSE(
      loadModelSpec(sourcePath("examples/gpt2-block.mlir"), sourceMgr));
  std::vector<Diagnostic> found = errors();
  ASSERT_EQ(found.size(), 2u) << renderAll();
  EXPECT_EQ(found[0].file, "/nonexistent/model.yaml");
  EXPECT_NE(found[0].message.find("cannot read the model description"),
            std::string::npos);
  EXPECT_NE(found[1].message.find("unrecognised model description; expected "
                                  "a Kiln spec (.yaml, .yml) or a Hugging "
                                  "Face config (.json)"),
            std::string::npos);
}

/// The ```yaml blocks of docs/spec.md; blocks that only show part of a spec
/// are fenced as ```text instead.
std::vector<std::pair<int, std::string>> readDocExamples() {
  std::vector<std::pair<int, std::string>> blocks;
  auto file = llvm::MemoryBuffer::getFile(sourcePath("docs/spec.md"));
  if (!file)
    return blocks;
  llvm::SmallVector<llvm::StringRef> lines;
  (*file)->getBuffer().split(lines, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].trim() != "```yaml")
      continue;
    std::string block;
    int start = i + 2;
    for (++i; i < lines.size() && lines[i].trim() != "```"; ++i)
      block += lines[i].str() + "\n";
    blocks.push_back({start, block});
  }
  return blocks;
}

TEST_F(ExamplesTest, DocumentationExamplesAreValidSpecs) {
  std::vector<std::pair<int, std::string>> blocks = readDocExamples();
  ASSERT_GE(blocks.size(), 4u) << "docs/spec.md lacks its examples";
  for (const auto &[line, text] : blocks) {
    diagnostics.clear();
    EXPECT_TRUE(loadYaml(text, "doc-example.yaml"))
        << "the example at docs/spec.md:" << line << " is invalid:\n"
        << renderAll();
  }
}

} // namespace
