//===- ModelSpec.h - Plain C++ description of a Transformer -----*- C++ -*-===//
//
// The model description that both inputs of the frontend (Kiln's YAML spec
// and Hugging Face `config.json`) are parsed into, and that MLIRGen lowers
// to the kiln dialect. It holds architecture only, never weights, and keeps
// the source location of every field so that errors found after parsing
// (an inconsistent shape, say) still point at the line that caused them.
// Where a spec choice is exactly a dialect attribute (the RoPE pairing), it
// uses the dialect's enum rather than a copy.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_MODELSPEC_H
#define KILN_FRONTEND_MODELSPEC_H

#include "dialect/KilnDialect.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// A position in a spec file; line and column are 1-based, 0 when unknown.
struct SourceLoc {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

/// Which stacks the model has.
enum class Topology { EncoderOnly, DecoderOnly, EncoderDecoder };

/// The feed-forward block: `up -> activation -> down`, or for the gated
/// kinds `(activation(gate) * up) -> down`.
enum class FfnKind { Relu, Gelu, GeluTanh, Silu, SwiGlu, GeGlu, GeGluTanh };

/// Whether `kind` is one of the gated kinds, which have a `gate` projection.
inline bool isGated(FfnKind kind) {
  return kind == FfnKind::SwiGlu || kind == FfnKind::GeGlu ||
         kind == FfnKind::GeGluTanh;
}

/// The normalisation layer.
enum class NormKind { LayerNorm, RmsNorm };

/// Pre-norm (`x + f(norm(x))`, GPT-2, LLaMA) or post-norm
/// (`norm(x + f(x))`, BERT, the original Transformer).
/// Where a layer's norms sit: `x + f(norm(x))` (pre), `norm(x + f(x))`
/// (post), or pre-norm attention and MLP side by side on the same input,
/// `x + attn(norm1(x)) + mlp(norm2(x))` (parallel: GPT-NeoX, GPT-J, Phi).
enum class NormPlacement { Pre, Post, Parallel };

/// How a fused QKV projection orders its output features: Q, K and V side
/// by side (GPT-2's c_attn), or per head, each head's Q, K and V together
/// (GPT-NeoX's query_key_value).
enum class QkvLayout { Concatenated, PerHead };

/// A norm on the queries and keys of self-attention, after the projections
/// and before RoPE: none, or the spec's norm over each head's features with
/// one scale of `head_dim` shared by all heads (Qwen3).
enum class QkNorm { None, PerHead };

/// How positions enter the model.
enum class PositionKind { None, Learned, Sinusoidal, Rope };


/// What `forward` returns.
enum class OutputKind { Logits, HiddenStates, PooledEmbedding };

/// The sequence positions that the logits output covers: every position, or
/// only the last one, which is all that choosing the next token needs (and
/// spares the LM head's product for the other positions).
enum class OutputPositions { All, Last };

/// Storage type of the weights; the model computes in f32 unless the spec
/// asks otherwise.
enum class DType { F32, F16, BF16 };

/// Positional encoding parameters.
struct PositionSpec {
  PositionKind kind = PositionKind::None;
  /// Rows of a learned table; for the others, the longest position the
  /// model supports (defaults to ModelSpec::maxSeqLen).
  int64_t maxPositions = 0;
  /// Base of the sinusoidal encoding or RoPE frequency base.
  double theta = 10000.0;
  /// Learned positions only: rows of the table before position 0 (OPT's
  /// table starts with two that no position uses).
  int64_t offset = 0;
  /// Learned positions only: the token id of padding, when positions count
  /// the tokens that are not padding from `paddingIdx + 1` on (RoBERTa)
  /// instead of numbering every token from 0.
  std::optional<int64_t> paddingIdx;
  /// RoPE only: number of rotated features per head (all when empty).
  std::optional<int64_t> rotaryDim;
  /// Pairing of rotated features: the dialect's own enum, since the spec's
  /// `rope_style` is exactly the `style` of `kiln.rope`.
  RopeStyle ropeStyle = RopeStyle::Half;
  /// RoPE only: how the frequencies stretch for contexts longer than the
  /// model was trained on (unscaled when absent); the dialect's own enum,
  /// as for `rope_style`. The fields below are the `kiln.rope` attributes
  /// of the same names: the factor of every kind, and llama3's bands and
  /// training context length.
  std::optional<RopeScaling> ropeScaling;
  double ropeScalingFactor = 1.0;
  double ropeLowFreqFactor = 1.0;
  double ropeHighFreqFactor = 4.0;
  int64_t ropeOriginalMaxPositions = 8192;
};

/// Masking of self-attention in one stack.
struct AttentionMaskSpec {
  /// Each token sees only itself and earlier tokens.
  bool causal = false;
  /// `forward` takes a [batch, seq] attention-mask input whose zeros mark
  /// padding keys.
  bool padding = false;
  /// Each token sees at most this many most recent tokens (implies causal).
  std::optional<int64_t> slidingWindow;
};

/// One stack of identical layers (the encoder or the decoder).
struct StackSpec {
  int64_t numLayers = 0;
  AttentionMaskSpec selfAttention;
  /// Decoder of an encoder-decoder model: each layer also attends to the
  /// encoder output (with the encoder's padding mask, if any).
  bool crossAttention = false;
};

/// Mean pooling and L2 normalisation for sentence embeddings.
struct PoolingSpec {
  /// Average only over positions the attention mask keeps.
  bool maskAware = true;
  bool l2Normalize = false;
};

/// Batch dimension: fixed, or dynamic with an upper bound.
struct BatchSpec {
  int64_t size = 1;
  bool dynamic = false;
};

/// Where one logical weight lives in a checkpoint.
struct WeightBinding {
  /// Tensor name, with `{layer}` standing for the layer index:
  /// `h.{layer}.attn.c_attn.weight`.
  std::string tensorName;
  /// The checkpoint stores the matrix as [in, out] (GPT-2's Conv1D) rather
  /// than nn.Linear's [out, in].
  bool transposed = false;
};

/// The whole model.
///
/// Logical weight names (keys of `weights`) are fixed by Kiln and listed in
/// docs/spec.md: `embed.tokens`, `embed.positions`, `embed.token_types`,
/// `embed.norm.{weight,bias}`, `lm_head`, and per stack (`encoder` or
/// `decoder`) `<stack>.final_norm.{weight,bias}` and per layer
/// `<stack>.layer.attn.{q,k,v,qkv,o,q_norm,k_norm}.{weight,bias}`,
/// `<stack>.layer.cross_attn.{q,k,v,o}.{weight,bias}`,
/// `<stack>.layer.{attn_norm,cross_attn_norm,mlp_norm}.{weight,bias}`,
/// `<stack>.layer.mlp.{up,gate,gate_up,down}.{weight,bias}`. When
/// `attn.qkv` is bound, Q, K and V come from one fused projection (in that
/// order); when `mlp.gate_up` is, the gate and up projections of a gated
/// MLP (gate first).
struct ModelSpec {
  /// Model name, used for the generated function and binary.
  std::string name;
  /// The file the spec came from and where the model description starts.
  SourceLoc loc;

  Topology topology = Topology::DecoderOnly;
  int64_t vocabSize = 0;
  int64_t dModel = 0;
  int64_t numHeads = 0;
  /// Key/value heads; equal to numHeads unless GQA (fewer) or MQA (one).
  int64_t numKvHeads = 0;
  /// Per-head width; dModel / numHeads unless the config says otherwise.
  int64_t headDim = 0;
  /// The feature order of a fused QKV projection.
  QkvLayout qkvLayout = QkvLayout::Concatenated;
  /// What attention scores are multiplied by; 1 / sqrt(headDim) unless
  /// given (Granite).
  std::optional<double> attentionScale;
  /// What each layer's attention and MLP outputs are multiplied by before
  /// they join the residual stream (Granite).
  double residualScale = 1.0;
  /// What the logits are multiplied by (Granite divides them).
  double logitsScale = 1.0;
  /// The norm on queries and keys of self-attention, if any.
  QkNorm qkNorm = QkNorm::None;
  int64_t ffnDim = 0;
  FfnKind ffn = FfnKind::Gelu;

  NormKind norm = NormKind::LayerNorm;
  NormPlacement normPlacement = NormPlacement::Pre;
  double normEpsilon = 1e-5;
  /// Added to every RMS norm scale: Gemma stores its scales as offsets
  /// from 1.
  double normGammaOffset = 0.0;
  /// Parallel placement only: the MLP has its own norm (GPT-NeoX) rather
  /// than reading the attention's (GPT-J, Phi).
  bool parallelMlpNorm = true;
  /// A norm right after the embeddings (BERT).
  bool embeddingNorm = false;
  /// A norm after the last layer of each stack (pre-norm models).
  bool finalNorm = true;

  PositionSpec positions;
  /// Token-type (segment) vocabulary; 0 when the model has none (BERT: 2).
  int64_t typeVocabSize = 0;
  /// Embeddings are multiplied by this before positions are added
  /// (sqrt(d_model) in "Attention Is All You Need").
  double embeddingScale = 1.0;

  StackSpec encoder;
  StackSpec decoder;

  /// Biases of the attention projections, the MLP and the norms (`beta`).
  bool attentionBias = true;
  /// The bias of the attention output projection: by default that of the
  /// others (Qwen2 has biases on Q, K and V only).
  bool attentionOutputBias = true;
  bool mlpBias = true;
  bool normBias = true;
  /// The output projection reuses the token embedding table.
  bool tieEmbeddings = false;

  DType weightDType = DType::F32;
  BatchSpec batch;
  int64_t maxSeqLen = 0;

  OutputKind output = OutputKind::Logits;
  /// Logits output only: the positions it covers.
  OutputPositions outputPositions = OutputPositions::All;
  /// Logits output only: the output projection has a bias (Phi).
  bool outputBias = false;
  PoolingSpec pooling;

  /// Logical weight name -> where it is in the checkpoint.
  std::map<std::string, WeightBinding> weights;

  /// Source location of each field, keyed by its dotted path in the spec
  /// (`attention.heads`, `encoder.layers`), for diagnostics raised after
  /// parsing. Fields that took a default have no entry.
  std::map<std::string, SourceLoc> fieldLocs;

  /// The location of `field`, or of the whole model if it has none.
  const SourceLoc &locOf(const std::string &field) const {
    auto it = fieldLocs.find(field);
    return it == fieldLocs.end() ? loc : it->second;
  }
};

} // namespace kiln

#endif // KILN_FRONTEND_MODELSPEC_H
