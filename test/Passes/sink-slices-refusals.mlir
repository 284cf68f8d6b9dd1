// RUN: kiln-opt %s --split-input-file --kiln-sink-slices="report-refusals" -verify-diagnostics | FileCheck %s

// Each slice must stay where it is, and the pass must say why.

// The norm's result also leaves the function: its other rows are needed.
// CHECK-LABEL: func.func @other_use
// CHECK-NEXT: kiln.layer_norm
// CHECK-NEXT: kiln.slice
func.func @other_use(%x: tensor<1x?x8xf32>, %g: tensor<8xf32>)
    -> (tensor<1x?x8xf32>, tensor<1x1x8xf32>) {
  %n = kiln.layer_norm %x, %g epsilon 1.0e-05 : (tensor<1x?x8xf32>, tensor<8xf32>) -> tensor<1x?x8xf32>
  // expected-remark @+1 {{kiln-sink-slices: not moved: the 'kiln.layer_norm' result has a use that needs other rows: 'func.return'}}
  %s = kiln.slice %n axis 1 offset -1 : tensor<1x?x8xf32> -> tensor<1x1x8xf32>
  return %n, %s : tensor<1x?x8xf32>, tensor<1x1x8xf32>
}

// -----

// Two different slices of one result: each needs rows the other drops.
// CHECK-LABEL: func.func @different_slices
// CHECK-NEXT: kiln.scale
// CHECK-NEXT: kiln.slice
// CHECK-NEXT: kiln.slice
func.func @different_slices(%x: tensor<1x?x8xf32>) -> (tensor<1x1x8xf32>, tensor<1x1x8xf32>) {
  %y = kiln.scale %x by 2.0 : tensor<1x?x8xf32>
  // expected-remark @+1 {{the 'kiln.scale' result has a use that needs other rows: 'kiln.slice'}}
  %first = kiln.slice %y axis 1 offset 0 : tensor<1x?x8xf32> -> tensor<1x1x8xf32>
  // expected-remark @+1 {{the 'kiln.scale' result has a use that needs other rows: 'kiln.slice'}}
  %last = kiln.slice %y axis 1 offset -1 : tensor<1x?x8xf32> -> tensor<1x1x8xf32>
  return %first, %last : tensor<1x1x8xf32>, tensor<1x1x8xf32>
}

// -----

// Features: a norm mixes the features it normalises and a linear layer its
// output features, so a slice of the last axis depends on all of them.
// CHECK-LABEL: func.func @slice_of_features
// CHECK-NEXT: kiln.rms_norm
// CHECK-NEXT: kiln.slice
// CHECK-NEXT: kiln.linear
// CHECK-NEXT: kiln.slice
func.func @slice_of_features(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %w: tensor<6x8xf32>)
    -> (tensor<4x2xf32>, tensor<4x3xf32>) {
  %n = kiln.rms_norm %x, %g epsilon 1.0e-06 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // expected-remark @+1 {{'kiln.rms_norm' mixes the features it normalises along the sliced axis 1}}
  %s = kiln.slice %n axis 1 offset 0 : tensor<4x8xf32> -> tensor<4x2xf32>
  %y = kiln.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  // expected-remark @+1 {{'kiln.linear' mixes the output features along the sliced axis 1}}
  %t = kiln.slice %y axis 1 offset 3 : tensor<4x6xf32> -> tensor<4x3xf32>
  return %s, %t : tensor<4x2xf32>, tensor<4x3xf32>
}

// -----

// Causal attention aligns its last queries with the last keys: the first
// query alone would see every key.
// CHECK-LABEL: func.func @first_causal_query
// CHECK-NEXT: kiln.attention
// CHECK-NEXT: kiln.slice
func.func @first_causal_query(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>,
                              %v: tensor<1x2x?x8xf32>) -> tensor<1x2x1x8xf32> {
  %o = kiln.attention %q, %k, %v scale 0.35355339059327373 mask causal
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  // expected-remark @+1 {{the structural mask aligns the last queries with the last keys, and the slice does not keep the last queries}}
  %s = kiln.slice %o axis 2 offset 0 : tensor<1x2x?x8xf32> -> tensor<1x2x1x8xf32>
  return %s : tensor<1x2x1x8xf32>
}

// -----

// Heads: attention and split_heads move slices of positions only.
// CHECK-LABEL: func.func @slice_of_heads
// CHECK-NEXT: kiln.split_heads
// CHECK-NEXT: kiln.attention
// CHECK-NEXT: kiln.slice
func.func @slice_of_heads(%x: tensor<1x?x16xf32>, %k: tensor<1x2x?x8xf32>,
                          %v: tensor<1x2x?x8xf32>) -> tensor<1x1x?x8xf32> {
  %q = kiln.split_heads %x : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
  %o = kiln.attention %q, %k, %v scale 0.35355339059327373
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  // expected-remark @+1 {{only a slice of queries (axis 2) moves above 'kiln.attention', not one of axis 1}}
  %s = kiln.slice %o axis 1 offset 1 : tensor<1x2x?x8xf32> -> tensor<1x1x?x8xf32>
  return %s : tensor<1x1x?x8xf32>
}

// -----

// RoPE rotates each position by its index: the kept rows would move to
// other positions. A block argument has no producer.
// CHECK-LABEL: func.func @position_dependent
// CHECK-NEXT: kiln.rope
// CHECK-NEXT: kiln.slice
// CHECK-NEXT: kiln.slice
func.func @position_dependent(%x: tensor<1x2x?x8xf32>) -> (tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>) {
  %r = kiln.rope %x theta 1.0e+04 style half : tensor<1x2x?x8xf32>
  // expected-remark @+1 {{the rows of a 'kiln.rope' result are not known to depend only on the same rows of its operands}}
  %s = kiln.slice %r axis 2 offset -1 : tensor<1x2x?x8xf32> -> tensor<1x2x1x8xf32>
  // expected-remark @+1 {{the input is a block argument: nothing computes its rows}}
  %t = kiln.slice %x axis 2 offset -1 : tensor<1x2x?x8xf32> -> tensor<1x2x1x8xf32>
  return %s, %t : tensor<1x2x1x8xf32>, tensor<1x2x1x8xf32>
}
