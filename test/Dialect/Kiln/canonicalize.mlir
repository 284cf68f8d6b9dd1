// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @identity_transpose
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_transpose(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = kiln.transpose %x [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// -----

// An identity permutation that refines the type is not a no-op.
// CHECK-LABEL: func.func @identity_transpose_refining_type
// CHECK: kiln.transpose %{{.+}} [0, 1] : tensor<?x3xf32> -> tensor<2x3xf32>
func.func @identity_transpose_refining_type(%x: tensor<?x3xf32>) -> tensor<2x3xf32> {
  %t = kiln.transpose %x [0, 1] : tensor<?x3xf32> -> tensor<2x3xf32>
  return %t : tensor<2x3xf32>
}

// -----

// Transposing the last two dimensions twice gives the input back.
// CHECK-LABEL: func.func @transpose_pair_cancels
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x?x8xf32>)
// CHECK-NOT: kiln.transpose
// CHECK: return %[[X]]
func.func @transpose_pair_cancels(%x: tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32> {
  %t = kiln.transpose %x [0, 1, 3, 2] : tensor<1x4x?x8xf32> -> tensor<1x4x8x?xf32>
  %u = kiln.transpose %t [0, 1, 3, 2] : tensor<1x4x8x?xf32> -> tensor<1x4x?x8xf32>
  return %u : tensor<1x4x?x8xf32>
}

// -----

// [0, 2, 1, 3] then [0, 1, 3, 2] is the single permutation [0, 2, 3, 1].
// CHECK-LABEL: func.func @transpose_pair_composes
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x3x4xf32>)
// CHECK-NEXT: %[[T:.+]] = kiln.transpose %[[X]] [0, 2, 3, 1] : tensor<1x2x3x4xf32> -> tensor<1x3x4x2xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_pair_composes(%x: tensor<1x2x3x4xf32>) -> tensor<1x3x4x2xf32> {
  %t = kiln.transpose %x [0, 2, 1, 3] : tensor<1x2x3x4xf32> -> tensor<1x3x2x4xf32>
  %u = kiln.transpose %t [0, 1, 3, 2] : tensor<1x3x2x4xf32> -> tensor<1x3x4x2xf32>
  return %u : tensor<1x3x4x2xf32>
}

// -----

// The inner transpose stays when something else uses it; the outer one
// still reads the original input.
// CHECK-LABEL: func.func @transpose_pair_shared_inner
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[T:.+]] = kiln.transpose %[[X]] [1, 0]
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @transpose_pair_shared_inner(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %t = kiln.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %u = kiln.transpose %t [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %t, %u : tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// A dynamic size in the middle hides static sizes that disagree (2 and 4);
// composing would produce an invalid transpose, so both stay.
// CHECK-LABEL: func.func @transpose_pair_incompatible
// CHECK: kiln.transpose %{{.+}} [1, 0] : tensor<2x3xf32> -> tensor<3x?xf32>
// CHECK: kiln.transpose %{{.+}} [1, 0] : tensor<3x?xf32> -> tensor<4x3xf32>
func.func @transpose_pair_incompatible(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %t = kiln.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x?xf32>
  %u = kiln.transpose %t [1, 0] : tensor<3x?xf32> -> tensor<4x3xf32>
  return %u : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_to_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x768xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_to_same_type(%x: tensor<1x?x768xf32>) -> tensor<1x?x768xf32> {
  %r = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x768xf32>
  return %r : tensor<1x?x768xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_pair_composes
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x768xf32>)
// CHECK-NEXT: %[[R:.+]] = kiln.reshape %[[X]] : tensor<1x?x768xf32> -> tensor<?x12x64xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_pair_composes(%x: tensor<1x?x768xf32>) -> tensor<?x12x64xf32> {
  %r = kiln.reshape %x : tensor<1x?x768xf32> -> tensor<1x?x12x64xf32>
  %s = kiln.reshape %r : tensor<1x?x12x64xf32> -> tensor<?x12x64xf32>
  return %s : tensor<?x12x64xf32>
}

// -----

// Splitting into heads and back is the input.
// CHECK-LABEL: func.func @reshape_pair_cancels
// CHECK-SAME: (%[[X:.+]]: tensor<2x?x16xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_pair_cancels(%x: tensor<2x?x16xf32>) -> tensor<2x?x16xf32> {
  %r = kiln.reshape %x : tensor<2x?x16xf32> -> tensor<2x?x4x4xf32>
  %s = kiln.reshape %r : tensor<2x?x4x4xf32> -> tensor<2x?x16xf32>
  return %s : tensor<2x?x16xf32>
}

// -----

// CHECK-LABEL: func.func @scale_by_one
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @scale_by_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.scale %x by 1.0 : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @scale_pair_combines
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: %[[Y:.+]] = kiln.scale %[[X]] by 1.250000e-01 : tensor<4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @scale_pair_combines(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.scale %x by 0.5 : tensor<4xf32>
  %z = kiln.scale %y by 0.25 : tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @scale_pair_cancels
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @scale_pair_cancels(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.scale %x by 2.0 : tensor<4xf32>
  %z = kiln.scale %y by 0.5 : tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// A real scaling stays.
// CHECK-LABEL: func.func @scale_kept
// CHECK: kiln.scale %{{.+}} by 1.250000e-01
func.func @scale_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.scale %x by 0.125 : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @split_of_merge
// CHECK-SAME: (%[[X:.+]]: tensor<1x12x?x64xf32>)
// CHECK-NEXT: return %[[X]]
func.func @split_of_merge(%x: tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32> {
  %m = kiln.merge_heads %x : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
  %s = kiln.split_heads %m : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  return %s : tensor<1x12x?x64xf32>
}

// -----

// CHECK-LABEL: func.func @merge_of_split
// CHECK-SAME: (%[[X:.+]]: tensor<1x?x768xf32>)
// CHECK-NEXT: return %[[X]]
func.func @merge_of_split(%x: tensor<1x?x768xf32>) -> tensor<1x?x768xf32> {
  %s = kiln.split_heads %x : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  %m = kiln.merge_heads %s : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
  return %m : tensor<1x?x768xf32>
}

// -----

// Splitting into another number of heads regroups the features.
// CHECK-LABEL: func.func @split_of_merge_other_heads
// CHECK: kiln.merge_heads
// CHECK: kiln.split_heads
func.func @split_of_merge_other_heads(%x: tensor<1x12x?x64xf32>) -> tensor<1x6x?x128xf32> {
  %m = kiln.merge_heads %x : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
  %s = kiln.split_heads %m : tensor<1x?x768xf32> -> tensor<1x6x?x128xf32>
  return %s : tensor<1x6x?x128xf32>
}

// -----

// CHECK-LABEL: func.func @repeat_kv_by_one
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x?x64xf32>)
// CHECK-NEXT: return %[[X]]
func.func @repeat_kv_by_one(%x: tensor<1x8x?x64xf32>) -> tensor<1x8x?x64xf32> {
  %r = kiln.repeat_kv %x : tensor<1x8x?x64xf32> -> tensor<1x8x?x64xf32>
  return %r : tensor<1x8x?x64xf32>
}

// -----

// CHECK-LABEL: func.func @repeat_kv_kept
// CHECK: kiln.repeat_kv %{{.+}} : tensor<1x8x?x64xf32> -> tensor<1x32x?x64xf32>
func.func @repeat_kv_kept(%x: tensor<1x8x?x64xf32>) -> tensor<1x32x?x64xf32> {
  %r = kiln.repeat_kv %x : tensor<1x8x?x64xf32> -> tensor<1x32x?x64xf32>
  return %r : tensor<1x32x?x64xf32>
}

// -----

// CHECK-LABEL: func.func @cast_to_same_type
// CHECK-SAME: (%[[X:.+]]: tensor<4xbf16>)
// CHECK-NEXT: return %[[X]]
func.func @cast_to_same_type(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %y = kiln.cast %x : tensor<4xbf16> -> tensor<4xbf16>
  return %y : tensor<4xbf16>
}

// -----

// Widening bf16 to f32 is exact, so narrowing back restores the input.
// CHECK-LABEL: func.func @cast_exact_round_trip
// CHECK-SAME: (%[[X:.+]]: tensor<4xbf16>)
// CHECK-NEXT: return %[[X]]
func.func @cast_exact_round_trip(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %y = kiln.cast %x : tensor<4xbf16> -> tensor<4xf32>
  %z = kiln.cast %y : tensor<4xf32> -> tensor<4xbf16>
  return %z : tensor<4xbf16>
}

// -----

// f16 -> f32 is exact, so f16 -> f32 -> bf16 rounds once, as f16 -> bf16.
// CHECK-LABEL: func.func @cast_after_exact_widening
// CHECK-SAME: (%[[X:.+]]: tensor<4xf16>)
// CHECK-NEXT: %[[Y:.+]] = kiln.cast %[[X]] : tensor<4xf16> -> tensor<4xbf16>
// CHECK-NEXT: return %[[Y]]
func.func @cast_after_exact_widening(%x: tensor<4xf16>) -> tensor<4xbf16> {
  %y = kiln.cast %x : tensor<4xf16> -> tensor<4xf32>
  %z = kiln.cast %y : tensor<4xf32> -> tensor<4xbf16>
  return %z : tensor<4xbf16>
}

// -----

// Narrowing to f16 rounds: widening back does not restore the input.
// CHECK-LABEL: func.func @cast_after_narrowing_kept
// CHECK: kiln.cast %{{.+}} : tensor<4xf32> -> tensor<4xf16>
// CHECK: kiln.cast %{{.+}} : tensor<4xf16> -> tensor<4xf32>
func.func @cast_after_narrowing_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = kiln.cast %x : tensor<4xf32> -> tensor<4xf16>
  %z = kiln.cast %y : tensor<4xf16> -> tensor<4xf32>
  return %z : tensor<4xf32>
}

// -----

// bf16 and f16 trade precision for range: neither holds the other exactly.
// CHECK-LABEL: func.func @cast_between_half_types_kept
// CHECK: kiln.cast %{{.+}} : tensor<4xbf16> -> tensor<4xf16>
// CHECK: kiln.cast %{{.+}} : tensor<4xf16> -> tensor<4xbf16>
func.func @cast_between_half_types_kept(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %y = kiln.cast %x : tensor<4xbf16> -> tensor<4xf16>
  %z = kiln.cast %y : tensor<4xf16> -> tensor<4xbf16>
  return %z : tensor<4xbf16>
}

// -----

// CHECK-LABEL: func.func @causal_mask_twice
// CHECK-SAME: (%[[S:.+]]: tensor<1x2x?x?xf32>)
// CHECK-NEXT: %[[M:.+]] = kiln.causal_mask %[[S]]
// CHECK-NEXT: return %[[M]]
func.func @causal_mask_twice(%s: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %m = kiln.causal_mask %s : tensor<1x2x?x?xf32>
  %n = kiln.causal_mask %m : tensor<1x2x?x?xf32>
  return %n : tensor<1x2x?x?xf32>
}

// -----

// A sliding window mask already hides every future key.
// CHECK-LABEL: func.func @causal_after_window
// CHECK-SAME: (%[[S:.+]]: tensor<1x2x?x?xf32>)
// CHECK-NEXT: %[[M:.+]] = kiln.sliding_window_mask %[[S]] window 16
// CHECK-NEXT: return %[[M]]
func.func @causal_after_window(%s: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %m = kiln.sliding_window_mask %s window 16 : tensor<1x2x?x?xf32>
  %n = kiln.causal_mask %m : tensor<1x2x?x?xf32>
  return %n : tensor<1x2x?x?xf32>
}

// -----

// A causal mask under a sliding window mask hides nothing more.
// CHECK-LABEL: func.func @window_after_causal
// CHECK-SAME: (%[[S:.+]]: tensor<1x2x?x?xf32>)
// CHECK-NEXT: %[[M:.+]] = kiln.sliding_window_mask %[[S]] window 16
// CHECK-NEXT: return %[[M]]
func.func @window_after_causal(%s: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %m = kiln.causal_mask %s : tensor<1x2x?x?xf32>
  %n = kiln.sliding_window_mask %m window 16 : tensor<1x2x?x?xf32>
  return %n : tensor<1x2x?x?xf32>
}

// -----

// Of two windows, the narrower one decides, whichever comes first.
// CHECK-LABEL: func.func @windows_twice
// CHECK-SAME: (%[[S:.+]]: tensor<1x2x?x?xf32>)
// CHECK-NEXT: %[[A:.+]] = kiln.sliding_window_mask %[[S]] window 8
// CHECK-NEXT: %[[B:.+]] = kiln.sliding_window_mask %[[S]] window 4
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @windows_twice(%s: tensor<1x2x?x?xf32>) -> (tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>) {
  %a = kiln.sliding_window_mask %s window 8 : tensor<1x2x?x?xf32>
  %narrow_first = kiln.sliding_window_mask %a window 16 : tensor<1x2x?x?xf32>
  %wide_first = kiln.sliding_window_mask %a window 4 : tensor<1x2x?x?xf32>
  return %narrow_first, %wide_first : tensor<1x2x?x?xf32>, tensor<1x2x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @padding_mask_twice
// CHECK-SAME: (%[[S:.+]]: tensor<2x4x?x?xf32>, %[[M:.+]]: tensor<2x?xi64>)
// CHECK-NEXT: %[[P:.+]] = kiln.padding_mask %[[S]], %[[M]]
// CHECK-NEXT: return %[[P]]
func.func @padding_mask_twice(%s: tensor<2x4x?x?xf32>, %mask: tensor<2x?xi64>) -> tensor<2x4x?x?xf32> {
  %p = kiln.padding_mask %s, %mask : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  %q = kiln.padding_mask %p, %mask : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  return %q : tensor<2x4x?x?xf32>
}

// -----

// Two different padding masks both apply.
// CHECK-LABEL: func.func @padding_masks_differ
// CHECK: kiln.padding_mask
// CHECK: kiln.padding_mask
func.func @padding_masks_differ(%s: tensor<2x4x?x?xf32>, %a: tensor<2x?xi64>,
                                %b: tensor<2x?xi64>) -> tensor<2x4x?x?xf32> {
  %p = kiln.padding_mask %s, %a : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  %q = kiln.padding_mask %p, %b : tensor<2x4x?x?xf32>, tensor<2x?xi64>
  return %q : tensor<2x4x?x?xf32>
}
