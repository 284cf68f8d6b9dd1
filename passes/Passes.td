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
  let dependentDialects = ["mlir::kiln::KilnDialect"];
  let options = [
    Option<"reportRefusals", "report-refusals", "bool", /*default=*/"false",
           "Emit a remark on each softmax that was not fused, saying why "
           "(the same reasons `-debug` shows in builds with assertions)">
  ];
}

#endif // KILN_PASSES_PASSES_TD
