//===- FamilyDefaultsTest.cpp - Tests of family defaults and weight names -===//
//
// Checks the architecture each family fills in, that given fields are never
// overwritten, the Hugging Face tensor names of each family, and the set of
// logical weights an architecture reads.
//
//===----------------------------------------------------------------------===//

#include "frontend/FamilyDefaults.h"
#include "frontend/WeightNames.h"

#include "llvm/ADT/STLExtras.h"

#include <gtest/gtest.h>

using namespace kiln;

namespace {

/// A spec with sizes only, as a parser leaves it before defaults.
ModelSpec sizedSpec() {
  ModelSpec spec;
  spec.vocabSize = 100;
  spec.dModel = 64;
  spec.numHeads = 4;
  spec.ffnDim = 256;
  spec.maxSeqLen = 32;
  spec.encoder.numLayers = 2;
  spec.decoder.numLayers = 2;
  return spec;
}

/// `spec` with `family`'s defaults applied.
ModelSpec withDefaults(ModelFamily family, ModelSpec spec = sizedSpec()) {
  applyDefaults(family, spec);
  return spec;
}

/// The checkpoint tensor bound to `logical`, or "" if none.
std::string tensorOf(const ModelSpec &spec, const std::string &logical) {
  auto it = spec.weights.find(logical);
  return it == spec.weights.end() ? "" : it->second.tensorName;
}

TEST(FamilyDefaultsTest, NamesRoundTrip) {
  for (llvm::StringRef name : getModelFamilyNames()) {
    std::optional<ModelFamily> family = parseModelFamily(name);
    ASSERT_TRUE(family) << name.str();
    EXPECT_EQ(getModelFamilyName(*family), name);
  }
  EXPECT_FALSE(parseModelFamily("GPT2"));
}

TEST(FamilyDefaultsTest, Gpt2) {
  ModelSpec spec = withDefaults(ModelFamily::Gpt2);
  EXPECT_EQ(spec.topology, Topology::DecoderOnly);
  EXPECT_EQ(spec.ffn, FfnKind::GeluTanh);
  EXPECT_EQ(spec.positions.kind, PositionKind::Learned);
  EXPECT_EQ(spec.positions.maxPositions, 32);
  EXPECT_EQ(spec.headDim, 16);
  EXPECT_EQ(spec.numKvHeads, 4);
  EXPECT_TRUE(spec.tieEmbeddings);
  EXPECT_TRUE(spec.decoder.selfAttention.causal);

  EXPECT_EQ(tensorOf(spec, "embed.tokens"), "wte.weight");
  EXPECT_EQ(tensorOf(spec, "embed.positions"), "wpe.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn_norm.weight"),
            "h.{layer}.ln_1.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp_norm.bias"),
            "h.{layer}.ln_2.bias");
  EXPECT_EQ(tensorOf(spec, "decoder.final_norm.weight"), "ln_f.weight");
  // GPT-2's Conv1D layers store [in, out]: every matrix is transposed, no
  // bias is.
  for (auto [logical, tensor] :
       {std::pair{"decoder.layer.attn.qkv", "h.{layer}.attn.c_attn"},
        std::pair{"decoder.layer.attn.o", "h.{layer}.attn.c_proj"},
        std::pair{"decoder.layer.mlp.up", "h.{layer}.mlp.c_fc"},
        std::pair{"decoder.layer.mlp.down", "h.{layer}.mlp.c_proj"}}) {
    std::string weight = std::string(logical) + ".weight";
    std::string bias = std::string(logical) + ".bias";
    EXPECT_EQ(tensorOf(spec, weight), std::string(tensor) + ".weight");
    EXPECT_TRUE(spec.weights.at(weight).transposed) << weight;
    EXPECT_EQ(tensorOf(spec, bias), std::string(tensor) + ".bias");
    EXPECT_FALSE(spec.weights.at(bias).transposed) << bias;
  }
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.q.weight"), "");
}

TEST(FamilyDefaultsTest, Bert) {
  ModelSpec spec = withDefaults(ModelFamily::Bert);
  EXPECT_EQ(spec.topology, Topology::EncoderOnly);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Post);
  EXPECT_EQ(spec.normEpsilon, 1e-12);
  EXPECT_TRUE(spec.embeddingNorm);
  EXPECT_FALSE(spec.finalNorm);
  EXPECT_EQ(spec.typeVocabSize, 2);
  EXPECT_TRUE(spec.encoder.selfAttention.padding);
  EXPECT_FALSE(spec.encoder.selfAttention.causal);
  EXPECT_EQ(spec.output, OutputKind::HiddenStates);

  EXPECT_EQ(tensorOf(spec, "embed.tokens"),
            "embeddings.word_embeddings.weight");
  EXPECT_EQ(tensorOf(spec, "embed.positions"),
            "embeddings.position_embeddings.weight");
  EXPECT_EQ(tensorOf(spec, "embed.token_types"),
            "embeddings.token_type_embeddings.weight");
  EXPECT_EQ(tensorOf(spec, "embed.norm.weight"), "embeddings.LayerNorm.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn.q.weight"),
            "encoder.layer.{layer}.attention.self.query.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn.o.weight"),
            "encoder.layer.{layer}.attention.output.dense.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn_norm.weight"),
            "encoder.layer.{layer}.attention.output.LayerNorm.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp.up.weight"),
            "encoder.layer.{layer}.intermediate.dense.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp.down.weight"),
            "encoder.layer.{layer}.output.dense.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp_norm.weight"),
            "encoder.layer.{layer}.output.LayerNorm.weight");
  EXPECT_EQ(tensorOf(spec, "lm_head"), "");
}

TEST(FamilyDefaultsTest, Opt) {
  ModelSpec spec = withDefaults(ModelFamily::Opt);
  EXPECT_EQ(spec.topology, Topology::DecoderOnly);
  EXPECT_EQ(spec.ffn, FfnKind::Relu);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Pre);
  EXPECT_TRUE(spec.finalNorm);
  EXPECT_TRUE(spec.tieEmbeddings);
  EXPECT_EQ(spec.positions.offset, 2);
  EXPECT_EQ(tensorOf(spec, "embed.positions"),
            "model.decoder.embed_positions.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.q.weight"),
            "model.decoder.layers.{layer}.self_attn.q_proj.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.qkv.weight"), "");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp_norm.weight"),
            "model.decoder.layers.{layer}.final_layer_norm.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.final_norm.bias"),
            "model.decoder.final_layer_norm.bias");
}

TEST(FamilyDefaultsTest, GptNeox) {
  ModelSpec spec = withDefaults(ModelFamily::GptNeox);
  EXPECT_EQ(spec.topology, Topology::DecoderOnly);
  EXPECT_EQ(spec.ffn, FfnKind::Gelu);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Parallel);
  EXPECT_TRUE(spec.parallelMlpNorm);
  EXPECT_EQ(spec.positions.kind, PositionKind::Rope);
  EXPECT_EQ(spec.qkvLayout, QkvLayout::PerHead);
  EXPECT_FALSE(spec.tieEmbeddings);
  EXPECT_TRUE(spec.attentionBias);
  EXPECT_EQ(tensorOf(spec, "embed.tokens"), "gpt_neox.embed_in.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.qkv.weight"),
            "gpt_neox.layers.{layer}.attention.query_key_value.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp_norm.bias"),
            "gpt_neox.layers.{layer}.post_attention_layernorm.bias");
  EXPECT_EQ(tensorOf(spec, "lm_head"), "embed_out.weight");
}

TEST(FamilyDefaultsTest, Phi) {
  ModelSpec spec = withDefaults(ModelFamily::Phi);
  EXPECT_EQ(spec.ffn, FfnKind::GeluTanh);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(spec.parallelMlpNorm);
  EXPECT_EQ(spec.qkvLayout, QkvLayout::Concatenated);
  EXPECT_TRUE(spec.outputBias);
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.o.bias"),
            "model.layers.{layer}.self_attn.dense.bias");
  EXPECT_EQ(tensorOf(spec, "decoder.final_norm.weight"),
            "model.final_layernorm.weight");
  std::vector<std::string> required = requiredWeightNames(spec);
  EXPECT_TRUE(llvm::is_contained(required, "lm_head.bias"));
  EXPECT_FALSE(llvm::is_contained(required, "decoder.layer.mlp_norm.weight"));
}

TEST(FamilyDefaultsTest, Gptj) {
  ModelSpec spec = withDefaults(ModelFamily::Gptj);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(spec.parallelMlpNorm);
  EXPECT_EQ(spec.positions.ropeStyle, RopeStyle::Interleaved);
  EXPECT_FALSE(spec.attentionBias);
  EXPECT_FALSE(spec.attentionOutputBias);
  EXPECT_TRUE(spec.mlpBias);
  EXPECT_TRUE(spec.outputBias);
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn.o.weight"),
            "transformer.h.{layer}.attn.out_proj.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp.up.bias"),
            "transformer.h.{layer}.mlp.fc_in.bias");
  std::vector<std::string> required = requiredWeightNames(spec);
  EXPECT_FALSE(llvm::is_contained(required, "decoder.layer.attn.q.bias"));
  EXPECT_TRUE(llvm::is_contained(required, "lm_head.bias"));
}

TEST(FamilyDefaultsTest, ParallelLayersSharingOneNormReadNoMlpNorm) {
  ModelSpec spec = withDefaults(ModelFamily::GptNeox);
  std::vector<std::string> own = requiredWeightNames(spec);
  EXPECT_TRUE(llvm::is_contained(own, "decoder.layer.mlp_norm.weight"));
  spec.parallelMlpNorm = false;
  std::vector<std::string> shared = requiredWeightNames(spec);
  EXPECT_FALSE(llvm::is_contained(shared, "decoder.layer.mlp_norm.weight"));
  EXPECT_TRUE(llvm::is_contained(shared, "decoder.layer.attn_norm.weight"));
}

TEST(FamilyDefaultsTest, DistilBert) {
  ModelSpec spec = withDefaults(ModelFamily::DistilBert);
  EXPECT_EQ(spec.topology, Topology::EncoderOnly);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Post);
  EXPECT_EQ(spec.normEpsilon, 1e-12);
  EXPECT_TRUE(spec.embeddingNorm);
  EXPECT_EQ(spec.typeVocabSize, 0);
  EXPECT_TRUE(spec.encoder.selfAttention.padding);
  EXPECT_EQ(spec.output, OutputKind::HiddenStates);

  EXPECT_EQ(tensorOf(spec, "embed.tokens"),
            "embeddings.word_embeddings.weight");
  EXPECT_EQ(tensorOf(spec, "embed.token_types"), "");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn.q.weight"),
            "transformer.layer.{layer}.attention.q_lin.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn.o.bias"),
            "transformer.layer.{layer}.attention.out_lin.bias");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn_norm.weight"),
            "transformer.layer.{layer}.sa_layer_norm.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp.up.weight"),
            "transformer.layer.{layer}.ffn.lin1.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp.down.weight"),
            "transformer.layer.{layer}.ffn.lin2.weight");
  EXPECT_EQ(tensorOf(spec, "encoder.layer.mlp_norm.bias"),
            "transformer.layer.{layer}.output_layer_norm.bias");
}

TEST(FamilyDefaultsTest, Llama) {
  ModelSpec spec = withDefaults(ModelFamily::Llama);
  EXPECT_EQ(spec.ffn, FfnKind::SwiGlu);
  EXPECT_EQ(spec.norm, NormKind::RmsNorm);
  EXPECT_FALSE(spec.normBias);
  EXPECT_EQ(spec.normEpsilon, 1e-6);
  EXPECT_EQ(spec.positions.kind, PositionKind::Rope);
  EXPECT_FALSE(spec.attentionBias);
  EXPECT_FALSE(spec.tieEmbeddings);

  EXPECT_EQ(tensorOf(spec, "embed.tokens"), "model.embed_tokens.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.attn_norm.weight"),
            "model.layers.{layer}.input_layernorm.weight");
  for (const char *projection : {"q", "k", "v", "o"})
    EXPECT_EQ(tensorOf(spec, std::string("decoder.layer.attn.") + projection +
                                 ".weight"),
              std::string("model.layers.{layer}.self_attn.") + projection +
                  "_proj.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp_norm.weight"),
            "model.layers.{layer}.post_attention_layernorm.weight");
  for (const char *projection : {"gate", "up", "down"})
    EXPECT_EQ(
        tensorOf(spec,
                 std::string("decoder.layer.mlp.") + projection + ".weight"),
        std::string("model.layers.{layer}.mlp.") + projection + "_proj.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.final_norm.weight"), "model.norm.weight");
  EXPECT_EQ(tensorOf(spec, "lm_head"), "lm_head.weight");
}

TEST(FamilyDefaultsTest, Transformer) {
  ModelSpec spec = withDefaults(ModelFamily::Transformer);
  EXPECT_EQ(spec.topology, Topology::EncoderDecoder);
  EXPECT_EQ(spec.ffn, FfnKind::Relu);
  EXPECT_EQ(spec.normPlacement, NormPlacement::Post);
  EXPECT_EQ(spec.positions.kind, PositionKind::Sinusoidal);
  EXPECT_DOUBLE_EQ(spec.embeddingScale, 8.0);
  EXPECT_TRUE(spec.tieEmbeddings);
  EXPECT_TRUE(spec.decoder.crossAttention);
  EXPECT_TRUE(spec.decoder.selfAttention.causal);
  EXPECT_FALSE(spec.encoder.selfAttention.causal);
  EXPECT_EQ(tensorOf(spec, "encoder.layer.attn.o.weight"),
            "encoder.layers.{layer}.self_attn.out_proj.weight");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.cross_attn_norm.bias"),
            "decoder.layers.{layer}.encoder_attn_layer_norm.bias");
  EXPECT_EQ(tensorOf(spec, "decoder.layer.mlp.up.weight"),
            "decoder.layers.{layer}.fc1.weight");
}

TEST(FamilyDefaultsTest, NeverOverwritesGivenFields) {
  ModelSpec spec = sizedSpec();
  spec.ffn = FfnKind::Relu;
  spec.fieldLocs["ffn.kind"] = {"spec.yaml", 3, 9};
  spec.headDim = 32;
  spec.fieldLocs["attention.head_dim"] = {"spec.yaml", 4, 13};
  spec.weights["embed.tokens"] = {"tok", false};
  spec.fieldLocs["weights.embed.tokens"] = {"spec.yaml", 5, 19};
  applyDefaults(ModelFamily::Gpt2, spec);
  EXPECT_EQ(spec.ffn, FfnKind::Relu);
  EXPECT_EQ(spec.headDim, 32);
  EXPECT_EQ(tensorOf(spec, "embed.tokens"), "tok");
}

TEST(FamilyDefaultsTest, GivenRmsNormDropsTheFamilysNormBias) {
  ModelSpec spec = sizedSpec();
  spec.norm = NormKind::RmsNorm;
  spec.fieldLocs["norm.kind"] = {"spec.yaml", 3, 9};
  applyDefaults(ModelFamily::Gpt2, spec);
  EXPECT_FALSE(spec.normBias);
  EXPECT_TRUE(spec.attentionBias);
}

TEST(FamilyDefaultsTest, GenericDefaultsFollowTheArchitecture) {
  ModelSpec post = sizedSpec();
  post.topology = Topology::EncoderOnly;
  post.normPlacement = NormPlacement::Post;
  post.fieldLocs["model.topology"] = {"spec.yaml", 2, 13};
  post.fieldLocs["norm.placement"] = {"spec.yaml", 3, 14};
  applyDefaults(std::nullopt, post);
  EXPECT_FALSE(post.finalNorm);
  EXPECT_EQ(post.output, OutputKind::HiddenStates);
  EXPECT_EQ(tensorOf(post, "encoder.layer.attn.q.weight"),
            "encoder.layers.{layer}.self_attn.q_proj.weight");
}

TEST(WeightNamesTest, KnowsEveryNameOnce) {
  const std::vector<std::string> &names = allWeightNames();
  EXPECT_TRUE(isKnownWeightName("embed.tokens"));
  EXPECT_TRUE(isKnownWeightName("decoder.layer.cross_attn.v.bias"));
  EXPECT_TRUE(isKnownWeightName("encoder.final_norm.weight"));
  EXPECT_FALSE(isKnownWeightName("decoder.layer.attn.q"));
  EXPECT_FALSE(isKnownWeightName("decoder.layers.0.attn.q.weight"));
  std::vector<std::string> sorted = names;
  llvm::sort(sorted);
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_TRUE(isPerLayerWeight("encoder.layer.mlp.up.weight"));
  EXPECT_FALSE(isPerLayerWeight("encoder.final_norm.weight"));
}

TEST(WeightNamesTest, EveryFamilyBindsEveryWeightItReads) {
  for (llvm::StringRef name : getModelFamilyNames()) {
    ModelSpec spec = withDefaults(*parseModelFamily(name));
    for (const std::string &logical : requiredWeightNames(spec)) {
      EXPECT_TRUE(isKnownWeightName(logical)) << logical;
      EXPECT_TRUE(spec.weights.count(logical))
          << name.str() << " does not bind " << logical;
    }
  }
}

TEST(WeightNamesTest, RequiredWeightsFollowTheArchitecture) {
  std::vector<std::string> gpt2 =
      requiredWeightNames(withDefaults(ModelFamily::Gpt2));
  EXPECT_TRUE(llvm::is_contained(gpt2, "decoder.layer.attn.qkv.bias"));
  EXPECT_FALSE(llvm::is_contained(gpt2, "decoder.layer.attn.q.weight"));
  EXPECT_FALSE(llvm::is_contained(gpt2, "lm_head"));
  EXPECT_FALSE(llvm::is_contained(gpt2, "decoder.layer.mlp.gate.weight"));

  std::vector<std::string> llama =
      requiredWeightNames(withDefaults(ModelFamily::Llama));
  EXPECT_TRUE(llvm::is_contained(llama, "decoder.layer.mlp.gate.weight"));
  EXPECT_TRUE(llvm::is_contained(llama, "lm_head"));
  EXPECT_FALSE(llvm::is_contained(llama, "decoder.layer.attn.q.bias"));
  EXPECT_FALSE(llvm::is_contained(llama, "decoder.final_norm.bias"));

  std::vector<std::string> bert =
      requiredWeightNames(withDefaults(ModelFamily::Bert));
  EXPECT_TRUE(llvm::is_contained(bert, "embed.token_types"));
  EXPECT_TRUE(llvm::is_contained(bert, "embed.norm.bias"));
  EXPECT_FALSE(llvm::is_contained(bert, "encoder.final_norm.weight"));

  std::vector<std::string> transformer =
      requiredWeightNames(withDefaults(ModelFamily::Transformer));
  EXPECT_TRUE(
      llvm::is_contained(transformer, "decoder.layer.cross_attn.k.weight"));
  EXPECT_TRUE(llvm::is_contained(transformer, "encoder.layer.attn.v.bias"));
  EXPECT_FALSE(
      llvm::is_contained(transformer, "encoder.layer.cross_attn.k.weight"));
  EXPECT_FALSE(llvm::is_contained(transformer, "embed.positions"));
}

} // namespace
