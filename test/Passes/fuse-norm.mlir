// RUN: kiln-opt %s --split-input-file --kiln-fuse-norm | FileCheck %s

// Pre-norm (GPT-2): the sum is both normalised and the next residual.
// CHECK-LABEL: func.func @add_layer_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x8xf32>, %[[H:.+]]: tensor<1x?x8xf32>, %[[G:.+]]: tensor<8xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK-NEXT: %[[SUM:[^,]+]], %[[NORM:[^ ]+]] = kiln.add_layer_norm %[[X]], %[[H]], %[[G]], %[[B]] epsilon 1.000000e-05 :
// CHECK-SAME: (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8xf32>)
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.layer_norm
// CHECK-NEXT: return %[[SUM]], %[[NORM]]
func.func @add_layer_norm(%x: tensor<1x?x8xf32>, %h: tensor<1x?x8xf32>, %g: tensor<8xf32>,
                          %b: tensor<8xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8xf32>) {
  %sum = kiln.add %x, %h : (tensor<1x?x8xf32>, tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %n = kiln.layer_norm %sum, %g, %b epsilon 1.0e-05
      : (tensor<1x?x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x?x8xf32>
  return %sum, %n : tensor<1x?x8xf32>, tensor<1x?x8xf32>
}

// -----

// Post-norm (BERT) without beta: the sum has no other use, so result #0 of
// the fused op is simply unused.
// CHECK-LABEL: func.func @post_norm_without_beta
// CHECK-SAME: (%[[X:.+]]: tensor<2x4x8xf32>, %[[H:.+]]: tensor<2x4x8xf32>, %[[G:.+]]: tensor<8xf32>)
// CHECK-NEXT: %[[SUM:[^,]+]], %[[NORM:[^ ]+]] = kiln.add_layer_norm %[[X]], %[[H]], %[[G]] epsilon 9.9999999999999998E-13 :
// CHECK-NEXT: return %[[NORM]]
func.func @post_norm_without_beta(%x: tensor<2x4x8xf32>, %h: tensor<2x4x8xf32>,
                                  %g: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %sum = kiln.add %x, %h : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %n = kiln.layer_norm %sum, %g epsilon 1.0e-12
      : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %n : tensor<2x4x8xf32>
}

// -----

// LLaMA: residual add into rms_norm; the sum feeds the next residual add.
// CHECK-LABEL: func.func @add_rms_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x16xf32>, %[[H:.+]]: tensor<1x?x16xf32>, %[[G:.+]]: tensor<16xf32>)
// CHECK-NEXT: %[[SUM:[^,]+]], %[[NORM:[^ ]+]] = kiln.add_rms_norm %[[X]], %[[H]], %[[G]] epsilon 9.9999999999999995E-7 :
// CHECK-NOT: kiln.rms_norm
// CHECK-NEXT: %[[NEXT:.+]] = kiln.add %[[SUM]], %[[NORM]]
// CHECK-NEXT: return %[[NEXT]]
func.func @add_rms_norm(%x: tensor<1x?x16xf32>, %h: tensor<1x?x16xf32>,
                        %g: tensor<16xf32>) -> tensor<1x?x16xf32> {
  %sum = kiln.add %x, %h : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %n = kiln.rms_norm %sum, %g epsilon 1.0e-06
      : (tensor<1x?x16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
  %next = kiln.add %sum, %n : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  return %next : tensor<1x?x16xf32>
}

// -----

// Gemma: the fused op keeps the norm's gamma_offset.
// CHECK-LABEL: func.func @add_rms_norm_gamma_offset
// CHECK-NEXT: kiln.add_rms_norm %{{.+}}, %{{.+}}, %{{.+}} epsilon 9.9999999999999995E-7 gamma_offset 1.000000e+00 :
// CHECK-NOT: kiln.rms_norm
func.func @add_rms_norm_gamma_offset(%x: tensor<1x?x16xf32>,
                                     %h: tensor<1x?x16xf32>,
                                     %g: tensor<16xf32>) -> tensor<1x?x16xf32> {
  %sum = kiln.add %x, %h : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %n = kiln.rms_norm %sum, %g epsilon 1.0e-06 gamma_offset 1.0
      : (tensor<1x?x16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
  %next = kiln.add %sum, %n : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  return %next : tensor<1x?x16xf32>
}

// -----

// The sum is used before the norm: the fused op takes the add's place.
// CHECK-LABEL: func.func @sum_used_before_norm
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[H:.+]]: tensor<4x8xf32>, %[[G:.+]]: tensor<8xf32>)
// CHECK-NEXT: %[[SUM:[^,]+]], %[[NORM:[^ ]+]] = kiln.add_rms_norm %[[X]], %[[H]], %[[G]]
// CHECK-NEXT: %[[S:.+]] = kiln.scale %[[SUM]] by 2.000000e+00
// CHECK-NEXT: return %[[S]], %[[NORM]]
func.func @sum_used_before_norm(%x: tensor<4x8xf32>, %h: tensor<4x8xf32>, %g: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %sum = kiln.add %x, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = kiln.scale %sum by 2.0 : tensor<4x8xf32>
  %n = kiln.rms_norm %sum, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %s, %n : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// gamma is cast from bf16 after the add: the fused op takes the norm's
// place, after the cast.
// CHECK-LABEL: func.func @gamma_defined_after_add
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[H:.+]]: tensor<4x8xf32>, %[[G16:.+]]: tensor<8xbf16>)
// CHECK-NEXT: %[[G:.+]] = kiln.cast %[[G16]]
// CHECK-NEXT: %[[SUM:[^,]+]], %[[NORM:[^ ]+]] = kiln.add_rms_norm %[[X]], %[[H]], %[[G]]
// CHECK-NEXT: %[[S:.+]] = kiln.scale %[[SUM]] by 2.000000e+00
// CHECK-NEXT: return %[[S]], %[[NORM]]
func.func @gamma_defined_after_add(%x: tensor<4x8xf32>, %h: tensor<4x8xf32>, %g16: tensor<8xbf16>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %sum = kiln.add %x, %h : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %g = kiln.cast %g16 : tensor<8xbf16> -> tensor<8xf32>
  %n = kiln.rms_norm %sum, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %s = kiln.scale %sum by 2.0 : tensor<4x8xf32>
  return %s, %n : tensor<4x8xf32>, tensor<4x8xf32>
}
