// RUN: kiln-opt %s --split-input-file --kiln-fuse-attention="report-refusals" -verify-diagnostics | FileCheck %s

// Each case differs semantically from kiln.attention; the pass must leave it
// alone and say why.

// A mask applied after the softmax is not attention masking.
// CHECK-LABEL: func.func @mask_after_softmax
// CHECK-NOT: kiln.attention
func.func @mask_after_softmax(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>,
                              %v: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x?xf32>
  // expected-remark @+1 {{kiln-fuse-attention: not fused: softmax result feeds 'kiln.causal_mask', not the lhs of a value product 'kiln.matmul'}}
  %p = kiln.softmax %s axis 3 : tensor<1x2x?x?xf32>
  %masked = kiln.causal_mask %p : tensor<1x2x?x?xf32>
  %o = kiln.matmul %masked, %v
      : (tensor<1x2x?x?xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  return %o : tensor<1x2x?x8xf32>
}

// -----

// A softmax over the query axis normalises the wrong way.
// CHECK-LABEL: func.func @softmax_over_queries
// CHECK-NOT: kiln.attention
func.func @softmax_over_queries(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{softmax is over axis 2, not the key axis 3}}
  %p = kiln.softmax %s axis 2 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A scale that is a run-time tensor cannot become the scale attribute.
// CHECK-LABEL: func.func @runtime_scale
// CHECK-NOT: kiln.attention
func.func @runtime_scale(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                         %v: tensor<1x2x4x8xf32>, %t: tensor<f32>) -> tensor<1x2x4x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  %scaled = kiln.mul %s, %t : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{'kiln.mul' scales the scores by a value that is not a compile-time scalar}}
  %p = kiln.softmax %scaled axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A per-element constant scale is a bias on the logits, not a scale.
// CHECK-LABEL: func.func @per_element_scale
// CHECK-NOT: kiln.attention
func.func @per_element_scale(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>,
                             %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x2xf32>
  %c = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %scaled = kiln.mul %s, %c : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  // expected-remark @+1 {{'kiln.mul' scales the scores by a value that is not a compile-time scalar}}
  %p = kiln.softmax %scaled axis 3 : tensor<1x1x2x2xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// An op between the softmax and the V product (dropout-like rescaling).
// CHECK-LABEL: func.func @op_between_softmax_and_values
// CHECK-NOT: kiln.attention
func.func @op_between_softmax_and_values(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                         %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{softmax result feeds 'kiln.scale', not the lhs of a value product 'kiln.matmul'}}
  %p = kiln.softmax %s axis 3 : tensor<1x2x4x4xf32>
  %dropped = kiln.scale %p by 1.1 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %dropped, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// K and V heads repeated by different factors do not describe one GQA
// layout.
// CHECK-LABEL: func.func @mismatched_head_repeats
// CHECK-NOT: kiln.attention
func.func @mismatched_head_repeats(%q: tensor<1x8x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                   %v: tensor<1x4x4x8xf32>) -> tensor<1x8x4x8xf32> {
  %k8 = kiln.repeat_kv %k : tensor<1x2x4x8xf32> -> tensor<1x8x4x8xf32>
  %v8 = kiln.repeat_kv %v : tensor<1x4x4x8xf32> -> tensor<1x8x4x8xf32>
  %s = kiln.matmul %q, %k8 transpose_rhs
      : (tensor<1x8x4x8xf32>, tensor<1x8x4x8xf32>) -> tensor<1x8x4x4xf32>
  // expected-remark @+1 {{key heads are repeated x4 but value heads x2}}
  %p = kiln.softmax %s axis 3 : tensor<1x8x4x4xf32>
  %o = kiln.matmul %p, %v8
      : (tensor<1x8x4x4xf32>, tensor<1x8x4x8xf32>) -> tensor<1x8x4x8xf32>
  return %o : tensor<1x8x4x8xf32>
}

// -----

// The probabilities are returned too, so they must be materialised.
// CHECK-LABEL: func.func @probabilities_used_twice
// CHECK-NOT: kiln.attention
func.func @probabilities_used_twice(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                    %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{softmax result has 2 uses, expected only the value product}}
  %p = kiln.softmax %s axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o, %p : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// An added constant with finite entries is a position bias (ALiBi-like),
// not a mask.
// CHECK-LABEL: func.func @additive_bias_not_mask
// CHECK-NOT: kiln.attention
func.func @additive_bias_not_mask(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>,
                                  %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x2xf32>
  %bias = arith.constant dense<[[0.0, -0.5], [-0.5, 0.0]]> : tensor<2x2xf32>
  %biased = kiln.add %s, %bias : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  // expected-remark @+1 {{added constant is neither a causal nor a sliding-window mask of values <= -1e4}}
  %p = kiln.softmax %biased axis 3 : tensor<1x1x2x2xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// A causal mask of -1e5 scaled by 0.01 afterwards ends at -1e3: no longer
// an exact mask.
// CHECK-LABEL: func.func @mask_weakened_by_later_scale
// CHECK-NOT: kiln.attention
func.func @mask_weakened_by_later_scale(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>,
                                        %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x2xf32>
  %mask = arith.constant dense<[[0.0, -1.0e5], [0.0, 0.0]]> : tensor<2x2xf32>
  %masked = kiln.add %s, %mask : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  %scaled = kiln.scale %masked by 0.01 : tensor<1x1x2x2xf32>
  // expected-remark @+1 {{added constant is neither a causal nor a sliding-window mask of values <= -1e4}}
  %p = kiln.softmax %scaled axis 3 : tensor<1x1x2x2xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// A negative scale after a -inf mask would turn masked scores into +inf.
// CHECK-LABEL: func.func @negative_scale_after_mask
// CHECK-NOT: kiln.attention
func.func @negative_scale_after_mask(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                     %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  %masked = kiln.causal_mask %s : tensor<1x2x4x4xf32>
  %scaled = kiln.scale %masked by -1.0 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{'kiln.causal_mask' is followed by a non-positive scaling (-1.00)}}
  %p = kiln.softmax %scaled axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// The scaled scores feed something else as well.
// CHECK-LABEL: func.func @scores_used_twice
// CHECK-NOT: kiln.attention
func.func @scores_used_twice(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                             %v: tensor<1x2x4x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  %scaled = kiln.scale %s by 0.125 : tensor<1x2x4x4xf32>
  // expected-remark @+1 {{intermediate scores have more than one use}}
  %p = kiln.softmax %scaled axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o, %scaled : tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// The scores are not Q K^T: the key operand is not transposed.
// CHECK-LABEL: func.func @not_key_transpose
// CHECK-NOT: kiln.attention
func.func @not_key_transpose(%q: tensor<1x2x4x8xf32>, %kt: tensor<1x2x8x4xf32>,
                             %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  // expected-remark @+1 {{score product does not multiply by K^T}}
  %s = kiln.matmul %q, %kt
      : (tensor<1x2x4x8xf32>, tensor<1x2x8x4xf32>) -> tensor<1x2x4x4xf32>
  %p = kiln.softmax %s axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
