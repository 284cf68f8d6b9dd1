//===- MLIRGen.cpp - Build unfused kiln IR from a ModelSpec ---------------===//
//
// Lowers a ModelSpec to a module with one `@forward` function: the model
// inputs, the embeddings (token table, embedding scale, learned or
// sinusoidal positions, token types, embedding norm), one or two stacks of
// layers (TransformerLayers.cpp) and the output head (LM head over every
// position or only the last, hidden states, or mean pooling with optional
// L2 normalisation). The module is verified before it is returned, so every
// shape error surfaces here with the location of the spec field behind the
// op.
//
//===----------------------------------------------------------------------===//

#include "frontend/MLIRGen.h"

#include "frontend/ForwardBuilder.h"
#include "frontend/TransformerLayers.h"

#include "dialect/KilnDialect.h"
#include "dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;

namespace kiln {

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

/// Checks the sizes that tensor types are built from. The spec validator
/// reports these first; MLIRGen checks again because a size of zero or less
/// cannot even be put into a type.
static LogicalResult checkSizes(const ModelSpec &spec, MLIRContext *context) {
  struct Size {
    const char *field;
    int64_t value;
  };
  SmallVector<Size> sizes = {{"model.vocab_size", spec.vocabSize},
                             {"model.d_model", spec.dModel},
                             {"attention.heads", spec.numHeads},
                             {"attention.kv_heads", spec.numKvHeads},
                             {"attention.head_dim", spec.headDim},
                             {"ffn.dim", spec.ffnDim}};
  if (!spec.batch.dynamic)
    sizes.push_back({"model.batch", spec.batch.size});
  if (spec.typeVocabSize != 0)
    sizes.push_back({"embeddings.token_types", spec.typeVocabSize});
  for (const Size &size : sizes)
    if (size.value <= 0)
      return emitError(fileLocation(context, spec.locOf(size.field)))
             << "expected '" << size.field << "' to be positive, got "
             << size.value;
  return success();
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

/// Rows of the learned position table.
static int64_t positionRows(const ModelSpec &spec) {
  return spec.positions.maxPositions > 0 ? spec.positions.maxPositions
                                         : spec.maxSeqLen;
}

/// Embeds the [batch, seq] token `ids`; `scope` is `embed`, or
/// `encoder.embed` / `decoder.embed` when two stacks share the tables.
static FailureOr<Value> emitEmbeddings(ForwardBuilder &b, Value ids,
                                       StringRef scope) {
  const ModelSpec &spec = b.getSpec();
  const int64_t width = spec.dModel;
  FailureOr<Value> tokens =
      b.weight("embed.tokens", std::nullopt, {spec.vocabSize, width});
  if (failed(tokens))
    return failure();
  Value x =
      b.create<EmbeddingOp>(b.loc(scope + ".tokens", {"model.vocab_size"}),
                            b.activationType(width), *tokens, ids);

  if (spec.embeddingScale != 1.0)
    x = b.create<ScaleOp>(b.loc(scope + ".scale", {"embeddings.scale"}),
                          x.getType(), x, APFloat(spec.embeddingScale));

  const PositionSpec &positions = spec.positions;
  Location positionsLoc =
      b.loc(scope + ".positions", {"positions.kind", "positions.max"});
  if (positions.kind == PositionKind::Learned) {
    int64_t rows = positionRows(spec);
    if (rows <= 0)
      return emitError(positionsLoc)
             << "learned positions need positions.max_positions or "
                "max_seq_len to be positive, got "
             << rows;
    // A table with an offset starts with rows that no position uses.
    FailureOr<Value> table = b.weight("embed.positions", std::nullopt,
                                      {positions.offset + rows, width});
    if (failed(table))
      return failure();
    if (positions.offset != 0)
      table = b.create<SliceOp>(
          b.loc(scope + ".positions", {"positions.offset"}),
          b.tensorType({rows, width}), *table, /*axis=*/0, positions.offset);
    // RoBERTa-style positions count the tokens that are not padding.
    Value countedIds = positions.paddingIdx ? ids : Value();
    IntegerAttr paddingIdx =
        positions.paddingIdx
            ? b.getBuilder().getI64IntegerAttr(*positions.paddingIdx)
            : IntegerAttr();
    x = b.create<LearnedPositionsOp>(positionsLoc, x.getType(), x, *table,
                                     countedIds, paddingIdx);
  } else if (positions.kind == PositionKind::Sinusoidal) {
    x = b.create<SinusoidalPositionsOp>(positionsLoc, x.getType(), x,
                                        APFloat(positions.theta));
  }

  // Every token has type 0 (a single segment), so the token-type embedding
  // is row 0 of the table added to every position.
  if (spec.typeVocabSize > 0) {
    FailureOr<Value> table = b.weight("embed.token_types", std::nullopt,
                                      {spec.typeVocabSize, width});
    if (failed(table))
      return failure();
    Value row = b.create<SliceOp>(
        b.loc(scope + ".token_types", {"embeddings.token_types"}),
        b.tensorType({1, width}), *table, /*axis=*/0, /*offset=*/0);
    x = b.create<AddOp>(
        b.loc(scope + ".add_token_types", {"embeddings.token_types"}),
        x.getType(), x, row);
  }

  if (!spec.embeddingNorm)
    return x;
  return b.norm(x, "embed.norm", std::nullopt,
                b.loc(scope + ".norm", {"norm.embedding_norm", "norm.kind"}));
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

/// The name of `@forward`'s result for each output kind.
static StringRef outputName(OutputKind kind) {
  switch (kind) {
  case OutputKind::Logits:
    return "logits";
  case OutputKind::HiddenStates:
    return "hidden_states";
  case OutputKind::PooledEmbedding:
    return "pooled_embedding";
  }
  llvm_unreachable("unknown output kind");
}

/// Turns the last stack's output into the model output; `mask` is that
/// stack's attention mask, if any.
static FailureOr<Value> emitOutput(ForwardBuilder &b, Value hidden,
                                   Value mask) {
  const ModelSpec &spec = b.getSpec();
  switch (spec.output) {
  case OutputKind::HiddenStates:
    return hidden;
  case OutputKind::Logits: {
    // A tied head reuses the token table, which is already [vocab, d].
    StringRef weightName = spec.tieEmbeddings ? "embed.tokens" : "lm_head";
    FailureOr<Value> weight =
        b.weight(weightName, std::nullopt, {spec.vocabSize, spec.dModel});
    if (failed(weight))
      return failure();
    Value bias;
    if (spec.outputBias) {
      FailureOr<Value> lmHeadBias =
          b.weight("lm_head.bias", std::nullopt, {spec.vocabSize});
      if (failed(lmHeadBias))
        return failure();
      bias = *lmHeadBias;
    }
    Type logitsType = b.activationType(spec.vocabSize);
    if (spec.outputPositions == OutputPositions::Last) {
      // Only the last position's hidden state goes through the LM head.
      int64_t batch = cast<RankedTensorType>(hidden.getType()).getDimSize(0);
      hidden = b.create<SliceOp>(
          b.loc("lm_head.last_position", {"output.positions"}),
          b.tensorType({batch, 1, spec.dModel}), hidden, /*axis=*/1,
          /*offset=*/-1);
      logitsType = b.tensorType({batch, 1, spec.vocabSize});
    }
    Value logits = b.create<LinearOp>(
        b.loc("lm_head",
              {"embeddings.tied", "output.kind", "model.vocab_size"}),
        logitsType, hidden, *weight, bias,
        /*residual=*/Value(), /*activation=*/ActivationKindAttr());
    if (spec.logitsScale == 1.0)
      return logits;
    return b.create<ScaleOp>(b.loc("lm_head.scale", {"output.logits_scale"}),
                             logitsType, logits, APFloat(spec.logitsScale));
  }
  case OutputKind::PooledEmbedding: {
    Value poolMask = spec.pooling.maskAware ? mask : Value();
    auto hiddenType = cast<RankedTensorType>(hidden.getType());
    Value pooled = b.create<MeanPoolOp>(
        b.loc("pool.mean", {"output.mask_aware", "output.kind"}),
        b.tensorType({hiddenType.getDimSize(0), spec.dModel}), hidden,
        poolMask);
    if (!spec.pooling.l2Normalize)
      return pooled;
    return b.create<L2NormalizeOp>(
        b.loc("pool.l2_normalize", {"output.normalize", "output.kind"}),
        pooled.getType(), pooled, APFloat(1e-12));
  }
  }
  llvm_unreachable("unknown output kind");
}

//===----------------------------------------------------------------------===//
// The forward function
//===----------------------------------------------------------------------===//

/// The token ids of one stack and its attention mask (null unless the
/// stack's self-attention masks padding).
struct StackTokens {
  Value ids;
  Value mask;
};

/// Adds the inputs of stack `name`: `<prefix>input_ids`, and
/// `<prefix>attention_mask` when the stack masks padding.
static StackTokens addStackInputs(ForwardBuilder &b, StringRef name,
                                  const StackSpec &stack, StringRef prefix) {
  std::string idsName = (prefix + "input_ids").str();
  StackTokens tokens;
  tokens.ids = b.addInput(idsName, b.loc(idsName, {"model.topology"}));
  if (stack.selfAttention.padding) {
    std::string maskName = (prefix + "attention_mask").str();
    tokens.mask =
        b.addInput(maskName, b.loc(maskName, {(name + ".padding_mask").str(),
                                              "attention.padding_mask"}));
  }
  return tokens;
}

/// Emits the embeddings and layers of stack `name`. `memory` and
/// `memoryMask` are the encoder's output and mask for a decoder with
/// cross-attention.
static FailureOr<Value> emitEmbeddedStack(ForwardBuilder &b, StringRef name,
                                          const StackSpec &stack,
                                          StackTokens tokens,
                                          StringRef embedScope, Value memory,
                                          Value memoryMask) {
  FailureOr<Value> embedded = emitEmbeddings(b, tokens.ids, embedScope);
  if (failed(embedded))
    return failure();
  return emitStack(b, *embedded,
                   StackInputs{name, stack, tokens.mask, memory, memoryMask});
}

/// Emits the whole body of `@forward` and returns the model output. All
/// inputs are added before the first weight, so that they lead the
/// signature.
static FailureOr<Value> emitForward(ForwardBuilder &b) {
  const ModelSpec &spec = b.getSpec();
  if (spec.topology != Topology::EncoderDecoder) {
    bool isEncoder = spec.topology == Topology::EncoderOnly;
    StringRef name = isEncoder ? "encoder" : "decoder";
    const StackSpec &stack = isEncoder ? spec.encoder : spec.decoder;
    StackTokens tokens = addStackInputs(b, name, stack, "");
    FailureOr<Value> hidden =
        emitEmbeddedStack(b, name, stack, tokens, "embed", Value(), Value());
    if (failed(hidden))
      return failure();
    return emitOutput(b, *hidden, tokens.mask);
  }

  StackTokens source = addStackInputs(b, "encoder", spec.encoder, "encoder_");
  StackTokens target = addStackInputs(b, "decoder", spec.decoder, "decoder_");
  FailureOr<Value> memory = emitEmbeddedStack(
      b, "encoder", spec.encoder, source, "encoder.embed", Value(), Value());
  if (failed(memory))
    return failure();
  FailureOr<Value> hidden =
      emitEmbeddedStack(b, "decoder", spec.decoder, target, "decoder.embed",
                        *memory, source.mask);
  if (failed(hidden))
    return failure();
  return emitOutput(b, *hidden, target.mask);
}

/// The element type of the checkpoint's weights.
static Type weightElementType(DType dtype, Builder &builder) {
  switch (dtype) {
  case DType::F32:
    return builder.getF32Type();
  case DType::F16:
    return builder.getF16Type();
  case DType::BF16:
    return builder.getBF16Type();
  }
  llvm_unreachable("unknown dtype");
}

OwningOpRef<ModuleOp> buildModule(const ModelSpec &spec, MLIRContext &context) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  if (failed(checkSizes(spec, &context)))
    return nullptr;

  Builder builder(&context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(fileLocation(&context, spec.loc));
  (*module)->setAttr("kiln.model", builder.getStringAttr(spec.name));
  (*module)->setAttr("kiln.max_seq_len",
                     builder.getI64IntegerAttr(spec.maxSeqLen));
  // A dynamic batch is bounded by its maximum, which the memory plan and the
  // runtime need; a static batch is in the input types already.
  if (spec.batch.dynamic)
    (*module)->setAttr("kiln.max_batch",
                       builder.getI64IntegerAttr(spec.batch.size));
  (*module)->setAttr("kiln.weight_dtype", TypeAttr::get(weightElementType(
                                              spec.weightDType, builder)));

  ForwardBuilder forward(spec, *module);
  FailureOr<Value> output = emitForward(forward);
  if (failed(output))
    return nullptr;
  forward.finish(*output, outputName(spec.output),
                 forward.loc("output", {"output.kind"}));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

FailureOr<func::FuncOp> getForwardFunction(ModuleOp module) {
  if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
    return forward;
  auto funcs = module.getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) == 1)
    return *funcs.begin();
  return module.emitError()
         << "expected a 'forward' function or exactly one function";
}

} // namespace kiln
