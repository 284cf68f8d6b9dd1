// RUN: kiln-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of the kiln verifiers (dialect/KilnOps.cpp), each
// shared helper reached from every op that uses it, plus a few errors that
// ODS constraints and the generated parsers report. Each case states what it
// checks in the comment above it.

// kiln.embedding: the table must be a matrix.
func.func @embedding_table_rank(%table: tensor<768xf32>, %ids: tensor<4xi64>)
    -> tensor<4x768xf32> {
  // expected-error @+1 {{'kiln.embedding' op expected table to have rank 2, got rank 1}}
  %0 = kiln.embedding %table[%ids]
      : tensor<768xf32>, tensor<4xi64> -> tensor<4x768xf32>
  return %0 : tensor<4x768xf32>
}

// -----

// kiln.embedding: the result is the ids' shape followed by the table width.
func.func @embedding_result_shape(%table: tensor<100x16xf32>,
                                  %ids: tensor<1x?xi64>) -> tensor<1x?x32xf32> {
  // expected-error @+1 {{expected result shape 1x?x16, got 1x?x32}}
  %0 = kiln.embedding %table[%ids]
      : tensor<100x16xf32>, tensor<1x?xi64> -> tensor<1x?x32xf32>
  return %0 : tensor<1x?x32xf32>
}

// -----

// kiln.embedding: the result has the table's element type.
func.func @embedding_element_type(%table: tensor<100x16xf32>,
                                  %ids: tensor<4xi32>) -> tensor<4x16xf16> {
  // expected-error @+1 {{expected result element type 'f32' (the table's), got 'f16'}}
  %0 = kiln.embedding %table[%ids]
      : tensor<100x16xf32>, tensor<4xi32> -> tensor<4x16xf16>
  return %0 : tensor<4x16xf16>
}

// -----

// kiln.embedding (ODS): token ids must be integers.
func.func @embedding_float_ids(%table: tensor<100x16xf32>,
                               %ids: tensor<4xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = kiln.embedding %table[%ids]
      : tensor<100x16xf32>, tensor<4xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// kiln.embedding (ODS): the table must be a float tensor.
func.func @embedding_integer_table(%table: tensor<100x16xi32>,
                                   %ids: tensor<4xi64>) -> tensor<4x16xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<100x16xi32>'}}
  %0 = kiln.embedding %table[%ids]
      : tensor<100x16xi32>, tensor<4xi64> -> tensor<4x16xi32>
  return %0 : tensor<4x16xi32>
}

// -----

// kiln.learned_positions: the input is [batch, seq, features].
func.func @learned_positions_input_rank(%x: tensor<4x768xf32>,
                                        %wpe: tensor<1024x768xf32>)
    -> tensor<4x768xf32> {
  // expected-error @+1 {{expected input to have rank 3, got rank 2}}
  %0 = kiln.learned_positions %x, %wpe : tensor<4x768xf32>, tensor<1024x768xf32>
  return %0 : tensor<4x768xf32>
}

// -----

// kiln.learned_positions: the position table is a matrix.
func.func @learned_positions_table_rank(%x: tensor<1x?x768xf32>,
                                        %wpe: tensor<1x1024x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected table to have rank 2, got rank 3}}
  %0 = kiln.learned_positions %x, %wpe
      : tensor<1x?x768xf32>, tensor<1x1024x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.learned_positions: the table width is the input's.
func.func @learned_positions_width(%x: tensor<1x?x768xf32>,
                                   %wpe: tensor<1024x512xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected table dimension 1 (the input's width) to be 768, got 512}}
  %0 = kiln.learned_positions %x, %wpe
      : tensor<1x?x768xf32>, tensor<1024x512xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.learned_positions: a static sequence must fit in the table.
func.func @learned_positions_too_long(%x: tensor<1x2048x768xf32>,
                                      %wpe: tensor<1024x768xf32>)
    -> tensor<1x2048x768xf32> {
  // expected-error @+1 {{sequence length 2048 exceeds the 1024 rows of the position table}}
  %0 = kiln.learned_positions %x, %wpe
      : tensor<1x2048x768xf32>, tensor<1024x768xf32>
  return %0 : tensor<1x2048x768xf32>
}

// -----

// kiln.learned_positions: counted positions start after the padding row.
func.func @learned_positions_counted_too_long(%x: tensor<1x512x768xf32>,
                                              %table: tensor<512x768xf32>,
                                              %ids: tensor<1x512xi64>)
    -> tensor<1x512x768xf32> {
  // expected-error @+1 {{sequence length 512 after the padding row exceeds the 512 rows of the position table}}
  %0 = kiln.learned_positions %x, %table ids %ids padding_idx 1
      : tensor<1x512x768xf32>, tensor<512x768xf32>, tensor<1x512xi64>
  return %0 : tensor<1x512x768xf32>
}

// -----

// kiln.learned_positions: the padding row is a row of the table.
func.func @learned_positions_padding_row(%x: tensor<1x?x768xf32>,
                                         %table: tensor<514x768xf32>,
                                         %ids: tensor<1x?xi64>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{padding_idx 514 is not a row of the 514-row position table}}
  %0 = kiln.learned_positions %x, %table ids %ids padding_idx 514
      : tensor<1x?x768xf32>, tensor<514x768xf32>, tensor<1x?xi64>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.learned_positions: the ids are those of the input's tokens.
func.func @learned_positions_ids_shape(%x: tensor<2x?x768xf32>,
                                       %table: tensor<514x768xf32>,
                                       %ids: tensor<1x?xi64>)
    -> tensor<2x?x768xf32> {
  // expected-error @+1 {{expected ids dimension 0 (batch) to be 2, got 1}}
  %0 = kiln.learned_positions %x, %table ids %ids padding_idx 1
      : tensor<2x?x768xf32>, tensor<514x768xf32>, tensor<1x?xi64>
  return %0 : tensor<2x?x768xf32>
}

// -----

// kiln.learned_positions: ids without padding_idx (generic form).
func.func @learned_positions_ids_alone(%x: tensor<1x?x768xf32>,
                                       %table: tensor<514x768xf32>,
                                       %ids: tensor<1x?xi64>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expects ids and padding_idx together}}
  %0 = "kiln.learned_positions"(%x, %table, %ids)
      : (tensor<1x?x768xf32>, tensor<514x768xf32>, tensor<1x?xi64>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.learned_positions: input and table share an element type.
func.func @learned_positions_element_type(%x: tensor<1x?x768xf32>,
                                          %wpe: tensor<1024x768xf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected table element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.learned_positions %x, %wpe
      : tensor<1x?x768xf32>, tensor<1024x768xf16>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.learned_positions (ODS): the result type is the input type; only
// the generic form can state another.
func.func @learned_positions_result_type(%x: tensor<1x4x8xf32>,
                                         %wpe: tensor<16x8xf32>)
    -> tensor<1x4x8xf16> {
  // expected-error @+1 {{failed to verify that all of {input, output} have same type}}
  %0 = "kiln.learned_positions"(%x, %wpe)
      : (tensor<1x4x8xf32>, tensor<16x8xf32>) -> tensor<1x4x8xf16>
  return %0 : tensor<1x4x8xf16>
}

// -----

// kiln.sinusoidal_positions: the input is [batch, seq, features].
func.func @sinusoidal_positions_rank(%x: tensor<?x512xf32>)
    -> tensor<?x512xf32> {
  // expected-error @+1 {{'kiln.sinusoidal_positions' op expected input to have rank 3, got rank 2}}
  %0 = kiln.sinusoidal_positions %x base 10000.0 : tensor<?x512xf32>
  return %0 : tensor<?x512xf32>
}

// -----

// kiln.sinusoidal_positions: sin/cos pairs need an even width.
func.func @sinusoidal_positions_odd_width(%x: tensor<1x?x511xf32>)
    -> tensor<1x?x511xf32> {
  // expected-error @+1 {{expected an even feature width, got 511}}
  %0 = kiln.sinusoidal_positions %x base 10000.0 : tensor<1x?x511xf32>
  return %0 : tensor<1x?x511xf32>
}

// -----

// kiln.sinusoidal_positions: the base must be positive.
func.func @sinusoidal_positions_base(%x: tensor<1x?x512xf32>)
    -> tensor<1x?x512xf32> {
  // expected-error @+1 {{expected base to be positive, got 0.000000e+00}}
  %0 = kiln.sinusoidal_positions %x base 0.0 : tensor<1x?x512xf32>
  return %0 : tensor<1x?x512xf32>
}

// -----

// kiln.rope: the input is [batch, heads, seq, head_dim].
func.func @rope_rank(%q: tensor<1x?x64xf32>) -> tensor<1x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op expected input to have rank 4, got rank 3}}
  %0 = kiln.rope %q theta 10000.0 style half : tensor<1x?x64xf32>
  return %0 : tensor<1x?x64xf32>
}

// -----

// kiln.rope: rotary_dim must be positive (and is read as a signed value).
func.func @rope_rotary_dim_negative(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{expected rotary_dim to be positive, got -2}}
  %0 = kiln.rope %q theta 10000.0 style half rotary_dim -2
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: without rotary_dim every feature rotates, so the head size
// must be even.
func.func @rope_odd_head_dim(%q: tensor<1x8x?x63xf32>)
    -> tensor<1x8x?x63xf32> {
  // expected-error @+1 {{expected an even number of rotated features, got 63}}
  %0 = kiln.rope %q theta 10000.0 style interleaved : tensor<1x8x?x63xf32>
  return %0 : tensor<1x8x?x63xf32>
}

// -----

// kiln.rope: every scaling kind needs its factor.
func.func @rope_scaling_without_factor(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op expected factor with scaling linear}}
  %0 = kiln.rope %q theta 10000.0 style half scaling linear
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: scaling parameters without a scaling kind have no meaning.
func.func @rope_factor_without_scaling(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op unexpected factor without scaling}}
  %0 = kiln.rope %q theta 10000.0 style half factor 2.0
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: llama3 scaling needs all of its parameters.
func.func @rope_llama3_incomplete(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op expected original_max_positions with scaling llama3}}
  %0 = kiln.rope %q theta 10000.0 style half scaling llama3 factor 8.0
      low_freq_factor 1.0 high_freq_factor 4.0 : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: linear scaling has no frequency bands.
func.func @rope_linear_with_bands(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op unexpected low_freq_factor with scaling linear}}
  %0 = kiln.rope %q theta 10000.0 style half scaling linear factor 8.0
      low_freq_factor 1.0 : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: the scaling factor must be positive.
func.func @rope_scaling_factor_zero(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op expected factor to be positive, got 0}}
  %0 = kiln.rope %q theta 10000.0 style half scaling linear factor 0.0
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: llama3's high-frequency band starts above its low one.
func.func @rope_llama3_bands_reversed(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{'kiln.rope' op expected high_freq_factor to be greater than low_freq_factor 4.000000e+00, got 1.000000e+00}}
  %0 = kiln.rope %q theta 10000.0 style half scaling llama3 factor 8.0
      low_freq_factor 4.0 high_freq_factor 1.0 original_max_positions 8192
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: an explicit rotary_dim must be even.
func.func @rope_odd_rotary_dim(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{expected an even number of rotated features, got 33}}
  %0 = kiln.rope %q theta 10000.0 style half rotary_dim 33
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: rotary_dim cannot exceed the head size.
func.func @rope_rotary_dim_too_large(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{expected rotary_dim to be at most the head size 64, got 128}}
  %0 = kiln.rope %q theta 10000.0 style half rotary_dim 128
      : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope: theta must be positive.
func.func @rope_theta(%q: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{expected theta to be positive, got -1.000000e+00}}
  %0 = kiln.rope %q theta -1.0 style half : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.rope (parser): the style is one of the RopeStyle cases.
func.func @rope_unknown_style(%q: tensor<1x8x?x64xf32>)
    -> tensor<1x8x?x64xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'style' [half, interleaved]}}
  %0 = kiln.rope %q theta 10000.0 style neox : tensor<1x8x?x64xf32>
  return %0 : tensor<1x8x?x64xf32>
}

// -----

// kiln.linear: the input needs a feature dimension.
func.func @linear_input_rank(%x: tensor<f32>, %w: tensor<4x1xf32>)
    -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.linear' op expected input to have rank at least 1, got rank 0}}
  %0 = kiln.linear %x, %w : (tensor<f32>, tensor<4x1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.linear: the weight is [out_features, in_features].
func.func @linear_weight_rank(%x: tensor<1x?x768xf32>, %w: tensor<768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected weight to have rank 2, got rank 1}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf32>, tensor<768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: in_features is the input's last dimension (a weight laid out
// [in, out] is caught here).
func.func @linear_in_features(%x: tensor<1x?x768xf32>,
                              %w: tensor<768x3072xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected weight dimension 1 (in_features, the input's last dimension) to be 768, got 3072}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf32>, tensor<768x3072xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: the bias is a vector.
func.func @linear_bias_rank(%x: tensor<1x?x768xf32>,
                            %w: tensor<3072x768xf32>,
                            %b: tensor<1x3072xf32>) -> tensor<1x?x3072xf32> {
  // expected-error @+1 {{expected bias to have rank 1, got rank 2}}
  %0 = kiln.linear %x, %w bias %b
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<1x3072xf32>)
      -> tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// -----

// kiln.linear: the bias has out_features entries.
func.func @linear_bias_size(%x: tensor<1x?x768xf32>,
                            %w: tensor<3072x768xf32>,
                            %b: tensor<768xf32>) -> tensor<1x?x3072xf32> {
  // expected-error @+1 {{expected bias size (out_features) to be 3072, got 768}}
  %0 = kiln.linear %x, %w bias %b
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<768xf32>)
      -> tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// -----

// kiln.linear: the result replaces the last dimension by out_features.
func.func @linear_result_shape(%x: tensor<1x?x768xf32>,
                               %w: tensor<3072x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected result shape 1x?x3072, got 1x?x768}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: the residual has the result's shape.
func.func @linear_residual_shape(%x: tensor<1x?x768xf32>,
                                 %w: tensor<3072x768xf32>,
                                 %r: tensor<1x?x768xf32>)
    -> tensor<1x?x3072xf32> {
  // expected-error @+1 {{expected residual shape 1x?x3072, got 1x?x768}}
  %0 = kiln.linear %x, %w residual %r
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<1x?x768xf32>)
      -> tensor<1x?x3072xf32>
  return %0 : tensor<1x?x3072xf32>
}

// -----

// kiln.linear: the weight has the input's element type.
func.func @linear_weight_element_type(%x: tensor<1x?x768xf32>,
                                      %w: tensor<768x768xbf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected weight element type 'f32' (the input's), got 'bf16'}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf32>, tensor<768x768xbf16>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: the bias has the input's element type.
func.func @linear_bias_element_type(%x: tensor<1x?x768xf32>,
                                    %w: tensor<768x768xf32>,
                                    %b: tensor<768xf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected bias element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.linear %x, %w bias %b
      : (tensor<1x?x768xf32>, tensor<768x768xf32>, tensor<768xf16>)
      -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: the residual has the input's element type.
func.func @linear_residual_element_type(%x: tensor<1x?x768xf32>,
                                        %w: tensor<768x768xf32>,
                                        %r: tensor<1x?x768xf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected residual element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.linear %x, %w residual %r
      : (tensor<1x?x768xf32>, tensor<768x768xf32>, tensor<1x?x768xf16>)
      -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear: the result has the input's element type.
func.func @linear_result_element_type(%x: tensor<1x?x768xf16>,
                                      %w: tensor<768x768xf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected result element type 'f16' (the input's), got 'f32'}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xf16>, tensor<768x768xf16>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear (ODS): activations must be floating point.
func.func @linear_integer_input(%x: tensor<1x?x768xi32>,
                                %w: tensor<768x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x?x768xi32>'}}
  %0 = kiln.linear %x, %w
      : (tensor<1x?x768xi32>, tensor<768x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.linear (parser): the epilogue activation is an ActivationKind.
func.func @linear_unknown_activation(%x: tensor<1x?x768xf32>,
                                     %w: tensor<768x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'activation' [relu, gelu, gelu_tanh, silu, tanh]}}
  %0 = kiln.linear %x, %w activation swish
      : (tensor<1x?x768xf32>, tensor<768x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.matmul: operands are at least matrices.
func.func @matmul_lhs_rank(%a: tensor<8xf32>, %b: tensor<8x4xf32>)
    -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.matmul' op expected lhs to have rank at least 2, got rank 1}}
  %0 = kiln.matmul %a, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.matmul: rhs has the rank of lhs (no implicit batch broadcasting).
func.func @matmul_rhs_rank(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>)
    -> tensor<2x4x16xf32> {
  // expected-error @+1 {{expected rhs to have rank 3, got rank 2}}
  %0 = kiln.matmul %a, %b
      : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// kiln.matmul: contraction dimensions agree.
func.func @matmul_contraction(%a: tensor<4x64xf32>, %b: tensor<32x16xf32>)
    -> tensor<4x16xf32> {
  // expected-error @+1 {{expected matching contraction dimensions, got 64 (lhs) and 32 (rhs)}}
  %0 = kiln.matmul %a, %b
      : (tensor<4x64xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// kiln.matmul: transpose_rhs contracts over rhs's last dimension, so shapes
// that fit a plain product no longer do.
func.func @matmul_contraction_transpose_rhs(%a: tensor<4x8xf32>,
                                            %b: tensor<8x16xf32>)
    -> tensor<4x8xf32> {
  // expected-error @+1 {{expected matching contraction dimensions, got 8 (lhs) and 16 (rhs)}}
  %0 = kiln.matmul %a, %b transpose_rhs
      : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// kiln.matmul: transpose_lhs contracts over lhs's second-to-last dimension.
func.func @matmul_contraction_transpose_lhs(%a: tensor<4x8xf32>,
                                            %b: tensor<8x16xf32>)
    -> tensor<8x16xf32> {
  // expected-error @+1 {{expected matching contraction dimensions, got 4 (lhs) and 8 (rhs)}}
  %0 = kiln.matmul %a, %b transpose_lhs
      : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

// kiln.matmul: batch dimensions are equal.
func.func @matmul_batch(%a: tensor<2x3x4x8xf32>, %b: tensor<2x5x8x16xf32>)
    -> tensor<2x3x4x16xf32> {
  // expected-error @+1 {{expected rhs batch shape 2x3, got 2x5}}
  %0 = kiln.matmul %a, %b
      : (tensor<2x3x4x8xf32>, tensor<2x5x8x16xf32>) -> tensor<2x3x4x16xf32>
  return %0 : tensor<2x3x4x16xf32>
}

// -----

// kiln.matmul: the result is [batch..., m, n], with transposes applied.
func.func @matmul_result_shape(%q: tensor<1x12x8x64xf32>,
                               %k: tensor<1x12x10x64xf32>)
    -> tensor<1x12x8x64xf32> {
  // expected-error @+1 {{expected result shape 1x12x8x10, got 1x12x8x64}}
  %0 = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x12x8x64xf32>, tensor<1x12x10x64xf32>) -> tensor<1x12x8x64xf32>
  return %0 : tensor<1x12x8x64xf32>
}

// -----

// kiln.matmul: rhs has the lhs element type.
func.func @matmul_rhs_element_type(%a: tensor<4x8xf32>, %b: tensor<8x16xf16>)
    -> tensor<4x16xf32> {
  // expected-error @+1 {{expected rhs element type 'f32' (the lhs's), got 'f16'}}
  %0 = kiln.matmul %a, %b
      : (tensor<4x8xf32>, tensor<8x16xf16>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// kiln.matmul: the result has the lhs element type.
func.func @matmul_result_element_type(%a: tensor<4x8xbf16>,
                                      %b: tensor<8x16xbf16>)
    -> tensor<4x16xf32> {
  // expected-error @+1 {{expected result element type 'bf16' (the lhs's), got 'f32'}}
  %0 = kiln.matmul %a, %b
      : (tensor<4x8xbf16>, tensor<8x16xbf16>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// kiln.matmul (ODS): the result must be a float tensor.
func.func @matmul_integer_result(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>)
    -> tensor<4x16xi32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4x16xi32>'}}
  %0 = kiln.matmul %a, %b
      : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xi32>
  return %0 : tensor<4x16xi32>
}

// -----

// kiln.add: static sizes other than 1 must agree to broadcast.
func.func @add_no_broadcast(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>)
    -> tensor<4x5xf32> {
  // expected-error @+1 {{'kiln.add' op operand shapes 4x3 and 4x5 do not broadcast}}
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// kiln.sub: the result has the broadcast shape.
func.func @sub_result_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>)
    -> tensor<2x1xf32> {
  // expected-error @+1 {{'kiln.sub' op expected result shape 2x3, got 2x1}}
  %0 = kiln.sub %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// kiln.mul: rhs has the lhs element type.
func.func @mul_rhs_element_type(%a: tensor<4xf32>, %b: tensor<4xbf16>)
    -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.mul' op expected rhs element type 'f32' (the lhs's), got 'bf16'}}
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xbf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.div: the result has the lhs element type.
func.func @div_result_element_type(%a: tensor<4xf16>, %b: tensor<4xf16>)
    -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.div' op expected result element type 'f16' (the lhs's), got 'f32'}}
  %0 = kiln.div %a, %b : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.add (ODS): integer operands are rejected.
func.func @add_integer(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = kiln.add %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// kiln.mul (ODS): f64 is not a kiln element type.
func.func @mul_f64(%a: tensor<4xf32>, %b: tensor<4xf64>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xf64>'}}
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.sub (ODS): operands must be ranked.
func.func @sub_unranked(%a: tensor<*xf32>, %b: tensor<4xf32>)
    -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<*xf32>'}}
  %0 = kiln.sub %a, %b : (tensor<*xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.scale (ODS): the factor attribute is required (generic form).
func.func @scale_missing_factor(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.scale' op requires attribute 'factor'}}
  %0 = "kiln.scale"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.scale (ODS): the result type is the input type (generic form).
func.func @scale_result_type(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'kiln.scale' op failed to verify that all of {input, output} have same type}}
  %0 = "kiln.scale"(%x) <{factor = 1.0 : f64}>
      : (tensor<4xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// kiln.activation (ODS): integer activations are rejected.
func.func @activation_integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.activation' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = kiln.activation relu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// kiln.activation (parser): the kind is one of the ActivationKind cases.
func.func @activation_unknown_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'kind' [relu, gelu, gelu_tanh, silu, tanh]}}
  %0 = kiln.activation swish %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.cast (ODS): a cast keeps the shape.
func.func @cast_shape(%x: tensor<4x8xf32>) -> tensor<8x4xbf16> {
  // expected-error @+1 {{'kiln.cast' op requires the same shape for all operands and results}}
  %0 = kiln.cast %x : tensor<4x8xf32> -> tensor<8x4xbf16>
  return %0 : tensor<8x4xbf16>
}

// -----

// kiln.cast (ODS): only float element types.
func.func @cast_to_integer(%x: tensor<4xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{'kiln.cast' op result #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = kiln.cast %x : tensor<4xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// kiln.layer_norm: a scalar has no dimension to normalise.
func.func @layer_norm_input_rank(%x: tensor<f32>, %gamma: tensor<1xf32>)
    -> tensor<f32> {
  // expected-error @+1 {{'kiln.layer_norm' op expected input to have rank at least 1, got rank 0}}
  %0 = kiln.layer_norm %x, %gamma epsilon 1.0e-05
      : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// kiln.layer_norm: gamma is a vector.
func.func @layer_norm_gamma_rank(%x: tensor<1x?x768xf32>,
                                 %gamma: tensor<1x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected gamma to have rank 1, got rank 2}}
  %0 = kiln.layer_norm %x, %gamma epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<1x768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.layer_norm: gamma has the input's width.
func.func @layer_norm_gamma_size(%x: tensor<1x?x768xf32>,
                                 %gamma: tensor<512xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected gamma size (the input's last dimension) to be 768, got 512}}
  %0 = kiln.layer_norm %x, %gamma epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<512xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.layer_norm: beta is a vector.
func.func @layer_norm_beta_rank(%x: tensor<1x?x768xf32>,
                                %gamma: tensor<768xf32>,
                                %beta: tensor<1x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected beta to have rank 1, got rank 2}}
  %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<1x768xf32>)
      -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.layer_norm: beta has the input's width.
func.func @layer_norm_beta_size(%x: tensor<1x?x768xf32>,
                                %gamma: tensor<768xf32>,
                                %beta: tensor<769xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected beta size (the input's last dimension) to be 768, got 769}}
  %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<769xf32>)
      -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.layer_norm: gamma has the input's element type.
func.func @layer_norm_gamma_element_type(%x: tensor<1x?x768xf32>,
                                         %gamma: tensor<768xf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected gamma element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.layer_norm %x, %gamma epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf16>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.layer_norm: beta has the input's element type.
func.func @layer_norm_beta_element_type(%x: tensor<1x?x768xbf16>,
                                        %gamma: tensor<768xbf16>,
                                        %beta: tensor<768xf32>)
    -> tensor<1x?x768xbf16> {
  // expected-error @+1 {{expected beta element type 'bf16' (the input's), got 'f32'}}
  %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xbf16>, tensor<768xbf16>, tensor<768xf32>)
      -> tensor<1x?x768xbf16>
  return %0 : tensor<1x?x768xbf16>
}

// -----

// kiln.layer_norm: epsilon must be positive.
func.func @layer_norm_epsilon(%x: tensor<1x?x768xf32>,
                              %gamma: tensor<768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{expected epsilon to be positive, got 0.000000e+00}}
  %0 = kiln.layer_norm %x, %gamma epsilon 0.0
      : (tensor<1x?x768xf32>, tensor<768xf32>) -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.rms_norm: a scalar has no dimension to normalise.
func.func @rms_norm_input_rank(%x: tensor<f32>, %gamma: tensor<1xf32>)
    -> tensor<f32> {
  // expected-error @+1 {{'kiln.rms_norm' op expected input to have rank at least 1, got rank 0}}
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06
      : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// kiln.rms_norm: gamma is a vector.
func.func @rms_norm_gamma_rank(%x: tensor<1x?x4096xf32>,
                               %gamma: tensor<f32>) -> tensor<1x?x4096xf32> {
  // expected-error @+1 {{'kiln.rms_norm' op expected gamma to have rank 1, got rank 0}}
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<f32>) -> tensor<1x?x4096xf32>
  return %0 : tensor<1x?x4096xf32>
}

// -----

// kiln.rms_norm: gamma has the input's width.
func.func @rms_norm_gamma_size(%x: tensor<1x?x4096xf32>,
                               %gamma: tensor<4095xf32>)
    -> tensor<1x?x4096xf32> {
  // expected-error @+1 {{'kiln.rms_norm' op expected gamma size (the input's last dimension) to be 4096, got 4095}}
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<4095xf32>) -> tensor<1x?x4096xf32>
  return %0 : tensor<1x?x4096xf32>
}

// -----

// kiln.rms_norm: gamma has the input's element type.
func.func @rms_norm_gamma_element_type(%x: tensor<1x?x4096xbf16>,
                                       %gamma: tensor<4096xf32>)
    -> tensor<1x?x4096xbf16> {
  // expected-error @+1 {{'kiln.rms_norm' op expected gamma element type 'bf16' (the input's), got 'f32'}}
  %0 = kiln.rms_norm %x, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xbf16>, tensor<4096xf32>) -> tensor<1x?x4096xbf16>
  return %0 : tensor<1x?x4096xbf16>
}

// -----

// kiln.rms_norm: epsilon must be positive.
func.func @rms_norm_epsilon(%x: tensor<1x?x4096xf32>,
                            %gamma: tensor<4096xf32>)
    -> tensor<1x?x4096xf32> {
  // expected-error @+1 {{'kiln.rms_norm' op expected epsilon to be positive, got -1.000000e-06}}
  %0 = kiln.rms_norm %x, %gamma epsilon -1.0e-06
      : (tensor<1x?x4096xf32>, tensor<4096xf32>) -> tensor<1x?x4096xf32>
  return %0 : tensor<1x?x4096xf32>
}

// -----

// kiln.add_layer_norm: a scalar has no dimension to normalise.
func.func @add_layer_norm_input_rank(%x: tensor<f32>, %r: tensor<f32>,
                                     %gamma: tensor<1xf32>)
    -> (tensor<f32>, tensor<f32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op expected input to have rank at least 1, got rank 0}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma epsilon 1.0e-05
      : (tensor<f32>, tensor<f32>, tensor<1xf32>) -> (tensor<f32>, tensor<f32>)
  return %sum, %y : tensor<f32>, tensor<f32>
}

// -----

// kiln.add_layer_norm: gamma has the input's width.
func.func @add_layer_norm_gamma_size(%x: tensor<1x?x768xf32>,
                                     %r: tensor<1x?x768xf32>,
                                     %gamma: tensor<384xf32>)
    -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op expected gamma size (the input's last dimension) to be 768, got 384}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<384xf32>)
      -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
  return %sum, %y : tensor<1x?x768xf32>, tensor<1x?x768xf32>
}

// -----

// kiln.add_layer_norm: beta is a vector.
func.func @add_layer_norm_beta_rank(%x: tensor<1x?x768xf32>,
                                    %r: tensor<1x?x768xf32>,
                                    %gamma: tensor<768xf32>,
                                    %beta: tensor<f32>)
    -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op expected beta to have rank 1, got rank 0}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>,
         tensor<f32>) -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
  return %sum, %y : tensor<1x?x768xf32>, tensor<1x?x768xf32>
}

// -----

// kiln.add_layer_norm: beta has the input's element type.
func.func @add_layer_norm_beta_element_type(%x: tensor<1x?x768xf32>,
                                            %r: tensor<1x?x768xf32>,
                                            %gamma: tensor<768xf32>,
                                            %beta: tensor<768xf16>)
    -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op expected beta element type 'f32' (the input's), got 'f16'}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma, %beta epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>,
         tensor<768xf16>) -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
  return %sum, %y : tensor<1x?x768xf32>, tensor<1x?x768xf32>
}

// -----

// kiln.add_layer_norm: epsilon must be positive.
func.func @add_layer_norm_epsilon(%x: tensor<1x?x768xf32>,
                                  %r: tensor<1x?x768xf32>,
                                  %gamma: tensor<768xf32>)
    -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op expected epsilon to be positive, got 0.000000e+00}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma epsilon 0.0
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>, tensor<768xf32>)
      -> (tensor<1x?x768xf32>, tensor<1x?x768xf32>)
  return %sum, %y : tensor<1x?x768xf32>, tensor<1x?x768xf32>
}

// -----

// kiln.add_layer_norm (ODS): the residual has the input's type.
func.func @add_layer_norm_residual_type(%x: tensor<1x4x768xf32>,
                                        %r: tensor<1x5x768xf32>,
                                        %gamma: tensor<768xf32>)
    -> (tensor<1x4x768xf32>, tensor<1x4x768xf32>) {
  // expected-error @+1 {{'kiln.add_layer_norm' op failed to verify that all of {input, residual, sum, output} have same type}}
  %sum, %y = kiln.add_layer_norm %x, %r, %gamma epsilon 1.0e-05
      : (tensor<1x4x768xf32>, tensor<1x5x768xf32>, tensor<768xf32>)
      -> (tensor<1x4x768xf32>, tensor<1x4x768xf32>)
  return %sum, %y : tensor<1x4x768xf32>, tensor<1x4x768xf32>
}

// -----

// kiln.add_rms_norm: a scalar has no dimension to normalise.
func.func @add_rms_norm_input_rank(%x: tensor<f32>, %r: tensor<f32>,
                                   %gamma: tensor<1xf32>)
    -> (tensor<f32>, tensor<f32>) {
  // expected-error @+1 {{'kiln.add_rms_norm' op expected input to have rank at least 1, got rank 0}}
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      : (tensor<f32>, tensor<f32>, tensor<1xf32>) -> (tensor<f32>, tensor<f32>)
  return %sum, %y : tensor<f32>, tensor<f32>
}

// -----

// kiln.add_rms_norm: gamma is a vector.
func.func @add_rms_norm_gamma_rank(%x: tensor<1x?x4096xf32>,
                                   %r: tensor<1x?x4096xf32>,
                                   %gamma: tensor<1x4096xf32>)
    -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>) {
  // expected-error @+1 {{'kiln.add_rms_norm' op expected gamma to have rank 1, got rank 2}}
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<1x4096xf32>)
      -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
  return %sum, %y : tensor<1x?x4096xf32>, tensor<1x?x4096xf32>
}

// -----

// kiln.add_rms_norm: gamma has the input's width.
func.func @add_rms_norm_gamma_size(%x: tensor<1x?x4096xf32>,
                                   %r: tensor<1x?x4096xf32>,
                                   %gamma: tensor<2048xf32>)
    -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>) {
  // expected-error @+1 {{'kiln.add_rms_norm' op expected gamma size (the input's last dimension) to be 4096, got 2048}}
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<2048xf32>)
      -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
  return %sum, %y : tensor<1x?x4096xf32>, tensor<1x?x4096xf32>
}

// -----

// kiln.add_rms_norm: gamma has the input's element type.
func.func @add_rms_norm_gamma_element_type(%x: tensor<1x?x4096xf16>,
                                           %r: tensor<1x?x4096xf16>,
                                           %gamma: tensor<4096xbf16>)
    -> (tensor<1x?x4096xf16>, tensor<1x?x4096xf16>) {
  // expected-error @+1 {{'kiln.add_rms_norm' op expected gamma element type 'f16' (the input's), got 'bf16'}}
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon 1.0e-06
      : (tensor<1x?x4096xf16>, tensor<1x?x4096xf16>, tensor<4096xbf16>)
      -> (tensor<1x?x4096xf16>, tensor<1x?x4096xf16>)
  return %sum, %y : tensor<1x?x4096xf16>, tensor<1x?x4096xf16>
}

// -----

// kiln.add_rms_norm: epsilon must be positive.
func.func @add_rms_norm_epsilon(%x: tensor<1x?x4096xf32>,
                                %r: tensor<1x?x4096xf32>,
                                %gamma: tensor<4096xf32>)
    -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>) {
  // expected-error @+1 {{'kiln.add_rms_norm' op expected epsilon to be positive, got -1.000000e+00}}
  %sum, %y = kiln.add_rms_norm %x, %r, %gamma epsilon -1.0
      : (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>, tensor<4096xf32>)
      -> (tensor<1x?x4096xf32>, tensor<1x?x4096xf32>)
  return %sum, %y : tensor<1x?x4096xf32>, tensor<1x?x4096xf32>
}

// -----

// kiln.softmax: the axis is a dimension of the input.
func.func @softmax_axis_too_large(%s: tensor<1x12x?x?xf32>)
    -> tensor<1x12x?x?xf32> {
  // expected-error @+1 {{'kiln.softmax' op expected axis in [0, 4), got 4}}
  %0 = kiln.softmax %s axis 4 : tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// -----

// kiln.softmax: negative axes are not accepted.
func.func @softmax_axis_negative(%s: tensor<1x12x?x?xf32>)
    -> tensor<1x12x?x?xf32> {
  // expected-error @+1 {{'kiln.softmax' op expected axis in [0, 4), got -1}}
  %0 = kiln.softmax %s axis -1 : tensor<1x12x?x?xf32>
  return %0 : tensor<1x12x?x?xf32>
}

// -----

// kiln.causal_mask: scores are at least [queries, keys].
func.func @causal_mask_rank(%s: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'kiln.causal_mask' op expected scores to have rank at least 2, got rank 1}}
  %0 = kiln.causal_mask %s : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// kiln.sliding_window_mask: scores are at least [queries, keys].
func.func @sliding_window_mask_rank(%s: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'kiln.sliding_window_mask' op expected scores to have rank at least 2, got rank 1}}
  %0 = kiln.sliding_window_mask %s window 4 : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// kiln.sliding_window_mask: an empty window would mask every key.
func.func @sliding_window_mask_zero(%s: tensor<1x32x?x?xf32>)
    -> tensor<1x32x?x?xf32> {
  // expected-error @+1 {{'kiln.sliding_window_mask' op expected window to be positive, got 0}}
  %0 = kiln.sliding_window_mask %s window 0 : tensor<1x32x?x?xf32>
  return %0 : tensor<1x32x?x?xf32>
}

// -----

// kiln.sliding_window_mask: a negative window is rejected, not read as a
// huge unsigned value.
func.func @sliding_window_mask_negative(%s: tensor<1x32x?x?xf32>)
    -> tensor<1x32x?x?xf32> {
  // expected-error @+1 {{'kiln.sliding_window_mask' op expected window to be positive, got -1}}
  %0 = kiln.sliding_window_mask %s window -1 : tensor<1x32x?x?xf32>
  return %0 : tensor<1x32x?x?xf32>
}

// -----

// kiln.padding_mask: scores are [batch, heads, queries, keys].
func.func @padding_mask_scores_rank(%s: tensor<12x?x?xf32>,
                                    %mask: tensor<1x?xi64>)
    -> tensor<12x?x?xf32> {
  // expected-error @+1 {{'kiln.padding_mask' op expected scores to have rank 4, got rank 3}}
  %0 = kiln.padding_mask %s, %mask : tensor<12x?x?xf32>, tensor<1x?xi64>
  return %0 : tensor<12x?x?xf32>
}

// -----

// kiln.padding_mask: the mask is [batch, keys].
func.func @padding_mask_mask_rank(%s: tensor<1x12x?x?xf32>,
                                  %mask: tensor<1x1x?xi64>)
    -> tensor<1x12x?x?xf32> {
  // expected-error @+1 {{'kiln.padding_mask' op expected attention mask to have rank 2, got rank 3}}
  %0 = kiln.padding_mask %s, %mask : tensor<1x12x?x?xf32>, tensor<1x1x?xi64>
  return %0 : tensor<1x12x?x?xf32>
}

// -----

// kiln.padding_mask: the mask's batch is the scores' batch.
func.func @padding_mask_batch(%s: tensor<2x12x?x?xf32>, %mask: tensor<3x?xi64>)
    -> tensor<2x12x?x?xf32> {
  // expected-error @+1 {{'kiln.padding_mask' op expected attention mask dimension 0 (batch) to be 2, got 3}}
  %0 = kiln.padding_mask %s, %mask : tensor<2x12x?x?xf32>, tensor<3x?xi64>
  return %0 : tensor<2x12x?x?xf32>
}

// -----

// kiln.padding_mask: the mask covers every key.
func.func @padding_mask_keys(%s: tensor<1x12x8x8xf32>, %mask: tensor<1x7xi64>)
    -> tensor<1x12x8x8xf32> {
  // expected-error @+1 {{'kiln.padding_mask' op expected attention mask dimension 1 (keys) to be 8, got 7}}
  %0 = kiln.padding_mask %s, %mask : tensor<1x12x8x8xf32>, tensor<1x7xi64>
  return %0 : tensor<1x12x8x8xf32>
}

// -----

// kiln.padding_mask (ODS): f64 is not a mask element type.
func.func @padding_mask_f64(%s: tensor<1x12x8x8xf32>, %mask: tensor<1x8xf64>)
    -> tensor<1x12x8x8xf32> {
  // expected-error @+1 {{'kiln.padding_mask' op operand #1 must be ranked tensor of 1-bit signless integer or 32-bit signless integer or 64-bit signless integer}}
  %0 = kiln.padding_mask %s, %mask : tensor<1x12x8x8xf32>, tensor<1x8xf64>
  return %0 : tensor<1x12x8x8xf32>
}

// -----

// kiln.split_heads: the input is [batch, seq, features].
func.func @split_heads_input_rank(%x: tensor<?x768xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.split_heads' op expected input to have rank 3, got rank 2}}
  %0 = kiln.split_heads %x : tensor<?x768xf32> -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.split_heads: the result is [batch, heads, seq, head_dim].
func.func @split_heads_result_rank(%x: tensor<1x?x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.split_heads' op expected result to have rank 4, got rank 3}}
  %0 = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.split_heads: the head count comes from the result type and must be
// static.
func.func @split_heads_dynamic_heads(%x: tensor<1x?x768xf32>)
    -> tensor<1x?x?x64xf32> {
  // expected-error @+1 {{'kiln.split_heads' op expected static heads and head size in the result type, got 1x?x?x64}}
  %0 = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x?x?x64xf32>
  return %0 : tensor<1x?x?x64xf32>
}

// -----

// kiln.split_heads: heads x head size is the input width.
func.func @split_heads_width(%x: tensor<1x?x768xf32>)
    -> tensor<1x12x?x32xf32> {
  // expected-error @+1 {{'kiln.split_heads' op expected input width 768 to equal 12 heads x 32 head size}}
  %0 = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x12x?x32xf32>
  return %0 : tensor<1x12x?x32xf32>
}

// -----

// kiln.split_heads: batch and sequence carry over.
func.func @split_heads_seq(%x: tensor<1x5x768xf32>) -> tensor<1x12x7x64xf32> {
  // expected-error @+1 {{'kiln.split_heads' op expected result shape 1x12x5x64, got 1x12x7x64}}
  %0 = kiln.split_heads %x : tensor<1x5x768xf32> -> tensor<1x12x7x64xf32>
  return %0 : tensor<1x12x7x64xf32>
}

// -----

// kiln.split_heads: the element type carries over.
func.func @split_heads_element_type(%x: tensor<1x?x768xf32>)
    -> tensor<1x12x?x64xf16> {
  // expected-error @+1 {{'kiln.split_heads' op expected result element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x12x?x64xf16>
  return %0 : tensor<1x12x?x64xf16>
}

// -----

// kiln.merge_heads: the input is [batch, heads, seq, head_dim].
func.func @merge_heads_input_rank(%o: tensor<1x?x768xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected input to have rank 4, got rank 3}}
  %0 = kiln.merge_heads %o : tensor<1x?x768xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.merge_heads: the result is [batch, seq, features].
func.func @merge_heads_result_rank(%o: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected result to have rank 3, got rank 4}}
  %0 = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.merge_heads: the input's heads and head size must be static.
func.func @merge_heads_dynamic_head_dim(%o: tensor<1x12x?x?xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected static heads and head size in the input type, got 1x12x?x?}}
  %0 = kiln.merge_heads %o : tensor<1x12x?x?xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.merge_heads: the result width is heads x head size.
func.func @merge_heads_width(%o: tensor<1x12x?x64xf32>)
    -> tensor<1x?x512xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected result width 512 to equal 12 heads x 64 head size}}
  %0 = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<1x?x512xf32>
  return %0 : tensor<1x?x512xf32>
}

// -----

// kiln.merge_heads: batch and sequence carry over.
func.func @merge_heads_batch(%o: tensor<1x12x?x64xf32>)
    -> tensor<2x?x768xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected input shape 2x12x?x64, got 1x12x?x64}}
  %0 = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<2x?x768xf32>
  return %0 : tensor<2x?x768xf32>
}

// -----

// kiln.merge_heads: the element type carries over.
func.func @merge_heads_element_type(%o: tensor<1x12x?x64xbf16>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.merge_heads' op expected result element type 'bf16' (the input's), got 'f32'}}
  %0 = kiln.merge_heads %o : tensor<1x12x?x64xbf16> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.repeat_kv: the input is [batch, kv_heads, seq, head_dim].
func.func @repeat_kv_input_rank(%k: tensor<8x?x128xf32>)
    -> tensor<1x32x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected input to have rank 4, got rank 3}}
  %0 = kiln.repeat_kv %k : tensor<8x?x128xf32> -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// -----

// kiln.repeat_kv: the result is [batch, heads, seq, head_dim].
func.func @repeat_kv_result_rank(%k: tensor<1x8x?x128xf32>)
    -> tensor<32x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected result to have rank 4, got rank 3}}
  %0 = kiln.repeat_kv %k : tensor<1x8x?x128xf32> -> tensor<32x?x128xf32>
  return %0 : tensor<32x?x128xf32>
}

// -----

// kiln.repeat_kv: the repeat count is derived from static head counts.
func.func @repeat_kv_dynamic_heads(%k: tensor<1x?x?x128xf32>)
    -> tensor<1x32x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected static head counts, got ? and 32}}
  %0 = kiln.repeat_kv %k : tensor<1x?x?x128xf32> -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// -----

// kiln.repeat_kv: zero input heads is rejected (it used to divide by zero).
func.func @repeat_kv_zero_heads(%k: tensor<1x0x?x128xf32>)
    -> tensor<1x32x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected input heads to be positive, got 0}}
  %0 = kiln.repeat_kv %k : tensor<1x0x?x128xf32> -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// -----

// kiln.repeat_kv: each head repeats a whole number of times.
func.func @repeat_kv_not_multiple(%k: tensor<1x8x?x128xf32>)
    -> tensor<1x12x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected result heads 12 to be a multiple of the input's 8 heads}}
  %0 = kiln.repeat_kv %k : tensor<1x8x?x128xf32> -> tensor<1x12x?x128xf32>
  return %0 : tensor<1x12x?x128xf32>
}

// -----

// kiln.repeat_kv: batch, sequence and head size carry over.
func.func @repeat_kv_head_dim(%k: tensor<1x8x?x128xf32>)
    -> tensor<1x32x?x64xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected result shape 1x32x?x128, got 1x32x?x64}}
  %0 = kiln.repeat_kv %k : tensor<1x8x?x128xf32> -> tensor<1x32x?x64xf32>
  return %0 : tensor<1x32x?x64xf32>
}

// -----

// kiln.repeat_kv: the element type carries over.
func.func @repeat_kv_element_type(%k: tensor<1x8x?x128xf16>)
    -> tensor<1x32x?x128xf32> {
  // expected-error @+1 {{'kiln.repeat_kv' op expected result element type 'f16' (the input's), got 'f32'}}
  %0 = kiln.repeat_kv %k : tensor<1x8x?x128xf16> -> tensor<1x32x?x128xf32>
  return %0 : tensor<1x32x?x128xf32>
}

// -----

// kiln.transpose: one permutation entry per input dimension.
func.func @transpose_permutation_size(%x: tensor<2x3x4xf32>)
    -> tensor<3x2x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op expected a permutation of 3 dimensions, got 2}}
  %0 = kiln.transpose %x [1, 0] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// kiln.transpose: entries are dimensions of the input.
func.func @transpose_out_of_range(%x: tensor<2x3x4xf32>)
    -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op expected a permutation of [0, 3), got [0, 1, 3]}}
  %0 = kiln.transpose %x [0, 1, 3] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// kiln.transpose: negative entries are not dimensions.
func.func @transpose_negative(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // expected-error @+1 {{'kiln.transpose' op expected a permutation of [0, 3), got [-1, 0, 1]}}
  %0 = kiln.transpose %x [-1, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// kiln.transpose: each dimension appears once.
func.func @transpose_duplicate(%x: tensor<2x3x4xf32>) -> tensor<2x3x3xf32> {
  // expected-error @+1 {{'kiln.transpose' op expected a permutation of [0, 3), got [0, 1, 1]}}
  %0 = kiln.transpose %x [0, 1, 1] : tensor<2x3x4xf32> -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

// kiln.transpose: the result is the permuted input shape.
func.func @transpose_result_shape(%x: tensor<2x3x4xf32>)
    -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op expected result shape 2x4x3, got 2x3x4}}
  %0 = kiln.transpose %x [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// kiln.transpose: the element type carries over.
func.func @transpose_element_type(%x: tensor<3x5xf32>) -> tensor<5x3xbf16> {
  // expected-error @+1 {{'kiln.transpose' op expected result element type 'f32' (the input's), got 'bf16'}}
  %0 = kiln.transpose %x [1, 0] : tensor<3x5xf32> -> tensor<5x3xbf16>
  return %0 : tensor<5x3xbf16>
}

// -----

// kiln.reshape: dynamic dimensions are matched one to one.
func.func @reshape_dynamic_count(%x: tensor<1x?x768xf32>)
    -> tensor<1x?x?x64xf32> {
  // expected-error @+1 {{'kiln.reshape' op expected as many dynamic dimensions in the result as in the input (1), got 2}}
  %0 = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x?x64xf32>
  return %0 : tensor<1x?x?x64xf32>
}

// -----

// kiln.reshape: the static dimensions hold as many elements.
func.func @reshape_element_count(%x: tensor<1x?x768xf32>)
    -> tensor<1x?x8x64xf32> {
  // expected-error @+1 {{'kiln.reshape' op expected the static dimensions of the result to hold 768 elements (the input's), got 512}}
  %0 = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x8x64xf32>
  return %0 : tensor<1x?x8x64xf32>
}

// -----

// kiln.reshape: the element type carries over.
func.func @reshape_element_type(%x: tensor<2x3xf16>) -> tensor<6xf32> {
  // expected-error @+1 {{'kiln.reshape' op expected result element type 'f16' (the input's), got 'f32'}}
  %0 = kiln.reshape %x : tensor<2x3xf16> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// kiln.slice: the result has the input's rank (checked before the axis is
// looked up in the result).
func.func @slice_result_rank(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.slice' op expected result to have rank 2, got rank 1}}
  %0 = kiln.slice %x axis 1 offset 0 : tensor<4x8xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// kiln.slice: the axis is a dimension of the input.
func.func @slice_axis_too_large(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.slice' op expected axis in [0, 3), got 3}}
  %0 = kiln.slice %qkv axis 3 offset 0
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.slice: negative axes are not accepted.
func.func @slice_axis_negative(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.slice' op expected axis in [0, 3), got -1}}
  %0 = kiln.slice %qkv axis -1 offset 0
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.slice: the slice size is the result's static size along the axis.
func.func @slice_dynamic_size(%x: tensor<1x?x2304xf32>)
    -> tensor<1x?x2304xf32> {
  // expected-error @+1 {{'kiln.slice' op expected a static result size along axis 1}}
  %0 = kiln.slice %x axis 1 offset 0
      : tensor<1x?x2304xf32> -> tensor<1x?x2304xf32>
  return %0 : tensor<1x?x2304xf32>
}

// -----

// kiln.slice: a negative offset counts from the end, so the slice must end
// by the end of the axis, even a dynamic one.
func.func @slice_negative_offset_past_end(%h: tensor<1x?x768xf32>)
    -> tensor<1x2x768xf32> {
  // expected-error @+1 {{'kiln.slice' op expected a negative offset of at most -2 (minus the result size along axis 1), got -1}}
  %0 = kiln.slice %h axis 1 offset -1
      : tensor<1x?x768xf32> -> tensor<1x2x768xf32>
  return %0 : tensor<1x2x768xf32>
}

// -----

// kiln.slice: a negative offset counts back no further than the start of a
// static axis.
func.func @slice_negative_offset_before_start(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.slice' op slice [-96, 672) exceeds the size 2304 of axis 2}}
  %0 = kiln.slice %qkv axis 2 offset -2400
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.slice: the slice lies within a static axis.
func.func @slice_out_of_bounds(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf32> {
  // expected-error @+1 {{'kiln.slice' op slice [2048, 2816) exceeds the size 2304 of axis 2}}
  %0 = kiln.slice %qkv axis 2 offset 2048
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  return %0 : tensor<1x?x768xf32>
}

// -----

// kiln.slice: the other dimensions carry over.
func.func @slice_other_dims(%qkv: tensor<1x?x2304xf32>)
    -> tensor<2x?x768xf32> {
  // expected-error @+1 {{'kiln.slice' op expected result shape 1x?x768, got 2x?x768}}
  %0 = kiln.slice %qkv axis 2 offset 0
      : tensor<1x?x2304xf32> -> tensor<2x?x768xf32>
  return %0 : tensor<2x?x768xf32>
}

// -----

// kiln.slice: the element type carries over.
func.func @slice_element_type(%qkv: tensor<1x?x2304xf32>)
    -> tensor<1x?x768xf16> {
  // expected-error @+1 {{'kiln.slice' op expected result element type 'f32' (the input's), got 'f16'}}
  %0 = kiln.slice %qkv axis 2 offset 0
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf16>
  return %0 : tensor<1x?x768xf16>
}

// -----

// kiln.attention: query is [batch, heads, queries, head_dim].
func.func @attention_query_rank(
    %q: tensor<12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected query to have rank 4, got rank 3}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<12x?x64xf32>
  return %0 : tensor<12x?x64xf32>
}

// -----

// kiln.attention: key is [batch, kv_heads, keys, head_dim].
func.func @attention_key_rank(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected key to have rank 4, got rank 3}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: value is [batch, kv_heads, keys, value_dim].
func.func @attention_value_rank(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected value to have rank 4, got rank 5}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: key has the query's batch.
func.func @attention_key_batch(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<2x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected key dimension 0 (batch) to be 1, got 2}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<2x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: value has the query's batch.
func.func @attention_value_batch(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<2x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected value dimension 0 (batch) to be 1, got 2}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<2x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: value has the key's heads.
func.func @attention_value_heads(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x4x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected value dimension 1 (key/value heads) to be 12, got 4}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x4x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: value has one row per key.
func.func @attention_value_keys(
    %q: tensor<1x12x8x64xf32>,
    %k: tensor<1x12x10x64xf32>,
    %v: tensor<1x12x12x64xf32>)
    -> tensor<1x12x8x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected value dimension 2 (keys) to be 10, got 12}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x8x64xf32>, tensor<1x12x10x64xf32>, tensor<1x12x12x64xf32>)
      -> tensor<1x12x8x64xf32>
  return %0 : tensor<1x12x8x64xf32>
}

// -----

// kiln.attention: query and key have the same head size.
func.func @attention_key_head_dim(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x32xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected key dimension 3 (the query's head size) to be 64, got 32}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x32xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: zero key/value heads is rejected (it used to divide by
// zero).
func.func @attention_zero_kv_heads(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x0x?x64xf32>,
    %v: tensor<1x0x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected key/value heads to be positive, got 0}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x0x?x64xf32>, tensor<1x0x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: grouped-query attention needs query heads to be a
// multiple of key/value heads.
func.func @attention_gqa_not_multiple(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x8x?x64xf32>,
    %v: tensor<1x8x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected query heads 12 to be a multiple of key/value heads 8}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: the result's last dimension is the value's, not the
// query's.
func.func @attention_result_value_dim(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x32xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected result shape 1x12x?x32, got 1x12x?x64}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x32xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: key_padding is [batch, keys].
func.func @attention_key_padding_rank(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>,
    %mask: tensor<?xi64>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected attention mask to have rank 2, got rank 1}}
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<?xi64>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: key_padding has the query's batch.
func.func @attention_key_padding_batch(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>,
    %mask: tensor<4x?xi64>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected attention mask dimension 0 (batch) to be 1, got 4}}
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<4x?xi64>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: key_padding covers every key.
func.func @attention_key_padding_keys(
    %q: tensor<1x12x8x64xf32>,
    %k: tensor<1x12x10x64xf32>,
    %v: tensor<1x12x10x64xf32>,
    %mask: tensor<1x9xi1>)
    -> tensor<1x12x8x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected attention mask dimension 1 (keys) to be 10, got 9}}
  %0 = kiln.attention %q, %k, %v key_padding %mask scale 0.125
      : (tensor<1x12x8x64xf32>, tensor<1x12x10x64xf32>, tensor<1x12x10x64xf32>, tensor<1x9xi1>)
      -> tensor<1x12x8x64xf32>
  return %0 : tensor<1x12x8x64xf32>
}

// -----

// kiln.attention: a sliding_window mask needs a window.
func.func @attention_sliding_window_without_window(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected a window exactly when the mask is sliding_window, got mask sliding_window without a window}}
  %0 = kiln.attention %q, %k, %v scale 0.125 mask sliding_window
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: a window is meaningless with a causal mask.
func.func @attention_causal_with_window(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected a window exactly when the mask is sliding_window, got mask causal with a window}}
  %0 = kiln.attention %q, %k, %v scale 0.125 mask causal window 128
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: a window is meaningless without a mask (the default).
func.func @attention_default_mask_with_window(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected a window exactly when the mask is sliding_window, got mask none with a window}}
  %0 = kiln.attention %q, %k, %v scale 0.125 window 128
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: the window must be positive.
func.func @attention_window_zero(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected window to be positive, got 0}}
  %0 = kiln.attention %q, %k, %v scale 0.125 mask sliding_window window 0
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: a negative window is rejected, not read as a huge
// unsigned value.
func.func @attention_window_negative(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected window to be positive, got -4}}
  %0 = kiln.attention %q, %k, %v scale 0.125 mask sliding_window window -4
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: key has the query's element type.
func.func @attention_key_element_type(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf16>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected key element type 'f32' (the query's), got 'f16'}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf16>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: value has the query's element type.
func.func @attention_value_element_type(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xbf16>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op expected value element type 'f32' (the query's), got 'bf16'}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xbf16>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention: the result has the query's element type.
func.func @attention_result_element_type(
    %q: tensor<1x12x?x64xf32>,
    %k: tensor<1x12x?x64xf32>,
    %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf16> {
  // expected-error @+1 {{'kiln.attention' op expected result element type 'f32' (the query's), got 'f16'}}
  %0 = kiln.attention %q, %k, %v scale 0.125
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf16>
  return %0 : tensor<1x12x?x64xf16>
}

// -----

// kiln.attention (parser): the mask is one of the MaskKind cases.
func.func @attention_unknown_mask(%q: tensor<1x12x?x64xf32>,
                                  %k: tensor<1x12x?x64xf32>,
                                  %v: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'mask' [none, causal, sliding_window]}}
  %0 = kiln.attention %q, %k, %v scale 0.125 mask diagonal
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.attention (ODS): the scale attribute is required (generic form).
func.func @attention_missing_scale(%q: tensor<1x12x?x64xf32>)
    -> tensor<1x12x?x64xf32> {
  // expected-error @+1 {{'kiln.attention' op requires attribute 'scale'}}
  %0 = "kiln.attention"(%q, %q, %q) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}>
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}

// -----

// kiln.mean_pool: the input is [batch, seq, features].
func.func @mean_pool_input_rank(%h: tensor<?x384xf32>) -> tensor<384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected input to have rank 3, got rank 2}}
  %0 = kiln.mean_pool %h : (tensor<?x384xf32>) -> tensor<384xf32>
  return %0 : tensor<384xf32>
}

// -----

// kiln.mean_pool: the sequence dimension is reduced away.
func.func @mean_pool_result_shape(%h: tensor<4x?x384xf32>)
    -> tensor<4x1x384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected result shape 4x384, got 4x1x384}}
  %0 = kiln.mean_pool %h : (tensor<4x?x384xf32>) -> tensor<4x1x384xf32>
  return %0 : tensor<4x1x384xf32>
}

// -----

// kiln.mean_pool: the mask is [batch, seq].
func.func @mean_pool_mask_rank(%h: tensor<4x?x384xf32>,
                               %mask: tensor<4x?x1xi64>) -> tensor<4x384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected attention mask to have rank 2, got rank 3}}
  %0 = kiln.mean_pool %h mask %mask
      : (tensor<4x?x384xf32>, tensor<4x?x1xi64>) -> tensor<4x384xf32>
  return %0 : tensor<4x384xf32>
}

// -----

// kiln.mean_pool: the mask has the input's batch.
func.func @mean_pool_mask_batch(%h: tensor<4x?x384xf32>,
                                %mask: tensor<1x?xi64>) -> tensor<4x384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected attention mask dimension 0 (batch) to be 4, got 1}}
  %0 = kiln.mean_pool %h mask %mask
      : (tensor<4x?x384xf32>, tensor<1x?xi64>) -> tensor<4x384xf32>
  return %0 : tensor<4x384xf32>
}

// -----

// kiln.mean_pool: the mask covers every position of the sequence.
func.func @mean_pool_mask_seq(%h: tensor<4x16x384xf32>,
                              %mask: tensor<4x8xi32>) -> tensor<4x384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected attention mask dimension 1 (keys) to be 16, got 8}}
  %0 = kiln.mean_pool %h mask %mask
      : (tensor<4x16x384xf32>, tensor<4x8xi32>) -> tensor<4x384xf32>
  return %0 : tensor<4x384xf32>
}

// -----

// kiln.mean_pool: the element type carries over.
func.func @mean_pool_element_type(%h: tensor<4x?x384xf16>)
    -> tensor<4x384xf32> {
  // expected-error @+1 {{'kiln.mean_pool' op expected result element type 'f16' (the input's), got 'f32'}}
  %0 = kiln.mean_pool %h : (tensor<4x?x384xf16>) -> tensor<4x384xf32>
  return %0 : tensor<4x384xf32>
}

// -----

// kiln.l2_normalize (ODS): integer inputs are rejected.
func.func @l2_normalize_integer(%e: tensor<1x384xi64>) -> tensor<1x384xi64> {
  // expected-error @+1 {{'kiln.l2_normalize' op operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x384xi64>'}}
  %0 = kiln.l2_normalize %e epsilon 1.0e-12 : tensor<1x384xi64>
  return %0 : tensor<1x384xi64>
}
