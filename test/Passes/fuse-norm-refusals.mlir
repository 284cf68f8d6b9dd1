// RUN: kiln-opt %s --split-input-file --kiln-fuse-norm="report-refusals" -verify-diagnostics | FileCheck %s

// Each case has no fused form; the pass must leave it alone and say why.

// Adding a bias broadcasts: the fused ops add two tensors of one type.
// CHECK-LABEL: func.func @broadcasting_add
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.layer_norm
func.func @broadcasting_add(%x: tensor<2x4x8xf32>, %b: tensor<8xf32>,
                            %g: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %sum = kiln.add %x, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  // expected-remark @+1 {{kiln-fuse-norm: not fused: 'kiln.add' broadcasts 'tensor<2x4x8xf32>' and 'tensor<8xf32>'; the fused op adds two tensors of one type}}
  %n = kiln.layer_norm %sum, %g epsilon 1.0e-05
      : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %n : tensor<2x4x8xf32>
}

// -----

// The first norm of a model reads the embeddings, not a residual sum.
// CHECK-LABEL: func.func @input_not_an_add
// CHECK-NEXT: kiln.rms_norm
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.rms_norm
func.func @input_not_an_add(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-remark @+1 {{the input is not a 'kiln.add' result but a block argument}}
  %n = kiln.rms_norm %x, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %m = kiln.mul %n, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{the input is not a 'kiln.add' result but a 'kiln.mul' result}}
  %o = kiln.rms_norm %m, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %o : tensor<4x8xf32>
}

// -----

// gamma is defined after the add and the sum is used before the norm: no
// single place for the fused op sees every operand and precedes every use.
// CHECK-LABEL: func.func @no_place_for_fused_op
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.scale
// CHECK-NEXT: kiln.cast
// CHECK-NEXT: kiln.rms_norm
func.func @no_place_for_fused_op(%x: tensor<4x8xf32>, %h: tensor<4x8xf32>, %g16: tensor<8xbf16>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %sum = kiln.add %x, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = kiln.scale %sum by 2.0 : tensor<4x8xf32>
  %g = kiln.cast %g16 : tensor<8xbf16> -> tensor<8xf32>
  // expected-remark @+1 {{the norm's parameters are defined after the add, and the sum is used before the norm}}
  %n = kiln.rms_norm %sum, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %s, %n : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Fusing would move the add into the region, which may run many times.
// CHECK-LABEL: func.func @norm_in_another_block
// CHECK-NEXT: kiln.add
// CHECK-NEXT: tensor.generate
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.rms_norm
func.func @norm_in_another_block(%x: tensor<8xf32>, %h: tensor<8xf32>, %g: tensor<8xf32>,
                                 %n: index) -> tensor<?xf32> {
  %sum = kiln.add %x, %h : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %t = tensor.generate %n {
  ^bb0(%i: index):
    // expected-remark @+1 {{the add is in another block}}
    %y = kiln.rms_norm %sum, %g epsilon 1.0e-06 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %e = tensor.extract %y[%i] : tensor<8xf32>
    tensor.yield %e : f32
  } : tensor<?xf32>
  return %t : tensor<?xf32>
}
