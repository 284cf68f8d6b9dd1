//===- FamilyDefaults.cpp - Per-family defaults of a model spec -----------===//
//
// Each family is a row of architecture choices plus a description of where
// its checkpoints keep each weight. The encoder-decoder `transformer` family
// uses the fairseq/BART naming (`encoder.layers.{layer}.self_attn.q_proj`),
// which is also what a spec without a family gets.
//
//===----------------------------------------------------------------------===//

#include "frontend/FamilyDefaults.h"

#include "frontend/WeightNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

#include <cmath>

using namespace kiln;
using namespace llvm;

namespace {

/// A checkpoint tensor for one model-level logical weight.
struct TensorName {
  StringLiteral logical;
  StringLiteral tensor;
};

/// A layer part with a weight and a bias: `<stack>.layer.<logical>.weight`
/// lives at `<layer prefix><tensor>.weight`, the bias likewise.
struct PartName {
  StringLiteral logical;
  StringLiteral tensor;
  /// The weight matrix is stored [in, out] (GPT-2's Conv1D).
  bool transposed = false;
};

/// Where a family keeps the layers of one stack.
struct StackNames {
  StringLiteral stack;
  /// Prefix of every per-layer tensor, with the `{layer}` placeholder.
  StringLiteral layerPrefix;
  /// The norm after the last layer (without `.weight`), empty if none.
  StringLiteral finalNorm;
};

/// The architecture and checkpoint layout of a family.
struct FamilyTraits {
  Topology topology;
  FfnKind ffn;
  NormKind norm;
  NormPlacement placement;
  double epsilon;
  bool embeddingNorm;
  bool finalNorm;
  PositionKind positions;
  int64_t typeVocabSize;
  /// Token embeddings are multiplied by sqrt(d_model).
  bool scaleBySqrtDModel;
  /// Attention, MLP and (layer) norm biases.
  bool biases;
  bool tieEmbeddings;
  OutputKind output;
  /// The encoder takes an attention mask marking padding.
  bool encoderPadding;
  ArrayRef<TensorName> modelTensors;
  ArrayRef<StackNames> stacks;
  ArrayRef<PartName> layerParts;
  /// Rows of the learned position table before position 0.
  int64_t positionOffset = 0;
  /// The feature order of the fused QKV projection, if the family has one.
  QkvLayout qkvLayout = QkvLayout::Concatenated;
  /// Parallel layers: the MLP has a norm of its own.
  bool parallelMlpNorm = true;
  /// The output projection has a bias.
  bool outputBias = false;
  /// Q, K, V and the output projection have biases; `biases` if unset.
  std::optional<bool> attentionBias = std::nullopt;
  /// The MLP's projections have biases; `biases` if unset.
  std::optional<bool> mlpBias = std::nullopt;
  /// Which features RoPE pairs.
  RopeStyle ropeStyle = RopeStyle::Half;
};

} // namespace

//===----------------------------------------------------------------------===//
// Checkpoint layouts
//===----------------------------------------------------------------------===//

// GPT-2 (`GPT2Model`): Conv1D layers store their matrices [in, out].
static constexpr TensorName kGpt2Model[] = {
    {"embed.tokens", "wte.weight"},
    {"embed.positions", "wpe.weight"},
    {"lm_head", "lm_head.weight"},
};
static constexpr StackNames kGpt2Stacks[] = {
    {"decoder", "h.{layer}.", "ln_f"},
};
static constexpr PartName kGpt2Layer[] = {
    {"attn_norm", "ln_1"},
    {"attn.qkv", "attn.c_attn", /*transposed=*/true},
    {"attn.o", "attn.c_proj", /*transposed=*/true},
    {"mlp_norm", "ln_2"},
    {"mlp.up", "mlp.c_fc", /*transposed=*/true},
    {"mlp.down", "mlp.c_proj", /*transposed=*/true},
};

// GPT-BigCode (`GPTBigCodeForCausalLM`: SantaCoder, StarCoder): GPT-2's
// names, on nn.Linear layers that store their matrices [out, in].
static constexpr PartName kGptBigCodeLayer[] = {
    {"attn_norm", "ln_1"},     {"attn.qkv", "attn.c_attn"},
    {"attn.o", "attn.c_proj"}, {"mlp_norm", "ln_2"},
    {"mlp.up", "mlp.c_fc"},    {"mlp.down", "mlp.c_proj"},
};

// Falcon (`FalconForCausalLM`).
static constexpr TensorName kFalconModel[] = {
    {"embed.tokens", "transformer.word_embeddings.weight"},
    {"lm_head", "lm_head.weight"},
};
static constexpr StackNames kFalconStacks[] = {
    {"decoder", "transformer.h.{layer}.", "transformer.ln_f"},
};
static constexpr PartName kFalconLayer[] = {
    {"attn_norm", "input_layernorm"},
    {"attn.qkv", "self_attention.query_key_value"},
    {"attn.o", "self_attention.dense"},
    {"mlp_norm", "post_attention_layernorm"},
    {"mlp.up", "mlp.dense_h_to_4h"},
    {"mlp.down", "mlp.dense_4h_to_h"},
};

// BERT (`BertModel`).
static constexpr TensorName kBertModel[] = {
    {"embed.tokens", "embeddings.word_embeddings.weight"},
    {"embed.positions", "embeddings.position_embeddings.weight"},
    {"embed.token_types", "embeddings.token_type_embeddings.weight"},
    {"embed.norm.weight", "embeddings.LayerNorm.weight"},
    {"embed.norm.bias", "embeddings.LayerNorm.bias"},
};
static constexpr StackNames kBertStacks[] = {
    {"encoder", "encoder.layer.{layer}.", ""},
};
static constexpr PartName kBertLayer[] = {
    {"attn.q", "attention.self.query"},
    {"attn.k", "attention.self.key"},
    {"attn.v", "attention.self.value"},
    {"attn.o", "attention.output.dense"},
    {"attn_norm", "attention.output.LayerNorm"},
    {"mlp.up", "intermediate.dense"},
    {"mlp.down", "output.dense"},
    {"mlp_norm", "output.LayerNorm"},
};

// DistilBERT (`DistilBertModel`).
static constexpr TensorName kDistilBertModel[] = {
    {"embed.tokens", "embeddings.word_embeddings.weight"},
    {"embed.positions", "embeddings.position_embeddings.weight"},
    {"embed.norm.weight", "embeddings.LayerNorm.weight"},
    {"embed.norm.bias", "embeddings.LayerNorm.bias"},
};
static constexpr StackNames kDistilBertStacks[] = {
    {"encoder", "transformer.layer.{layer}.", ""},
};
static constexpr PartName kDistilBertLayer[] = {
    {"attn.q", "attention.q_lin"},  {"attn.k", "attention.k_lin"},
    {"attn.v", "attention.v_lin"},  {"attn.o", "attention.out_lin"},
    {"attn_norm", "sa_layer_norm"}, {"mlp.up", "ffn.lin1"},
    {"mlp.down", "ffn.lin2"},       {"mlp_norm", "output_layer_norm"},
};

// OPT (`OPTForCausalLM`): fairseq's names below `model.decoder.`.
static constexpr TensorName kOptModel[] = {
    {"embed.tokens", "model.decoder.embed_tokens.weight"},
    {"embed.positions", "model.decoder.embed_positions.weight"},
    {"lm_head", "lm_head.weight"},
};
static constexpr StackNames kOptStacks[] = {
    {"decoder", "model.decoder.layers.{layer}.",
     "model.decoder.final_layer_norm"},
};
static constexpr PartName kOptLayer[] = {
    {"attn.q", "self_attn.q_proj"},
    {"attn.k", "self_attn.k_proj"},
    {"attn.v", "self_attn.v_proj"},
    {"attn.o", "self_attn.out_proj"},
    {"attn_norm", "self_attn_layer_norm"},
    {"mlp.up", "fc1"},
    {"mlp.down", "fc2"},
    {"mlp_norm", "final_layer_norm"},
};

// GPT-NeoX and Pythia (`GPTNeoXForCausalLM`).
static constexpr TensorName kGptNeoxModel[] = {
    {"embed.tokens", "gpt_neox.embed_in.weight"},
    {"lm_head", "embed_out.weight"},
};
static constexpr StackNames kGptNeoxStacks[] = {
    {"decoder", "gpt_neox.layers.{layer}.", "gpt_neox.final_layer_norm"},
};
static constexpr PartName kGptNeoxLayer[] = {
    {"attn_norm", "input_layernorm"}, {"attn.qkv", "attention.query_key_value"},
    {"attn.o", "attention.dense"},    {"mlp_norm", "post_attention_layernorm"},
    {"mlp.up", "mlp.dense_h_to_4h"},  {"mlp.down", "mlp.dense_4h_to_h"},
};

// Phi-1, Phi-1.5 and Phi-2 (`PhiForCausalLM`).
static constexpr TensorName kPhiModel[] = {
    {"embed.tokens", "model.embed_tokens.weight"},
    {"lm_head", "lm_head.weight"},
    {"lm_head.bias", "lm_head.bias"},
};
static constexpr StackNames kPhiStacks[] = {
    {"decoder", "model.layers.{layer}.", "model.final_layernorm"},
};
static constexpr PartName kPhiLayer[] = {
    {"attn_norm", "input_layernorm"}, {"attn.q", "self_attn.q_proj"},
    {"attn.k", "self_attn.k_proj"},   {"attn.v", "self_attn.v_proj"},
    {"attn.o", "self_attn.dense"},    {"mlp.up", "mlp.fc1"},
    {"mlp.down", "mlp.fc2"},
};

// GPT-J (`GPTJForCausalLM`).
static constexpr TensorName kGptjModel[] = {
    {"embed.tokens", "transformer.wte.weight"},
    {"lm_head", "lm_head.weight"},
    {"lm_head.bias", "lm_head.bias"},
};
static constexpr StackNames kGptjStacks[] = {
    {"decoder", "transformer.h.{layer}.", "transformer.ln_f"},
};
static constexpr PartName kGptjLayer[] = {
    {"attn_norm", "ln_1"},       {"attn.q", "attn.q_proj"},
    {"attn.k", "attn.k_proj"},   {"attn.v", "attn.v_proj"},
    {"attn.o", "attn.out_proj"}, {"mlp.up", "mlp.fc_in"},
    {"mlp.down", "mlp.fc_out"},
};

// LLaMA (`LlamaForCausalLM`).
static constexpr TensorName kLlamaModel[] = {
    {"embed.tokens", "model.embed_tokens.weight"},
    {"lm_head", "lm_head.weight"},
};
static constexpr StackNames kLlamaStacks[] = {
    {"decoder", "model.layers.{layer}.", "model.norm"},
};
static constexpr PartName kLlamaLayer[] = {
    {"attn_norm", "input_layernorm"},
    {"attn.q", "self_attn.q_proj"},
    {"attn.k", "self_attn.k_proj"},
    {"attn.v", "self_attn.v_proj"},
    {"attn.o", "self_attn.o_proj"},
    {"attn.q_norm", "self_attn.q_norm"},
    {"attn.k_norm", "self_attn.k_norm"},
    {"mlp_norm", "post_attention_layernorm"},
    {"mlp.gate", "mlp.gate_proj"},
    {"mlp.up", "mlp.up_proj"},
    {"mlp.down", "mlp.down_proj"},
};

// Phi-3 (`Phi3ForCausalLM`): LLaMA's names, with Q, K and V fused in one
// projection and the MLP's gate and up projections in another.
static constexpr PartName kPhi3Layer[] = {
    {"attn_norm", "input_layernorm"},
    {"attn.qkv", "self_attn.qkv_proj"},
    {"attn.o", "self_attn.o_proj"},
    {"mlp_norm", "post_attention_layernorm"},
    {"mlp.gate_up", "mlp.gate_up_proj"},
    {"mlp.down", "mlp.down_proj"},
};

// StarCoder2 (`Starcoder2ForCausalLM`): LLaMA's names, with GPT-2's MLP.
static constexpr PartName kStarcoder2Layer[] = {
    {"attn_norm", "input_layernorm"}, {"attn.q", "self_attn.q_proj"},
    {"attn.k", "self_attn.k_proj"},   {"attn.v", "self_attn.v_proj"},
    {"attn.o", "self_attn.o_proj"},   {"mlp_norm", "post_attention_layernorm"},
    {"mlp.up", "mlp.c_fc"},           {"mlp.down", "mlp.c_proj"},
};

// Kiln's own layout (fairseq/BART names), for the `transformer` family and
// for specs without a family. It names every part so such specs need no
// `weights` section.
static constexpr TensorName kKilnModel[] = {
    {"embed.tokens", "embed_tokens.weight"},
    {"embed.positions", "embed_positions.weight"},
    {"embed.token_types", "embed_token_types.weight"},
    {"embed.norm.weight", "layernorm_embedding.weight"},
    {"embed.norm.bias", "layernorm_embedding.bias"},
    {"lm_head", "lm_head.weight"},
};
static constexpr StackNames kKilnStacks[] = {
    {"encoder", "encoder.layers.{layer}.", "encoder.layer_norm"},
    {"decoder", "decoder.layers.{layer}.", "decoder.layer_norm"},
};
static constexpr PartName kKilnLayer[] = {
    {"attn_norm", "self_attn_layer_norm"},
    {"attn.q", "self_attn.q_proj"},
    {"attn.k", "self_attn.k_proj"},
    {"attn.v", "self_attn.v_proj"},
    {"attn.o", "self_attn.out_proj"},
    {"attn.q_norm", "self_attn.q_norm"},
    {"attn.k_norm", "self_attn.k_norm"},
    {"cross_attn_norm", "encoder_attn_layer_norm"},
    {"cross_attn.q", "encoder_attn.q_proj"},
    {"cross_attn.k", "encoder_attn.k_proj"},
    {"cross_attn.v", "encoder_attn.v_proj"},
    {"cross_attn.o", "encoder_attn.out_proj"},
    {"mlp_norm", "final_layer_norm"},
    {"mlp.gate", "fc_gate"},
    {"mlp.up", "fc1"},
    {"mlp.down", "fc2"},
};

//===----------------------------------------------------------------------===//
// Families
//===----------------------------------------------------------------------===//

static const FamilyTraits kGpt2Traits = {
    Topology::DecoderOnly,
    FfnKind::GeluTanh,
    NormKind::LayerNorm,
    NormPlacement::Pre,
    /*epsilon=*/1e-5,
    /*embeddingNorm=*/false,
    /*finalNorm=*/true,
    PositionKind::Learned,
    /*typeVocabSize=*/0,
    /*scaleBySqrtDModel=*/false,
    /*biases=*/true,
    /*tieEmbeddings=*/true,
    OutputKind::Logits,
    /*encoderPadding=*/false,
    kGpt2Model,
    kGpt2Stacks,
    kGpt2Layer,
};

// GPT-BigCode: GPT-2 on nn.Linear layers; its configs choose multi-query
// attention (the default) or per-head fused QKV (see HFConfigImporter).
static const FamilyTraits kGptBigCodeTraits = [] {
  FamilyTraits traits = kGpt2Traits;
  traits.layerParts = kGptBigCodeLayer;
  return traits;
}();

static const FamilyTraits kBertTraits = {
    Topology::EncoderOnly,
    FfnKind::Gelu,
    NormKind::LayerNorm,
    NormPlacement::Post,
    /*epsilon=*/1e-12,
    /*embeddingNorm=*/true,
    /*finalNorm=*/false,
    PositionKind::Learned,
    /*typeVocabSize=*/2,
    /*scaleBySqrtDModel=*/false,
    /*biases=*/true,
    /*tieEmbeddings=*/false,
    OutputKind::HiddenStates,
    /*encoderPadding=*/true,
    kBertModel,
    kBertStacks,
    kBertLayer,
};

// BERT without token types, under other names.
static const FamilyTraits kDistilBertTraits = [] {
  FamilyTraits traits = kBertTraits;
  traits.typeVocabSize = 0;
  traits.modelTensors = kDistilBertModel;
  traits.stacks = kDistilBertStacks;
  traits.layerParts = kDistilBertLayer;
  return traits;
}();

// GPT-2's architecture with ReLU, separate Q, K and V, and a position table
// whose first two rows no position uses.
static const FamilyTraits kOptTraits = [] {
  FamilyTraits traits = kGpt2Traits;
  traits.ffn = FfnKind::Relu;
  traits.modelTensors = kOptModel;
  traits.stacks = kOptStacks;
  traits.layerParts = kOptLayer;
  traits.positionOffset = 2;
  return traits;
}();

// GPT-2's biases and layer norms with rotary positions, attention and MLP
// side by side, a fused QKV projection ordered per head and an untied
// output projection.
static const FamilyTraits kGptNeoxTraits = [] {
  FamilyTraits traits = kGpt2Traits;
  traits.ffn = FfnKind::Gelu;
  traits.placement = NormPlacement::Parallel;
  traits.positions = PositionKind::Rope;
  traits.tieEmbeddings = false;
  traits.modelTensors = kGptNeoxModel;
  traits.stacks = kGptNeoxStacks;
  traits.layerParts = kGptNeoxLayer;
  traits.qkvLayout = QkvLayout::PerHead;
  return traits;
}();

// GPT-NeoX's parallel layers with one shared norm, separate Q, K and V,
// tanh-approximated GELU and a bias on the output projection.
static const FamilyTraits kPhiTraits = [] {
  FamilyTraits traits = kGptNeoxTraits;
  traits.ffn = FfnKind::GeluTanh;
  traits.modelTensors = kPhiModel;
  traits.stacks = kPhiStacks;
  traits.layerParts = kPhiLayer;
  traits.qkvLayout = QkvLayout::Concatenated;
  traits.parallelMlpNorm = false;
  traits.outputBias = true;
  return traits;
}();

// Falcon (Falcon-7B): GPT-NeoX's parallel layers with one shared norm,
// Q, K and V fused side by side, no projection biases (the norms keep
// theirs) and a tied LM head.
static const FamilyTraits kFalconTraits = [] {
  FamilyTraits traits = kGptNeoxTraits;
  traits.tieEmbeddings = true;
  traits.modelTensors = kFalconModel;
  traits.stacks = kFalconStacks;
  traits.layerParts = kFalconLayer;
  traits.qkvLayout = QkvLayout::Concatenated;
  traits.parallelMlpNorm = false;
  traits.attentionBias = false;
  traits.mlpBias = false;
  return traits;
}();

// Phi's layers, with interleaved RoPE pairs and no attention biases.
static const FamilyTraits kGptjTraits = [] {
  FamilyTraits traits = kPhiTraits;
  traits.modelTensors = kGptjModel;
  traits.stacks = kGptjStacks;
  traits.layerParts = kGptjLayer;
  traits.attentionBias = false;
  traits.ropeStyle = RopeStyle::Interleaved;
  return traits;
}();

static const FamilyTraits kLlamaTraits = {
    Topology::DecoderOnly,
    FfnKind::SwiGlu,
    NormKind::RmsNorm,
    NormPlacement::Pre,
    /*epsilon=*/1e-6,
    /*embeddingNorm=*/false,
    /*finalNorm=*/true,
    PositionKind::Rope,
    /*typeVocabSize=*/0,
    /*scaleBySqrtDModel=*/false,
    /*biases=*/false,
    /*tieEmbeddings=*/false,
    OutputKind::Logits,
    /*encoderPadding=*/false,
    kLlamaModel,
    kLlamaStacks,
    kLlamaLayer,
};

// Phi-3: LLaMA's architecture with fused projections.
static const FamilyTraits kPhi3Traits = [] {
  FamilyTraits traits = kLlamaTraits;
  traits.epsilon = 1e-5;
  traits.layerParts = kPhi3Layer;
  return traits;
}();

// StarCoder2: a pre-norm decoder with layer norms, biases everywhere, RoPE,
// a plain MLP with tanh-approximated GELU and tied embeddings.
static const FamilyTraits kStarcoder2Traits = {
    Topology::DecoderOnly,
    FfnKind::GeluTanh,
    NormKind::LayerNorm,
    NormPlacement::Pre,
    /*epsilon=*/1e-5,
    /*embeddingNorm=*/false,
    /*finalNorm=*/true,
    PositionKind::Rope,
    /*typeVocabSize=*/0,
    /*scaleBySqrtDModel=*/false,
    /*biases=*/true,
    /*tieEmbeddings=*/true,
    OutputKind::Logits,
    /*encoderPadding=*/false,
    kLlamaModel,
    kLlamaStacks,
    kStarcoder2Layer,
};

// "Attention Is All You Need": post-norm, sinusoidal positions, embeddings
// scaled by sqrt(d_model) and shared with the output projection.
static const FamilyTraits kTransformerTraits = {
    Topology::EncoderDecoder,
    FfnKind::Relu,
    NormKind::LayerNorm,
    NormPlacement::Post,
    /*epsilon=*/1e-5,
    /*embeddingNorm=*/false,
    /*finalNorm=*/false,
    PositionKind::Sinusoidal,
    /*typeVocabSize=*/0,
    /*scaleBySqrtDModel=*/true,
    /*biases=*/true,
    /*tieEmbeddings=*/true,
    OutputKind::Logits,
    /*encoderPadding=*/false,
    kKilnModel,
    kKilnStacks,
    kKilnLayer,
};

/// The defaults of `family`.
static const FamilyTraits &getTraits(ModelFamily family) {
  switch (family) {
  case ModelFamily::Gpt2:
    return kGpt2Traits;
  case ModelFamily::Bert:
    return kBertTraits;
  case ModelFamily::DistilBert:
    return kDistilBertTraits;
  case ModelFamily::Llama:
    return kLlamaTraits;
  case ModelFamily::Opt:
    return kOptTraits;
  case ModelFamily::GptNeox:
    return kGptNeoxTraits;
  case ModelFamily::Phi:
    return kPhiTraits;
  case ModelFamily::Gptj:
    return kGptjTraits;
  case ModelFamily::Phi3:
    return kPhi3Traits;
  case ModelFamily::Starcoder2:
    return kStarcoder2Traits;
  case ModelFamily::GptBigCode:
    return kGptBigCodeTraits;
  case ModelFamily::Falcon:
    return kFalconTraits;
  case ModelFamily::Transformer:
    return kTransformerTraits;
  }
  llvm_unreachable("unknown model family");
}

/// Spec names of the families, in ModelFamily order.
static constexpr StringRef kFamilyNames[] = {
    "gpt2", "bert", "distilbert", "llama",       "opt",    "gpt_neox",   "phi",
    "gptj", "phi3", "starcoder2", "gpt_bigcode", "falcon", "transformer"};

std::optional<ModelFamily> kiln::parseModelFamily(StringRef name) {
  for (auto [index, familyName] : enumerate(kFamilyNames))
    if (familyName == name)
      return static_cast<ModelFamily>(index);
  return std::nullopt;
}

StringRef kiln::getModelFamilyName(ModelFamily family) {
  return kFamilyNames[static_cast<int>(family)];
}

ArrayRef<StringRef> kiln::getModelFamilyNames() { return kFamilyNames; }

FamilyArchitecture kiln::getFamilyArchitecture(ModelFamily family) {
  const FamilyTraits &traits = getTraits(family);
  return {traits.topology, traits.norm, traits.placement, traits.positions,
          isGated(traits.ffn)};
}

//===----------------------------------------------------------------------===//
// Filling in
//===----------------------------------------------------------------------===//

namespace {

/// Sets fields of a spec that its input left out.
class DefaultFiller {
public:
  explicit DefaultFiller(ModelSpec &spec) : spec(spec) {}

  /// Whether the input gave the field at dotted path `path`.
  bool given(const Twine &path) const {
    return spec.fieldLocs.count(path.str()) != 0;
  }

  /// Sets `field` to `value` unless the input gave `path`.
  template <typename T, typename U>
  void fill(StringRef path, T &field, U value) const {
    if (!given(path))
      field = value;
  }

  /// Copies a family's architecture choices.
  void fillFamily(const FamilyTraits &traits) {
    fill("model.topology", spec.topology, traits.topology);
    fill("ffn.kind", spec.ffn, traits.ffn);
    fill("norm.kind", spec.norm, traits.norm);
    fill("norm.placement", spec.normPlacement, traits.placement);
    fill("attention.qkv_layout", spec.qkvLayout, traits.qkvLayout);
    fill("norm.parallel_mlp_norm", spec.parallelMlpNorm,
         traits.parallelMlpNorm);
    fill("output.bias", spec.outputBias, traits.outputBias);
    fill("norm.epsilon", spec.normEpsilon, traits.epsilon);
    fill("norm.embedding_norm", spec.embeddingNorm, traits.embeddingNorm);
    fill("norm.final_norm", spec.finalNorm, traits.finalNorm);
    fill("positions.kind", spec.positions.kind, traits.positions);
    fill("positions.offset", spec.positions.offset, traits.positionOffset);
    fill("embeddings.token_types", spec.typeVocabSize, traits.typeVocabSize);
    fill("attention.bias", spec.attentionBias,
         traits.attentionBias.value_or(traits.biases));
    fill("positions.rope_style", spec.positions.ropeStyle, traits.ropeStyle);
    fill("ffn.bias", spec.mlpBias, traits.mlpBias.value_or(traits.biases));
    fill("norm.bias", spec.normBias, traits.biases);
    fill("embeddings.tied", spec.tieEmbeddings, traits.tieEmbeddings);
    fill("output.kind", spec.output, traits.output);
    if (traits.scaleBySqrtDModel)
      fill("embeddings.scale", spec.embeddingScale,
           std::sqrt(static_cast<double>(spec.dModel)));
  }

  /// Kiln's generic choices that depend on other fields: post-norm models
  /// end without a norm, encoders return their hidden states.
  void fillGeneric() {
    fill("norm.final_norm", spec.finalNorm,
         spec.normPlacement == NormPlacement::Pre);
    fill("output.kind", spec.output,
         spec.topology == Topology::EncoderOnly ? OutputKind::HiddenStates
                                                : OutputKind::Logits);
  }

  /// Fields whose default is a function of other fields.
  void fillDerived(bool encoderPadding) {
    fill("attention.kv_heads", spec.numKvHeads, spec.numHeads);
    fill("attention.output_bias", spec.attentionOutputBias, spec.attentionBias);
    if (spec.numHeads > 0)
      fill("attention.head_dim", spec.headDim, spec.dModel / spec.numHeads);
    fill("positions.max", spec.positions.maxPositions, spec.maxSeqLen);
    // RMS norms have no bias, whatever the family's layer norms do.
    if (spec.norm == NormKind::RmsNorm)
      fill("norm.bias", spec.normBias, false);

    if (spec.topology != Topology::DecoderOnly)
      fillMask("encoder", spec.encoder.selfAttention, /*causal=*/false,
               encoderPadding);
    if (spec.topology != Topology::EncoderOnly)
      fillMask("decoder", spec.decoder.selfAttention, /*causal=*/true,
               /*padding=*/false);
    spec.decoder.crossAttention = spec.topology == Topology::EncoderDecoder;
    fill("output.mask_aware", spec.pooling.maskAware,
         spec.encoder.selfAttention.padding);
  }

  /// Binds the logical weights the input left unbound to `traits`' names.
  void fillWeights(const FamilyTraits &traits) {
    for (const TensorName &name : traits.modelTensors)
      bind(name.logical, name.tensor, /*transposed=*/false);
    for (const StackNames &stack : traits.stacks) {
      if (!stack.finalNorm.empty())
        bindPart((stack.stack + ".final_norm").str(), stack.finalNorm,
                 /*transposed=*/false);
      for (const PartName &part : traits.layerParts) {
        if (givesPartsOf(stack.stack, part.logical))
          continue;
        bindPart((stack.stack + ".layer." + part.logical).str(),
                 (stack.layerPrefix + part.tensor).str(), part.transposed);
      }
    }
  }

private:
  /// Mask of one stack: the stack's own field, else the `attention.` one,
  /// else the default.
  void fillMask(StringRef stack, AttentionMaskSpec &mask, bool causal,
                bool padding) {
    if (!given(stack + ".mask") && !given("attention.mask"))
      mask.causal = causal;
    if (!given(stack + ".padding_mask") && !given("attention.padding_mask"))
      mask.padding = padding;
  }

  /// Whether `logical` is a fused projection (`attn.qkv`, `mlp.gate_up`)
  /// of which the input bound a part in `stack` itself, in which case the
  /// family's fused projection must not take precedence.
  bool givesPartsOf(StringRef stack, StringRef logical) const {
    for (const FusedProjection &projection : getFusedProjections())
      if (projection.fused == logical)
        for (StringRef part : projection.parts)
          for (StringRef kind : {"weight", "bias"})
            if (given("weights." + stack + ".layer." + part + "." + kind))
              return true;
    return false;
  }

  /// Binds `logical` unless the input did.
  void bind(StringRef logical, StringRef tensor, bool transposed) {
    if (!given("weights." + logical))
      spec.weights[logical.str()] = WeightBinding{tensor.str(), transposed};
  }

  /// Binds `<logical>.weight` and `<logical>.bias`.
  void bindPart(const std::string &logical, StringRef tensor, bool transposed) {
    bind(logical + ".weight", (tensor + ".weight").str(), transposed);
    bind(logical + ".bias", (tensor + ".bias").str(), /*transposed=*/false);
  }

  ModelSpec &spec;
};

} // namespace

void kiln::applyDefaults(std::optional<ModelFamily> family, ModelSpec &spec) {
  DefaultFiller filler(spec);
  const FamilyTraits &layout =
      getTraits(family.value_or(ModelFamily::Transformer));
  if (family)
    filler.fillFamily(layout);
  else
    filler.fillGeneric();
  filler.fillDerived(family && getTraits(*family).encoderPadding);
  filler.fillWeights(layout);
}
