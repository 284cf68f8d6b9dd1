// RUN: kiln-opt %s --split-input-file --kiln-plan-memory -verify-diagnostics | FileCheck %s

// Four 1x8x16xf32 buffers (512 bytes at the bound seq = 8), each live from
// its definition to its last use: a [0,1], b [1,2], c [2,3], d [3,end].
// a/c and b/d never overlap, so two slots suffice.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: kiln.arena_size = 1024 : i64, kiln.arena_unshared_size = 2048 : i64
// CHECK: kiln.scale {{.+}} {kiln.arena_offsets = array<i64: 0>}
// CHECK: kiln.activation {{.+}} {kiln.arena_offsets = array<i64: 512>}
// CHECK: kiln.rms_norm {{.+}} {kiln.arena_offsets = array<i64: 0>}
// CHECK: kiln.scale {{.+}} {kiln.arena_offsets = array<i64: 512>}
module attributes {kiln.max_seq_len = 8 : i64} {
  func.func @chain(%x: tensor<1x?x16xf32>, %g: tensor<16xf32>) -> tensor<1x?x16xf32> {
    %a = kiln.scale %x by 2.0 : tensor<1x?x16xf32>
    %b = kiln.activation relu %a : tensor<1x?x16xf32>
    %c = kiln.rms_norm %b, %g epsilon 1.0e-06
        : (tensor<1x?x16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
    %d = kiln.scale %c by 3.0 : tensor<1x?x16xf32>
    return %d : tensor<1x?x16xf32>
  }
}

// -----

// A reshape is a view: it shares its input's buffer and keeps it alive, so
// %a (read again through %r at the end) cannot be reused by %b. Views of
// arguments and constants stay outside the arena (-1).
// CHECK-LABEL: func.func @views
// CHECK-SAME: kiln.arena_size = 1024 : i64, kiln.arena_unshared_size = 1024 : i64
// CHECK: kiln.reshape {{.+}} {kiln.arena_offsets = array<i64: -1>}
// CHECK: kiln.scale {{.+}} {kiln.arena_offsets = array<i64: 0>}
// CHECK: kiln.reshape {{.+}} {kiln.arena_offsets = array<i64: 0>}
// CHECK: kiln.activation {{.+}} {kiln.arena_offsets = array<i64: 512>}
module attributes {kiln.max_seq_len = 8 : i64} {
  func.func @views(%x: tensor<1x?x16xf32>) -> (tensor<1x?x4x4xf32>, tensor<1x?x16xf32>) {
    %arg_view = kiln.reshape %x : tensor<1x?x16xf32> -> tensor<1x?x4x4xf32>
    %a = kiln.scale %x by 2.0 : tensor<1x?x16xf32>
    %r = kiln.reshape %a : tensor<1x?x16xf32> -> tensor<1x?x4x4xf32>
    %b = kiln.activation relu %x : tensor<1x?x16xf32>
    return %r, %b : tensor<1x?x4x4xf32>, tensor<1x?x16xf32>
  }
}

// -----

// Attention scores are sized for the bound on both sequence dimensions:
// 1x2x8x8 f32 = 512 bytes, and the output (256 bytes) reuses their slot;
// the batch bound comes from the module.
// CHECK-LABEL: func.func @scores
// CHECK-SAME: kiln.arena_size = 1024 : i64, kiln.arena_unshared_size = 1280 : i64
// CHECK: kiln.matmul {{.+}} {kiln.arena_offsets = array<i64: 0>}
// CHECK: kiln.softmax {{.+}} {kiln.arena_offsets = array<i64: 512>}
// CHECK: kiln.matmul {{.+}} {kiln.arena_offsets = array<i64: 0>}
module attributes {kiln.max_seq_len = 8 : i64, kiln.max_batch = 1 : i64} {
  func.func @scores(%q: tensor<?x2x?x4xf32>, %k: tensor<?x2x?x4xf32>,
                    %v: tensor<?x2x?x4xf32>) -> tensor<?x2x?x4xf32> {
    %s = kiln.matmul %q, %k transpose_rhs
        : (tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x?xf32>
    %p = kiln.softmax %s axis 3 : tensor<?x2x?x?xf32>
    %o = kiln.matmul %p, %v
        : (tensor<?x2x?x?xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x4xf32>
    return %o : tensor<?x2x?x4xf32>
  }
}

// -----

// Without a sequence bound the plan cannot be sized.
// expected-error @+1 {{cannot bound dynamic dimension 1 of argument 0: set max-seq-len or the module's kiln.max_seq_len}}
func.func @unbounded(%x: tensor<1x?x16xf32>) -> tensor<1x?x16xf32> {
  %a = kiln.scale %x by 2.0 : tensor<1x?x16xf32>
  return %a : tensor<1x?x16xf32>
}

// -----

// A tensor beyond 16 TiB at the sequence bound cannot be planned (nor would
// its size fit in int64_t here).
module attributes {kiln.max_seq_len = 2147483647 : i64} {
  func.func @huge(%x: tensor<1x?x2147483647xf32>) -> tensor<1x?x2147483647xf32> {
    // expected-error @+1 {{a result of shape [1, 2147483647, 2147483647] at the largest batch and sequence needs more than 16 TiB}}
    %a = kiln.scale %x by 2.0 : tensor<1x?x2147483647xf32>
    return %a : tensor<1x?x2147483647xf32>
  }
}
