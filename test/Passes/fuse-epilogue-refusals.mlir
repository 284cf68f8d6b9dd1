// RUN: kiln-opt %s --split-input-file --kiln-fuse-epilogue="report-refusals" -verify-diagnostics | FileCheck %s

// Each case would compute something else, or compute it twice, if fused;
// the pass must leave it alone and say why.

// The linear result is also returned: fusing the activation would need the
// plain result as well.
// CHECK-LABEL: func.func @linear_used_twice
// CHECK-NEXT: kiln.linear %{{.+}}, %{{.+}} :
// CHECK-NEXT: kiln.activation relu
func.func @linear_used_twice(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %h = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{kiln-fuse-epilogue: not fused: the linear result has 2 uses; fusing would compute the linear twice}}
  %a = kiln.activation relu %h : tensor<4x8xf32>
  return %h, %a : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// activation(x W^T + r) is not activation(x W^T) + r: the residual is
// fused, the activation after it is not.
// CHECK-LABEL: func.func @activation_after_residual
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x8xf32>, %[[R:.+]]: tensor<4x8xf32>)
// CHECK-NEXT: %[[Y:.+]] = kiln.linear %[[X]], %[[W]] residual %[[R]] :
// CHECK-NEXT: kiln.activation gelu %[[Y]]
func.func @activation_after_residual(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>,
                                     %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %y = kiln.add %h, %r : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{the linear already adds a residual, and the fused epilogue applies the activation before the residual}}
  %a = kiln.activation gelu %y : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @second_activation
// CHECK: kiln.linear %{{.+}}, %{{.+}} activation relu :
// CHECK-NEXT: kiln.activation tanh
func.func @second_activation(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %h = kiln.linear %x, %w activation relu : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{the linear already applies 'relu'}}
  %a = kiln.activation tanh %h : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// A [seq, features] addend broadcasts over the batch but differs per
// position: it is not a per-output-feature bias.
// CHECK-LABEL: func.func @broadcast_not_bias
// CHECK: kiln.linear %{{.+}}, %{{.+}} :
// CHECK-NEXT: kiln.add
func.func @broadcast_not_bias(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>,
                              %p: tensor<4x16xf32>) -> tensor<2x4x16xf32> {
  %h = kiln.linear %x, %w : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
  // expected-remark @+1 {{the added 'tensor<4x16xf32>' is neither a bias of the 16 output features nor a residual of the result type 'tensor<2x4x16xf32>'}}
  %y = kiln.add %h, %p : (tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// -----

// The add broadcasts the linear result over a batch of 3: the sum has
// another shape than the linear can produce.
// CHECK-LABEL: func.func @add_changes_shape
// CHECK: kiln.linear %{{.+}}, %{{.+}} :
// CHECK-NEXT: kiln.add
func.func @add_changes_shape(%x: tensor<1x4x8xf32>, %w: tensor<16x8xf32>,
                             %r: tensor<3x4x16xf32>) -> tensor<3x4x16xf32> {
  %h = kiln.linear %x, %w : (tensor<1x4x8xf32>, tensor<16x8xf32>) -> tensor<1x4x16xf32>
  // expected-remark @+1 {{'kiln.add' changes the linear result type 'tensor<1x4x16xf32>' to 'tensor<3x4x16xf32>'}}
  %y = kiln.add %r, %h : (tensor<3x4x16xf32>, tensor<1x4x16xf32>) -> tensor<3x4x16xf32>
  return %y : tensor<3x4x16xf32>
}

// -----

// CHECK-LABEL: func.func @bias_after_activation
// CHECK: kiln.linear %{{.+}}, %{{.+}} activation silu :
// CHECK-NEXT: kiln.add
func.func @bias_after_activation(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>,
                                 %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %h = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %a = kiln.activation silu %h : tensor<4x16xf32>
  // expected-remark @+1 {{the bias is added after the linear's activation, and the fused epilogue adds it before}}
  %y = kiln.add %a, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @second_bias
// CHECK: kiln.linear %{{.+}}, %{{.+}} bias %{{.+}} :
// CHECK-NEXT: kiln.add
func.func @second_bias(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>,
                       %b: tensor<16xf32>, %c: tensor<16xf32>) -> tensor<4x16xf32> {
  %h = kiln.linear %x, %w bias %b
      : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  // expected-remark @+1 {{the linear already has a bias}}
  %y = kiln.add %h, %c : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @second_residual
// CHECK: kiln.linear %{{.+}}, %{{.+}} residual %{{.+}} :
// CHECK-NEXT: kiln.add
func.func @second_residual(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>,
                           %r: tensor<4x8xf32>, %s: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = kiln.linear %x, %w residual %r
      : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{the linear already adds a residual}}
  %y = kiln.add %h, %s : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Fusing would move the linear into the region, which may run many times.
// CHECK-LABEL: func.func @activation_in_another_block
// CHECK: kiln.linear %{{.+}}, %{{.+}} :
// CHECK: tensor.generate
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.activation relu
func.func @activation_in_another_block(%x: tensor<4xf32>, %w: tensor<4x4xf32>,
                                       %n: index) -> tensor<?xf32> {
  %h = kiln.linear %x, %w : (tensor<4xf32>, tensor<4x4xf32>) -> tensor<4xf32>
  %g = tensor.generate %n {
  ^bb0(%i: index):
    // expected-remark @+1 {{the linear is in another block}}
    %a = kiln.activation relu %h : tensor<4xf32>
    %e = tensor.extract %a[%i] : tensor<4xf32>
    tensor.yield %e : f32
  } : tensor<?xf32>
  return %g : tensor<?xf32>
}
