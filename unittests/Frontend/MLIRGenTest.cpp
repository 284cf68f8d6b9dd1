//===- MLIRGenTest.cpp - Tests of ModelSpec -> kiln IR --------------------===//
//
// Builds ModelSpecs in C++ for each model family (GPT-2, BERT, LLaMA, the
// encoder-decoder Transformer) and for the options that change the graph
// (norm placement, tied head, GQA/MQA, sliding window, padding, pooling,
// dynamic batch), lowers them with kiln::buildModule and checks that the
// module verifies and has the expected signature, op counts, op order and
// locations; and that bad specs fail with a located error.
//
//===----------------------------------------------------------------------===//

#include "frontend/MLIRGen.h"

#include "dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace mlir;
using namespace kiln;

namespace {

//===----------------------------------------------------------------------===//
// Spec builders
//===----------------------------------------------------------------------===//

constexpr int64_t kVocab = 96, kWidth = 32, kHeads = 4, kHeadDim = 8, kFfn = 64,
                  kLayers = 2;

/// Binds logical weight `name` to a checkpoint tensor whose name is the
/// logical one with the layer index in it (`decoder.layer.attn.q.weight` ->
/// `decoder.layers.{layer}.attn.q.weight`).
void bindWeight(ModelSpec &spec, const std::string &name,
                bool transposed = false) {
  std::string tensor = name;
  size_t layer = tensor.find(".layer.");
  if (layer != std::string::npos)
    tensor.replace(layer, 7, ".layers.{layer}.");
  spec.weights[name] = {tensor, transposed};
}

/// Binds the weight and (if `hasBias`) bias of each of `parts` under `prefix`.
void bindParts(ModelSpec &spec, const std::string &prefix,
               std::initializer_list<const char *> parts, bool hasBias,
               bool transposed = false) {
  for (const char *part : parts) {
    bindWeight(spec, prefix + "." + part + ".weight", transposed);
    if (hasBias)
      bindWeight(spec, prefix + "." + part + ".bias");
  }
}

/// Binds every per-layer weight of `stack` that the spec's options may use
/// (separate Q/K/V projections; cross-attention when the stack has it).
void bindStack(ModelSpec &spec, const std::string &stack) {
  std::string layer = stack + ".layer";
  bool normBias = spec.normBias && spec.norm == NormKind::LayerNorm;
  bindParts(spec, layer, {"attn_norm", "mlp_norm"}, normBias);
  bindParts(spec, layer + ".attn", {"q", "k", "v", "o"}, spec.attentionBias);
  bindParts(spec, layer + ".mlp", {"up", "gate", "down"}, spec.mlpBias);
  if (spec.decoder.crossAttention && stack == "decoder") {
    bindParts(spec, layer, {"cross_attn_norm"}, normBias);
    bindParts(spec, layer + ".cross_attn", {"q", "k", "v", "o"},
              spec.attentionBias);
  }
  bindParts(spec, stack, {"final_norm"}, normBias);
}

/// Fills the sizes shared by every test model.
ModelSpec baseSpec(const std::string &name) {
  ModelSpec spec;
  spec.name = name;
  spec.loc = {name + ".yaml", 1, 1};
  spec.vocabSize = kVocab;
  spec.dModel = kWidth;
  spec.numHeads = kHeads;
  spec.numKvHeads = kHeads;
  spec.headDim = kHeadDim;
  spec.ffnDim = kFfn;
  spec.maxSeqLen = 64;
  return spec;
}

/// GPT-2: pre-norm, learned positions, fused QKV stored [in, out] (Conv1D),
/// GELU (tanh) MLP, tied LM head.
ModelSpec gpt2Spec() {
  ModelSpec spec = baseSpec("tiny-gpt2");
  spec.topology = Topology::DecoderOnly;
  spec.ffn = FfnKind::GeluTanh;
  spec.positions.kind = PositionKind::Learned;
  spec.decoder.numLayers = kLayers;
  spec.decoder.selfAttention.causal = true;
  spec.tieEmbeddings = true;
  bindWeight(spec, "embed.tokens");
  bindWeight(spec, "embed.positions");
  bindParts(spec, "decoder.layer", {"attn_norm", "mlp_norm"}, true);
  bindParts(spec, "decoder.layer.attn", {"qkv", "o"}, true,
            /*transposed=*/true);
  bindParts(spec, "decoder.layer.mlp", {"up", "down"}, true,
            /*transposed=*/true);
  bindParts(spec, "decoder", {"final_norm"}, true);
  spec.fieldLocs["attention.heads"] = {"tiny-gpt2.yaml", 7, 12};
  return spec;
}

/// BERT: post-norm encoder, padding mask, embedding norm, token types,
/// GELU MLP, no final norm.
ModelSpec bertSpec() {
  ModelSpec spec = baseSpec("tiny-bert");
  spec.topology = Topology::EncoderOnly;
  spec.normPlacement = NormPlacement::Post;
  spec.normEpsilon = 1e-12;
  spec.embeddingNorm = true;
  spec.finalNorm = false;
  spec.typeVocabSize = 2;
  spec.positions.kind = PositionKind::Learned;
  spec.positions.maxPositions = 128;
  spec.encoder.numLayers = kLayers;
  spec.encoder.selfAttention.padding = true;
  spec.output = OutputKind::HiddenStates;
  for (const char *name :
       {"embed.tokens", "embed.positions", "embed.token_types",
        "embed.norm.weight", "embed.norm.bias"})
    bindWeight(spec, name);
  bindStack(spec, "encoder");
  return spec;
}

/// LLaMA: RMSNorm, RoPE, grouped-query attention, SwiGLU, no biases,
/// untied LM head.
ModelSpec llamaSpec() {
  ModelSpec spec = baseSpec("tiny-llama");
  spec.topology = Topology::DecoderOnly;
  spec.numKvHeads = 2;
  spec.ffn = FfnKind::SwiGlu;
  spec.norm = NormKind::RmsNorm;
  spec.normBias = false;
  spec.attentionBias = false;
  spec.attentionOutputBias = false;
  spec.mlpBias = false;
  spec.positions.kind = PositionKind::Rope;
  spec.positions.theta = 500000.0;
  spec.decoder.numLayers = kLayers;
  spec.decoder.selfAttention.causal = true;
  bindWeight(spec, "embed.tokens");
  bindWeight(spec, "lm_head");
  bindStack(spec, "decoder");
  return spec;
}

/// "Attention Is All You Need": post-norm encoder-decoder, sinusoidal
/// positions, embeddings scaled by sqrt(d_model), ReLU FFN, cross-attention
/// on the encoder output.
ModelSpec transformerSpec() {
  ModelSpec spec = baseSpec("tiny-transformer");
  spec.topology = Topology::EncoderDecoder;
  spec.ffn = FfnKind::Relu;
  spec.normPlacement = NormPlacement::Post;
  spec.finalNorm = false;
  spec.positions.kind = PositionKind::Sinusoidal;
  spec.embeddingScale = std::sqrt(double(kWidth));
  spec.encoder.numLayers = kLayers;
  spec.encoder.selfAttention.padding = true;
  spec.decoder.numLayers = kLayers;
  spec.decoder.selfAttention.causal = true;
  spec.decoder.crossAttention = true;
  spec.tieEmbeddings = true;
  bindWeight(spec, "embed.tokens");
  bindStack(spec, "encoder");
  bindStack(spec, "decoder");
  return spec;
}

//===----------------------------------------------------------------------===//
// Inspection helpers
//===----------------------------------------------------------------------===//

/// The `@forward` function of `module`.
func::FuncOp forwardOf(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>("forward");
}

/// How many ops of type `OpTy` the module holds.
template <typename OpTy> int64_t count(ModuleOp module) {
  int64_t n = 0;
  module.walk([&](OpTy) { ++n; });
  return n;
}

/// The ops of type `OpTy` in program order.
template <typename OpTy> std::vector<OpTy> opsOf(ModuleOp module) {
  std::vector<OpTy> ops;
  module.walk([&](OpTy op) { ops.push_back(op); });
  return ops;
}

/// The value of string argument attribute `attrName` of every argument that
/// has it, in order.
std::vector<std::string> argNames(ModuleOp module, StringRef attrName) {
  func::FuncOp forward = forwardOf(module);
  std::vector<std::string> names;
  for (unsigned i = 0, e = forward.getNumArguments(); i < e; ++i)
    if (auto name = forward.getArgAttrOfType<StringAttr>(i, attrName))
      names.push_back(name.str());
  return names;
}

/// The scope name of an op's location (`decoder.layer0.attn.softmax`).
std::string scopeOf(Operation *op) {
  auto name = dyn_cast<NameLoc>(op->getLoc());
  return name ? name.getName().str() : "";
}

/// The shape of `value`'s tensor type.
SmallVector<int64_t> shapeOf(Value value) {
  return SmallVector<int64_t>(
      cast<RankedTensorType>(value.getType()).getShape());
}

/// Lowers specs in a fresh context and records the diagnostics.
class MLIRGenTest : public ::testing::Test {
protected:
  MLIRGenTest()
      : handler(&context, [this](Diagnostic &diag) {
          std::string location;
          llvm::raw_string_ostream os(location);
          diag.getLocation().print(os);
          diagnostics.push_back(location + ": " + diag.str());
        }) {}

  /// Lowers `spec`; fails the test if the result does not verify.
  OwningOpRef<ModuleOp> build(const ModelSpec &spec) {
    OwningOpRef<ModuleOp> module = buildModule(spec, context);
    if (module)
      EXPECT_TRUE(succeeded(verify(*module)));
    return module;
  }

  /// All diagnostics so far, one per line.
  std::string allDiagnostics() const { return llvm::join(diagnostics, "\n"); }

  MLIRContext context;
  ScopedDiagnosticHandler handler;
  std::vector<std::string> diagnostics;
};

const int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Families
//===----------------------------------------------------------------------===//

TEST_F(MLIRGenTest, Gpt2) {
  OwningOpRef<ModuleOp> module = build(gpt2Spec());
  ASSERT_TRUE(module) << allDiagnostics();
  ModuleOp m = *module;
  EXPECT_EQ(m->getAttrOfType<StringAttr>("kiln.model").str(), "tiny-gpt2");
  EXPECT_EQ(m->getAttrOfType<IntegerAttr>("kiln.max_seq_len").getInt(), 64);

  EXPECT_EQ(argNames(m, "kiln.input"), std::vector<std::string>{"input_ids"});
  std::vector<std::string> weights = argNames(m, "kiln.weight");
  // Tokens, positions, 12 tensors per layer, final norm; the head is tied.
  ASSERT_EQ(weights.size(), 2u + 12u * kLayers + 2u);
  EXPECT_EQ(weights[0], "embed.tokens");
  EXPECT_EQ(weights[1], "embed.positions");
  EXPECT_EQ(weights[2], "decoder.layers.0.attn_norm.weight");
  EXPECT_EQ(weights[3], "decoder.layers.0.attn_norm.bias");
  EXPECT_EQ(weights[4], "decoder.layers.0.attn.qkv.weight");
  EXPECT_EQ(weights[14], "decoder.layers.1.attn_norm.weight");
  EXPECT_EQ(weights.back(), "decoder.final_norm.bias");

  EXPECT_EQ(count<EmbeddingOp>(m), 1);
  EXPECT_EQ(count<LearnedPositionsOp>(m), 1);
  EXPECT_EQ(count<SliceOp>(m), 3 * kLayers);
  EXPECT_EQ(count<SplitHeadsOp>(m), 3 * kLayers);
  EXPECT_EQ(count<CausalMaskOp>(m), kLayers);
  EXPECT_EQ(count<PaddingMaskOp>(m), 0);
  EXPECT_EQ(count<SoftmaxOp>(m), kLayers);
  EXPECT_EQ(count<MergeHeadsOp>(m), kLayers);
  EXPECT_EQ(count<LayerNormOp>(m), 2 * kLayers + 1);
  // Conv1D matrices are transposed by the runtime while loading.
  EXPECT_EQ(count<TransposeOp>(m), 0);
  EXPECT_EQ(count<LinearOp>(m), 4 * kLayers + 1);
  EXPECT_EQ(count<RepeatKvOp>(m), 0);
  EXPECT_EQ(count<RopeOp>(m), 0);

  // The fused QKV splits into three d_model-wide slices.
  std::vector<SliceOp> slices = opsOf<SliceOp>(m);
  EXPECT_EQ(slices[0].getOffset(), 0u);
  EXPECT_EQ(slices[1].getOffset(), uint64_t(kWidth));
  EXPECT_EQ(slices[2].getOffset(), uint64_t(2 * kWidth));

  // The tied head reads the token table itself.
  LinearOp head = opsOf<LinearOp>(m).back();
  EXPECT_EQ(head.getWeight(), opsOf<EmbeddingOp>(m)[0].getTable());
  EXPECT_EQ(scopeOf(head), "lm_head");
  ASSERT_EQ(forwardOf(m).getNumResults(), 1u);
  EXPECT_EQ(cast<RankedTensorType>(forwardOf(m).getResultTypes()[0]).getShape(),
            (ArrayRef<int64_t>{1, kDyn, kVocab}));
}

TEST_F(MLIRGenTest, Gpt2AttentionChainIsInOrder) {
  OwningOpRef<ModuleOp> module = build(gpt2Spec());
  ASSERT_TRUE(module) << allDiagnostics();
  // softmax(mask(scale(q k^T))) v, each op feeding the next.
  SoftmaxOp softmax = opsOf<SoftmaxOp>(*module)[0];
  EXPECT_EQ(softmax.getAxis(), 3u);
  auto mask = softmax.getInput().getDefiningOp<CausalMaskOp>();
  ASSERT_TRUE(mask);
  auto scale = mask.getScores().getDefiningOp<ScaleOp>();
  ASSERT_TRUE(scale);
  EXPECT_DOUBLE_EQ(scale.getFactor().convertToDouble(),
                   1.0 / std::sqrt(double(kHeadDim)));
  auto scores = scale.getInput().getDefiningOp<MatmulOp>();
  ASSERT_TRUE(scores);
  EXPECT_TRUE(scores.getTransposeRhs());
  EXPECT_TRUE(scores.getLhs().getDefiningOp<SplitHeadsOp>());
  Operation *user = *softmax->getUsers().begin();
  auto context = dyn_cast<MatmulOp>(user);
  ASSERT_TRUE(context);
  EXPECT_FALSE(context.getTransposeRhs());
  EXPECT_TRUE(isa<MergeHeadsOp>(*context->getUsers().begin()));
}

TEST_F(MLIRGenTest, Bert) {
  OwningOpRef<ModuleOp> module = build(bertSpec());
  ASSERT_TRUE(module) << allDiagnostics();
  ModuleOp m = *module;
  EXPECT_EQ(argNames(m, "kiln.input"),
            (std::vector<std::string>{"input_ids", "attention_mask"}));
  EXPECT_EQ(count<PaddingMaskOp>(m), kLayers);
  EXPECT_EQ(count<CausalMaskOp>(m), 0);
  // Embedding norm and two post-norms per layer, no final norm.
  EXPECT_EQ(count<LayerNormOp>(m), 1 + 2 * kLayers);
  EXPECT_EQ(count<TransposeOp>(m), 0);
  EXPECT_EQ(count<LinearOp>(m), 6 * kLayers);

  // Token type 0 everywhere: row 0 of the table, broadcast-added.
  SliceOp row = opsOf<SliceOp>(m).at(0);
  EXPECT_EQ(row.getAxis(), 0u);
  EXPECT_EQ(row.getOffset(), 0u);
  EXPECT_EQ(shapeOf(row.getOutput()), (SmallVector<int64_t>{1, kWidth}));
  EXPECT_TRUE(isa<AddOp>(*row->getUsers().begin()));

  // Post-norm: each layer norm but the embedding norm reads a residual add.
  std::vector<LayerNormOp> norms = opsOf<LayerNormOp>(m);
  EXPECT_TRUE(norms[0].getInput().getDefiningOp<AddOp>()); // token types
  for (size_t i = 1; i < norms.size(); ++i)
    EXPECT_TRUE(norms[i].getInput().getDefiningOp<AddOp>());
  EXPECT_EQ(scopeOf(norms[1]), "encoder.layer0.attn_norm");
  EXPECT_EQ(norms.back().getEpsilon().convertToDouble(), 1e-12);

  // The result is the last norm's output.
  auto ret =
      cast<func::ReturnOp>(forwardOf(m).getBody().front().getTerminator());
  EXPECT_EQ(ret.getOperand(0), norms.back().getOutput());
}

TEST_F(MLIRGenTest, Llama) {
  OwningOpRef<ModuleOp> module = build(llamaSpec());
  ASSERT_TRUE(module) << allDiagnostics();
  ModuleOp m = *module;
  std::vector<std::string> weights = argNames(m, "kiln.weight");
  // Tokens, 9 matrices/norms per layer, final norm, LM head.
  EXPECT_EQ(weights.size(), 1u + 9u * kLayers + 1u + 1u);
  EXPECT_EQ(weights.back(), "lm_head");
  EXPECT_EQ(count<RmsNormOp>(m), 2 * kLayers + 1);
  EXPECT_EQ(count<LayerNormOp>(m), 0);
  EXPECT_EQ(count<RopeOp>(m), 2 * kLayers);
  EXPECT_EQ(count<RepeatKvOp>(m), 2 * kLayers);
  EXPECT_EQ(count<MulOp>(m), kLayers);
  EXPECT_EQ(count<LinearOp>(m), 7 * kLayers + 1);
  for (LinearOp linear : opsOf<LinearOp>(m))
    EXPECT_FALSE(linear.getBias());

  // RoPE rotates Q and K after the head split, before K is repeated.
  RopeOp rope = opsOf<RopeOp>(m)[1];
  EXPECT_EQ(rope.getTheta().convertToDouble(), 500000.0);
  EXPECT_EQ(rope.getStyle(), kiln::RopeStyle::Half);
  EXPECT_TRUE(rope.getInput().getDefiningOp<SplitHeadsOp>());
  auto repeat = dyn_cast<RepeatKvOp>(*rope->getUsers().begin());
  ASSERT_TRUE(repeat);
  EXPECT_EQ(shapeOf(rope.getOutput()),
            (SmallVector<int64_t>{1, 2, kDyn, kHeadDim}));
  EXPECT_EQ(shapeOf(repeat.getOutput()),
            (SmallVector<int64_t>{1, kHeads, kDyn, kHeadDim}));

  // SwiGLU: silu(gate) * up.
  MulOp gated = opsOf<MulOp>(m)[0];
  auto act = gated.getLhs().getDefiningOp<ActivationOp>();
  ASSERT_TRUE(act);
  EXPECT_EQ(act.getKind(), ActivationKind::Silu);
  EXPECT_EQ(scopeOf(act), "decoder.layer0.mlp.act");
  EXPECT_EQ(scopeOf(gated.getRhs().getDefiningOp()),
            "decoder.layer0.mlp.up_proj");
}

TEST_F(MLIRGenTest, EncoderDecoderTransformer) {
  OwningOpRef<ModuleOp> module = build(transformerSpec());
  ASSERT_TRUE(module) << allDiagnostics();
  ModuleOp m = *module;
  EXPECT_EQ(
      argNames(m, "kiln.input"),
      (std::vector<std::string>{"encoder_input_ids", "encoder_attention_mask",
                                "decoder_input_ids"}));
  // One shared token table for both stacks and the head.
  std::vector<std::string> weights = argNames(m, "kiln.weight");
  EXPECT_EQ(std::count(weights.begin(), weights.end(), "embed.tokens"), 1);

  EXPECT_EQ(count<EmbeddingOp>(m), 2);
  EXPECT_EQ(count<SinusoidalPositionsOp>(m), 2);
  // Encoder self, decoder self and decoder cross attention per layer.
  EXPECT_EQ(count<SoftmaxOp>(m), 3 * kLayers);
  EXPECT_EQ(count<CausalMaskOp>(m), kLayers);
  EXPECT_EQ(count<PaddingMaskOp>(m), 2 * kLayers);
  EXPECT_EQ(count<LayerNormOp>(m), 2 * kLayers + 3 * kLayers);

  // The embedding is scaled by sqrt(d_model) before positions are added.
  SinusoidalPositionsOp positions = opsOf<SinusoidalPositionsOp>(m)[0];
  auto scale = positions.getInput().getDefiningOp<ScaleOp>();
  ASSERT_TRUE(scale);
  EXPECT_DOUBLE_EQ(scale.getFactor().convertToDouble(),
                   std::sqrt(double(kWidth)));
  EXPECT_EQ(scopeOf(scale), "encoder.embed.scale");

  // Cross-attention: queries from the decoder, keys and values from the
  // encoder output, masked with the encoder's padding mask.
  LinearOp crossKey;
  for (LinearOp linear : opsOf<LinearOp>(m))
    if (scopeOf(linear) == "decoder.layer0.cross_attn.k_proj")
      crossKey = linear;
  ASSERT_TRUE(crossKey);
  Value encoderOutput = crossKey.getInput();
  EXPECT_TRUE(encoderOutput.getDefiningOp<LayerNormOp>());
  EXPECT_EQ(scopeOf(encoderOutput.getDefiningOp()), "encoder.layer1.mlp_norm");
  for (PaddingMaskOp mask : opsOf<PaddingMaskOp>(m))
    EXPECT_EQ(mask.getAttentionMask(), forwardOf(m).getArgument(1));
  EXPECT_EQ(count<ActivationOp>(m), 2 * kLayers);
  EXPECT_EQ(opsOf<ActivationOp>(m)[0].getKind(), ActivationKind::Relu);
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

TEST_F(MLIRGenTest, PreNormNormsTheSublayerInput) {
  OwningOpRef<ModuleOp> module = build(gpt2Spec());
  ASSERT_TRUE(module) << allDiagnostics();
  LayerNormOp first = opsOf<LayerNormOp>(*module)[0];
  EXPECT_TRUE(first.getInput().getDefiningOp<LearnedPositionsOp>());
  // Its result feeds the QKV projection; the residual add reads the input.
  AddOp residual = opsOf<AddOp>(*module)[0];
  EXPECT_EQ(residual.getLhs(), first.getInput());
  EXPECT_EQ(scopeOf(residual), "decoder.layer0.attn_residual");
}

TEST_F(MLIRGenTest, UntiedHeadHasItsOwnWeight) {
  ModelSpec spec = gpt2Spec();
  spec.tieEmbeddings = false;
  bindWeight(spec, "lm_head", /*transposed=*/true);
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  EXPECT_EQ(argNames(*module, "kiln.weight").back(), "lm_head");
  LinearOp head = opsOf<LinearOp>(*module).back();
  auto parameter = dyn_cast<BlockArgument>(head.getWeight());
  ASSERT_TRUE(parameter);
  EXPECT_EQ(shapeOf(parameter), (SmallVector<int64_t>{kVocab, kWidth}));
  auto forward = cast<func::FuncOp>(parameter.getOwner()->getParentOp());
  EXPECT_TRUE(forward.getArgAttr(parameter.getArgNumber(),
                                 "kiln.weight_transposed"));
}

TEST_F(MLIRGenTest, MultiQueryAttentionRepeatsOneHead) {
  ModelSpec spec = llamaSpec();
  spec.numKvHeads = 1;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  RepeatKvOp repeat = opsOf<RepeatKvOp>(*module)[0];
  EXPECT_EQ(shapeOf(repeat.getInput()),
            (SmallVector<int64_t>{1, 1, kDyn, kHeadDim}));
  LinearOp keyProj = repeat.getInput()
                         .getDefiningOp<RopeOp>()
                         .getInput()
                         .getDefiningOp<SplitHeadsOp>()
                         .getInput()
                         .getDefiningOp<LinearOp>();
  EXPECT_EQ(shapeOf(keyProj.getWeight()),
            (SmallVector<int64_t>{kHeadDim, kWidth}));
}

TEST_F(MLIRGenTest, FusedQkvWithGroupedQuery) {
  ModelSpec spec = llamaSpec();
  bindParts(spec, "decoder.layer.attn", {"qkv"}, false);
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  std::vector<SliceOp> slices = opsOf<SliceOp>(*module);
  ASSERT_EQ(slices.size(), size_t(3 * kLayers));
  int64_t q = kHeads * kHeadDim, kv = 2 * kHeadDim;
  EXPECT_EQ(shapeOf(slices[0].getInput()),
            (SmallVector<int64_t>{1, kDyn, q + 2 * kv}));
  EXPECT_EQ(slices[1].getOffset(), uint64_t(q));
  EXPECT_EQ(slices[2].getOffset(), uint64_t(q + kv));
  EXPECT_EQ(shapeOf(slices[2].getOutput()),
            (SmallVector<int64_t>{1, kDyn, kv}));
}

TEST_F(MLIRGenTest, SlidingWindowReplacesCausalMask) {
  ModelSpec spec = llamaSpec();
  spec.decoder.selfAttention.slidingWindow = 16;
  spec.decoder.selfAttention.padding = true;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  EXPECT_EQ(count<CausalMaskOp>(*module), 0);
  std::vector<SlidingWindowMaskOp> windows =
      opsOf<SlidingWindowMaskOp>(*module);
  ASSERT_EQ(windows.size(), size_t(kLayers));
  EXPECT_EQ(windows[0].getWindow(), 16u);
  // The padding mask follows the structural one.
  auto padding = dyn_cast<PaddingMaskOp>(*windows[0]->getUsers().begin());
  ASSERT_TRUE(padding);
  EXPECT_EQ(scopeOf(padding), "decoder.layer0.attn.padding_mask");
  EXPECT_EQ(argNames(*module, "kiln.input"),
            (std::vector<std::string>{"input_ids", "attention_mask"}));
}

TEST_F(MLIRGenTest, PooledNormalizedEmbedding) {
  ModelSpec spec = bertSpec();
  spec.output = OutputKind::PooledEmbedding;
  spec.pooling.l2Normalize = true;
  spec.batch.dynamic = true;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  func::FuncOp forward = forwardOf(*module);
  EXPECT_EQ(shapeOf(forward.getArgument(0)),
            (SmallVector<int64_t>{kDyn, kDyn}));
  ASSERT_EQ(forward.getNumResults(), 1u);
  EXPECT_EQ(cast<RankedTensorType>(forward.getResultTypes()[0]).getShape(),
            (ArrayRef<int64_t>{kDyn, kWidth}));
  EXPECT_EQ(forward.getResultAttrOfType<StringAttr>(0, "kiln.output").str(),
            "pooled_embedding");
  MeanPoolOp pool = opsOf<MeanPoolOp>(*module).at(0);
  EXPECT_EQ(pool.getAttentionMask(), forward.getArgument(1));
  EXPECT_EQ(count<L2NormalizeOp>(*module), 1);
}

TEST_F(MLIRGenTest, PoolingIgnoresMaskUnlessMaskAware) {
  ModelSpec spec = bertSpec();
  spec.output = OutputKind::PooledEmbedding;
  spec.pooling.maskAware = false;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  EXPECT_FALSE(opsOf<MeanPoolOp>(*module).at(0).getAttentionMask());
  EXPECT_EQ(count<L2NormalizeOp>(*module), 0);
}

TEST_F(MLIRGenTest, StaticBatchSize) {
  ModelSpec spec = gpt2Spec();
  spec.batch.size = 4;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  EXPECT_EQ(shapeOf(forwardOf(*module).getArgument(0)),
            (SmallVector<int64_t>{4, kDyn}));
}

TEST_F(MLIRGenTest, WeightDTypeIsRecorded) {
  ModelSpec spec = llamaSpec();
  spec.weightDType = DType::BF16;
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  auto dtype = (*module)->getAttrOfType<TypeAttr>("kiln.weight_dtype");
  ASSERT_TRUE(dtype);
  EXPECT_TRUE(dtype.getValue().isBF16());
  // Parameters stay f32: the runtime converts when it loads them.
  EXPECT_TRUE(getElementTypeOrSelf(forwardOf(*module).getArgument(1)).isF32());
}

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

TEST_F(MLIRGenTest, EveryOpHasAScopedSpecLocation) {
  OwningOpRef<ModuleOp> module = build(transformerSpec());
  ASSERT_TRUE(module) << allDiagnostics();
  forwardOf(*module).walk([&](Operation *op) {
    if (isa<func::FuncOp>(op))
      return;
    auto name = dyn_cast<NameLoc>(op->getLoc());
    ASSERT_TRUE(name) << "unnamed location on "
                      << op->getName().getStringRef().str();
    auto file = dyn_cast<FileLineColLoc>(name.getChildLoc());
    ASSERT_TRUE(file) << name.getName().str();
    EXPECT_EQ(file.getFilename().str(), "tiny-transformer.yaml");
  });
}

TEST_F(MLIRGenTest, SoftmaxPointsAtTheHeadsField) {
  OwningOpRef<ModuleOp> module = build(gpt2Spec());
  ASSERT_TRUE(module) << allDiagnostics();
  SoftmaxOp softmax = opsOf<SoftmaxOp>(*module).at(1);
  auto name = cast<NameLoc>(softmax->getLoc());
  EXPECT_EQ(name.getName().str(), "decoder.layer1.attn.softmax");
  auto file = cast<FileLineColLoc>(name.getChildLoc());
  EXPECT_EQ(file.getLine(), 7u);
  EXPECT_EQ(file.getColumn(), 12u);
}

TEST_F(MLIRGenTest, DefaultedFieldsPointAtTheFamily) {
  ModelSpec spec = gpt2Spec();
  spec.fieldLocs["model.family"] = {"tiny-gpt2.yaml", 2, 11};
  spec.fieldLocs["decoder.mask"] = {"tiny-gpt2.yaml", 20, 9};
  OwningOpRef<ModuleOp> module = build(spec);
  ASSERT_TRUE(module) << allDiagnostics();
  auto lineOf = [](Operation *op) {
    return cast<FileLineColLoc>(cast<NameLoc>(op->getLoc()).getChildLoc())
        .getLine();
  };
  // The causal mask was given; the FFN kind came from the family.
  EXPECT_EQ(lineOf(opsOf<CausalMaskOp>(*module).at(0)), 20u);
  EXPECT_EQ(lineOf(opsOf<ActivationOp>(*module).at(0)), 2u);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(MLIRGenTest, MissingWeightIsReported) {
  ModelSpec spec = llamaSpec();
  spec.weights.erase("decoder.layer.mlp.gate.weight");
  spec.fieldLocs["weights"] = {"tiny-llama.yaml", 30, 3};
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].find("no checkpoint tensor is bound to weight "
                                "'decoder.layer.mlp.gate.weight'"),
            std::string::npos)
      << diagnostics[0];
  // Without a binding of its own, the error points at the weights section.
  EXPECT_NE(diagnostics[0].find("loc(\"decoder.layer0.mlp.gate.weight\"("
                                "\"tiny-llama.yaml\":30:3))"),
            std::string::npos)
      << diagnostics[0];
}

TEST_F(MLIRGenTest, NonPositiveSizeIsReportedAtItsField) {
  ModelSpec spec = gpt2Spec();
  spec.numKvHeads = 0;
  spec.fieldLocs["attention.kv_heads"] = {"tiny-gpt2.yaml", 8, 15};
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0], "loc(\"tiny-gpt2.yaml\":8:15): expected "
                            "'attention.kv_heads' to be positive, got 0");
}

TEST_F(MLIRGenTest, IndivisibleHeadsFailVerification) {
  ModelSpec spec = llamaSpec();
  spec.numKvHeads = 3;
  spec.fieldLocs["attention.kv_heads"] = {"tiny-llama.yaml", 9, 13};
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_NE(diagnostics[0].find("tiny-llama.yaml\":9:13"), std::string::npos)
      << diagnostics[0];
  EXPECT_NE(diagnostics[0].find("multiple of"), std::string::npos)
      << diagnostics[0];
}

TEST_F(MLIRGenTest, TransposedVectorIsRejected) {
  ModelSpec spec = gpt2Spec();
  bindWeight(spec, "decoder.layer.attn_norm.weight", /*transposed=*/true);
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].find("is not a matrix"), std::string::npos)
      << diagnostics[0];
}

TEST_F(MLIRGenTest, ConflictingUsesOfOneTensorAreRejected) {
  ModelSpec spec = gpt2Spec();
  spec.weights["embed.positions"] = spec.weights["embed.tokens"];
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].find("checkpoint tensor 'embed.tokens' is used as"),
            std::string::npos)
      << diagnostics[0];
}

TEST_F(MLIRGenTest, CrossAttentionWithoutEncoderIsRejected) {
  ModelSpec spec = gpt2Spec();
  spec.decoder.crossAttention = true;
  EXPECT_FALSE(buildModule(spec, context));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].find("has no encoder"), std::string::npos)
      << diagnostics[0];
}

} // namespace
