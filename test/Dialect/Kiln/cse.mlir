// RUN: kiln-opt %s -cse -split-input-file | FileCheck %s

// Every kiln op is Pure, so CSE merges masks that the frontend builds once
// per layer from the same inputs.

// CHECK-LABEL: func.func @duplicate_mask_ops
// CHECK-SAME: (%[[S:.+]]: tensor<2x4x?x?xf32>, %[[M:.+]]: tensor<2x?xi64>)
// CHECK-NEXT: %[[C:.+]] = kiln.causal_mask %[[S]]
// CHECK-NEXT: %[[P:.+]] = kiln.padding_mask %[[C]], %[[M]]
// CHECK-NEXT: return %[[P]], %[[P]]
func.func @duplicate_mask_ops(%s: tensor<2x4x?x?xf32>, %mask: tensor<2x?xi64>)
    -> (tensor<2x4x?x?xf32>, tensor<2x4x?x?xf32>) {
  %c0 = kiln.causal_mask %s : tensor<2x4x?x?xf32>
  %p0 = kiln.padding_mask %c0, %mask : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  %c1 = kiln.causal_mask %s : tensor<2x4x?x?xf32>
  %p1 = kiln.padding_mask %c1, %mask : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  return %p0, %p1 : tensor<2x4x?x?xf32>, tensor<2x4x?x?xf32>
}

// -----

// The additive padding mask (1 - mask) * -1e9, built twice from the same
// attention mask, is built once.
// CHECK-LABEL: func.func @duplicate_additive_padding_mask
// CHECK-SAME: (%[[A:.+]]: tensor<2x4x8x8xf32>, %[[B:.+]]: tensor<2x4x8x8xf32>, %[[M:.+]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[ONE:.+]] = arith.constant
// CHECK-NEXT: %[[R:.+]] = kiln.reshape %[[M]]
// CHECK-NEXT: %[[INV:.+]] = kiln.sub %[[ONE]], %[[R]]
// CHECK-NEXT: %[[BIAS:.+]] = kiln.scale %[[INV]]
// CHECK-NEXT: %[[X:.+]] = kiln.add %[[A]], %[[BIAS]]
// CHECK-NEXT: %[[Y:.+]] = kiln.add %[[B]], %[[BIAS]]
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @duplicate_additive_padding_mask(%a: tensor<2x4x8x8xf32>, %b: tensor<2x4x8x8xf32>,
                                           %mask: tensor<2x8xf32>)
    -> (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) {
  %one0 = arith.constant dense<1.0> : tensor<f32>
  %r0 = kiln.reshape %mask : tensor<2x8xf32> -> tensor<2x1x1x8xf32>
  %inv0 = kiln.sub %one0, %r0 : (tensor<f32>, tensor<2x1x1x8xf32>) -> tensor<2x1x1x8xf32>
  %bias0 = kiln.scale %inv0 by -1.0e9 : tensor<2x1x1x8xf32>
  %x = kiln.add %a, %bias0 : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
  %one1 = arith.constant dense<1.0> : tensor<f32>
  %r1 = kiln.reshape %mask : tensor<2x8xf32> -> tensor<2x1x1x8xf32>
  %inv1 = kiln.sub %one1, %r1 : (tensor<f32>, tensor<2x1x1x8xf32>) -> tensor<2x1x1x8xf32>
  %bias1 = kiln.scale %inv1 by -1.0e9 : tensor<2x1x1x8xf32>
  %y = kiln.add %b, %bias1 : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
  return %x, %y : tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>
}

// -----

// Masks built from different attention masks stay apart.
// CHECK-LABEL: func.func @different_masks_kept
// CHECK: kiln.padding_mask
// CHECK: kiln.padding_mask
func.func @different_masks_kept(%s: tensor<2x4x?x?xf32>, %a: tensor<2x?xi64>, %b: tensor<2x?xi64>)
    -> (tensor<2x4x?x?xf32>, tensor<2x4x?x?xf32>) {
  %p = kiln.padding_mask %s, %a : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  %q = kiln.padding_mask %s, %b : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  return %p, %q : tensor<2x4x?x?xf32>, tensor<2x4x?x?xf32>
}
