// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// Every kiln op and every variant of its custom syntax (optional operands and
// attributes present and absent, enum cases, element types, static and
// dynamic dimensions) must print back in the custom form it was parsed from,
// both directly and after a trip through the generic form.

//===----------------------------------------------------------------------===//
// Embeddings and positional encodings
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @embedding_i64_ids(
// CHECK-SAME: %[[TABLE:[^:]+]]: tensor<50257x768xf32>, %[[IDS:[^:]+]]: tensor<1x?xi64>)
// CHECK: %[[OUT:.+]] = kiln.embedding %[[TABLE]][%[[IDS]]] : tensor<50257x768xf32>, tensor<1x?xi64> -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @embedding_i64_ids(%table: tensor<50257x768xf32>,
                             %ids: tensor<1x?xi64>) -> tensor<1x?x768xf32> {
  %0 = kiln.embedding %table[%ids]
      : tensor<50257x768xf32>, tensor<1x?xi64> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @embedding_i32_ids_f16(
// CHECK-SAME: %[[TABLE:[^:]+]]: tensor<32000x4096xf16>, %[[IDS:[^:]+]]: tensor<?x?xi32>)
// CHECK: %[[OUT:.+]] = kiln.embedding %[[TABLE]][%[[IDS]]] : tensor<32000x4096xf16>, tensor<?x?xi32> -> tensor<?x?x4096xf16>
// CHECK: return %[[OUT]]
func.func @embedding_i32_ids_f16(%table: tensor<32000x4096xf16>,
                                 %ids: tensor<?x?xi32>) -> tensor<?x?x4096xf16> {
  %0 = kiln.embedding %table[%ids]
      : tensor<32000x4096xf16>, tensor<?x?xi32> -> tensor<?x?x4096xf16>
  return %0 : tensor<?x?x4096xf16>
}

// CHECK-LABEL: func.func @embedding_static_rank1_ids_bf16(
// CHECK-SAME: %[[TABLE:[^:]+]]: tensor<100x16xbf16>, %[[IDS:[^:]+]]: tensor<8xi64>)
// CHECK: %[[OUT:.+]] = kiln.embedding %[[TABLE]][%[[IDS]]] : tensor<100x16xbf16>, tensor<8xi64> -> tensor<8x16xbf16>
// CHECK: return %[[OUT]]
func.func @embedding_static_rank1_ids_bf16(%table: tensor<100x16xbf16>,
                                           %ids: tensor<8xi64>)
    -> tensor<8x16xbf16> {
  %0 = kiln.embedding %table[%ids]
      : tensor<100x16xbf16>, tensor<8xi64> -> tensor<8x16xbf16>
  return %0 : tensor<8x16xbf16>
}

// CHECK-LABEL: func.func @learned_positions_dynamic_seq(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[WPE:[^:]+]]: tensor<1024x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.learned_positions %[[X]], %[[WPE]] : tensor<1x?x768xf32>, tensor<1024x768xf32>
// CHECK: return %[[OUT]]
func.func @learned_positions_dynamic_seq(%x: tensor<1x?x768xf32>,
                                         %wpe: tensor<1024x768xf32>)
    -> tensor<1x?x768xf32> {
  %0 = kiln.learned_positions %x, %wpe
      : tensor<1x?x768xf32>, tensor<1024x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @learned_positions_counting_tokens(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x?x768xf32>, %[[TABLE:[^:]+]]: tensor<514x768xf32>, %[[IDS:[^:]+]]: tensor<2x?xi64>)
// CHECK: %[[OUT:.+]] = kiln.learned_positions %[[X]], %[[TABLE]] ids %[[IDS]] padding_idx 1 : tensor<2x?x768xf32>, tensor<514x768xf32>, tensor<2x?xi64>
// CHECK: return %[[OUT]]
func.func @learned_positions_counting_tokens(%x: tensor<2x?x768xf32>,
                                             %table: tensor<514x768xf32>,
                                             %ids: tensor<2x?xi64>)
    -> tensor<2x?x768xf32> {
  %0 = kiln.learned_positions %x, %table ids %ids padding_idx 1
      : tensor<2x?x768xf32>, tensor<514x768xf32>, tensor<2x?xi64>
  return %0 : tensor<2x?x768xf32>
}

// CHECK-LABEL: func.func @learned_positions_static_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x16x64xf16>, %[[WPE:[^:]+]]: tensor<16x64xf16>)
// CHECK: %[[OUT:.+]] = kiln.learned_positions %[[X]], %[[WPE]] : tensor<2x16x64xf16>, tensor<16x64xf16>
// CHECK: return %[[OUT]]
func.func @learned_positions_static_f16(%x: tensor<2x16x64xf16>,
                                        %wpe: tensor<16x64xf16>)
    -> tensor<2x16x64xf16> {
  %0 = kiln.learned_positions %x, %wpe : tensor<2x16x64xf16>, tensor<16x64xf16>
  return %0 : tensor<2x16x64xf16>
}

// CHECK-LABEL: func.func @sinusoidal_positions(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x512xf32>)
// CHECK: %[[OUT:.+]] = kiln.sinusoidal_positions %[[X]] base 1.000000e+04 : tensor<1x?x512xf32>
// CHECK: return %[[OUT]]
func.func @sinusoidal_positions(%x: tensor<1x?x512xf32>)
    -> tensor<1x?x512xf32> {
  %0 = kiln.sinusoidal_positions %x base 10000.0 : tensor<1x?x512xf32>
  return %0 : tensor<1x?x512xf32>
}

// CHECK-LABEL: func.func @sinusoidal_positions_custom_base_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x8x64xbf16>)
// CHECK: %[[OUT:.+]] = kiln.sinusoidal_positions %[[X]] base 5.000000e+02 : tensor<?x8x64xbf16>
// CHECK: return %[[OUT]]
func.func @sinusoidal_positions_custom_base_bf16(%x: tensor<?x8x64xbf16>)
    -> tensor<?x8x64xbf16> {
  %0 = kiln.sinusoidal_positions %x base 500.0 : tensor<?x8x64xbf16>
  return %0 : tensor<?x8x64xbf16>
}

// CHECK-LABEL: func.func @rope_half(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x32x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 5.000000e+05 style half : tensor<1x32x?x64xf32>
// CHECK: return %[[OUT]]
func.func @rope_half(%q: tensor<1x32x?x64xf32>) -> tensor<1x32x?x64xf32> {
  %0 = kiln.rope %q theta 500000.0 style half : tensor<1x32x?x64xf32>
  return %0 : tensor<1x32x?x64xf32>
}

// CHECK-LABEL: func.func @rope_llama3_scaling(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x8x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 5.000000e+05 style half scaling llama3 factor 3.200000e+01 low_freq_factor 1.000000e+00 high_freq_factor 4.000000e+00 original_max_positions 8192 : tensor<1x8x?x64xf32>
// CHECK: return %[[OUT]]
func.func @rope_llama3_scaling(%q: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %0 = kiln.rope %q theta 500000.0 style half scaling llama3 factor 32.0
      low_freq_factor 1.0 high_freq_factor 4.0 original_max_positions 8192
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// CHECK-LABEL: func.func @rope_linear_scaling(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x8x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 1.000000e+04 style interleaved rotary_dim 32 scaling linear factor 4.000000e+00 : tensor<1x8x?x64xf32>
// CHECK: return %[[OUT]]
func.func @rope_linear_scaling(%q: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %0 = kiln.rope %q theta 10000.0 style interleaved rotary_dim 32
      scaling linear factor 4.0 : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// CHECK-LABEL: func.func @rope_interleaved_partial_f16(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x16x?x256xf16>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 1.000000e+04 style interleaved rotary_dim 64 : tensor<1x16x?x256xf16>
// CHECK: return %[[OUT]]
func.func @rope_interleaved_partial_f16(%q: tensor<1x16x?x256xf16>)
    -> tensor<1x16x?x256xf16> {
  %0 = kiln.rope %q theta 10000.0 style interleaved rotary_dim 64
      : tensor<1x16x?x256xf16>
  return %0 : tensor<1x16x?x256xf16>
}

// CHECK-LABEL: func.func @rope_half_partial_dynamic_head_bf16(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x8x?x?xbf16>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 1.000000e+04 style half rotary_dim 32 : tensor<?x8x?x?xbf16>
// CHECK: return %[[OUT]]
func.func @rope_half_partial_dynamic_head_bf16(%q: tensor<?x8x?x?xbf16>)
    -> tensor<?x8x?x?xbf16> {
  %0 = kiln.rope %q theta 10000.0 style half rotary_dim 32
      : tensor<?x8x?x?xbf16>
  return %0 : tensor<?x8x?x?xbf16>
}

// CHECK-LABEL: func.func @rope_interleaved(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x10x8xf32>)
// CHECK: %[[OUT:.+]] = kiln.rope %[[Q]] theta 1.000000e+04 style interleaved : tensor<2x4x10x8xf32>
// CHECK: return %[[OUT]]
func.func @rope_interleaved(%q: tensor<2x4x10x8xf32>) -> tensor<2x4x10x8xf32> {
  %0 = kiln.rope %q theta 10000.0 style interleaved : tensor<2x4x10x8xf32>
  return %0 : tensor<2x4x10x8xf32>
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear_no_bias(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[W:[^:]+]]: tensor<768x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] : (tensor<1x?x768xf32>, tensor<768x768xf32>) -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @linear_no_bias(%x: tensor<1x?x768xf32>, %w: tensor<768x768xf32>)
    -> tensor<1x?x768xf32> {
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf32>, tensor<768x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @linear_bias(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[W:[^:]+]]: tensor<2304x768xf32>, %[[B:[^:]+]]: tensor<2304xf32>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] : (tensor<1x?x768xf32>, tensor<2304x768xf32>, tensor<2304xf32>) -> tensor<1x?x2304xf32>
// CHECK: return %[[OUT]]
func.func @linear_bias(%x: tensor<1x?x768xf32>, %w: tensor<2304x768xf32>,
                       %b: tensor<2304xf32>) -> tensor<1x?x2304xf32> {
  %0 = kiln.linear %x, %w bias %b
      : (tensor<1x?x768xf32>, tensor<2304x768xf32>, tensor<2304xf32>)
      -> tensor<1x?x2304xf32>
  return %0 : tensor<1x?x2304xf32>
}

// CHECK-LABEL: func.func @linear_bias_activation(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[W:[^:]+]]: tensor<3072x768xf32>, %[[B:[^:]+]]: tensor<3072xf32>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] activation gelu_tanh : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<1x?x3072xf32>
// CHECK: return %[[OUT]]
func.func @linear_bias_activation(%x: tensor<1x?x768xf32>,
                                  %w: tensor<3072x768xf32>,
                                  %b: tensor<3072xf32>)
    -> tensor<1x?x3072xf32> {
  %0 = kiln.linear %x, %w bias %b activation gelu_tanh
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
      -> tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// CHECK-LABEL: func.func @linear_full_epilogue(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x3072xf32>, %[[W:[^:]+]]: tensor<768x3072xf32>, %[[B:[^:]+]]: tensor<768xf32>, %[[R:[^:]+]]: tensor<1x?x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] activation silu residual %[[R]] : (tensor<1x?x3072xf32>, tensor<768x3072xf32>, tensor<768xf32>, tensor<1x?x768xf32>) -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @linear_full_epilogue(%x: tensor<1x?x3072xf32>,
                                %w: tensor<768x3072xf32>, %b: tensor<768xf32>,
                                %r: tensor<1x?x768xf32>)
    -> tensor<1x?x768xf32> {
  %0 = kiln.linear %x, %w bias %b activation silu residual %r
      : (tensor<1x?x3072xf32>, tensor<768x3072xf32>, tensor<768xf32>,
         tensor<1x?x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @linear_residual_only_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x64xbf16>, %[[W:[^:]+]]: tensor<32x64xbf16>, %[[R:[^:]+]]: tensor<?x?x32xbf16>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] residual %[[R]] : (tensor<?x?x64xbf16>, tensor<32x64xbf16>, tensor<?x?x32xbf16>) -> tensor<?x?x32xbf16>
// CHECK: return %[[OUT]]
func.func @linear_residual_only_bf16(%x: tensor<?x?x64xbf16>,
                                     %w: tensor<32x64xbf16>,
                                     %r: tensor<?x?x32xbf16>)
    -> tensor<?x?x32xbf16> {
  %0 = kiln.linear %x, %w residual %r
      : (tensor<?x?x64xbf16>, tensor<32x64xbf16>, tensor<?x?x32xbf16>)
      -> tensor<?x?x32xbf16>
  return %0 : tensor<?x?x32xbf16>
}

// CHECK-LABEL: func.func @linear_activation_only_rank2_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<8x16xf16>, %[[W:[^:]+]]: tensor<4x16xf16>)
// CHECK: %[[OUT:.+]] = kiln.linear %[[X]], %[[W]] activation relu : (tensor<8x16xf16>, tensor<4x16xf16>) -> tensor<8x4xf16>
// CHECK: return %[[OUT]]
func.func @linear_activation_only_rank2_f16(%x: tensor<8x16xf16>,
                                            %w: tensor<4x16xf16>)
    -> tensor<8x4xf16> {
  %0 = kiln.linear %x, %w activation relu
      : (tensor<8x16xf16>, tensor<4x16xf16>) -> tensor<8x4xf16>
  return %0 : tensor<8x4xf16>
}

// CHECK-LABEL: func.func @matmul_rank2(
// CHECK-SAME: %[[A:[^:]+]]: tensor<4x8xf32>, %[[B:[^:]+]]: tensor<8x16xf32>)
// CHECK: %[[OUT:.+]] = kiln.matmul %[[A]], %[[B]] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK: return %[[OUT]]
func.func @matmul_rank2(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>)
    -> tensor<4x16xf32> {
  %0 = kiln.matmul %a, %b
      : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_rhs(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x12x?x64xf32>, %[[K:[^:]+]]: tensor<1x12x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.matmul %[[Q]], %[[K]] transpose_rhs : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x?xf32>
// CHECK: return %[[OUT]]
func.func @matmul_transpose_rhs(%q: tensor<1x12x?x64xf32>,
                                %k: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x?xf32> {
  %0 = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_lhs(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x8x4xf32>, %[[B:[^:]+]]: tensor<2x8x16xf32>)
// CHECK: %[[OUT:.+]] = kiln.matmul %[[A]], %[[B]] transpose_lhs : (tensor<2x8x4xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
// CHECK: return %[[OUT]]
func.func @matmul_transpose_lhs(%a: tensor<2x8x4xf32>, %b: tensor<2x8x16xf32>)
    -> tensor<2x4x16xf32> {
  %0 = kiln.matmul %a, %b transpose_lhs
      : (tensor<2x8x4xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// CHECK-LABEL: func.func @matmul_transpose_both_f16(
// CHECK-SAME: %[[A:[^:]+]]: tensor<8x4xf16>, %[[B:[^:]+]]: tensor<16x8xf16>)
// CHECK: %[[OUT:.+]] = kiln.matmul %[[A]], %[[B]] transpose_lhs transpose_rhs : (tensor<8x4xf16>, tensor<16x8xf16>) -> tensor<4x16xf16>
// CHECK: return %[[OUT]]
func.func @matmul_transpose_both_f16(%a: tensor<8x4xf16>, %b: tensor<16x8xf16>)
    -> tensor<4x16xf16> {
  %0 = kiln.matmul %a, %b transpose_lhs transpose_rhs
      : (tensor<8x4xf16>, tensor<16x8xf16>) -> tensor<4x16xf16>
  return %0 : tensor<4x16xf16>
}

// CHECK-LABEL: func.func @matmul_dynamic_batch_bf16(
// CHECK-SAME: %[[P:[^:]+]]: tensor<?x12x?x?xbf16>, %[[V:[^:]+]]: tensor<?x12x?x64xbf16>)
// CHECK: %[[OUT:.+]] = kiln.matmul %[[P]], %[[V]] : (tensor<?x12x?x?xbf16>, tensor<?x12x?x64xbf16>) -> tensor<?x12x?x64xbf16>
// CHECK: return %[[OUT]]
func.func @matmul_dynamic_batch_bf16(%p: tensor<?x12x?x?xbf16>,
                                     %v: tensor<?x12x?x64xbf16>)
    -> tensor<?x12x?x64xbf16> {
  %0 = kiln.matmul %p, %v
      : (tensor<?x12x?x?xbf16>, tensor<?x12x?x64xbf16>)
      -> tensor<?x12x?x64xbf16>
  return %0 : tensor<?x12x?x64xbf16>
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_broadcast_heads(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x12x?x?xf32>, %[[M:[^:]+]]: tensor<1x1x?x?xf32>)
// CHECK: %[[OUT:.+]] = kiln.add %[[S]], %[[M]] : (tensor<1x12x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x12x?x?xf32>
// CHECK: return %[[OUT]]
func.func @add_broadcast_heads(%s: tensor<1x12x?x?xf32>,
                               %m: tensor<1x1x?x?xf32>)
    -> tensor<1x12x?x?xf32> {
  %0 = kiln.add %s, %m
      : (tensor<1x12x?x?xf32>, tensor<1x1x?x?xf32>) -> tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @sub_same_shape_f16(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf16>, %[[B:[^:]+]]: tensor<2x3xf16>)
// CHECK: %[[OUT:.+]] = kiln.sub %[[A]], %[[B]] : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
// CHECK: return %[[OUT]]
func.func @sub_same_shape_f16(%a: tensor<2x3xf16>, %b: tensor<2x3xf16>)
    -> tensor<2x3xf16> {
  %0 = kiln.sub %a, %b
      : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// CHECK-LABEL: func.func @mul_lower_rank_bf16(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3x4xbf16>, %[[B:[^:]+]]: tensor<4xbf16>)
// CHECK: %[[OUT:.+]] = kiln.mul %[[A]], %[[B]] : (tensor<2x3x4xbf16>, tensor<4xbf16>) -> tensor<2x3x4xbf16>
// CHECK: return %[[OUT]]
func.func @mul_lower_rank_bf16(%a: tensor<2x3x4xbf16>, %b: tensor<4xbf16>)
    -> tensor<2x3x4xbf16> {
  %0 = kiln.mul %a, %b
      : (tensor<2x3x4xbf16>, tensor<4xbf16>) -> tensor<2x3x4xbf16>
  return %0 : tensor<2x3x4xbf16>
}

// CHECK-LABEL: func.func @div_broadcast_both(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x1xf32>, %[[B:[^:]+]]: tensor<1x8xf32>)
// CHECK: %[[OUT:.+]] = kiln.div %[[A]], %[[B]] : (tensor<?x1xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
// CHECK: return %[[OUT]]
func.func @div_broadcast_both(%a: tensor<?x1xf32>, %b: tensor<1x8xf32>)
    -> tensor<?x8xf32> {
  %0 = kiln.div %a, %b : (tensor<?x1xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x12x?x?xf32>)
// CHECK: %[[OUT:.+]] = kiln.scale %[[S]] by 1.250000e-01 : tensor<1x12x?x?xf32>
// CHECK: return %[[OUT]]
func.func @scale(%s: tensor<1x12x?x?xf32>) -> tensor<1x12x?x?xf32> {
  %0 = kiln.scale %s by 0.125 : tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @activation_relu(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x3072xf32>)
// CHECK: %[[OUT:.+]] = kiln.activation relu %[[X]] : tensor<1x?x3072xf32>
// CHECK: return %[[OUT]]
func.func @activation_relu(%x: tensor<1x?x3072xf32>) -> tensor<1x?x3072xf32> {
  %0 = kiln.activation relu %x : tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// CHECK-LABEL: func.func @activation_gelu_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x8xf16>)
// CHECK: %[[OUT:.+]] = kiln.activation gelu %[[X]] : tensor<4x8xf16>
// CHECK: return %[[OUT]]
func.func @activation_gelu_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = kiln.activation gelu %x : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// CHECK-LABEL: func.func @activation_gelu_tanh(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x3072xf32>)
// CHECK: %[[OUT:.+]] = kiln.activation gelu_tanh %[[X]] : tensor<1x?x3072xf32>
// CHECK: return %[[OUT]]
func.func @activation_gelu_tanh(%x: tensor<1x?x3072xf32>)
    -> tensor<1x?x3072xf32> {
  %0 = kiln.activation gelu_tanh %x : tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// CHECK-LABEL: func.func @activation_silu_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x11008xbf16>)
// CHECK: %[[OUT:.+]] = kiln.activation silu %[[X]] : tensor<?x?x11008xbf16>
// CHECK: return %[[OUT]]
func.func @activation_silu_bf16(%x: tensor<?x?x11008xbf16>)
    -> tensor<?x?x11008xbf16> {
  %0 = kiln.activation silu %x : tensor<?x?x11008xbf16>
  return %0 : tensor<?x?x11008xbf16>
}

// CHECK-LABEL: func.func @activation_tanh(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x384xf32>)
// CHECK: %[[OUT:.+]] = kiln.activation tanh %[[X]] : tensor<1x384xf32>
// CHECK: return %[[OUT]]
func.func @activation_tanh(%x: tensor<1x384xf32>) -> tensor<1x384xf32> {
  %0 = kiln.activation tanh %x : tensor<1x384xf32>
  return %0 : tensor<1x384xf32>
}

// CHECK-LABEL: func.func @cast_bf16_to_f32(
// CHECK-SAME: %[[W:[^:]+]]: tensor<768x768xbf16>)
// CHECK: %[[OUT:.+]] = kiln.cast %[[W]] : tensor<768x768xbf16> -> tensor<768x768xf32>
// CHECK: return %[[OUT]]
func.func @cast_bf16_to_f32(%w: tensor<768x768xbf16>) -> tensor<768x768xf32> {
  %0 = kiln.cast %w : tensor<768x768xbf16> -> tensor<768x768xf32>
  return %0 : tensor<768x768xf32>
}

// CHECK-LABEL: func.func @cast_f32_to_f16_dynamic(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.cast %[[X]] : tensor<1x?x768xf32> -> tensor<1x?x768xf16>
// CHECK: return %[[OUT]]
func.func @cast_f32_to_f16_dynamic(%x: tensor<1x?x768xf32>)
    -> tensor<1x?x768xf16> {
  %0 = kiln.cast %x : tensor<1x?x768xf32> -> tensor<1x?x768xf16>
  return %0 : tensor<1x?x768xf16>
}

//===----------------------------------------------------------------------===//
// Normalisation and softmax
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @layer_norm_with_beta(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[G:[^:]+]]: tensor<768xf32>, %[[B:[^:]+]]: tensor<768xf32>)
// CHECK: %[[OUT:.+]] = kiln.layer_norm %[[X]], %[[G]], %[[B]] epsilon 1.000000e-05 : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @layer_norm_with_beta(%x: tensor<1x?x768xf32>,
                                %gamma: tensor<768xf32>,
                                %beta: tensor<768xf32>)
    -> tensor<1x?x768xf32> {
  %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>)
      -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @layer_norm_without_beta_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x64xf16>, %[[G:[^:]+]]: tensor<64xf16>)
// CHECK: %[[OUT:.+]] = kiln.layer_norm %[[X]], %[[G]] epsilon 1.000000e-05 : (tensor<4x64xf16>, tensor<64xf16>) -> tensor<4x64xf16>
// CHECK: return %[[OUT]]
func.func @layer_norm_without_beta_f16(%x: tensor<4x64xf16>,
                                       %gamma: tensor<64xf16>)
    -> tensor<4x64xf16> {
  %0 = kiln.layer_norm %x, %gamma epsilon 1.0e-05
      : (tensor<4x64xf16>, tensor<64xf16>) -> tensor<4x64xf16>
  return %0 : tensor<4x64xf16>
}

// CHECK-LABEL: func.func @rms_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x4096xf32>, %[[G:[^:]+]]: tensor<4096xf32>)
// CHECK: %[[OUT:.+]] = kiln.rms_norm %[[X]], %[[G]] epsilon 9.9999999999999995E-7 : (tensor<1x?x4096xf32>, tensor<4096xf32>) -> tensor<1x?x4096xf32>
// CHECK: return %[[OUT]]
func.func @rms_norm(%x: tensor<1x?x4096xf32>, %gamma: tensor<4096xf32>)
    -> tensor<1x?x4096xf32> {
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<4096xf32>) -> tensor<1x?x4096xf32>
  return %0 : tensor<1x?x4096xf32>
}

// CHECK-LABEL: func.func @rms_norm_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x?x2048xbf16>, %[[G:[^:]+]]: tensor<2048xbf16>)
// CHECK: %[[OUT:.+]] = kiln.rms_norm %[[X]], %[[G]] epsilon 1.000000e-05 : (tensor<?x?x2048xbf16>, tensor<2048xbf16>) -> tensor<?x?x2048xbf16>
// CHECK: return %[[OUT]]
func.func @rms_norm_bf16(%x: tensor<?x?x2048xbf16>, %gamma: tensor<2048xbf16>)
    -> tensor<?x?x2048xbf16> {
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-05
      : (tensor<?x?x2048xbf16>, tensor<2048xbf16>) -> tensor<?x?x2048xbf16>
  return %0 : tensor<?x?x2048xbf16>
}

// Gemma: the scales are offsets from gamma_offset.
// CHECK-LABEL: func.func @rms_norm_gamma_offset(
// CHECK: kiln.rms_norm %{{.+}}, %{{.+}} epsilon 9.9999999999999995E-7 gamma_offset 1.000000e+00 : (tensor<1x?x2048xf32>, tensor<2048xf32>) -> tensor<1x?x2048xf32>
func.func @rms_norm_gamma_offset(%x: tensor<1x?x2048xf32>,
                                 %gamma: tensor<2048xf32>)
    -> tensor<1x?x2048xf32> {
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06 gamma_offset 1.0
      : (tensor<1x?x2048xf32>, tensor<2048xf32>) -> tensor<1x?x2048xf32>
  return %0 : tensor<1x?x2048xf32>
}

// CHECK-LABEL: func.func @add_layer_norm_with_beta(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>, %[[R:[^:]+]]: tensor<1x?x768xf32>, %[[G:[^:]+]]: tensor<768xf32>, %[[B:[^:]+]]: tensor<768xf32>)
// CHECK: %[[SUM:[^,]+]], %[[OUT:[^ ]+]] = kiln.add_layer_norm %[[X]], %[[R]], %[[G]], %[[B]] epsilon 1.000000e-05 : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>) -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
// CHECK: return %[[SUM]], %[[OUT]]
func.func @add_layer_norm_with_beta(%x: tensor<1x?x768xf32>,
                                    %r: tensor<1x?x768xf32>,
                                    %gamma: tensor<768xf32>,
                                    %beta: tensor<768xf32>)
    -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>) {
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>,
         tensor<768xf32>) -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
  return %sum, %y : tensor<1x?x768xf32>, tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @add_layer_norm_without_beta_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x8x32xf16>, %[[R:[^:]+]]: tensor<2x8x32xf16>, %[[G:[^:]+]]: tensor<32xf16>)
// CHECK: %[[SUM:[^,]+]], %[[OUT:[^ ]+]] = kiln.add_layer_norm %[[X]], %[[R]], %[[G]] epsilon 1.000000e-05 : (tensor<2x8x32xf16>, tensor<2x8x32xf16>, tensor<32xf16>) -> (tensor<2x8x32xf16>, tensor<2x8x32xf16>)
// CHECK: return %[[SUM]], %[[OUT]]
func.func @add_layer_norm_without_beta_f16(%x: tensor<2x8x32xf16>,
                                           %r: tensor<2x8x32xf16>,
                                           %gamma: tensor<32xf16>)
    -> (tensor<2x8x32xf16>, tensor<2x8x32xf16>) {
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma epsilon 1.0e-05
      : (tensor<2x8x32xf16>, tensor<2x8x32xf16>, tensor<32xf16>)
      -> (tensor<2x8x32xf16>, tensor<2x8x32xf16>)
  return %sum, %y : tensor<2x8x32xf16>, tensor<2x8x32xf16>
}

// CHECK-LABEL: func.func @add_rms_norm(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x4096xf32>, %[[R:[^:]+]]: tensor<1x?x4096xf32>, %[[G:[^:]+]]: tensor<4096xf32>)
// CHECK: %[[SUM:[^,]+]], %[[OUT:[^ ]+]] = kiln.add_rms_norm %[[X]], %[[R]], %[[G]] epsilon 9.9999999999999995E-7 : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<4096xf32>) -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
// CHECK: return %[[SUM]], %[[OUT]]
func.func @add_rms_norm(%x: tensor<1x?x4096xf32>, %r: tensor<1x?x4096xf32>,
                        %gamma: tensor<4096xf32>)
    -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>) {
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<4096xf32>)
      -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
  return %sum, %y : tensor<1x?x4096xf32>, tensor<1x?x4096xf32>
}

// CHECK-LABEL: func.func @add_rms_norm_gamma_offset(
// CHECK: kiln.add_rms_norm %{{.+}}, %{{.+}}, %{{.+}} epsilon 9.9999999999999995E-7 gamma_offset 1.000000e+00 : (tensor<1x?x2048xf32>, tensor<1x?x2048xf32>, tensor<2048xf32>) -> (tensor<1x?x2048xf32>, tensor<1x?x2048xf32>)
func.func @add_rms_norm_gamma_offset(%x: tensor<1x?x2048xf32>,
                                     %r: tensor<1x?x2048xf32>,
                                     %gamma: tensor<2048xf32>)
    -> (tensor<1x?x2048xf32>, tensor<1x?x2048xf32>) {
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      gamma_offset 1.0
      : (tensor<1x?x2048xf32>, tensor<1x?x2048xf32>, tensor<2048xf32>)
      -> (tensor<1x?x2048xf32>, tensor<1x?x2048xf32>)
  return %sum, %y : tensor<1x?x2048xf32>, tensor<1x?x2048xf32>
}

// CHECK-LABEL: func.func @softmax_last_axis(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x12x?x?xf32>)
// CHECK: %[[OUT:.+]] = kiln.softmax %[[S]] axis 3 : tensor<1x12x?x?xf32>
// CHECK: return %[[OUT]]
func.func @softmax_last_axis(%s: tensor<1x12x?x?xf32>)
    -> tensor<1x12x?x?xf32> {
  %0 = kiln.softmax %s axis 3 : tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @softmax_first_axis_f16(
// CHECK-SAME: %[[S:[^:]+]]: tensor<5x7xf16>)
// CHECK: %[[OUT:.+]] = kiln.softmax %[[S]] axis 0 : tensor<5x7xf16>
// CHECK: return %[[OUT]]
func.func @softmax_first_axis_f16(%s: tensor<5x7xf16>) -> tensor<5x7xf16> {
  %0 = kiln.softmax %s axis 0 : tensor<5x7xf16>
  return %0 : tensor<5x7xf16>
}

//===----------------------------------------------------------------------===//
// Attention masks
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @causal_mask(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x12x?x?xf32>)
// CHECK: %[[OUT:.+]] = kiln.causal_mask %[[S]] : tensor<1x12x?x?xf32>
// CHECK: return %[[OUT]]
func.func @causal_mask(%s: tensor<1x12x?x?xf32>) -> tensor<1x12x?x?xf32> {
  %0 = kiln.causal_mask %s : tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @causal_mask_rank2_static_bf16(
// CHECK-SAME: %[[S:[^:]+]]: tensor<4x6xbf16>)
// CHECK: %[[OUT:.+]] = kiln.causal_mask %[[S]] : tensor<4x6xbf16>
// CHECK: return %[[OUT]]
func.func @causal_mask_rank2_static_bf16(%s: tensor<4x6xbf16>)
    -> tensor<4x6xbf16> {
  %0 = kiln.causal_mask %s : tensor<4x6xbf16>
  return %0 : tensor<4x6xbf16>
}

// CHECK-LABEL: func.func @sliding_window_mask(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x32x?x?xf16>)
// CHECK: %[[OUT:.+]] = kiln.sliding_window_mask %[[S]] window 4096 : tensor<1x32x?x?xf16>
// CHECK: return %[[OUT]]
func.func @sliding_window_mask(%s: tensor<1x32x?x?xf16>)
    -> tensor<1x32x?x?xf16> {
  %0 = kiln.sliding_window_mask %s window 4096 : tensor<1x32x?x?xf16>
  return %0 : tensor<1x32x?x?xf16>
}

// CHECK-LABEL: func.func @padding_mask_i64(
// CHECK-SAME: %[[S:[^:]+]]: tensor<1x12x?x?xf32>, %[[M:[^:]+]]: tensor<1x?xi64>)
// CHECK: %[[OUT:.+]] = kiln.padding_mask %[[S]], %[[M]] : tensor<1x12x?x?xf32>, tensor<1x?xi64>
// CHECK: return %[[OUT]]
func.func @padding_mask_i64(%s: tensor<1x12x?x?xf32>, %mask: tensor<1x?xi64>)
    -> tensor<1x12x?x?xf32> {
  %0 = kiln.padding_mask %s, %mask : tensor<1x12x?x?xf32>, tensor<1x?xi64>
  return %0 : tensor<1x12x?x?xf32>
}

// CHECK-LABEL: func.func @padding_mask_i32_static(
// CHECK-SAME: %[[S:[^:]+]]: tensor<2x4x8x8xf32>, %[[M:[^:]+]]: tensor<2x8xi32>)
// CHECK: %[[OUT:.+]] = kiln.padding_mask %[[S]], %[[M]] : tensor<2x4x8x8xf32>, tensor<2x8xi32>
// CHECK: return %[[OUT]]
func.func @padding_mask_i32_static(%s: tensor<2x4x8x8xf32>,
                                   %mask: tensor<2x8xi32>)
    -> tensor<2x4x8x8xf32> {
  %0 = kiln.padding_mask %s, %mask : tensor<2x4x8x8xf32>, tensor<2x8xi32>
  return %0 : tensor<2x4x8x8xf32>
}

// CHECK-LABEL: func.func @padding_mask_i1_bf16(
// CHECK-SAME: %[[S:[^:]+]]: tensor<?x8x?x?xbf16>, %[[M:[^:]+]]: tensor<?x?xi1>)
// CHECK: %[[OUT:.+]] = kiln.padding_mask %[[S]], %[[M]] : tensor<?x8x?x?xbf16>, tensor<?x?xi1>
// CHECK: return %[[OUT]]
func.func @padding_mask_i1_bf16(%s: tensor<?x8x?x?xbf16>,
                                %mask: tensor<?x?xi1>)
    -> tensor<?x8x?x?xbf16> {
  %0 = kiln.padding_mask %s, %mask : tensor<?x8x?x?xbf16>, tensor<?x?xi1>
  return %0 : tensor<?x8x?x?xbf16>
}

//===----------------------------------------------------------------------===//
// Layout: heads, transposes and reshapes
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @split_heads(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.split_heads %[[X]] : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
// CHECK: return %[[OUT]]
func.func @split_heads(%x: tensor<1x?x768xf32>) -> tensor<1x12x?x64xf32> {
  %0 = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// CHECK-LABEL: func.func @split_heads_static_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x5x32xf16>)
// CHECK: %[[OUT:.+]] = kiln.split_heads %[[X]] : tensor<2x5x32xf16> -> tensor<2x4x5x8xf16>
// CHECK: return %[[OUT]]
func.func @split_heads_static_f16(%x: tensor<2x5x32xf16>)
    -> tensor<2x4x5x8xf16> {
  %0 = kiln.split_heads %x : tensor<2x5x32xf16> -> tensor<2x4x5x8xf16>
  return %0 : tensor<2x4x5x8xf16>
}

// CHECK-LABEL: func.func @merge_heads(
// CHECK-SAME: %[[O:[^:]+]]: tensor<1x12x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.merge_heads %[[O]] : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @merge_heads(%o: tensor<1x12x?x64xf32>) -> tensor<1x?x768xf32> {
  %0 = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @merge_heads_dynamic_width_bf16(
// CHECK-SAME: %[[O:[^:]+]]: tensor<?x8x?x16xbf16>)
// CHECK: %[[OUT:.+]] = kiln.merge_heads %[[O]] : tensor<?x8x?x16xbf16> -> tensor<?x?x?xbf16>
// CHECK: return %[[OUT]]
func.func @merge_heads_dynamic_width_bf16(%o: tensor<?x8x?x16xbf16>)
    -> tensor<?x?x?xbf16> {
  %0 = kiln.merge_heads %o : tensor<?x8x?x16xbf16> -> tensor<?x?x?xbf16>
  return %0 : tensor<?x?x?xbf16>
}

// CHECK-LABEL: func.func @repeat_kv_gqa(
// CHECK-SAME: %[[K:[^:]+]]: tensor<1x8x?x128xf32>)
// CHECK: %[[OUT:.+]] = kiln.repeat_kv %[[K]] : tensor<1x8x?x128xf32> -> tensor<1x32x?x128xf32>
// CHECK: return %[[OUT]]
func.func @repeat_kv_gqa(%k: tensor<1x8x?x128xf32>) -> tensor<1x32x?x128xf32> {
  %0 = kiln.repeat_kv %k : tensor<1x8x?x128xf32> -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// CHECK-LABEL: func.func @repeat_kv_mqa_f16(
// CHECK-SAME: %[[K:[^:]+]]: tensor<2x1x16x64xf16>)
// CHECK: %[[OUT:.+]] = kiln.repeat_kv %[[K]] : tensor<2x1x16x64xf16> -> tensor<2x12x16x64xf16>
// CHECK: return %[[OUT]]
func.func @repeat_kv_mqa_f16(%k: tensor<2x1x16x64xf16>)
    -> tensor<2x12x16x64xf16> {
  %0 = kiln.repeat_kv %k : tensor<2x1x16x64xf16> -> tensor<2x12x16x64xf16>
  return %0 : tensor<2x12x16x64xf16>
}

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x12x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.transpose %[[X]] [0, 2, 1, 3] : tensor<1x?x12x64xf32> -> tensor<1x12x?x64xf32>
// CHECK: return %[[OUT]]
func.func @transpose(%x: tensor<1x?x12x64xf32>) -> tensor<1x12x?x64xf32> {
  %0 = kiln.transpose %x [0, 2, 1, 3]
      : tensor<1x?x12x64xf32> -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// CHECK-LABEL: func.func @transpose_rank2_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<3x5xbf16>)
// CHECK: %[[OUT:.+]] = kiln.transpose %[[X]] [1, 0] : tensor<3x5xbf16> -> tensor<5x3xbf16>
// CHECK: return %[[OUT]]
func.func @transpose_rank2_bf16(%x: tensor<3x5xbf16>) -> tensor<5x3xbf16> {
  %0 = kiln.transpose %x [1, 0] : tensor<3x5xbf16> -> tensor<5x3xbf16>
  return %0 : tensor<5x3xbf16>
}

// CHECK-LABEL: func.func @reshape_dynamic(
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x?x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.reshape %[[X]] : tensor<1x?x768xf32> -> tensor<1x?x12x64xf32>
// CHECK: return %[[OUT]]
func.func @reshape_dynamic(%x: tensor<1x?x768xf32>) -> tensor<1x?x12x64xf32> {
  %0 = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x12x64xf32>
  return %0 : tensor<1x?x12x64xf32>
}

// CHECK-LABEL: func.func @reshape_static_f16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4xf16>)
// CHECK: %[[OUT:.+]] = kiln.reshape %[[X]] : tensor<2x3x4xf16> -> tensor<6x4xf16>
// CHECK: return %[[OUT]]
func.func @reshape_static_f16(%x: tensor<2x3x4xf16>) -> tensor<6x4xf16> {
  %0 = kiln.reshape %x : tensor<2x3x4xf16> -> tensor<6x4xf16>
  return %0 : tensor<6x4xf16>
}

// CHECK-LABEL: func.func @slice_fused_qkv(
// CHECK-SAME: %[[QKV:[^:]+]]: tensor<1x?x2304xf32>)
// CHECK: %[[OUT:.+]] = kiln.slice %[[QKV]] axis 2 offset 768 : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @slice_fused_qkv(%qkv: tensor<1x?x2304xf32>) -> tensor<1x?x768xf32> {
  %0 = kiln.slice %qkv axis 2 offset 768
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @slice_last_position(
// CHECK-SAME: %[[H:[^:]+]]: tensor<?x?x768xf32>)
// CHECK: %[[OUT:.+]] = kiln.slice %[[H]] axis 1 offset -1 : tensor<?x?x768xf32> -> tensor<?x1x768xf32>
// CHECK: return %[[OUT]]
func.func @slice_last_position(%h: tensor<?x?x768xf32>) -> tensor<?x1x768xf32> {
  %0 = kiln.slice %h axis 1 offset -1
      : tensor<?x?x768xf32> -> tensor<?x1x768xf32>
  return %0 : tensor<?x1x768xf32>
}

// CHECK-LABEL: func.func @slice_from_the_end_of_static_axis(
// CHECK-SAME: %[[QKV:[^:]+]]: tensor<1x?x2304xf32>)
// CHECK: %[[OUT:.+]] = kiln.slice %[[QKV]] axis 2 offset -2304 : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
// CHECK: return %[[OUT]]
func.func @slice_from_the_end_of_static_axis(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf32> {
  %0 = kiln.slice %qkv axis 2 offset -2304
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// CHECK-LABEL: func.func @slice_dynamic_axis_bf16(
// CHECK-SAME: %[[X:[^:]+]]: tensor<?x16xbf16>)
// CHECK: %[[OUT:.+]] = kiln.slice %[[X]] axis 0 offset 0 : tensor<?x16xbf16> -> tensor<4x16xbf16>
// CHECK: return %[[OUT]]
func.func @slice_dynamic_axis_bf16(%x: tensor<?x16xbf16>) -> tensor<4x16xbf16> {
  %0 = kiln.slice %x axis 0 offset 0 : tensor<?x16xbf16> -> tensor<4x16xbf16>
  return %0 : tensor<4x16xbf16>
}

//===----------------------------------------------------------------------===//
// Fused attention
//===----------------------------------------------------------------------===//

// The default mask `none` is elided, whether it was written or left out.

// CHECK-LABEL: func.func @attention_mha_default_mask(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x12x?x64xf32>, %[[K:[^:]+]]: tensor<1x12x?x64xf32>, %[[V:[^:]+]]: tensor<1x12x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32>
// CHECK: return %[[OUT]]
func.func @attention_mha_default_mask(%q: tensor<1x12x?x64xf32>,
                                      %k: tensor<1x12x?x64xf32>,
                                      %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// CHECK-LABEL: func.func @attention_explicit_none_mask(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x4x8x16xf32>, %[[K:[^:]+]]: tensor<2x4x10x16xf32>, %[[V:[^:]+]]: tensor<2x4x10x16xf32>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : (tensor<2x4x8x16xf32>, tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>) -> tensor<2x4x8x16xf32>
// CHECK: return %[[OUT]]
func.func @attention_explicit_none_mask(%q: tensor<2x4x8x16xf32>,
                                        %k: tensor<2x4x10x16xf32>,
                                        %v: tensor<2x4x10x16xf32>)
    -> tensor<2x4x8x16xf32> {
  %0 = kiln.attention %q, %k, %v scale 0.25 mask none
      : (tensor<2x4x8x16xf32>, tensor<2x4x10x16xf32>, tensor<2x4x10x16xf32>)
      -> tensor<2x4x8x16xf32>
  return %0 : tensor<2x4x8x16xf32>
}

// CHECK-LABEL: func.func @attention_causal(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x12x?x64xf32>, %[[K:[^:]+]]: tensor<1x12x?x64xf32>, %[[V:[^:]+]]: tensor<1x12x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 mask causal : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32>
// CHECK: return %[[OUT]]
func.func @attention_causal(%q: tensor<1x12x?x64xf32>,
                            %k: tensor<1x12x?x64xf32>,
                            %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  %0 = kiln.attention %q, %k, %v scale 0.125 mask causal
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// CHECK-LABEL: func.func @attention_sliding_window_f16(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x32x?x128xf16>, %[[K:[^:]+]]: tensor<1x32x?x128xf16>, %[[V:[^:]+]]: tensor<1x32x?x128xf16>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 6.250000e-02 mask sliding_window window 4096 : (tensor<1x32x?x128xf16>, tensor<1x32x?x128xf16>, tensor<1x32x?x128xf16>) -> tensor<1x32x?x128xf16>
// CHECK: return %[[OUT]]
func.func @attention_sliding_window_f16(%q: tensor<1x32x?x128xf16>,
                                        %k: tensor<1x32x?x128xf16>,
                                        %v: tensor<1x32x?x128xf16>)
    -> tensor<1x32x?x128xf16> {
  %0 = kiln.attention %q, %k, %v scale 0.0625 mask sliding_window
      window 4096
      : (tensor<1x32x?x128xf16>, tensor<1x32x?x128xf16>,
         tensor<1x32x?x128xf16>) -> tensor<1x32x?x128xf16>
  return %0 : tensor<1x32x?x128xf16>
}

// CHECK-LABEL: func.func @attention_gqa_key_padding_causal(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x32x?x128xf32>, %[[K:[^:]+]]: tensor<1x8x?x128xf32>, %[[V:[^:]+]]: tensor<1x8x?x128xf32>, %[[M:[^:]+]]: tensor<1x?xi64>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] key_padding %[[M]] scale 1.250000e-01 mask causal : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x8x?x128xf32>, tensor<1x?xi64>) -> tensor<1x32x?x128xf32>
// CHECK: return %[[OUT]]
func.func @attention_gqa_key_padding_causal(%q: tensor<1x32x?x128xf32>,
                                            %k: tensor<1x8x?x128xf32>,
                                            %v: tensor<1x8x?x128xf32>,
                                            %mask: tensor<1x?xi64>)
    -> tensor<1x32x?x128xf32> {
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125 mask causal
      : (tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>,
         tensor<1x8x?x128xf32>, tensor<1x?xi64>) -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// CHECK-LABEL: func.func @attention_key_padding_no_mask_i32(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<?x12x?x64xf32>, %[[K:[^:]+]]: tensor<?x12x?x64xf32>, %[[V:[^:]+]]: tensor<?x12x?x64xf32>, %[[M:[^:]+]]: tensor<?x?xi32>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] key_padding %[[M]] scale 1.250000e-01 : (tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>, tensor<?x?xi32>) -> tensor<?x12x?x64xf32>
// CHECK: return %[[OUT]]
func.func @attention_key_padding_no_mask_i32(%q: tensor<?x12x?x64xf32>,
                                             %k: tensor<?x12x?x64xf32>,
                                             %v: tensor<?x12x?x64xf32>,
                                             %mask: tensor<?x?xi32>)
    -> tensor<?x12x?x64xf32> {
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125
      : (tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>,
         tensor<?x?xi32>) -> tensor<?x12x?x64xf32>
  return %0 : tensor<?x12x?x64xf32>
}

// CHECK-LABEL: func.func @attention_mqa_value_dim_bf16(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x16x8x64xbf16>, %[[K:[^:]+]]: tensor<2x1x12x64xbf16>, %[[V:[^:]+]]: tensor<2x1x12x32xbf16>, %[[M:[^:]+]]: tensor<2x12xi1>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] key_padding %[[M]] scale 1.250000e-01 mask sliding_window window 4 : (tensor<2x16x8x64xbf16>, tensor<2x1x12x64xbf16>, tensor<2x1x12x32xbf16>, tensor<2x12xi1>) -> tensor<2x16x8x32xbf16>
// CHECK: return %[[OUT]]
func.func @attention_mqa_value_dim_bf16(%q: tensor<2x16x8x64xbf16>,
                                        %k: tensor<2x1x12x64xbf16>,
                                        %v: tensor<2x1x12x32xbf16>,
                                        %mask: tensor<2x12xi1>)
    -> tensor<2x16x8x32xbf16> {
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125
      mask sliding_window window 4
      : (tensor<2x16x8x64xbf16>, tensor<2x1x12x64xbf16>,
         tensor<2x1x12x32xbf16>, tensor<2x12xi1>) -> tensor<2x16x8x32xbf16>
  return %0 : tensor<2x16x8x32xbf16>
}

// CHECK-LABEL: func.func @attention_dynamic_heads(
// CHECK-SAME: %[[Q:[^:]+]]: tensor<1x?x?x64xf32>, %[[K:[^:]+]]: tensor<1x?x?x64xf32>, %[[V:[^:]+]]: tensor<1x?x?x64xf32>)
// CHECK: %[[OUT:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale 1.250000e-01 mask causal : (tensor<1x?x?x64xf32>, tensor<1x?x?x64xf32>, tensor<1x?x?x64xf32>) -> tensor<1x?x?x64xf32>
// CHECK: return %[[OUT]]
func.func @attention_dynamic_heads(%q: tensor<1x?x?x64xf32>,
                                   %k: tensor<1x?x?x64xf32>,
                                   %v: tensor<1x?x?x64xf32>)
    -> tensor<1x?x?x64xf32> {
  %0 = kiln.attention %q, %k, %v scale 0.125 mask causal
      : (tensor<1x?x?x64xf32>, tensor<1x?x?x64xf32>, tensor<1x?x?x64xf32>)
      -> tensor<1x?x?x64xf32>
  return %0 : tensor<1x?x?x64xf32>
}

//===----------------------------------------------------------------------===//
// Model outputs
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mean_pool(
// CHECK-SAME: %[[H:[^:]+]]: tensor<4x?x384xf32>)
// CHECK: %[[OUT:.+]] = kiln.mean_pool %[[H]] : (tensor<4x?x384xf32>) -> tensor<4x384xf32>
// CHECK: return %[[OUT]]
func.func @mean_pool(%h: tensor<4x?x384xf32>) -> tensor<4x384xf32> {
  %0 = kiln.mean_pool %h : (tensor<4x?x384xf32>) -> tensor<4x384xf32>
  return %0 : tensor<4x384xf32>
}

// CHECK-LABEL: func.func @mean_pool_mask_f16(
// CHECK-SAME: %[[H:[^:]+]]: tensor<1x?x384xf16>, %[[M:[^:]+]]: tensor<1x?xi64>)
// CHECK: %[[OUT:.+]] = kiln.mean_pool %[[H]] mask %[[M]] : (tensor<1x?x384xf16>, tensor<1x?xi64>) -> tensor<1x384xf16>
// CHECK: return %[[OUT]]
func.func @mean_pool_mask_f16(%h: tensor<1x?x384xf16>, %mask: tensor<1x?xi64>)
    -> tensor<1x384xf16> {
  %0 = kiln.mean_pool %h mask %mask
      : (tensor<1x?x384xf16>, tensor<1x?xi64>) -> tensor<1x384xf16>
  return %0 : tensor<1x384xf16>
}

// CHECK-LABEL: func.func @l2_normalize(
// CHECK-SAME: %[[E:[^:]+]]: tensor<1x384xf32>)
// CHECK: %[[OUT:.+]] = kiln.l2_normalize %[[E]] epsilon 9.9999999999999998E-13 : tensor<1x384xf32>
// CHECK: return %[[OUT]]
func.func @l2_normalize(%e: tensor<1x384xf32>) -> tensor<1x384xf32> {
  %0 = kiln.l2_normalize %e epsilon 1.0e-12 : tensor<1x384xf32>
  return %0 : tensor<1x384xf32>
}

// CHECK-LABEL: func.func @l2_normalize_dynamic_bf16(
// CHECK-SAME: %[[E:[^:]+]]: tensor<?x?xbf16>)
// CHECK: %[[OUT:.+]] = kiln.l2_normalize %[[E]] epsilon 9.9999999999999995E-7 : tensor<?x?xbf16>
// CHECK: return %[[OUT]]
func.func @l2_normalize_dynamic_bf16(%e: tensor<?x?xbf16>)
    -> tensor<?x?xbf16> {
  %0 = kiln.l2_normalize %e epsilon 1.0e-6 : tensor<?x?xbf16>
  return %0 : tensor<?x?xbf16>
}
