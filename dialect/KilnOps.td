//===- KilnOps.td - Operations of the kiln dialect ---------*- tablegen -*-===//
//
// One op per Transformer concept, at tensor level. The unfused ops are what
// the frontend emits; `kiln.attention`, the epilogue of `kiln.linear` and the
// `kiln.add_*_norm` ops are the fused forms produced by the graph passes.
//
// Shape conventions: activations are [batch, seq, features]; attention
// operands are [batch, heads, seq, head_dim]; weights of linear layers are
// [out_features, in_features], as in PyTorch's nn.Linear.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNOPS_TD
#define KILN_DIALECT_KILNOPS_TD

include "dialect/KilnBase.td"
include "dialect/KilnEnums.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Embeddings and positional encodings
//===----------------------------------------------------------------------===//

def Kiln_EmbeddingOp : Kiln_Op<"embedding", [Pure]> {
  let summary = "looks up rows of an embedding table";
  let description = [{
    Gathers `table[ids[...], :]`: the result has the shape of `ids` followed
    by the embedding width. Ids outside `[0, rows)` are an error that the
    runtime reports before any kernel runs.

    ```mlir
    %x = kiln.embedding %wte[%ids]
        : tensor<50257x768xf32>, tensor<1x?xi64> -> tensor<1x?x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$table, Kiln_IdTensor:$ids);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $table `[` $ids `]` attr-dict `:` type($table) `,` type($ids) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Kiln_LearnedPositionsOp
    : Kiln_Op<"learned_positions", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "adds learned position embeddings";
  let description = [{
    Adds row `s` of the position table to every token at sequence position
    `s`: `output[b, s, :] = input[b, s, :] + table[s, :]` (GPT-2, BERT). The
    sequence length must not exceed the rows of the table.

    With the token `ids` [batch, seq] and a `padding_idx`, positions count
    the tokens that are not padding instead, as RoBERTa numbers them: a
    token gets row `padding_idx + n`, where `n` counts the non-padding ids
    up to and including its own, and a padding token gets row
    `padding_idx`. Left and right padding then leave the positions of the
    other tokens alike.

    ```mlir
    %y = kiln.learned_positions %x, %wpe
        : tensor<1x?x768xf32>, tensor<1024x768xf32>
    %z = kiln.learned_positions %x, %table ids %ids padding_idx 1
        : tensor<1x?x768xf32>, tensor<514x768xf32>, tensor<1x?xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$table,
                       Optional<Kiln_IdTensor>:$ids,
                       OptionalAttr<I64Attr>:$padding_idx);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $table (`ids` $ids^ `padding_idx` $padding_idx)? attr-dict `:`
    type($input) `,` type($table) (`,` type($ids)^)?
  }];
  let hasVerifier = 1;
}

def Kiln_SinusoidalPositionsOp : Kiln_Op<"sinusoidal_positions",
    [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "adds fixed sinusoidal position encodings";
  let description = [{
    Adds the encoding of "Attention Is All You Need" to a [batch, seq, d]
    input: for position `s` and `i < d/2`, feature `2i` gets
    `sin(s / base^(2i/d))` and feature `2i+1` gets `cos(s / base^(2i/d))`.
    The feature width `d` must be even.

    ```mlir
    %y = kiln.sinusoidal_positions %x base 10000.0 : tensor<1x?x512xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input `base` $base attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_RopeOp : Kiln_Op<"rope", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "applies rotary position embeddings";
  let description = [{
    Rotates pairs of features of a [batch, heads, seq, head_dim] tensor by
    the angle `s * f_i` for sequence position `s` and pair `i`, with the
    frequency `f_i = theta^(-2i/rotary_dim)`. Only the first `rotary_dim`
    features are rotated (all of them when `rotary_dim` is absent); the rest
    pass through. `style` chooses which features form a pair (see the
    `RopeStyle` enum).

    `scaling` stretches the frequencies for contexts longer than the
    model was trained on. `linear` divides every frequency by `factor`.
    `llama3` (Llama 3.1) keeps the frequencies whose wavelength
    `2 pi / f_i` is below `original_max_positions / high_freq_factor`,
    divides those whose wavelength exceeds
    `original_max_positions / low_freq_factor` by `factor`, and in between
    blends `f_i / factor` and `f_i` with the weight
    `(original_max_positions / wavelength - low_freq_factor) /
    (high_freq_factor - low_freq_factor)` on `f_i`.

    ```mlir
    %q2 = kiln.rope %q theta 500000.0 style half : tensor<1x32x?x64xf32>
    %k2 = kiln.rope %k theta 500000.0 style half scaling llama3 factor 32.0
        low_freq_factor 1.0 high_freq_factor 4.0 original_max_positions 8192
        : tensor<1x8x?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "10000.0">:$theta,
                       Kiln_RopeStyle:$style,
                       OptionalAttr<I64Attr>:$rotary_dim,
                       OptionalAttr<Kiln_RopeScaling>:$scaling,
                       OptionalAttr<F64Attr>:$factor,
                       OptionalAttr<F64Attr>:$low_freq_factor,
                       OptionalAttr<F64Attr>:$high_freq_factor,
                       OptionalAttr<I64Attr>:$original_max_positions);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `theta` $theta `style` $style (`rotary_dim` $rotary_dim^)?
    (`scaling` $scaling^)? (`factor` $factor^)?
    (`low_freq_factor` $low_freq_factor^)?
    (`high_freq_factor` $high_freq_factor^)?
    (`original_max_positions` $original_max_positions^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_LinearOp : Kiln_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "x * W^T + bias, with an optional fused epilogue";
  let description = [{
    Applies a linear layer with weight `[out_features, in_features]` to the
    last dimension of the input: `y = x * W^T (+ bias)`. The frontend emits
    it with at most a bias; `kiln-fuse-epilogue` folds a following
    activation and residual add into it, giving
    `y = activation(x * W^T + bias) + residual`.

    ```mlir
    %h = kiln.linear %x, %w bias %b activation gelu_tanh
        : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
        -> tensor<1x?x3072xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       Optional<Kiln_FloatTensor>:$residual,
                       OptionalAttr<Kiln_ActivationKind>:$activation);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`activation` $activation^)?
    (`residual` $residual^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_MatmulOp : Kiln_Op<"matmul", [Pure]> {
  let summary = "batched matrix product with optional transposes";
  let description = [{
    Multiplies the last two dimensions of `lhs` and `rhs`, each optionally
    transposed first; the leading (batch) dimensions must be equal. Attention
    scores are `kiln.matmul %q, %k transpose_rhs`.

    ```mlir
    %s = kiln.matmul %q, %k transpose_rhs
        : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

/// Binary elementwise ops broadcast their operands as NumPy does: shapes are
/// aligned at the trailing dimension and a dimension of size 1 stretches.
class Kiln_BroadcastBinaryOp<string mnemonic, string formula>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # formula # " with broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise after broadcasting the operands
    to the result shape (NumPy rules: trailing dimensions align, a dimension
    of size 1 stretches). Both operands and the result share one element
    type.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %a, %b
        : (tensor<1x12x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x12x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_AddOp : Kiln_BroadcastBinaryOp<"add", "lhs + rhs">;
def Kiln_SubOp : Kiln_BroadcastBinaryOp<"sub", "lhs - rhs">;
def Kiln_MulOp : Kiln_BroadcastBinaryOp<"mul", "lhs * rhs">;
def Kiln_DivOp : Kiln_BroadcastBinaryOp<"div", "lhs / rhs">;

def Kiln_ScaleOp
    : Kiln_Op<"scale", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "multiplies by a constant";
  let description = [{
    Multiplies every element by the compile-time constant `factor`, as
    attention does with its scores (`1/sqrt(head_dim)`).

    ```mlir
    %y = kiln.scale %s by 0.125 : tensor<1x12x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, F64Attr:$factor);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ActivationOp
    : Kiln_Op<"activation", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "applies an elementwise activation function";
  let description = [{
    Applies `kind` (see the `ActivationKind` enum) to every element.

    ```mlir
    %y = kiln.activation gelu_tanh %x : tensor<1x?x3072xf32>
    ```
  }];
  let arguments = (ins Kiln_ActivationKind:$kind,
                       Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "converts between floating-point element types";
  let description = [{
    Converts every element to the result's element type, rounding to nearest
    even; used where weights are stored in a narrower type than the model
    computes in.

    ```mlir
    %w32 = kiln.cast %w : tensor<768x768xbf16> -> tensor<768x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Normalisation and softmax
//===----------------------------------------------------------------------===//

def Kiln_LayerNormOp : Kiln_Op<"layer_norm", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "layer normalisation over the last dimension";
  let description = [{
    `(x - mean(x)) / sqrt(var(x) + epsilon) * gamma (+ beta)` over the last
    dimension, with the biased variance. `gamma` and the optional `beta` have
    the width of the last dimension.

    ```mlir
    %y = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
        : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<1x?x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$gamma,
                       Optional<Kiln_FloatTensor>:$beta, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $gamma (`,` $beta^)? `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

/// The accessor of the optional `gamma_offset` of the RMS norm ops.
defvar rmsNormGammaOffsetAccessor = [{
  /// The offset added to every scale: `gamma_offset`, or 0 when absent.
  double getGammaOffsetOrZero() {
    std::optional<llvm::APFloat> offset = getGammaOffset();
    return offset ? offset->convertToDouble() : 0.0;
  }
}];

def Kiln_RmsNormOp : Kiln_Op<"rms_norm", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "root-mean-square normalisation over the last dimension";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * (gamma + gamma_offset)` over the last
    dimension (LLaMA). `gamma_offset` (0 when absent) is added to every
    scale: Gemma stores its scales as offsets from 1.

    ```mlir
    %y = kiln.rms_norm %x, %gamma epsilon 1.0e-06
        : (tensor<1x?x4096xf32>, tensor<4096xf32>) -> tensor<1x?x4096xf32>
    %g = kiln.rms_norm %x, %gamma epsilon 1.0e-06 gamma_offset 1.0
        : (tensor<1x?x2048xf32>, tensor<2048xf32>) -> tensor<1x?x2048xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$gamma,
                       F64Attr:$epsilon, OptionalAttr<F64Attr>:$gamma_offset);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $gamma `epsilon` $epsilon (`gamma_offset` $gamma_offset^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = rmsNormGammaOffsetAccessor;
  let hasVerifier = 1;
}

def Kiln_AddLayerNormOp : Kiln_Op<"add_layer_norm", [Pure,
    AllTypesMatch<["input", "residual", "sum", "output"]>]> {
  let summary = "residual add fused with layer normalisation";
  let description = [{
    Computes `sum = input + residual` and `output = layer_norm(sum)` (see
    `kiln.layer_norm`) in one pass; `kiln-fuse-norm` produces it from a
    `kiln.add` followed by a `kiln.layer_norm`. Both results are returned
    because the sum is the next residual.

    ```mlir
    %sum, %y = kiln.add_layer_norm %x, %r, %gamma, %beta epsilon 1.0e-05
        : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>,
           tensor<768xf32>) -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$residual,
                       Kiln_FloatTensor:$gamma,
                       Optional<Kiln_FloatTensor>:$beta, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$sum, Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $residual `,` $gamma (`,` $beta^)? `epsilon` $epsilon
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_AddRmsNormOp : Kiln_Op<"add_rms_norm", [Pure,
    AllTypesMatch<["input", "residual", "sum", "output"]>]> {
  let summary = "residual add fused with RMS normalisation";
  let description = [{
    Computes `sum = input + residual` and `output = rms_norm(sum)` (see
    `kiln.rms_norm`) in one pass; `kiln-fuse-norm` produces it from a
    `kiln.add` followed by a `kiln.rms_norm`.

    ```mlir
    %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
        : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<4096xf32>)
        -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$residual,
                       Kiln_FloatTensor:$gamma, F64Attr:$epsilon,
                       OptionalAttr<F64Attr>:$gamma_offset);
  let results = (outs Kiln_FloatTensor:$sum, Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $residual `,` $gamma `epsilon` $epsilon
    (`gamma_offset` $gamma_offset^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = rmsNormGammaOffsetAccessor;
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp
    : Kiln_Op<"softmax", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis`. A slice whose
    elements are all `-inf` (a fully masked attention row) yields zeros.

    ```mlir
    %p = kiln.softmax %s axis 3 : tensor<1x12x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention masks
//===----------------------------------------------------------------------===//

def Kiln_CausalMaskOp
    : Kiln_Op<"causal_mask", [Pure, AllTypesMatch<["scores", "output"]>]> {
  let summary = "masks future keys out of attention scores";
  let description = [{
    Sets `scores[..., i, j]` to `-inf` where key `j` lies after query `i`.
    The last two dimensions are [queries, keys]; when there are more keys
    than queries the queries are the most recent positions, so query `i`
    sees keys `j <= i + keys - queries`.

    ```mlir
    %m = kiln.causal_mask %s : tensor<1x12x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$scores);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$scores attr-dict `:` type($scores)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SlidingWindowMaskOp : Kiln_Op<"sliding_window_mask",
    [Pure, AllTypesMatch<["scores", "output"]>]> {
  let summary = "causal mask limited to a window of recent keys";
  let description = [{
    Like `kiln.causal_mask`, and also sets `scores[..., i, j]` to `-inf`
    where key `j` is `window` or more positions before query `i`, so each
    query sees at most `window` keys (Mistral-style local attention).

    ```mlir
    %m = kiln.sliding_window_mask %s window 4096 : tensor<1x32x?x?xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$scores, I64Attr:$window);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$scores `window` $window attr-dict `:` type($scores)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_PaddingMaskOp : Kiln_Op<"padding_mask", [Pure,
    AllTypesMatch<["scores", "output"]>]> {
  let summary = "masks padded keys out of attention scores";
  let description = [{
    Sets `scores[b, h, i, j]` to `-inf` where `attention_mask[b, j]` is zero.
    `attention_mask` is the [batch, keys] input that tokenizers produce
    (1 for a real token, 0 for padding).

    ```mlir
    %m = kiln.padding_mask %s, %mask
        : tensor<1x12x?x?xf32>, tensor<1x?xi64>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$scores,
                       Kiln_AttentionMaskTensor:$attention_mask);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $scores `,` $attention_mask attr-dict `:` type($scores) `,`
    type($attention_mask)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Layout: heads, transposes and reshapes
//===----------------------------------------------------------------------===//

def Kiln_SplitHeadsOp : Kiln_Op<"split_heads", [Pure]> {
  let summary = "splits features into attention heads";
  let description = [{
    Reshapes [batch, seq, heads * head_dim] to [batch, seq, heads, head_dim]
    and transposes to [batch, heads, seq, head_dim]. The head count is the
    result's dimension 1.

    ```mlir
    %q = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_MergeHeadsOp : Kiln_Op<"merge_heads", [Pure]> {
  let summary = "merges attention heads back into features";
  let description = [{
    The inverse of `kiln.split_heads`: transposes [batch, heads, seq,
    head_dim] to [batch, seq, heads, head_dim] and reshapes to
    [batch, seq, heads * head_dim].

    ```mlir
    %x = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_RepeatKvOp : Kiln_Op<"repeat_kv", [Pure]> {
  let summary = "repeats key/value heads for grouped-query attention";
  let description = [{
    Repeats each of the key/value heads of a [batch, kv_heads, seq, head_dim]
    tensor `repeats` times in place, so that query head `h` lines up with
    key/value head `h / repeats` (Hugging Face's `repeat_kv`). The fused
    `kiln.attention` makes this copy unnecessary.

    ```mlir
    %k4 = kiln.repeat_kv %k : tensor<1x8x?x128xf32> -> tensor<1x32x?x128xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure]> {
  let summary = "permutes dimensions";
  let description = [{
    `output` dimension `i` is `input` dimension `permutation[i]`.

    ```mlir
    %t = kiln.transpose %x [0, 2, 1, 3]
        : tensor<1x?x12x64xf32> -> tensor<1x12x?x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DenseI64ArrayAttr:$permutation);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure]> {
  let summary = "reshapes without moving data";
  let description = [{
    Reinterprets the row-major elements of `input` with the result's shape.
    Dynamic dimensions are matched in order: the k-th dynamic dimension of
    the result has the size of the k-th dynamic dimension of the input, so
    both types have the same number of dynamic dimensions and the products of
    their static dimensions agree.

    ```mlir
    %r = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x12x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure]> {
  let summary = "takes a contiguous range along one dimension";
  let description = [{
    Takes `size` consecutive entries of dimension `axis` starting at
    `offset`, where `size` is the result's size along `axis`; the other
    dimensions are unchanged. Splits fused projections such as GPT-2's
    `c_attn` (Q, K and V side by side) into their parts.

    A negative `offset` counts from the end of the dimension, which may be
    dynamic: the slice starts at `dim + offset` and must end by the end of
    the dimension (`offset + size <= 0`). `offset -1` with `size` 1 takes
    the last entry, as a decoder's last position before the LM head.

    ```mlir
    %k = kiln.slice %qkv axis 2 offset 768
        : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
    %last = kiln.slice %h axis 1 offset -1
        : tensor<1x?x768xf32> -> tensor<1x1x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis,
                       I64Attr:$offset);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `axis` $axis `offset` $offset attr-dict `:` type($input) `->`
    type($output)
  }];
  let extraClassDeclaration = [{
    /// The first entry that the slice takes along `axis` from an input with
    /// `inputSize` entries there: `offset`, or `inputSize + offset` for a
    /// negative offset.
    int64_t getStart(int64_t inputSize) {
      int64_t offset = getOffset();
      return offset < 0 ? inputSize + offset : offset;
    }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused attention
//===----------------------------------------------------------------------===//

def Kiln_AttentionOp : Kiln_Op<"attention", [Pure]> {
  let summary = "fused scaled dot-product attention";
  let description = [{
    Computes `softmax(mask(scale * Q K^T)) V` per head without materialising
    the score matrix. `query` is [batch, query_heads, queries, head_dim];
    `key` and `value` are [batch, kv_heads, keys, head_dim] and
    [batch, kv_heads, keys, value_dim]. When `query_heads` is a multiple of
    `kv_heads` (grouped-query or multi-query attention) query head `h` uses
    key/value head `h / (query_heads / kv_heads)`.

    `mask` is the structural mask (`none`, `causal` or `sliding_window`, the
    latter with `window`), with the position conventions of
    `kiln.causal_mask` and `kiln.sliding_window_mask`. The optional
    `key_padding` operand is a [batch, keys] attention mask as in
    `kiln.padding_mask`; both masks may apply at once. Rows in which every
    key is masked produce zeros.

    ```mlir
    %o = kiln.attention %q, %k, %v key_padding %mask scale 0.125 mask causal
        : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>,
           tensor<1x8x?x128xf32>, tensor<1x?xi64>) -> tensor<1x32x?x128xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$query, Kiln_FloatTensor:$key,
                       Kiln_FloatTensor:$value,
                       Optional<Kiln_AttentionMaskTensor>:$key_padding,
                       F64Attr:$scale,
                       DefaultValuedAttr<Kiln_MaskKind,
                                         "::kiln::MaskKind::None">:$mask,
                       OptionalAttr<I64Attr>:$window);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`key_padding` $key_padding^)? `scale` $scale
    (`mask` $mask^)? (`window` $window^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Model outputs
//===----------------------------------------------------------------------===//

def Kiln_MeanPoolOp : Kiln_Op<"mean_pool", [Pure]> {
  let summary = "averages token vectors into one vector per sequence";
  let description = [{
    Averages a [batch, seq, d] tensor over the sequence, giving [batch, d].
    With an `attention_mask` ([batch, seq]) only positions where it is
    non-zero count (sentence-transformers' mean pooling).

    ```mlir
    %e = kiln.mean_pool %h mask %m
        : (tensor<1x?x384xf32>, tensor<1x?xi64>) -> tensor<1x384xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       Optional<Kiln_AttentionMaskTensor>:$attention_mask);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`mask` $attention_mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_L2NormalizeOp : Kiln_Op<"l2_normalize", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "scales vectors to unit Euclidean length";
  let description = [{
    Divides each vector along the last dimension by
    `max(sqrt(sum(x^2)), epsilon)`, as PyTorch's `F.normalize`.

    ```mlir
    %n = kiln.l2_normalize %e epsilon 1.0e-12 : tensor<1x384xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "1.0e-12">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input `epsilon` $epsilon attr-dict `:` type($input)";
}

#endif // KILN_DIALECT_KILNOPS_TD
