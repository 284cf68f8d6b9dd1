//===- Passes.td - Graph passes of Kiln --------------------*- tablegen -*-===//
//
// The graph-level optimisations that run on the kiln dialect before code
// generation: fusions that turn unfused model graphs into the ops the
// kernels implement, and the memory plan of the forward function.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSES_TD
#define KILN_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnFuseAttentionPass
    : Pass<"kiln-fuse-attention", "mlir::func::FuncOp"> {
  let summary = "fuses Q K^T, scaling, masking, softmax and the V product "
                "into kiln.attention";
  let description = [{
    Finds each `kiln.softmax` over the last axis whose input is a chain of
    scalings and masks applied to `kiln.matmul(Q, K^T)` and whose only user
    is `kiln.matmul(softmax, V)`, and replaces the chain with one
    `kiln.attention` carrying the combined scale, the structural mask and
    the padding mask operand.

    Recognised forms:
    - K^T as `transpose_rhs` or as `kiln.transpose` of the last two dims;
    - scaling by `kiln.scale`, or `kiln.mul`/`kiln.div` by a splat constant,
      on the scores or folded into Q;
    - masks as `kiln.causal_mask`, `kiln.sliding_window_mask` and
      `kiln.padding_mask`, as the addition of a constant causal or
      sliding-window tensor of large negative values (<= -1e4), or as
      `arith.select` of a constant boolean causal or sliding-window pattern
      against a large negative splat;
    - grouped-query attention written with `kiln.repeat_kv` on both K and V
      (the repeats are dropped: `kiln.attention` maps heads itself).

    It refuses, explaining why through `notifyMatchFailure` (shown as
    remarks with `report-refusals`), when the semantics differ: a softmax
    over another axis, a mask applied after the softmax or any op between
    the softmax and the V product, a non-constant or per-element scale, a
    non-positive scale applied after a mask, masks it cannot prove to be
    causal or windowed, mismatched K and V head counts, or intermediate
    values used outside the chain.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
  let options = [
    Option<"reportRefusals", "report-refusals", "bool", /*default=*/"false",
           "Emit a remark on each softmax that was not fused, saying why "
           "(the same reasons `-debug` shows in builds with assertions)">
  ];
}

def KilnFuseEpiloguePass
    : Pass<"kiln-fuse-epilogue", "mlir::func::FuncOp"> {
  let summary = "folds a bias, an activation and a residual add into the "
                "kiln.linear before them";
  let description = [{
    Grows the epilogue of a `kiln.linear`, which computes
    `activation(x * W^T + bias) + residual`, one following op at a time:

    - `kiln.add` of a rank-1 tensor of the `out_features` size becomes the
      bias, when the linear has no bias, activation or residual yet;
    - `kiln.activation` becomes the activation, when the linear has no
      activation or residual yet;
    - `kiln.add` of a tensor of exactly the linear's result type (in either
      operand order, as in the frontend's `x + f(x)` residual connections)
      becomes the residual, when the linear has none yet.

    The fused linear takes the place of the op it absorbed, so a bias or
    residual defined after the original linear is still defined before its
    use.

    It refuses, explaining why through `notifyMatchFailure` (shown as
    remarks with `report-refusals`), when the linear result has other uses
    (it would be computed twice), when the fused form would apply the ops
    in another order (an activation after a residual, a bias after an
    activation or residual, a second bias or residual), when an add
    broadcasts to a larger or different result type, when a broadcasting
    add is not a per-output-feature bias, or when the linear and the op
    are in different blocks.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
  let options = [
    Option<"reportRefusals", "report-refusals", "bool", /*default=*/"false",
           "Emit a remark on each add or activation after a linear that was "
           "not fused, saying why">
  ];
}

def KilnFuseNormPass : Pass<"kiln-fuse-norm", "mlir::func::FuncOp"> {
  let summary = "fuses a residual add into the layer_norm or rms_norm it "
                "feeds";
  let description = [{
    Rewrites `kiln.layer_norm(kiln.add(a, b))` into
    `kiln.add_layer_norm(a, b)` and `kiln.rms_norm(kiln.add(a, b))` into
    `kiln.add_rms_norm(a, b)`. The fused op returns the sum (result #0,
    which replaces the other uses of the add: it is the next residual) and
    the normalised value (result #1, which replaces the norm). When the sum
    has no other use, result #0 is simply unused; the fusion still pays, as
    the norm no longer reads the sum back from memory.

    The fused op is created where the add was, or where the norm was when
    the norm's parameters are defined after the add; it refuses when
    neither place dominates all uses and operands.

    It also refuses, explaining why through `notifyMatchFailure` (shown as
    remarks with `report-refusals`), when the norm's input is not a
    `kiln.add`, when the add broadcasts (the fused ops add two tensors of
    one type), or when the add and the norm are in different blocks.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
  let options = [
    Option<"reportRefusals", "report-refusals", "bool", /*default=*/"false",
           "Emit a remark on each norm that was not fused, saying why">
  ];
}

def KilnSinkSlicesPass : Pass<"kiln-sink-slices", "mlir::func::FuncOp"> {
  let summary = "moves slices of rows above the ops that compute them, so "
                "that those ops compute only the kept rows";
  let description = [{
    Rewrites `kiln.slice(op(x, ...))` into `op(kiln.slice(x), ...)` when
    every row of `op`'s results along the sliced axis depends only on the
    same row of its sliced operands, and repeats from the new slices. A
    model compiled with `--output-positions=last` then runs its last
    layer's MLP, output projection and queries on the last position only.

    The ops it moves a slice above, and the operands it slices:
    - elementwise ops (`kiln.activation`, `kiln.scale`, `kiln.cast`,
      `kiln.add`, `kiln.sub`, `kiln.mul`, `kiln.div`): every operand, except
      those that broadcast along the axis;
    - `kiln.layer_norm`, `kiln.rms_norm`, `kiln.add_layer_norm`,
      `kiln.add_rms_norm` and `kiln.linear`, along any axis but the last:
      the activations (input, summands, residual), not the parameters;
    - `kiln.split_heads` and `kiln.merge_heads`, along the positions;
    - `kiln.attention`, along the queries: the query only (every key and
      value stays); with a causal or sliding-window mask only when the
      slice keeps the last queries, which the op aligns with the last keys.

    It refuses, explaining why through `notifyMatchFailure` (shown as
    remarks with `report-refusals`), when a result of the producer has any
    use other than the same slice (its other rows are still needed), when
    the slice's input is a block argument, and for every other op: those
    whose rows depend on their position (`kiln.learned_positions`,
    `kiln.rope`) or on other rows.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
  let options = [
    Option<"reportRefusals", "report-refusals", "bool", /*default=*/"false",
           "Emit a remark on each slice that stays where it is, saying why">
  ];
}

def KilnPlanMemoryPass : Pass<"kiln-plan-memory", "mlir::func::FuncOp"> {
  let summary = "assigns every intermediate tensor an offset in one arena";
  let description = [{
    Sizes every tensor the function computes for the largest inputs it
    accepts, computes its live range over the function body, and packs the
    buffers into a single arena so that tensors whose live ranges do not
    overlap share memory (greedy by decreasing size, lowest fitting offset,
    `alignment`-byte aligned).

    Dynamic dimensions are bounded through the function arguments: a
    dynamic dimension 0 of an argument is the batch (bounded by `max-batch`,
    or the module's `kiln.max_batch`), any other dynamic dimension a
    sequence length (bounded by `max-seq-len`, or the module's
    `kiln.max_seq_len`).

    Results: each op that produces tensors gets `kiln.arena_offsets`, one
    byte offset per result, -1 for a value outside the arena (arguments,
    constants and views of them); `kiln.reshape` is a view that shares its
    input's buffer. The function gets `kiln.arena_size` and
    `kiln.arena_unshared_size` (the sum of all buffers, i.e. one buffer per
    tensor) so that the saving can be reported.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
  let options = [
    Option<"maxSeqLen", "max-seq-len", "int64_t", /*default=*/"0",
           "Bound of dynamic sequence dimensions (0: the module's "
           "kiln.max_seq_len)">,
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"0",
           "Bound of a dynamic batch dimension (0: the module's "
           "kiln.max_batch)">,
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment of every buffer in bytes">
  ];
}

#endif // KILN_PASSES_PASSES_TD
