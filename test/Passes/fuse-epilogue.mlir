// RUN: kiln-opt %s --split-input-file --kiln-fuse-epilogue | FileCheck %s

// A bias added after a bias-less linear becomes its bias, on either side of
// the add.
// CHECK-LABEL: func.func @bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x8xf32>, %[[W:.+]]: tensor<16x8xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] :
// CHECK-NEXT: %[[Z:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] :
// CHECK-NEXT: return %[[Y]], %[[Z]]
func.func @bias(%x: tensor<1x?x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>)
    -> (tensor<1x?x16xf32>, tensor<1x?x16xf32>) {
  %h = kiln.linear %x, %w : (tensor<1x?x8xf32>, tensor<16x8xf32>) -> tensor<1x?x16xf32>
  %y = kiln.add %h, %b : (tensor<1x?x16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
  %g = kiln.linear %x, %w : (tensor<1x?x8xf32>, tensor<16x8xf32>) -> tensor<1x?x16xf32>
  %z = kiln.add %b, %g : (tensor<16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  return %y, %z : tensor<1x?x16xf32>, tensor<1x?x16xf32>
}

// -----

// GPT-2's MLP as the frontend emits it: c_fc with its bias, gelu_tanh,
// c_proj with its bias, and the residual added as `x + mlp(x)`, with the
// residual stream defined long before the linear.
// CHECK-LABEL: func.func @gpt2_mlp
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x8xf32>, %[[N:.+]]: tensor<1x?x8xf32>, %[[WFC:.+]]: tensor<32x8xf32>, %[[BFC:.+]]: tensor<32xf32>, %[[WP:.+]]: tensor<8x32xf32>, %[[BP:.+]]: tensor<8xf32>)
// CHECK-NEXT: %[[U:.+]] = kiln.linear %[[N]], %[[WFC]] bias %[[BFC]] activation gelu_tanh :
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[U]], %[[WP]] bias %[[BP]] residual %[[X]] :
// CHECK-NEXT: return %[[Y]]
func.func @gpt2_mlp(%x: tensor<1x?x8xf32>, %n: tensor<1x?x8xf32>,
                    %wfc: tensor<32x8xf32>, %bfc: tensor<32xf32>,
                    %wp: tensor<8x32xf32>, %bp: tensor<8xf32>) -> tensor<1x?x8xf32> {
  %u = kiln.linear %n, %wfc bias %bfc
      : (tensor<1x?x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<1x?x32xf32>
  %a = kiln.activation gelu_tanh %u : tensor<1x?x32xf32>
  %d = kiln.linear %a, %wp bias %bp
      : (tensor<1x?x32xf32>, tensor<8x32xf32>, tensor<8xf32>) -> tensor<1x?x8xf32>
  %y = kiln.add %x, %d : (tensor<1x?x8xf32>, tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  return %y : tensor<1x?x8xf32>
}

// -----

// The whole epilogue grown from a bare linear: bias, activation, residual.
// CHECK-LABEL: func.func @whole_epilogue
// CHECK-SAME: (%[[X:.+]]: tensor<2x4x8xf32>, %[[W:.+]]: tensor<8x8xf32>, %[[B:.+]]: tensor<8xf32>, %[[R:.+]]: tensor<2x4x8xf32>)
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] activation relu residual %[[R]] :
// CHECK-SAME: (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @whole_epilogue(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>,
                          %r: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %h = kiln.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %hb = kiln.add %h, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %a = kiln.activation relu %hb : tensor<2x4x8xf32>
  %y = kiln.add %a, %r : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// The residual is computed after the linear: the fused linear moves down to
// the add, below the residual's definition.
// CHECK-LABEL: func.func @residual_defined_after_linear
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x8xf32>, %[[S:.+]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[R:.+]] = kiln.scale %[[S]] by 2.000000e+00
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] residual %[[R]] :
// CHECK-NEXT: return %[[Y]]
func.func @residual_defined_after_linear(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>,
                                         %s: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %r = kiln.scale %s by 2.0 : tensor<4x8xf32>
  %y = kiln.add %r, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// With a rank-1 result, a tensor of the result type added after the
// activation can only be the residual.
// CHECK-LABEL: func.func @rank1_residual_after_activation
// CHECK-SAME: (%[[X:.+]]: tensor<8xf32>, %[[W:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<4xf32>, %[[C:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] bias %[[B]] activation silu residual %[[C]] :
// CHECK-NEXT: return %[[Y]]
func.func @rank1_residual_after_activation(%x: tensor<8xf32>, %w: tensor<4x8xf32>,
                                           %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %h = kiln.linear %x, %w bias %b activation silu
      : (tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = kiln.add %h, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Two projections summed: one absorbs the other as its residual.
// CHECK-LABEL: func.func @two_linears_summed
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x8xf32>, %[[V:.+]]: tensor<8x8xf32>)
// CHECK-NEXT: %[[P:.+]] = kiln.linear %[[X]], %[[V]] :
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] residual %[[P]] :
// CHECK-NEXT: return %[[Y]]
func.func @two_linears_summed(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>,
                              %v: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %h = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %p = kiln.linear %x, %v : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %y = kiln.add %h, %p : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
