//===- TransformerLayers.cpp - Emit the layers of one stack ---------------===//
//
// Emits attention as the unfused chain that the fusion passes look for
// (projections, head split, RoPE, K/V head repetition, QK^T, scale, masks,
// softmax, PV, head merge, output projection), the plain or gated
// feed-forward block, and wraps each in a residual connection with a pre-
// or post-norm as the spec places it, or adds both to the residual side by
// side (parallel layers).
//
//===----------------------------------------------------------------------===//

#include "frontend/TransformerLayers.h"

#include "dialect/KilnOps.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

namespace kiln {

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

namespace {

/// One attention block of a layer: self-attention, or cross-attention on
/// the encoder output.
struct AttentionBlock {
  /// Prefix of its logical weights: `decoder.layer.attn`.
  std::string weights;
  /// Prefix of its op scopes: `decoder.layer3.attn`.
  std::string scope;
  int64_t layer;
  /// Self-attention reads queries, keys and values from the same input and
  /// may use a fused QKV projection and rotary embeddings.
  bool isSelfAttention;
  /// The structural mask (only self-attention has one).
  AttentionMaskSpec mask;
  /// The [batch, keys] attention mask of the keys, if they may be padded.
  Value keyPadding;
  /// The stack whose mask settings (`<stack>.mask`, ...) the masks come
  /// from, for locations.
  std::string maskStack;
};

} // namespace

/// The feature range [offset, offset + width) of a fused projection.
static Value sliceFeatures(ForwardBuilder &b, Value fused, int64_t offset,
                           int64_t width, Location loc) {
  return b.create<SliceOp>(loc, b.activationType(width), fused,
                           /*axis=*/2, offset);
}

/// Emits one attention block; `queries` and `keysValues` are the
/// [batch, seq, d_model] inputs the projections read (the same value for
/// self-attention).
static FailureOr<Value> emitAttention(ForwardBuilder &b, Value queries,
                                      Value keysValues,
                                      const AttentionBlock &block) {
  const ModelSpec &spec = b.getSpec();
  const int64_t heads = spec.numHeads, kvHeads = spec.numKvHeads;
  const int64_t qWidth = heads * spec.headDim, kvWidth = kvHeads * spec.headDim;
  const std::string &scope = block.scope;
  const int64_t layer = block.layer;
  auto headsLoc = [&](StringRef leaf) {
    return b.loc(scope + "." + leaf, {"attention.heads"});
  };
  auto kvHeadsLoc = [&](StringRef leaf) {
    return b.loc(scope + "." + leaf, {"attention.kv_heads", "attention.heads"});
  };
  // Masks are set per stack or for all stacks in `attention`.
  auto maskLoc = [&](StringRef leaf, StringRef field) {
    return b.loc(scope + "." + leaf, {(block.maskStack + "." + field).str(),
                                      ("attention." + field).str()});
  };

  // Projections, fused into one matrix when the checkpoint stores them so.
  Value q, k, v;
  std::string fusedName = block.weights + ".qkv";
  bool isFused =
      block.isSelfAttention && spec.weights.count(fusedName + ".weight");
  bool isFusedPerHead = isFused && spec.qkvLayout == QkvLayout::PerHead;
  if (isFusedPerHead) {
    // Each head's Q, K and V side by side: split into heads of three head
    // widths, then take each third.
    FailureOr<Value> qkv = b.linear(queries, fusedName, layer, 3 * qWidth,
                                    spec.attentionBias, headsLoc("qkv_proj"));
    if (failed(qkv))
      return failure();
    Location layoutLoc = b.loc(scope + ".qkv_heads", {"attention.qkv_layout"});
    RankedTensorType headsType = b.headsType(heads);
    SmallVector<int64_t> fusedShape(headsType.getShape());
    fusedShape.back() *= 3;
    Value fusedHeads =
        b.create<SplitHeadsOp>(layoutLoc, b.tensorType(fusedShape), *qkv);
    for (auto [index, value, leaf] :
         {std::tuple<int64_t, Value *, StringRef>{0, &q, "q_heads"},
          {1, &k, "k_heads"},
          {2, &v, "v_heads"}})
      *value = b.create<SliceOp>(headsLoc(leaf), headsType, fusedHeads,
                                 /*axis=*/3, index * spec.headDim);
  } else if (isFused) {
    FailureOr<Value> qkv =
        b.linear(queries, fusedName, layer, qWidth + 2 * kvWidth,
                 spec.attentionBias, headsLoc("qkv_proj"));
    if (failed(qkv))
      return failure();
    q = sliceFeatures(b, *qkv, 0, qWidth, headsLoc("q_slice"));
    k = sliceFeatures(b, *qkv, qWidth, kvWidth, kvHeadsLoc("k_slice"));
    v = sliceFeatures(b, *qkv, qWidth + kvWidth, kvWidth,
                      kvHeadsLoc("v_slice"));
  } else {
    FailureOr<Value> qProj =
        b.linear(queries, block.weights + ".q", layer, qWidth,
                 spec.attentionBias, headsLoc("q_proj"));
    if (failed(qProj))
      return failure();
    FailureOr<Value> kProj =
        b.linear(keysValues, block.weights + ".k", layer, kvWidth,
                 spec.attentionBias, kvHeadsLoc("k_proj"));
    if (failed(kProj))
      return failure();
    FailureOr<Value> vProj =
        b.linear(keysValues, block.weights + ".v", layer, kvWidth,
                 spec.attentionBias, kvHeadsLoc("v_proj"));
    if (failed(vProj))
      return failure();
    q = *qProj, k = *kProj, v = *vProj;
  }

  if (!isFusedPerHead) {
    q = b.create<SplitHeadsOp>(headsLoc("q_heads"), b.headsType(heads), q);
    k = b.create<SplitHeadsOp>(kvHeadsLoc("k_heads"), b.headsType(kvHeads), k);
    v = b.create<SplitHeadsOp>(kvHeadsLoc("v_heads"), b.headsType(kvHeads), v);
  }

  // Qwen3 normalises each head of the queries and keys before RoPE.
  if (block.isSelfAttention && spec.qkNorm == QkNorm::PerHead) {
    for (auto [value, leaf] :
         {std::pair<Value *, const char *>{&q, ".q_norm"}, {&k, ".k_norm"}}) {
      FailureOr<Value> normed =
          b.norm(*value, block.weights + leaf, layer,
                 b.loc(scope + leaf, {"attention.qk_norm", "norm.kind"}));
      if (failed(normed))
        return failure();
      *value = *normed;
    }
  }

  const PositionSpec &positions = spec.positions;
  if (block.isSelfAttention && positions.kind == PositionKind::Rope) {
    RopeStyle style = positions.ropeStyle;
    IntegerAttr rotaryDim;
    if (positions.rotaryDim)
      rotaryDim = b.getBuilder().getI64IntegerAttr(*positions.rotaryDim);
    APFloat theta(positions.theta);
    // The frequency scaling, if any: the factor of every kind, and llama3's
    // bands and training context length.
    Builder &builder = b.getBuilder();
    RopeScalingAttr scaling;
    FloatAttr factor, lowFreqFactor, highFreqFactor;
    IntegerAttr originalMaxPositions;
    if (positions.ropeScaling) {
      scaling =
          RopeScalingAttr::get(builder.getContext(), *positions.ropeScaling);
      factor = builder.getF64FloatAttr(positions.ropeScalingFactor);
    }
    if (positions.ropeScaling == RopeScaling::Llama3) {
      lowFreqFactor = builder.getF64FloatAttr(positions.ropeLowFreqFactor);
      highFreqFactor = builder.getF64FloatAttr(positions.ropeHighFreqFactor);
      originalMaxPositions =
          builder.getI64IntegerAttr(positions.ropeOriginalMaxPositions);
    }
    for (auto [value, leaf] : {std::pair<Value *, StringRef>{&q, "q_rope"},
                               std::pair<Value *, StringRef>{&k, "k_rope"}})
      *value = b.create<RopeOp>(
          b.loc(scope + "." + leaf, {"positions.kind", "positions.theta"}),
          value->getType(), *value, theta, style, rotaryDim, scaling, factor,
          lowFreqFactor, highFreqFactor, originalMaxPositions);
  }

  // Grouped-query and multi-query attention share each K/V head among
  // several query heads; the unfused form copies them to line up.
  if (kvHeads != heads) {
    k = b.create<RepeatKvOp>(kvHeadsLoc("k_repeat"), b.headsType(heads), k);
    v = b.create<RepeatKvOp>(kvHeadsLoc("v_repeat"), b.headsType(heads), v);
  }

  Value scores = b.create<MatmulOp>(headsLoc("scores"), b.scoresType(), q, k,
                                    /*transpose_lhs=*/false,
                                    /*transpose_rhs=*/true);
  scores = b.create<ScaleOp>(
      b.loc(scope + ".scale",
            {"attention.scale", "attention.head_dim", "attention.heads"}),
      scores.getType(), scores,
      APFloat(spec.attentionScale.value_or(1.0 / std::sqrt(spec.headDim))));
  const AttentionMaskSpec &mask = block.mask;
  if (mask.slidingWindow)
    scores = b.create<SlidingWindowMaskOp>(
        maskLoc("sliding_window_mask", "sliding_window"), scores.getType(),
        scores, *mask.slidingWindow);
  else if (mask.causal)
    scores = b.create<CausalMaskOp>(maskLoc("causal_mask", "mask"),
                                    scores.getType(), scores);
  // The padding mask comes after the structural one, the order the fusion
  // pass expects.
  if (block.keyPadding)
    scores =
        b.create<PaddingMaskOp>(maskLoc("padding_mask", "padding_mask"),
                                scores.getType(), scores, block.keyPadding);
  Value probs = b.create<SoftmaxOp>(headsLoc("softmax"), scores.getType(),
                                    scores, /*axis=*/3);
  Value context =
      b.create<MatmulOp>(headsLoc("context"), b.headsType(heads), probs, v);
  Value merged = b.create<MergeHeadsOp>(headsLoc("merge_heads"),
                                        b.activationType(qWidth), context);
  return b.linear(merged, block.weights + ".o", layer, spec.dModel,
                  spec.attentionOutputBias, headsLoc("o_proj"));
}

//===----------------------------------------------------------------------===//
// Feed-forward
//===----------------------------------------------------------------------===//

/// The activation of an FFN kind; gated kinds apply it to the gate.
static ActivationKind activationOf(FfnKind kind) {
  switch (kind) {
  case FfnKind::Relu:
    return ActivationKind::Relu;
  case FfnKind::Gelu:
  case FfnKind::GeGlu:
    return ActivationKind::Gelu;
  case FfnKind::GeluTanh:
  case FfnKind::GeGluTanh:
    return ActivationKind::GeluTanh;
  case FfnKind::Silu:
  case FfnKind::SwiGlu:
    return ActivationKind::Silu;
  }
  llvm_unreachable("unknown FFN kind");
}

/// The gate and up projections of a gated MLP whose logical prefix is
/// `weights`: slices of the fused `<weights>.gate_up` projection when the
/// spec binds it (Phi-3, gate first), else projections of their own.
static FailureOr<std::pair<Value, Value>>
emitGateAndUp(ForwardBuilder &b, Value x, StringRef weights, int64_t layer,
              function_ref<Location(StringRef)> projLoc) {
  const ModelSpec &spec = b.getSpec();
  std::string fusedName = (weights + ".gate_up").str();
  if (spec.weights.count(fusedName + ".weight")) {
    FailureOr<Value> gateUp = b.linear(x, fusedName, layer, 2 * spec.ffnDim,
                                       spec.mlpBias, projLoc("gate_up_proj"));
    if (failed(gateUp))
      return failure();
    return std::make_pair(
        sliceFeatures(b, *gateUp, 0, spec.ffnDim, projLoc("gate_slice")),
        sliceFeatures(b, *gateUp, spec.ffnDim, spec.ffnDim,
                      projLoc("up_slice")));
  }
  FailureOr<Value> gate =
      b.linear(x, (weights + ".gate").str(), layer, spec.ffnDim, spec.mlpBias,
               projLoc("gate_proj"));
  if (failed(gate))
    return failure();
  FailureOr<Value> up = b.linear(x, (weights + ".up").str(), layer, spec.ffnDim,
                                 spec.mlpBias, projLoc("up_proj"));
  if (failed(up))
    return failure();
  return std::make_pair(*gate, *up);
}

/// Emits `down(act(up(x)))`, or `down(act(gate(x)) * up(x))` for the gated
/// kinds; `weights` is the logical prefix (`decoder.layer.mlp`).
static FailureOr<Value> emitFeedForward(ForwardBuilder &b, Value x,
                                        StringRef weights, StringRef scope,
                                        int64_t layer) {
  const ModelSpec &spec = b.getSpec();
  // Projections are shaped by the width, the rest by the kind.
  auto projLoc = [&](StringRef leaf) {
    return b.loc(scope + "." + leaf, {"ffn.dim"});
  };
  auto kindLoc = [&](StringRef leaf) {
    return b.loc(scope + "." + leaf, {"ffn.kind"});
  };
  ActivationKind activation = activationOf(spec.ffn);
  Value hidden;
  if (isGated(spec.ffn)) {
    FailureOr<std::pair<Value, Value>> gateUp =
        emitGateAndUp(b, x, weights, layer, projLoc);
    if (failed(gateUp))
      return failure();
    auto [gate, up] = *gateUp;
    Value activated = b.create<ActivationOp>(kindLoc("act"), gate.getType(),
                                             activation, gate);
    hidden = b.create<MulOp>(kindLoc("gate_mul"), activated.getType(),
                             activated, up);
  } else {
    FailureOr<Value> up =
        b.linear(x, (weights + ".up").str(), layer, spec.ffnDim, spec.mlpBias,
                 projLoc("up_proj"));
    if (failed(up))
      return failure();
    hidden =
        b.create<ActivationOp>(kindLoc("act"), up->getType(), activation, *up);
  }
  return b.linear(hidden, (weights + ".down").str(), layer, spec.dModel,
                  spec.mlpBias, projLoc("down_proj"));
}

//===----------------------------------------------------------------------===//
// Layers and stacks
//===----------------------------------------------------------------------===//

/// The output `branch` of the attention or MLP at `scope`, multiplied by
/// the spec's residual scale where it has one.
static Value scaleResidualBranch(ForwardBuilder &b, Value branch,
                                 StringRef scope) {
  double scale = b.getSpec().residualScale;
  if (scale == 1.0)
    return branch;
  return b.create<ScaleOp>(
      b.loc(scope + "_residual_scale", {"model.residual_scale"}),
      branch.getType(), branch, APFloat(scale));
}

/// Wraps `body` in a residual connection named `part` (`attn`, `cross_attn`,
/// `mlp`) of layer `layer`: `x + body(norm(x))` for pre-norm models,
/// `norm(x + body(x))` for post-norm ones.
static FailureOr<Value>
emitResidual(ForwardBuilder &b, Value x, StringRef stack, int64_t layer,
             StringRef part, llvm::function_ref<FailureOr<Value>(Value)> body) {
  const ModelSpec &spec = b.getSpec();
  std::string scope = layerScope(stack, layer);
  std::string normWeights = (stack + ".layer." + part + "_norm").str();
  Location normLoc =
      b.loc(scope + "." + part + "_norm", {"norm.kind", "norm.placement"});
  Location addLoc =
      b.loc(scope + "." + part + "_residual", {"norm.placement", "norm.kind"});
  bool isPreNorm = spec.normPlacement == NormPlacement::Pre;
  Value input = x;
  if (isPreNorm) {
    FailureOr<Value> normed = b.norm(x, normWeights, layer, normLoc);
    if (failed(normed))
      return failure();
    input = *normed;
  }
  FailureOr<Value> output = body(input);
  if (failed(output))
    return failure();
  Value sum = b.create<AddOp>(
      addLoc, x.getType(), x,
      scaleResidualBranch(b, *output, (scope + "." + part).str()));
  if (isPreNorm)
    return sum;
  return b.norm(sum, normWeights, layer, normLoc);
}

/// Emits a layer whose attention and MLP read the same input, each through
/// its own norm or both through the attention's:
/// `x + attn(attn_norm(x)) + mlp(mlp_norm(x))`; `scope` and `weights` are
/// the layer's (`decoder.layer3`, `decoder.layer`).
static FailureOr<Value> emitParallelLayer(ForwardBuilder &b, Value x,
                                          int64_t layer, StringRef scope,
                                          StringRef weights,
                                          const AttentionBlock &self) {
  const ModelSpec &spec = b.getSpec();
  auto normLoc = [&](StringRef part) {
    return b.loc(scope + "." + part + "_norm",
                 {"norm.kind", "norm.placement", "norm.parallel_mlp_norm"});
  };
  FailureOr<Value> attnInput =
      b.norm(x, (weights + ".attn_norm").str(), layer, normLoc("attn"));
  if (failed(attnInput))
    return failure();
  FailureOr<Value> mlpInput = attnInput;
  if (spec.parallelMlpNorm)
    mlpInput = b.norm(x, (weights + ".mlp_norm").str(), layer, normLoc("mlp"));
  if (failed(mlpInput))
    return failure();
  FailureOr<Value> attention = emitAttention(b, *attnInput, *attnInput, self);
  if (failed(attention))
    return failure();
  FailureOr<Value> mlp = emitFeedForward(b, *mlpInput, (weights + ".mlp").str(),
                                         (scope + ".mlp").str(), layer);
  if (failed(mlp))
    return failure();
  auto addLoc = [&](StringRef part) {
    return b.loc(scope + "." + part + "_residual", {"norm.placement"});
  };
  Value sum = b.create<AddOp>(
      addLoc("attn"), x.getType(), x,
      scaleResidualBranch(b, *attention, (scope + ".attn").str()));
  return b.create<AddOp>(addLoc("mlp"), x.getType(), sum,
                         scaleResidualBranch(b, *mlp, (scope + ".mlp").str()));
}

/// Emits layer `layer` of a stack.
static FailureOr<Value> emitLayer(ForwardBuilder &b, Value x, int64_t layer,
                                  const StackInputs &inputs) {
  StringRef stack = inputs.name;
  std::string scope = layerScope(stack, layer);
  std::string weights = (stack + ".layer").str();

  AttentionBlock self{weights + ".attn",
                      scope + ".attn",
                      layer,
                      /*isSelfAttention=*/true,
                      inputs.stack.selfAttention,
                      inputs.paddingMask,
                      stack.str()};
  if (b.getSpec().normPlacement == NormPlacement::Parallel)
    return emitParallelLayer(b, x, layer, scope, weights, self);
  FailureOr<Value> afterAttention =
      emitResidual(b, x, stack, layer, "attn", [&](Value normed) {
        return emitAttention(b, normed, normed, self);
      });
  if (failed(afterAttention))
    return failure();
  x = *afterAttention;

  if (inputs.stack.crossAttention) {
    AttentionBlock cross{weights + ".cross_attn",
                         scope + ".cross_attn",
                         layer,
                         /*isSelfAttention=*/false,
                         AttentionMaskSpec(),
                         inputs.memoryPaddingMask,
                         "encoder"};
    FailureOr<Value> afterCross =
        emitResidual(b, x, stack, layer, "cross_attn", [&](Value normed) {
          return emitAttention(b, normed, inputs.memory, cross);
        });
    if (failed(afterCross))
      return failure();
    x = *afterCross;
  }

  return emitResidual(b, x, stack, layer, "mlp", [&](Value normed) {
    return emitFeedForward(b, normed, weights + ".mlp", scope + ".mlp", layer);
  });
}

FailureOr<Value> emitStack(ForwardBuilder &b, Value hidden,
                           const StackInputs &inputs) {
  StringRef stack = inputs.name;
  if (inputs.stack.crossAttention && !inputs.memory)
    return emitError(b.loc(stack, {"model.topology"}))
           << "the " << stack
           << " stack has cross-attention but the model has no encoder";
  for (int64_t layer = 0; layer < inputs.stack.numLayers; ++layer) {
    FailureOr<Value> next = emitLayer(b, hidden, layer, inputs);
    if (failed(next))
      return failure();
    hidden = *next;
  }
  if (!b.getSpec().finalNorm)
    return hidden;
  std::string name = (stack + ".final_norm").str();
  return b.norm(hidden, name, std::nullopt,
                b.loc(name, {"norm.final_norm", "norm.kind"}));
}

} // namespace kiln
