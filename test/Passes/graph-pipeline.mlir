// RUN: kiln-opt %s --kiln-graph-pipeline | FileCheck %s

// A tiny GPT-2 block (d_model 16, 2 heads, FFN 32) as the frontend emits it.
// After the pipeline: one fused attention, the bias and GELU folded into
// the first MLP linear, both residual adds folded into the linears that
// produce them, and a memory plan on the function.

// CHECK-LABEL: func.func @block
// CHECK-SAME: kiln.arena_size = {{[0-9]+}} : i64, kiln.arena_unshared_size = {{[0-9]+}} : i64
// CHECK: kiln.layer_norm
// CHECK: %[[QKV:.+]] = kiln.linear %{{.+}}, %{{.+}} bias
// CHECK: %[[O:.+]] = kiln.attention {{.+}} scale 0.35355339059327373 mask causal
// CHECK: %[[X1:.+]] = kiln.linear {{.+}} bias %{{.+}} residual %arg0
// CHECK: kiln.layer_norm %[[X1]]
// CHECK: kiln.linear {{.+}} bias %{{.+}} activation gelu_tanh
// CHECK: %[[Y:.+]] = kiln.linear {{.+}} bias %{{.+}} residual %[[X1]]
// CHECK: return %[[Y]]
// CHECK-NOT: kiln.softmax
// CHECK-NOT: kiln.add
module attributes {kiln.max_seq_len = 8 : i64} {
  func.func @block(
      %x: tensor<1x?x16xf32>,
      %ln1_g: tensor<16xf32>, %ln1_b: tensor<16xf32>,
      %w_qkv: tensor<48x16xf32>, %b_qkv: tensor<48xf32>,
      %w_proj: tensor<16x16xf32>, %b_proj: tensor<16xf32>,
      %ln2_g: tensor<16xf32>, %ln2_b: tensor<16xf32>,
      %w_fc: tensor<32x16xf32>, %b_fc: tensor<32xf32>,
      %w_out: tensor<16x32xf32>, %b_out: tensor<16xf32>) -> tensor<1x?x16xf32> {
    %h = kiln.layer_norm %x, %ln1_g, %ln1_b epsilon 1.0e-05
        : (tensor<1x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
    %qkv = kiln.linear %h, %w_qkv bias %b_qkv
        : (tensor<1x?x16xf32>, tensor<48x16xf32>, tensor<48xf32>) -> tensor<1x?x48xf32>
    %q2 = kiln.slice %qkv axis 2 offset 0 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
    %k2 = kiln.slice %qkv axis 2 offset 16 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
    %v2 = kiln.slice %qkv axis 2 offset 32 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
    %q = kiln.split_heads %q2 : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
    %k = kiln.split_heads %k2 : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
    %v = kiln.split_heads %v2 : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
    %s = kiln.matmul %q, %k transpose_rhs
        : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x?xf32>
    %scaled = kiln.scale %s by 0.35355339059327373 : tensor<1x2x?x?xf32>
    %masked = kiln.causal_mask %scaled : tensor<1x2x?x?xf32>
    %p = kiln.softmax %masked axis 3 : tensor<1x2x?x?xf32>
    %o = kiln.matmul %p, %v
        : (tensor<1x2x?x?xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
    %o2 = kiln.merge_heads %o : tensor<1x2x?x8xf32> -> tensor<1x?x16xf32>
    %proj = kiln.linear %o2, %w_proj bias %b_proj
        : (tensor<1x?x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
    %x1 = kiln.add %x, %proj
        : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
    %h2 = kiln.layer_norm %x1, %ln2_g, %ln2_b epsilon 1.0e-05
        : (tensor<1x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
    %fc = kiln.linear %h2, %w_fc bias %b_fc
        : (tensor<1x?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<1x?x32xf32>
    %act = kiln.activation gelu_tanh %fc : tensor<1x?x32xf32>
    %mlp = kiln.linear %act, %w_out bias %b_out
        : (tensor<1x?x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
    %y = kiln.add %x1, %mlp
        : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
    return %y : tensor<1x?x16xf32>
  }
}
