//===- HFConfigImporterTest.cpp - Tests of the config.json importer -------===//
//
// Checks how GPT-2, BERT, LLaMA, Mistral, Qwen2, Qwen3, Gemma, GPT-NeoX, Phi,
// Phi-3, StarCoder2 and GPT-J configs map onto ModelSpec (sizes, architecture,
// weight names, locations at the keys), which keys are accepted, warned about
// or rejected, and the error each malformed or unsupported config gives.
//
//===----------------------------------------------------------------------===//

#include "SpecTestUtils.h"

#include "frontend/WeightNames.h"

using namespace kiln;
using namespace kiln::test;

namespace {

/// Small configs of each model type; `withKey` adds keys at line 3.
const std::string kGpt2 = R"({
  "model_type": "gpt2",
  "vocab_size": 100,
  "n_embd": 64,
  "n_layer": 2,
  "n_head": 4,
  "n_positions": 32
}
)";

/// Falcon-7B's config names its sizes as the released configs do.
const std::string kFalcon = R"({
  "model_type": "falcon",
  "vocab_size": 100,
  "hidden_size": 64,
  "n_layer": 2,
  "n_head": 4
}
)";

const std::string kBert = R"({
  "model_type": "bert",
  "vocab_size": 100,
  "hidden_size": 64,
  "intermediate_size": 128,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "max_position_embeddings": 64
}
)";

const std::string kDistilBert = R"({
  "model_type": "distilbert",
  "vocab_size": 100,
  "dim": 64,
  "hidden_dim": 128,
  "n_layers": 2,
  "n_heads": 4,
  "max_position_embeddings": 64
}
)";

const std::string kOpt = R"({
  "model_type": "opt",
  "vocab_size": 100,
  "hidden_size": 64,
  "ffn_dim": 128,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "max_position_embeddings": 64
}
)";

const std::string kLlama = R"({
  "model_type": "llama",
  "vocab_size": 128,
  "hidden_size": 64,
  "intermediate_size": 172,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "max_position_embeddings": 128
}
)";

/// `config` with `keys` (a JSON fragment of `"key": value` pairs) inserted
/// at line 3, after `model_type`.
std::string withKey(const std::string &config, const std::string &keys) {
  return replaceOnce(config, "\"vocab_size\"", keys + ",\n  \"vocab_size\"");
}

std::string edit(const std::string &config, llvm::StringRef from,
                 llvm::StringRef to) {
  return replaceOnce(config, from, to);
}

/// The model types that errors about `model_type` list.
const std::string kSupportedModelTypes =
    "Kiln supports bert, camembert, cohere, distilbert, falcon, gemma, gpt2, "
    "gpt_bigcode, gpt_neox, gptj, granite, llama, mistral, opt, phi, phi3, "
    "qwen2, qwen3, roberta, stablelm, starcoder2, xlm-roberta";

using HFConfigImporterTest = SpecTest;

//===----------------------------------------------------------------------===//
// Mapping
//===----------------------------------------------------------------------===//

TEST_F(HFConfigImporterTest, MapsGpt2AndPointsFieldsAtTheirKeys) {
  std::optional<ModelSpec> spec =
      loadJson(kGpt2, "models/gpt2-tiny/config.json");
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->name, "gpt2-tiny");
  EXPECT_EQ(spec->topology, Topology::DecoderOnly);
  EXPECT_EQ(spec->vocabSize, 100);
  EXPECT_EQ(spec->dModel, 64);
  EXPECT_EQ(spec->decoder.numLayers, 2);
  EXPECT_EQ(spec->numHeads, 4);
  EXPECT_EQ(spec->maxSeqLen, 32);
  EXPECT_EQ(spec->positions.maxPositions, 32);
  // n_inner is absent: the MLP is 4 * n_embd wide.
  EXPECT_EQ(spec->ffnDim, 256);
  EXPECT_EQ(spec->ffn, FfnKind::GeluTanh);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_EQ(spec->output, OutputKind::Logits);

  const SourceLoc &heads = spec->locOf("attention.heads");
  EXPECT_EQ(heads.file, "models/gpt2-tiny/config.json");
  EXPECT_EQ(heads.line, 6u);
  EXPECT_EQ(heads.column, 3u);
  EXPECT_EQ(spec->locOf("decoder.layers").line, 5u);
  EXPECT_EQ(spec->loc.line, 1u);
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
}

TEST_F(HFConfigImporterTest, NamesAModelOutsideADirectoryAfterItsType) {
  std::optional<ModelSpec> plain = loadJson(kLlama, "config.json");
  std::optional<ModelSpec> dotted = loadJson(kLlama, "./config.json");
  ASSERT_TRUE(plain && dotted) << renderAll();
  EXPECT_EQ(plain->name, "llama");
  EXPECT_EQ(dotted->name, "llama");
}

TEST_F(HFConfigImporterTest, MapsOptionalGpt2Keys) {
  std::optional<ModelSpec> spec =
      loadJson(withKey(kGpt2, R"("n_inner": 128, "activation_function": "relu",
  "layer_norm_epsilon": 1e-6, "tie_word_embeddings": false,
  "torch_dtype": "float16", "scale_attn_weights": true, "n_ctx": 32)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffnDim, 128);
  EXPECT_EQ(spec->ffn, FfnKind::Relu);
  EXPECT_EQ(spec->normEpsilon, 1e-6);
  EXPECT_FALSE(spec->tieEmbeddings);
  EXPECT_EQ(spec->weights.at("lm_head").tensorName, "lm_head.weight");
  EXPECT_EQ(spec->weightDType, DType::F16);
}

TEST_F(HFConfigImporterTest, TreatsNullAsUnset) {
  std::optional<ModelSpec> spec =
      loadJson(withKey(kGpt2, R"("n_inner": null, "pad_token_id": null)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffnDim, 256);
}

TEST_F(HFConfigImporterTest, MapsBertToHiddenStatesOfAPostNormEncoder) {
  std::optional<ModelSpec> spec =
      loadJson(withKey(kBert, R"("type_vocab_size": 1, "layer_norm_eps": 1e-7,
  "hidden_act": "gelu_new", "position_embedding_type": "absolute",
  "tie_word_embeddings": true)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->topology, Topology::EncoderOnly);
  EXPECT_EQ(spec->encoder.numLayers, 2);
  EXPECT_EQ(spec->typeVocabSize, 1);
  EXPECT_EQ(spec->normEpsilon, 1e-7);
  EXPECT_EQ(spec->ffn, FfnKind::GeluTanh);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Post);
  EXPECT_TRUE(spec->embeddingNorm);
  EXPECT_TRUE(spec->encoder.selfAttention.padding);
  EXPECT_EQ(spec->output, OutputKind::HiddenStates);
  // BertModel has no output projection, whatever tie_word_embeddings says.
  EXPECT_FALSE(spec->tieEmbeddings);
}

TEST_F(HFConfigImporterTest, MapsRobertaToBertCountingTokensAfterPadding) {
  std::string roberta = edit(kBert, "\"bert\"", "\"roberta\"");
  std::optional<ModelSpec> spec =
      loadJson(withKey(roberta, R"("pad_token_id": 3)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->typeVocabSize, 2);
  EXPECT_EQ(spec->positions.kind, PositionKind::Learned);
  EXPECT_EQ(spec->positions.paddingIdx, 3);
  // The 64 rows hold positions 4 .. 63.
  EXPECT_EQ(spec->positions.maxPositions, 64);
  EXPECT_EQ(spec->maxSeqLen, 60);

  // RobertaConfig pads with id 1 unless told; XLM-R and CamemBERT are the
  // same model.
  for (const char *modelType : {"\"xlm-roberta\"", "\"camembert\""}) {
    spec = loadJson(edit(kBert, "\"bert\"", modelType));
    ASSERT_TRUE(spec) << renderAll();
    EXPECT_EQ(spec->positions.paddingIdx, 1);
    EXPECT_EQ(spec->maxSeqLen, 62);
  }
}

TEST_F(HFConfigImporterTest, MapsOptToAReluDecoderWithOffsetPositions) {
  std::optional<ModelSpec> spec = loadJson(
      withKey(kOpt, R"("do_layer_norm_before": true, "word_embed_proj_dim": 64,
  "_remove_final_layer_norm": false, "enable_bias": true, "layerdrop": 0.0)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->topology, Topology::DecoderOnly);
  EXPECT_EQ(spec->ffn, FfnKind::Relu);
  EXPECT_EQ(spec->ffnDim, 128);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Pre);
  EXPECT_TRUE(spec->finalNorm);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_EQ(spec->maxSeqLen, 64);
  EXPECT_EQ(spec->positions.offset, 2);
  EXPECT_EQ(spec->weights.at("decoder.layer.attn.o.weight").tensorName,
            "model.decoder.layers.{layer}.self_attn.out_proj.weight");
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
}

TEST_F(HFConfigImporterTest, MapsDistilBertToBertWithoutTokenTypes) {
  std::optional<ModelSpec> spec = loadJson(withKey(
      kDistilBert, R"("activation": "relu", "sinusoidal_pos_embds": true,
  "dropout": 0.1, "tie_weights_": true)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->topology, Topology::EncoderOnly);
  EXPECT_EQ(spec->dModel, 64);
  EXPECT_EQ(spec->ffnDim, 128);
  EXPECT_EQ(spec->encoder.numLayers, 2);
  EXPECT_EQ(spec->numHeads, 4);
  EXPECT_EQ(spec->ffn, FfnKind::Relu);
  EXPECT_EQ(spec->typeVocabSize, 0);
  EXPECT_EQ(spec->normEpsilon, 1e-12);
  EXPECT_TRUE(spec->encoder.selfAttention.padding);
  EXPECT_EQ(spec->output, OutputKind::HiddenStates);
  EXPECT_EQ(spec->weights.at("encoder.layer.attn.q.weight").tensorName,
            "transformer.layer.{layer}.attention.q_lin.weight");
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
}

TEST_F(HFConfigImporterTest, MapsLlamaDefaultsAndOptionalKeys) {
  std::optional<ModelSpec> plain = loadJson(kLlama);
  ASSERT_TRUE(plain) << renderAll();
  EXPECT_EQ(plain->numKvHeads, 4);
  EXPECT_EQ(plain->headDim, 16);
  EXPECT_EQ(plain->normEpsilon, 1e-6);
  EXPECT_EQ(plain->positions.theta, 10000.0);
  EXPECT_FALSE(plain->attentionBias);
  EXPECT_FALSE(plain->tieEmbeddings);

  std::optional<ModelSpec> spec =
      loadJson(withKey(kLlama, R"("num_key_value_heads": 1, "head_dim": 32,
  "rope_theta": 500000.0, "attention_bias": true, "mlp_bias": true,
  "tie_word_embeddings": true, "sliding_window": 64, "hidden_act": "gelu",
  "rope_scaling": null, "dtype": "bfloat16", "pretraining_tp": 2)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->numKvHeads, 1);
  EXPECT_EQ(spec->headDim, 32);
  EXPECT_EQ(spec->positions.theta, 500000.0);
  EXPECT_TRUE(spec->attentionBias);
  EXPECT_TRUE(spec->mlpBias);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_EQ(spec->decoder.selfAttention.slidingWindow, 64);
  EXPECT_EQ(spec->ffn, FfnKind::GeGlu);
  EXPECT_EQ(spec->weightDType, DType::BF16);
  EXPECT_EQ(spec->weights.at("decoder.layer.attn.q.bias").tensorName,
            "model.layers.{layer}.self_attn.q_proj.bias");
  EXPECT_EQ(spec->weights.at("decoder.layer.mlp.gate.bias").tensorName,
            "model.layers.{layer}.mlp.gate_proj.bias");
}

TEST_F(HFConfigImporterTest, MapsMistralWithItsOwnDefaults) {
  // Mistral is LLaMA with a sliding window; MistralConfig's defaults are 8
  // key/value heads and a window of 4096 tokens.
  std::string mistral =
      edit(edit(kLlama, "\"llama\"", "\"mistral\""),
           "\"num_attention_heads\": 4", "\"num_attention_heads\": 16");
  std::optional<ModelSpec> defaults = loadJson(mistral);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_EQ(defaults->numKvHeads, 8);
  EXPECT_EQ(defaults->decoder.selfAttention.slidingWindow, 4096);
  EXPECT_TRUE(defaults->decoder.selfAttention.causal);

  std::optional<ModelSpec> given = loadJson(
      withKey(mistral, R"("num_key_value_heads": 2, "sliding_window": 16)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_EQ(given->numKvHeads, 2);
  EXPECT_EQ(given->decoder.selfAttention.slidingWindow, 16);

  std::optional<ModelSpec> unwindowed =
      loadJson(withKey(mistral, R"("sliding_window": null)"));
  ASSERT_TRUE(unwindowed) << renderAll();
  EXPECT_FALSE(unwindowed->decoder.selfAttention.slidingWindow);
}

TEST_F(HFConfigImporterTest, MapsQwen2WithBiasesOnQueriesKeysAndValues) {
  // Qwen2 is LLaMA with biases on Q, K and V (not on the output projection)
  // and a window for some layers only, off unless use_sliding_window.
  std::string qwen2 = edit(kLlama, "\"llama\"", "\"qwen2\"");
  std::optional<ModelSpec> spec = loadJson(withKey(
      qwen2, R"("num_key_value_heads": 2, "use_sliding_window": false,
  "sliding_window": 32, "max_window_layers": 1, "tie_word_embeddings": true)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_TRUE(spec->attentionBias);
  EXPECT_FALSE(spec->attentionOutputBias);
  EXPECT_FALSE(spec->mlpBias);
  EXPECT_FALSE(spec->decoder.selfAttention.slidingWindow);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_EQ(spec->weights.at("decoder.layer.attn.v.bias").tensorName,
            "model.layers.{layer}.self_attn.v_proj.bias");
  std::vector<std::string> required = requiredWeightNames(*spec);
  EXPECT_TRUE(llvm::is_contained(required, "decoder.layer.attn.q.bias"));
  EXPECT_FALSE(llvm::is_contained(required, "decoder.layer.attn.o.bias"));
}

TEST_F(HFConfigImporterTest, MapsQwen3WithNormsOnQueriesAndKeys) {
  // Qwen3 is LLaMA with an RMS norm on each head of the queries and keys,
  // heads of 128 features and 32 key/value heads unless given, and biases
  // on all four attention projections if attention_bias.
  std::string qwen3 = edit(kLlama, "\"llama\"", "\"qwen3\"");
  std::optional<ModelSpec> defaults = loadJson(
      edit(qwen3, "\"num_attention_heads\": 4", "\"num_attention_heads\": 64"));
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->qkNorm, QkNorm::PerHead);
  EXPECT_EQ(defaults->headDim, 128);
  EXPECT_EQ(defaults->numKvHeads, 32);
  EXPECT_FALSE(defaults->attentionBias);
  EXPECT_EQ(defaults->weights.at("decoder.layer.attn.q_norm.weight").tensorName,
            "model.layers.{layer}.self_attn.q_norm.weight");
  std::vector<std::string> required = requiredWeightNames(*defaults);
  for (llvm::StringRef name :
       {"decoder.layer.attn.q_norm.weight", "decoder.layer.attn.k_norm.weight"})
    EXPECT_TRUE(llvm::is_contained(required, name)) << name.str();
  EXPECT_FALSE(llvm::is_contained(required, "decoder.layer.attn.q_norm.bias"));

  std::optional<ModelSpec> given =
      loadJson(withKey(qwen3, R"("num_key_value_heads": 2, "head_dim": 8,
  "attention_bias": true, "layer_types": ["full_attention", "full_attention"])"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(given->headDim, 8);
  EXPECT_EQ(given->numKvHeads, 2);
  EXPECT_TRUE(given->attentionBias);
  EXPECT_TRUE(given->attentionOutputBias);
}

TEST_F(HFConfigImporterTest, MapsPhi3WithFusedProjections) {
  // Phi-3 is LLaMA with Q, K and V in one projection and the MLP's gate and
  // up projections in another, RoPE on partial_rotary_factor of each head
  // (all by default) and an optional window.
  std::string phi3 = edit(kLlama, "\"llama\"", "\"phi3\"");
  std::optional<ModelSpec> defaults = loadJson(phi3);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->ffn, FfnKind::SwiGlu);
  EXPECT_EQ(defaults->normEpsilon, 1e-5);
  EXPECT_FALSE(defaults->positions.rotaryDim);
  EXPECT_FALSE(defaults->decoder.selfAttention.slidingWindow);
  std::vector<std::string> required = requiredWeightNames(*defaults);
  for (llvm::StringRef name :
       {"decoder.layer.attn.qkv.weight", "decoder.layer.mlp.gate_up.weight"})
    EXPECT_TRUE(llvm::is_contained(required, name)) << name.str();
  for (llvm::StringRef name :
       {"decoder.layer.attn.q.weight", "decoder.layer.mlp.up.weight"})
    EXPECT_FALSE(llvm::is_contained(required, name)) << name.str();
  EXPECT_EQ(defaults->weights.at("decoder.layer.mlp.gate_up.weight").tensorName,
            "model.layers.{layer}.mlp.gate_up_proj.weight");

  std::optional<ModelSpec> given = loadJson(
      withKey(phi3, R"("partial_rotary_factor": 0.75, "sliding_window": 2047,
  "original_max_position_embeddings": 128, "attention_bias": false)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(given->positions.rotaryDim, 12);
  EXPECT_EQ(given->decoder.selfAttention.slidingWindow, 2047);
}

TEST_F(HFConfigImporterTest, MapsStarcoder2WithOneBiasSwitch) {
  // StarCoder2: layer norms, RoPE, a plain MLP; `use_bias` switches the
  // projections' biases (the norms keep theirs); 2 key/value heads and tied
  // embeddings unless given.
  std::string starcoder2 = edit(kLlama, "\"llama\"", "\"starcoder2\"");
  std::optional<ModelSpec> defaults = loadJson(starcoder2);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->norm, NormKind::LayerNorm);
  EXPECT_EQ(defaults->ffn, FfnKind::GeluTanh);
  EXPECT_EQ(defaults->numKvHeads, 2);
  EXPECT_TRUE(defaults->tieEmbeddings);
  EXPECT_TRUE(defaults->attentionBias);
  EXPECT_EQ(defaults->weights.at("decoder.layer.mlp.up.weight").tensorName,
            "model.layers.{layer}.mlp.c_fc.weight");

  std::optional<ModelSpec> unbiased =
      loadJson(withKey(starcoder2, R"("use_bias": false, "mlp_type": "default",
  "norm_type": "layer_norm", "norm_epsilon": 1e-6)"));
  ASSERT_TRUE(unbiased) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_FALSE(unbiased->attentionBias);
  EXPECT_FALSE(unbiased->mlpBias);
  EXPECT_TRUE(unbiased->normBias);
  EXPECT_EQ(unbiased->normEpsilon, 1e-6);
}

TEST_F(HFConfigImporterTest, MapsStablelmOntoLlamaWithLayerNorms) {
  // StableLM: LLaMA's names and SwiGLU MLP with layer norms (with biases,
  // epsilon 1e-5), no bias on the output projection, 32 key/value heads and
  // a quarter of each head rotated unless given; `use_qkv_bias` adds biases
  // to Q, K and V, `use_parallel_residual` runs attention and MLP side by
  // side on the attention's norm.
  // 32 heads of 16 features, which 32 key/value heads divide.
  std::string stablelm =
      edit(edit(edit(kLlama, "\"llama\"", "\"stablelm\""),
                "\"hidden_size\": 64", "\"hidden_size\": 512"),
           "\"num_attention_heads\": 4", "\"num_attention_heads\": 32");
  std::optional<ModelSpec> defaults = loadJson(stablelm);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->norm, NormKind::LayerNorm);
  EXPECT_TRUE(defaults->normBias);
  EXPECT_EQ(defaults->normEpsilon, 1e-5);
  EXPECT_EQ(defaults->normPlacement, NormPlacement::Pre);
  EXPECT_EQ(defaults->ffn, FfnKind::SwiGlu);
  EXPECT_EQ(defaults->numKvHeads, 32);
  EXPECT_EQ(defaults->positions.rotaryDim, 4);
  EXPECT_FALSE(defaults->attentionBias);
  EXPECT_FALSE(defaults->attentionOutputBias);
  EXPECT_EQ(defaults->weights.at("decoder.layer.attn_norm.bias").tensorName,
            "model.layers.{layer}.input_layernorm.bias");

  std::optional<ModelSpec> given = loadJson(
      withKey(stablelm, R"("use_qkv_bias": true, "use_parallel_residual": true,
  "partial_rotary_factor": 0.5, "layer_norm_eps": 1e-6,
  "num_key_value_heads": 4, "qk_layernorm": false, "hidden_dropout": 0.1)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_TRUE(given->attentionBias);
  EXPECT_FALSE(given->attentionOutputBias);
  EXPECT_EQ(given->normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(given->parallelMlpNorm);
  EXPECT_EQ(given->positions.rotaryDim, 8);
  EXPECT_EQ(given->normEpsilon, 1e-6);
  EXPECT_EQ(given->numKvHeads, 4);
}

TEST_F(HFConfigImporterTest, MapsGptBigCodeAttention) {
  // GPT-BigCode is GPT-2 on nn.Linear layers, multi-query unless
  // multi_query is false, which fuses each head's query, key and value
  // together instead; scale_attn_weights false leaves scores unscaled.
  std::string bigcode = edit(kGpt2, "\"gpt2\"", "\"gpt_bigcode\"");
  std::optional<ModelSpec> defaults = loadJson(bigcode);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->numKvHeads, 1);
  EXPECT_EQ(defaults->qkvLayout, QkvLayout::Concatenated);
  EXPECT_EQ(defaults->ffnDim, 256);
  EXPECT_FALSE(defaults->attentionScale);
  const WeightBinding &qkv =
      defaults->weights.at("decoder.layer.attn.qkv.weight");
  EXPECT_EQ(qkv.tensorName, "h.{layer}.attn.c_attn.weight");
  EXPECT_FALSE(qkv.transposed);

  std::optional<ModelSpec> multiHead = loadJson(
      withKey(bigcode, R"("multi_query": false, "scale_attn_weights": false,
  "activation_function": "gelu_fast", "attention_softmax_in_fp32": true)"));
  ASSERT_TRUE(multiHead) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(multiHead->numKvHeads, 4);
  EXPECT_EQ(multiHead->qkvLayout, QkvLayout::PerHead);
  EXPECT_EQ(multiHead->attentionScale, 1.0);
  EXPECT_EQ(multiHead->ffn, FfnKind::GeluTanh);
}

TEST_F(HFConfigImporterTest, MapsFalconUnderEitherKeyNames) {
  // Falcon-7B: parallel layers sharing one norm, one key/value head after
  // every head's query, no projection biases, 2048 positions and an MLP 4
  // times as wide unless given; sizes under FalconConfig's names or the
  // older ones of the released configs.
  std::optional<ModelSpec> defaults = loadJson(kFalcon);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->decoder.numLayers, 2);
  EXPECT_EQ(defaults->numHeads, 4);
  EXPECT_EQ(defaults->numKvHeads, 1);
  EXPECT_EQ(defaults->qkvLayout, QkvLayout::Concatenated);
  EXPECT_EQ(defaults->normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(defaults->parallelMlpNorm);
  EXPECT_FALSE(defaults->attentionBias);
  EXPECT_FALSE(defaults->mlpBias);
  EXPECT_TRUE(defaults->normBias);
  EXPECT_TRUE(defaults->tieEmbeddings);
  EXPECT_EQ(defaults->maxSeqLen, 2048);
  EXPECT_EQ(defaults->ffnDim, 256);
  EXPECT_EQ(defaults->ffn, FfnKind::Gelu);
  EXPECT_EQ(defaults->weights.at("decoder.layer.attn.qkv.weight").tensorName,
            "transformer.h.{layer}.self_attention.query_key_value.weight");

  std::optional<ModelSpec> given = loadJson(
      edit(edit(kFalcon, "\"n_layer\"", "\"num_hidden_layers\""),
           "\"n_head\": 4", R"("num_attention_heads": 4, "multi_query": false,
  "parallel_attn": false, "bias": true, "ffn_hidden_size": 96,
  "max_position_embeddings": 128, "alibi": false)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(given->numKvHeads, 4);
  EXPECT_EQ(given->qkvLayout, QkvLayout::PerHead);
  EXPECT_EQ(given->normPlacement, NormPlacement::Pre);
  EXPECT_TRUE(given->attentionBias);
  EXPECT_TRUE(given->mlpBias);
  EXPECT_EQ(given->ffnDim, 96);
  EXPECT_EQ(given->maxSeqLen, 128);

  EXPECT_FALSE(loadJson(edit(kFalcon, "\"n_layer\": 2",
                             "\"n_layer\": 2, \"num_hidden_layers\": 2")));
  EXPECT_NE(renderAll().find("'num_hidden_layers' and its older name "
                             "'n_layer' are both given; keep one"),
            std::string::npos)
      << renderAll();
}

TEST_F(HFConfigImporterTest, MapsCohereOntoParallelLlamaLayers) {
  // Cohere: attention and MLP side by side on one layer norm without bias,
  // RoPE on interleaved pairs, logits multiplied by logit_scale (0.0625
  // unless given) and tied embeddings unless given.
  std::string cohere = edit(kLlama, "\"llama\"", "\"cohere\"");
  std::optional<ModelSpec> defaults = loadJson(cohere);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->norm, NormKind::LayerNorm);
  EXPECT_FALSE(defaults->normBias);
  EXPECT_EQ(defaults->normEpsilon, 1e-5);
  EXPECT_EQ(defaults->normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(defaults->parallelMlpNorm);
  EXPECT_EQ(defaults->positions.ropeStyle, RopeStyle::Interleaved);
  EXPECT_EQ(defaults->logitsScale, 0.0625);
  EXPECT_TRUE(defaults->tieEmbeddings);
  EXPECT_FALSE(defaults->attentionBias);

  std::optional<ModelSpec> given =
      loadJson(withKey(cohere, R"("logit_scale": 0.125, "layer_norm_eps": 1e-6,
  "tie_word_embeddings": false, "attention_bias": true, "use_qk_norm": false)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(given->logitsScale, 0.125);
  EXPECT_EQ(given->normEpsilon, 1e-6);
  EXPECT_FALSE(given->tieEmbeddings);
  EXPECT_TRUE(given->attentionBias);
}

TEST_F(HFConfigImporterTest, MapsGraniteMultipliers) {
  // Granite is LLaMA with four multipliers; its attention scores are
  // multiplied by attention_multiplier, 1 unless given, never by
  // 1 / sqrt(head_dim), and its logits divided by logits_scaling.
  std::string granite = edit(kLlama, "\"llama\"", "\"granite\"");
  std::optional<ModelSpec> defaults = loadJson(granite);
  ASSERT_TRUE(defaults) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(defaults->attentionScale, 1.0);
  EXPECT_EQ(defaults->residualScale, 1.0);
  EXPECT_EQ(defaults->logitsScale, 1.0);
  EXPECT_EQ(defaults->embeddingScale, 1.0);

  std::optional<ModelSpec> given = loadJson(
      withKey(granite,
              R"("embedding_multiplier": 12.0, "attention_multiplier": 0.015625,
  "residual_multiplier": 0.22, "logits_scaling": 8.0)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(given->embeddingScale, 12.0);
  EXPECT_EQ(given->attentionScale, 0.015625);
  EXPECT_EQ(given->residualScale, 0.22);
  EXPECT_EQ(given->logitsScale, 0.125);
}

TEST_F(HFConfigImporterTest, MapsGemmaOntoLlamaWithItsDefaults) {
  // Gemma is LLaMA with heads of 256 features by default, embeddings scaled
  // by sqrt(hidden_size), RMS norm scales stored as offsets from 1, a GeGLU
  // MLP (tanh-approximated unless hidden_activation says otherwise: it
  // ignores hidden_act) and tied embeddings.
  std::string gemma = edit(kLlama, "\"llama\"", "\"gemma\"");
  std::optional<ModelSpec> spec =
      loadJson(withKey(gemma, R"("hidden_act": "gelu")"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(spec->headDim, 256);
  EXPECT_EQ(spec->ffn, FfnKind::GeGluTanh);
  EXPECT_TRUE(spec->tieEmbeddings);
  EXPECT_DOUBLE_EQ(spec->embeddingScale, 8.0);
  EXPECT_EQ(spec->normGammaOffset, 1.0);
  EXPECT_EQ(spec->norm, NormKind::RmsNorm);
  EXPECT_EQ(spec->weights.at("decoder.layer.mlp.gate.weight").tensorName,
            "model.layers.{layer}.mlp.gate_proj.weight");

  std::optional<ModelSpec> given = loadJson(withKey(gemma, R"("head_dim": 16,
  "hidden_activation": "gelu", "tie_word_embeddings": false)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_EQ(given->headDim, 16);
  EXPECT_EQ(given->ffn, FfnKind::GeGlu);
  EXPECT_FALSE(given->tieEmbeddings);
}

TEST_F(HFConfigImporterTest, MapsGptNeoxWithPartialRotaryAndParallelLayers) {
  const std::string neox = R"({
  "model_type": "gpt_neox",
  "vocab_size": 100,
  "hidden_size": 64,
  "intermediate_size": 256,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "max_position_embeddings": 64
}
)";
  // GPTNeoXConfig: a quarter of each head rotated, parallel layers.
  std::optional<ModelSpec> spec = loadJson(neox);
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(spec->positions.rotaryDim, 4);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Parallel);
  EXPECT_EQ(spec->qkvLayout, QkvLayout::PerHead);
  EXPECT_EQ(spec->ffn, FfnKind::Gelu);

  std::optional<ModelSpec> given = loadJson(withKey(neox, R"("rotary_pct": 1.0,
  "rotary_emb_base": 500.0, "use_parallel_residual": false)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_EQ(given->positions.rotaryDim, 16);
  EXPECT_EQ(given->positions.theta, 500.0);
  EXPECT_EQ(given->normPlacement, NormPlacement::Pre);

  // An odd share of a head is reported at rotary_pct.
  std::optional<ModelSpec> odd =
      loadJson(withKey(neox, R"("rotary_pct": 0.2)"));
  EXPECT_FALSE(odd);
  ASSERT_EQ(diagnostics.size(), 1u) << renderAll();
  EXPECT_EQ(diagnostics[0].line, 3u);
  EXPECT_EQ(diagnostics[0].message,
            "'rotary_pct' (0.2) rotates 3 features of each 16-wide head; "
            "RoPE needs an even number, at least 2");
}

TEST_F(HFConfigImporterTest, MapsPhiWithASharedNormAndAnOutputBias) {
  const std::string phi = R"({
  "model_type": "phi",
  "vocab_size": 100,
  "hidden_size": 64,
  "intermediate_size": 256,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "max_position_embeddings": 64
}
)";
  // PhiConfig rotates half of each head by default.
  std::optional<ModelSpec> spec = loadJson(phi);
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(spec->positions.rotaryDim, 8);
  EXPECT_EQ(spec->normPlacement, NormPlacement::Parallel);
  EXPECT_FALSE(spec->parallelMlpNorm);
  EXPECT_TRUE(spec->outputBias);

  std::optional<ModelSpec> given =
      loadJson(withKey(phi, R"("partial_rotary_factor": 0.25)"));
  ASSERT_TRUE(given) << renderAll();
  EXPECT_EQ(given->positions.rotaryDim, 4);

  EXPECT_FALSE(loadJson(withKey(phi, R"("partial_rotary_factor": 0)")));
  ASSERT_EQ(diagnostics.size(), 1u) << renderAll();
  EXPECT_EQ(diagnostics[0].message,
            "'partial_rotary_factor' must lie in (0, 1], got 0");
}

TEST_F(HFConfigImporterTest, MapsGptjWithGpt2SizesAndInterleavedRope) {
  // GPTJConfig: GPT-2's size keys, an MLP 4 * n_embd wide without n_inner,
  // RoPE on rotary_dim features of each head in adjacent pairs.
  std::string gptj = withKey(edit(kGpt2, "\"gpt2\"", "\"gptj\""),
                             R"("rotary_dim": 8, "rotary": true)");
  std::optional<ModelSpec> spec = loadJson(gptj);
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
  EXPECT_EQ(spec->ffnDim, 256);
  EXPECT_EQ(spec->positions.rotaryDim, 8);
  EXPECT_EQ(spec->positions.ropeStyle, RopeStyle::Interleaved);
  EXPECT_EQ(spec->ffn, FfnKind::GeluTanh);
  EXPECT_FALSE(spec->attentionBias);
  EXPECT_TRUE(spec->outputBias);
}

TEST_F(HFConfigImporterTest, MapsRopeScaling) {
  std::optional<ModelSpec> linear = loadJson(
      withKey(kLlama, R"("rope_scaling": {"type": "linear", "factor": 2.0})"));
  ASSERT_TRUE(linear) << renderAll();
  EXPECT_EQ(linear->positions.ropeScaling, RopeScaling::Linear);
  EXPECT_EQ(linear->positions.ropeScalingFactor, 2.0);

  std::optional<ModelSpec> llama3 =
      loadJson(withKey(kLlama, R"("rope_scaling": {"factor": 32.0,
  "high_freq_factor": 4.0, "low_freq_factor": 1.0,
  "original_max_position_embeddings": 8192, "rope_type": "llama3"})"));
  ASSERT_TRUE(llama3) << renderAll();
  EXPECT_EQ(llama3->positions.ropeScaling, RopeScaling::Llama3);
  EXPECT_EQ(llama3->positions.ropeScalingFactor, 32.0);
  EXPECT_EQ(llama3->positions.ropeLowFreqFactor, 1.0);
  EXPECT_EQ(llama3->positions.ropeHighFreqFactor, 4.0);
  EXPECT_EQ(llama3->positions.ropeOriginalMaxPositions, 8192);

  std::optional<ModelSpec> unscaled =
      loadJson(withKey(kLlama, R"("rope_scaling": {"rope_type": "default"})"));
  ASSERT_TRUE(unscaled) << renderAll();
  EXPECT_FALSE(unscaled->positions.ropeScaling);
}

TEST_F(HFConfigImporterTest, WarnsAboutUnknownKeysAndStillImports) {
  std::optional<ModelSpec> spec =
      loadJson(withKey(kGpt2, R"("n_heads": 4, "my_custom_flag": 1)"));
  ASSERT_TRUE(spec) << renderAll();
  std::vector<Diagnostic> found = warnings();
  ASSERT_EQ(found.size(), 2u) << renderAll();
  EXPECT_EQ(found[0].line, 3);
  EXPECT_EQ(found[0].column, 3);
  EXPECT_EQ(found[0].message, "unknown field 'n_heads' for model_type 'gpt2' "
                              "is ignored; did you mean 'n_head'?");
  EXPECT_EQ(found[1].column, 17);
  EXPECT_EQ(found[1].message,
            "unknown field 'my_custom_flag' for model_type 'gpt2' is ignored");
}

TEST_F(HFConfigImporterTest, AcceptsKeysThatDoNotChangeInference) {
  std::optional<ModelSpec> spec = loadJson(withKey(
      kBert, R"("architectures": ["BertModel"], "hidden_dropout_prob": 0.1,
  "id2label": {"0": "A", "1": "B"}, "label2id": {"A": 0, "B": 1},
  "task_specific_params": {"x": {"max_length": 5}}, "use_cache": true,
  "is_decoder": false, "add_cross_attention": false, "pruned_heads": {},
  "transformers_version": "4.40.0", "_name_or_path": "bert-base-uncased")"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_TRUE(diagnostics.empty()) << renderAll();
}

TEST_F(HFConfigImporterTest, LocatesKeysWithEscapesAndNestedObjects) {
  // Keys inside nested objects are not top-level keys; an escaped key is
  // found by its decoded name.
  std::optional<ModelSpec> spec = loadJson(
      withKey(kGpt2, R"("task_specific_params": {"n_head": {"n_layer": 1}},
  "n_\u0069nner": 96)"));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->ffnDim, 96);
  EXPECT_EQ(spec->locOf("ffn.dim").line, 4u);
  EXPECT_EQ(spec->locOf("attention.heads").line, 8u);
}

TEST_F(HFConfigImporterTest, AcceptsAByteOrderMarkAndNonAsciiUTF8) {
  std::optional<ModelSpec> spec =
      loadJson("\xEF\xBB\xBF" +
               withKey(kGpt2, "\"_name_or_path\": \"mod\xC3\xA8les/gpt2\""));
  ASSERT_TRUE(spec) << renderAll();
  EXPECT_EQ(spec->numHeads, 4);
  // Locations are unchanged: the mark only shifts the first line.
  const SourceLoc &heads = spec->locOf("attention.heads");
  EXPECT_EQ(heads.line, 7u);
  EXPECT_EQ(heads.column, 3u);
  EXPECT_TRUE(warnings().empty()) << renderAll();
}

//===----------------------------------------------------------------------===//
// Malformed and unsupported configs
//===----------------------------------------------------------------------===//

class BadHFConfigTest : public SpecTest,
                        public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadHFConfigTest, GivesOneLocatedError) {
  const BadInput &input = GetParam();
  EXPECT_FALSE(loadJson(input.text)) << "accepted:\n" << input.text;
  expectSingleError(input.line, input.column, input.message);
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"MissingValue", "{\"model_type\": \"gpt2\",\n  \"n_embd\": }\n", 2, 13,
         "invalid JSON value"},
        {"TrailingComma",
         edit(kGpt2, "\"n_positions\": 32", "\"n_positions\": 32,"), 8, 1,
         "expected object key"},
        {"MissingComma", edit(kGpt2, "\"n_head\": 4,", "\"n_head\": 4"), 7, 3,
         "expected , or } after object property"},
        {"UnterminatedString", "{\"model_type\": \"gpt2", 1, 20,
         "unterminated string"},
        {"LineBreakInString", "{\"model_type\": \"gpt2\n}", 1, 21,
         "control character in string"},
        {"Empty", "", 1, 1,
         "the config is empty; expected a JSON object with 'model_type'"},
        {"WhitespaceOnly", "  \n\t\r\n", 1, 1, "the config is empty"},
        {"ByteOrderMarkOnly", "\xEF\xBB\xBF\n", 1, 4, "the config is empty"},
        {"TextAfterObject", kGpt2 + "{}\n", 9, 1, "text after end of document"},
        {"DeepNesting",
         withKey(kGpt2, "\"x\": " + std::string(500000, '[') +
                            std::string(500000, ']')),
         3, 8 + 31, "a config nests at most 32 levels deep"},
        {"TooManyBrackets",
         withKey(kGpt2, "\"x\": \"" + std::string(5000, '[') + "\""), 3,
         8 + 4096, "a config holds at most 4096 '{' and '[' characters"},
        {"NotAnObject", "[1, 2]\n", 1, 1,
         "a Hugging Face config must be a JSON object, got an array"},
        {"StringNotAnObject", "\n  \"gpt2\"\n", 2, 3,
         "a Hugging Face config must be a JSON object, got \"gpt2\""},
        {"NullNotAnObject", "null", 1, 1,
         "a Hugging Face config must be a JSON object, got null"},
        {"DuplicateKey",
         edit(kGpt2, "\"n_head\": 4,", "\"n_head\": 4, \"n_head\": 8,"), 6, 16,
         "duplicate key 'n_head'"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Encoding, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"Latin1Byte", withKey(kGpt2, "\"_name_or_path\": \"caf\xe9\""), 3, 24,
         "invalid UTF-8 byte 0xE9; model descriptions must be UTF-8"},
        {"Latin1ByteInKey", withKey(kGpt2, "\"n_\xe9\": 1"), 3, 6,
         "invalid UTF-8 byte 0xE9"},
        {"Utf16", std::string("\xff\xfe{\0}\0", 6), 1, 1,
         "invalid UTF-8 byte 0xFF"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    ModelType, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"MissingModelType", "{\n  \"vocab_size\": 3\n}\n", 1, 1,
         "missing required field 'model_type'; " + kSupportedModelTypes},
        {"UnsupportedModelType", edit(kGpt2, "\"gpt2\"", "\"bloom\""), 2, 3,
         "unsupported model_type 'bloom'; " + kSupportedModelTypes},
        {"ModelTypeNotAString", edit(kGpt2, "\"gpt2\"", "2"), 2, 3,
         "expected a string for 'model_type', got 2"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Values, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"MissingRequiredKey", edit(kGpt2, "  \"n_head\": 4,\n", ""), 1, 1,
         "missing required field 'n_head' for model_type 'gpt2'"},
        {"MissingBertKey", edit(kBert, "  \"intermediate_size\": 128,\n", ""),
         1, 1,
         "missing required field 'intermediate_size' for model_type "
         "'bert'"},
        {"PaddingIdOutsideThePositionTable",
         withKey(edit(kBert, "\"bert\"", "\"roberta\""),
                 "\"pad_token_id\": 64"),
         9, 3,
         "'max_position_embeddings' (64) leaves no row for tokens, which "
         "RoBERTa numbers from 'pad_token_id' + 1 (65)"},
        {"ProjectedOptEmbeddings", withKey(kOpt, "\"word_embed_proj_dim\": 32"),
         3, 3,
         "'word_embed_proj_dim' (32) must equal 'hidden_size' (64): Kiln "
         "does not project the embeddings in and out"},
        {"PostNormOpt", withKey(kOpt, "\"do_layer_norm_before\": false"), 3, 3,
         "post-norm OPT (opt-350m) also drops the final norm"},
        {"MissingDistilBertKey", edit(kDistilBert, "  \"n_heads\": 4,\n", ""),
         1, 1, "missing required field 'n_heads' for model_type 'distilbert'"},
        {"NullRequiredKey", edit(kGpt2, "\"n_head\": 4", "\"n_head\": null"), 6,
         3, "'n_head' must not be null"},
        {"StringForInteger", edit(kGpt2, "\"n_head\": 4", "\"n_head\": \"4\""),
         6, 3, "expected an integer for 'n_head', got \"4\""},
        {"FractionalInteger", edit(kGpt2, "\"n_head\": 4", "\"n_head\": 4.5"),
         6, 3, "expected an integer for 'n_head', got 4.5"},
        {"UnsignedOverflow",
         edit(kGpt2, "\"n_embd\": 64", "\"n_embd\": 18446744073709551615"), 4,
         3, "expected an integer for 'n_embd'"},
        {"BoolForNumber", withKey(kGpt2, "\"layer_norm_epsilon\": true"), 3, 3,
         "expected a number for 'layer_norm_epsilon', got true"},
        {"StringForBool", withKey(kLlama, "\"attention_bias\": \"no\""), 3, 3,
         "expected true or false for 'attention_bias', got \"no\""},
        {"ListForActivation", withKey(kGpt2, "\"activation_function\": []"), 3,
         3, "expected a string for 'activation_function', got an array"},
        {"ZeroHeads", edit(kGpt2, "\"n_head\": 4", "\"n_head\": 0"), 6, 3,
         "'n_head' must be at least 1, got 0"},
        {"HugeWidth",
         edit(kGpt2, "\"n_embd\": 64", "\"n_embd\": 9223372036854775807"), 4, 3,
         "'n_embd' must be at most 2147483647"},
        {"NegativeEpsilon", withKey(kLlama, "\"rms_norm_eps\": -1e-6"), 3, 3,
         "'rms_norm_eps' must be a positive finite number, got -1e-06"},
        {"ZeroSlidingWindow", withKey(kLlama, "\"sliding_window\": 0"), 3, 3,
         "'sliding_window' must be at least 1, got 0"},
        {"ZeroTypeVocab", withKey(kBert, "\"type_vocab_size\": -2"), 3, 3,
         "'type_vocab_size' must be at least 0, got -2"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Shapes, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"WidthNotDivisibleByHeads",
         edit(kGpt2, "\"n_embd\": 64", "\"n_embd\": 70"), 6, 3,
         "'n_embd' (70) is not divisible by 'n_head' (4)"},
        {"HeadsNotMultipleOfKvHeads",
         withKey(kLlama, "\"num_key_value_heads\": 3"), 3, 3,
         "'num_attention_heads' (4) is not a multiple of "
         "'num_key_value_heads' (3)"},
        {"OddHeadDimWithRope",
         edit(kLlama, "\"hidden_size\": 64", "\"hidden_size\": 60"), 7, 3,
         "rope positions need an even head dimension, but 'hidden_size' / "
         "'num_attention_heads' is 60 / 4 = 15"},
        {"OddExplicitHeadDim", withKey(kLlama, "\"head_dim\": 15"), 3, 3,
         "rope positions need an even 'head_dim', got 15"},
    }),
    badInputName);

INSTANTIATE_TEST_SUITE_P(
    Unsupported, BadHFConfigTest,
    ::testing::ValuesIn(std::vector<BadInput>{
        {"RopeScalingYarn",
         withKey(kLlama,
                 R"("rope_scaling": {"rope_type": "yarn", "factor": 4.0})"),
         3, 3,
         "unsupported rope_type 'yarn' in 'rope_scaling'; Kiln supports "
         "default, linear and llama3"},
        {"RopeScalingUnknownParameter",
         withKey(kLlama, R"("rope_scaling": {"type": "linear", "factor": 2.0,
  "attention_factor": 0.5})"),
         3, 3,
         "unsupported parameter 'attention_factor' in 'rope_scaling' for "
         "rope_type 'linear'"},
        {"RopeScalingWithoutType",
         withKey(kLlama, R"("rope_scaling": {"factor": 2.0})"), 3, 3,
         "expected a string 'rope_type' in 'rope_scaling'; Kiln supports "
         "default, linear and llama3"},
        {"RopeScalingMissingBand",
         withKey(kLlama, R"("rope_scaling": {"rope_type": "llama3",
  "factor": 8.0, "low_freq_factor": 1.0,
  "original_max_position_embeddings": 64})"),
         3, 3, "'rope_scaling' llama3 needs 'rope_scaling.high_freq_factor'"},
        {"RopeScalingBandsReversed",
         withKey(kLlama, R"("rope_scaling": {"rope_type": "llama3",
  "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 1.0,
  "original_max_position_embeddings": 64})"),
         3, 3,
         "'rope_scaling.high_freq_factor' (1) must be greater than "
         "'rope_scaling.low_freq_factor' (4)"},
        {"Qwen3SlidingLayer",
         withKey(edit(kLlama, "\"llama\"", "\"qwen3\""),
                 R"("layer_types": ["full_attention", "sliding_attention"])"),
         3, 3,
         "unsupported 'layer_types': layer 1 has \"sliding_attention\" (Kiln "
         "supports only \"full_attention\" in every layer)"},
        {"LayerTypesNotAnArray",
         withKey(edit(kLlama, "\"llama\"", "\"qwen2\""),
                 R"("layer_types": "full_attention")"),
         3, 3, "expected an array of strings for 'layer_types'"},
        {"Qwen2SlidingWindow",
         withKey(edit(kLlama, "\"llama\"", "\"qwen2\""),
                 "\"use_sliding_window\": true"),
         3, 3,
         "unsupported 'use_sliding_window': true (Kiln supports only "
         "false): Qwen2 windows only the layers from max_window_layers on, "
         "Kiln every layer or none"},
        {"ScaleByInverseLayerIndex",
         withKey(kGpt2, "\"scale_attn_by_inverse_layer_idx\": true"), 3, 3,
         "unsupported 'scale_attn_by_inverse_layer_idx': true (Kiln supports "
         "only false)"},
        {"ReorderAndUpcast",
         withKey(kGpt2, "\"reorder_and_upcast_attn\": true"), 3, 3,
         "unsupported 'reorder_and_upcast_attn': true"},
        {"UnscaledAttention", withKey(kGpt2, "\"scale_attn_weights\": false"),
         3, 3,
         "unsupported 'scale_attn_weights': false (Kiln supports only "
         "true)"},
        {"RelativePositions",
         withKey(kBert, "\"position_embedding_type\": \"relative_key\""), 3, 3,
         "unsupported 'position_embedding_type': \"relative_key\" (Kiln "
         "supports only \"absolute\")"},
        {"BertAsDecoder", withKey(kBert, "\"is_decoder\": true"), 3, 3,
         "unsupported 'is_decoder': true"},
        {"CrossAttention", withKey(kGpt2, "\"add_cross_attention\": true"), 3,
         3, "unsupported 'add_cross_attention': true"},
        {"EncoderDecoder", withKey(kLlama, "\"is_encoder_decoder\": true"), 3,
         3, "unsupported 'is_encoder_decoder': true"},
        {"PrunedHeads", withKey(kBert, R"("pruned_heads": {"0": [1]})"), 3, 3,
         "unsupported 'pruned_heads'"},
        {"UnsupportedGpt2Activation",
         withKey(kGpt2, "\"activation_function\": \"quick_gelu\""), 3, 3,
         "unsupported activation 'quick_gelu' for 'activation_function'; Kiln "
         "supports gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu, silu, "
         "swish"},
        {"UnsupportedLlamaActivation",
         withKey(kLlama, "\"hidden_act\": \"relu\""), 3, 3,
         "unsupported activation 'relu' for 'hidden_act'; Kiln supports "
         "silu, swish, gelu, gelu_new, gelu_pytorch_tanh"},
        {"PhiQkLayerNorm",
         withKey(edit(kLlama, "\"llama\"", "\"phi\""),
                 "\"qk_layernorm\": true"),
         3, 3,
         "unsupported 'qk_layernorm': true (Kiln supports only false): it "
         "normalises queries and keys per head"},
        {"ZeroLogitsScaling",
         withKey(edit(kLlama, "\"llama\"", "\"granite\""),
                 "\"logits_scaling\": 0"),
         3, 3, "'logits_scaling' must be a positive finite number, got 0"},
        {"FalconAlibi", withKey(kFalcon, "\"alibi\": true"), 3, 3,
         "unsupported 'alibi': true (Kiln supports only false): ALiBi "
         "positions are not implemented"},
        {"FalconNewDecoderArchitecture",
         withKey(kFalcon, "\"new_decoder_architecture\": true"), 3, 3,
         "unsupported 'new_decoder_architecture': true (Kiln supports only "
         "false): its fused QKV projection groups the queries of each "
         "key/value head with it, a layout Kiln does not read"},
        {"CohereQkNorm",
         withKey(edit(kLlama, "\"llama\"", "\"cohere\""),
                 "\"use_qk_norm\": true"),
         3, 3,
         "unsupported 'use_qk_norm': true (Kiln supports only false): it "
         "normalises the queries and keys of each head with that head's own "
         "scales"},
        {"StablelmQkLayerNorm",
         withKey(edit(kLlama, "\"llama\"", "\"stablelm\""),
                 "\"qk_layernorm\": true"),
         3, 3,
         "unsupported 'qk_layernorm': true (Kiln supports only false): it "
         "normalises the queries and keys of each head with that head's own "
         "scales"},
        {"UnsupportedGemmaActivation",
         withKey(edit(kLlama, "\"llama\"", "\"gemma\""),
                 "\"hidden_activation\": \"relu\""),
         3, 3,
         "unsupported activation 'relu' for 'hidden_activation'; Kiln "
         "supports silu, swish, gelu, gelu_new, gelu_pytorch_tanh"},
        {"UnsupportedDType", withKey(kGpt2, "\"torch_dtype\": \"int8\""), 3, 3,
         "unsupported weight type 'int8' for 'torch_dtype'"},
    }),
    badInputName);

} // namespace
