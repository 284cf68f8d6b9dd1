// RUN: kiln-opt %s --split-input-file --kiln-fuse-attention --canonicalize | FileCheck %s

// The chain the frontend emits: Q K^T by transpose_rhs, kiln.scale,
// kiln.causal_mask, softmax over keys, then the V product.
// CHECK-LABEL: func.func @frontend_causal
// CHECK-SAME: (%[[Q:.+]]: tensor<1x12x?x64xf32>, %[[K:.+]]: tensor<1x12x?x64xf32>, %[[V:.+]]: tensor<1x12x?x64xf32>)
// CHECK-NEXT: %[[O:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 mask causal :
// CHECK-NEXT: return %[[O]]
func.func @frontend_causal(%q: tensor<1x12x?x64xf32>, %k: tensor<1x12x?x64xf32>,
                           %v: tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x?xf32>
  %scaled = kiln.scale %s by 0.125 : tensor<1x12x?x?xf32>
  %masked = kiln.causal_mask %scaled : tensor<1x12x?x?xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x12x?x?xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x12x?x?xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32>
  return %o : tensor<1x12x?x64xf32>
}

// -----

// K^T as an explicit transpose, scaling by division by sqrt(head_dim), no
// mask (BERT without padding).
// CHECK-LABEL: func.func @divide_and_explicit_transpose
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x8x16xf32>, %[[K:.+]]: tensor<2x4x8x16xf32>, %[[V:.+]]: tensor<2x4x8x16xf32>)
// CHECK-NEXT: %[[O:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 :
// CHECK-NOT: mask
// CHECK-NEXT: return %[[O]]
func.func @divide_and_explicit_transpose(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>,
                                         %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %kt = kiln.transpose %k [0, 1, 3, 2] : tensor<2x4x8x16xf32> -> tensor<2x4x16x8xf32>
  %s = kiln.matmul %q, %kt
      : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
  %c = arith.constant dense<4.0> : tensor<f32>
  %scaled = kiln.div %s, %c : (tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = kiln.softmax %scaled axis 3 : tensor<2x4x8x8xf32>
  %o = kiln.matmul %p, %v
      : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// The scale folded into Q and K (d^-1/4 each) and a multiplication of the
// scores by a splat on the left combine into one scale: 0.5 * 0.5 * 2.
// CHECK-LABEL: func.func @scale_folded_into_q_and_k
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[K:.+]]: tensor<1x2x4x8xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>)
// CHECK-NEXT: %[[O:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 5.000000e-01 :
func.func @scale_folded_into_q_and_k(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>,
                                     %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %qs = kiln.scale %q by 0.5 : tensor<1x2x4x8xf32>
  %half = arith.constant dense<0.5> : tensor<1x2x4x8xf32>
  %ks = kiln.mul %k, %half : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %s = kiln.matmul %qs, %ks transpose_rhs
      : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32>
  %two = arith.constant dense<2.0> : tensor<1xf32>
  %scaled = kiln.mul %two, %s : (tensor<1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = kiln.softmax %scaled axis 3 : tensor<1x2x4x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}

// -----

// A padding mask after the causal mask: both end up on kiln.attention.
// CHECK-LABEL: func.func @causal_and_padding
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x?x16xf32>, %[[K:.+]]: tensor<2x4x?x16xf32>, %[[V:.+]]: tensor<2x4x?x16xf32>, %[[M:.+]]: tensor<2x?xi64>)
// CHECK-NEXT: kiln.attention %[[Q]], %[[K]], %[[V]] key_padding %[[M]] scale 2.500000e-01 mask causal :
func.func @causal_and_padding(%q: tensor<2x4x?x16xf32>, %k: tensor<2x4x?x16xf32>,
                              %v: tensor<2x4x?x16xf32>, %mask: tensor<2x?xi64>) -> tensor<2x4x?x16xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>) -> tensor<2x4x?x?xf32>
  %scaled = kiln.scale %s by 0.25 : tensor<2x4x?x?xf32>
  %causal = kiln.causal_mask %scaled : tensor<2x4x?x?xf32>
  %padded = kiln.padding_mask %causal, %mask : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  %p = kiln.softmax %padded axis 3 : tensor<2x4x?x?xf32>
  %o = kiln.matmul %p, %v
      : (tensor<2x4x?x?xf32>, tensor<2x4x?x16xf32>) -> tensor<2x4x?x16xf32>
  return %o : tensor<2x4x?x16xf32>
}

// -----

// Sliding-window masking, with the scale applied after the mask.
// CHECK-LABEL: func.func @sliding_window
// CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} scale 1.250000e-01 mask sliding_window window 256 :
func.func @sliding_window(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>,
                          %v: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x?xf32>
  %masked = kiln.sliding_window_mask %s window 256 : tensor<1x8x?x?xf32>
  %scaled = kiln.scale %masked by 0.125 : tensor<1x8x?x?xf32>
  %p = kiln.softmax %scaled axis 3 : tensor<1x8x?x?xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x8x?x?xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32>
  return %o : tensor<1x8x?x64xf32>
}

// -----

// A causal mask written as an added constant of large negative values.
// CHECK-LABEL: func.func @additive_causal_constant
// CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} scale 1.000000e+00 mask causal :
// CHECK-NOT: arith.constant
func.func @additive_causal_constant(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>,
                                    %v: tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x3xf32>
  %mask = arith.constant dense<[[0.0, -1.0e9, -1.0e9], [0.0, 0.0, -1.0e9], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %masked = kiln.add %s, %mask : (tensor<1x2x3x3xf32>, tensor<3x3xf32>) -> tensor<1x2x3x3xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x2x3x3xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x2x3x3xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

// -----

// An added constant that keeps the last two keys of each query is a sliding
// window of 2; more keys than queries puts the queries at the end.
// CHECK-LABEL: func.func @additive_window_constant_with_offset
// CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} scale 1.000000e+00 mask sliding_window window 2 :
func.func @additive_window_constant_with_offset(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x4x8xf32>,
                                                %v: tensor<1x1x4x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x2x4xf32>
  %mask = arith.constant dense<[[[[-1.0e4, 0.0, 0.0, -1.0e4], [-1.0e4, -1.0e4, 0.0, 0.0]]]]> : tensor<1x1x2x4xf32>
  %masked = kiln.add %mask, %s : (tensor<1x1x2x4xf32>, tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x1x2x4xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// A causal mask written as a select against -inf, in both operand orders.
// CHECK-LABEL: func.func @select_causal
// CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} scale 1.000000e+00 mask causal :
// CHECK-NOT: arith.select
// CHECK-LABEL: func.func @select_causal_inverted
// CHECK: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} scale 1.000000e+00 mask causal :
func.func @select_causal(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>,
                         %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x2xf32>
  %keep = arith.constant dense<[[[[true, false], [true, true]]]]> : tensor<1x1x2x2xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<1x1x2x2xf32>
  %masked = arith.select %keep, %s, %ninf : tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x1x2x2xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}
func.func @select_causal_inverted(%q: tensor<1x1x2x8xf32>, %k: tensor<1x1x2x8xf32>,
                                  %v: tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x2xf32>
  %hide = arith.constant dense<[[[[false, true], [false, false]]]]> : tensor<1x1x2x2xi1>
  %big = arith.constant dense<-3.0e38> : tensor<1x1x2x2xf32>
  %masked = arith.select %hide, %big, %s : tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x1x2x2xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x1x2x2xf32>, tensor<1x1x2x8xf32>) -> tensor<1x1x2x8xf32>
  return %o : tensor<1x1x2x8xf32>
}

// -----

// A padding mask written as the additive bias (1 - mask) * -1e9 over a
// float [batch, keys] mask reshaped to [batch, 1, 1, keys].
// CHECK-LABEL: func.func @additive_padding
// CHECK-SAME: %[[M:[^:]+]]: tensor<2x?xf32>
// CHECK-NEXT: kiln.attention %{{.+}}, %{{.+}}, %{{.+}} key_padding %[[M]] scale 1.250000e-01 :
func.func @additive_padding(%q: tensor<2x12x?x64xf32>, %k: tensor<2x12x?x64xf32>,
                            %v: tensor<2x12x?x64xf32>, %mask: tensor<2x?xf32>) -> tensor<2x12x?x64xf32> {
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<2x12x?x64xf32>, tensor<2x12x?x64xf32>) -> tensor<2x12x?x?xf32>
  %scaled = kiln.scale %s by 0.125 : tensor<2x12x?x?xf32>
  %m4 = kiln.reshape %mask : tensor<2x?xf32> -> tensor<2x1x1x?xf32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %inverted = kiln.sub %one, %m4 : (tensor<f32>, tensor<2x1x1x?xf32>) -> tensor<2x1x1x?xf32>
  %bias = kiln.scale %inverted by -1.0e9 : tensor<2x1x1x?xf32>
  %masked = kiln.add %scaled, %bias : (tensor<2x12x?x?xf32>, tensor<2x1x1x?xf32>) -> tensor<2x12x?x?xf32>
  %p = kiln.softmax %masked axis 3 : tensor<2x12x?x?xf32>
  %o = kiln.matmul %p, %v
      : (tensor<2x12x?x?xf32>, tensor<2x12x?x64xf32>) -> tensor<2x12x?x64xf32>
  return %o : tensor<2x12x?x64xf32>
}

// -----

// Grouped-query attention with repeated K/V heads: the repeats disappear
// and kiln.attention takes the 2 key/value heads directly.
// CHECK-LABEL: func.func @grouped_query
// CHECK-SAME: (%[[Q:.+]]: tensor<1x8x?x32xf32>, %[[K:.+]]: tensor<1x2x?x32xf32>, %[[V:.+]]: tensor<1x2x?x32xf32>)
// CHECK-NEXT: kiln.attention %[[Q]], %[[K]], %[[V]] scale {{.+}} mask causal : (tensor<1x8x?x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>) -> tensor<1x8x?x32xf32>
// CHECK-NOT: kiln.repeat_kv
func.func @grouped_query(%q: tensor<1x8x?x32xf32>, %k: tensor<1x2x?x32xf32>,
                         %v: tensor<1x2x?x32xf32>) -> tensor<1x8x?x32xf32> {
  %k4 = kiln.repeat_kv %k : tensor<1x2x?x32xf32> -> tensor<1x8x?x32xf32>
  %v4 = kiln.repeat_kv %v : tensor<1x2x?x32xf32> -> tensor<1x8x?x32xf32>
  %s = kiln.matmul %q, %k4 transpose_rhs
      : (tensor<1x8x?x32xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x?xf32>
  %scaled = kiln.scale %s by 0.17677669529663687 : tensor<1x8x?x?xf32>
  %masked = kiln.causal_mask %scaled : tensor<1x8x?x?xf32>
  %p = kiln.softmax %masked axis 3 : tensor<1x8x?x?xf32>
  %o = kiln.matmul %p, %v4
      : (tensor<1x8x?x?xf32>, tensor<1x8x?x32xf32>) -> tensor<1x8x?x32xf32>
  return %o : tensor<1x8x?x32xf32>
}
