// RUN: kiln-opt %s --split-input-file --kiln-sink-slices | FileCheck %s

// The last block of GPT-2 before an LM head of the last position: the
// slice moves above the final norm, both MLP linears (with their residual),
// the output projection, merge_heads and attention, where it slices the
// queries only. The keys and values, and the residual stream that the
// block's first norm also reads, keep every position.
// CHECK-LABEL: func.func @gpt2_last_block
// CHECK-SAME: (%[[X:[^:]+]]: tensor<1x?x16xf32>, %[[QKV:[^:]+]]: tensor<1x?x48xf32>,
// CHECK: %[[QCOLS:.+]] = kiln.slice %[[QKV]] axis 2 offset 0
// CHECK: %[[KCOLS:.+]] = kiln.slice %[[QKV]] axis 2 offset 16
// CHECK: %[[VCOLS:.+]] = kiln.slice %[[QKV]] axis 2 offset 32
// CHECK: %[[QLAST:.+]] = kiln.slice %[[QCOLS]] axis 1 offset -1 : tensor<1x?x16xf32> -> tensor<1x1x16xf32>
// CHECK: %[[Q:.+]] = kiln.split_heads %[[QLAST]] : tensor<1x1x16xf32> -> tensor<1x2x1x8xf32>
// CHECK: %[[K:.+]] = kiln.split_heads %[[KCOLS]] : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
// CHECK: %[[V:.+]] = kiln.split_heads %[[VCOLS]] : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
// CHECK: %[[O:.+]] = kiln.attention %[[Q]], %[[K]], %[[V]] scale {{.+}} mask causal : (tensor<1x2x1x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x1x8xf32>
// CHECK: %[[M:.+]] = kiln.merge_heads %[[O]] : tensor<1x2x1x8xf32> -> tensor<1x1x16xf32>
// CHECK: %[[XLAST:.+]] = kiln.slice %[[X]] axis 1 offset -1 : tensor<1x?x16xf32> -> tensor<1x1x16xf32>
// CHECK: %[[H:.+]] = kiln.linear %[[M]], %{{.+}} bias %{{.+}} residual %[[XLAST]] : {{.+}} -> tensor<1x1x16xf32>
// CHECK: %[[N:.+]] = kiln.layer_norm %[[H]], {{.+}} -> tensor<1x1x16xf32>
// CHECK: %[[UP:.+]] = kiln.linear %[[N]], {{.+}} activation gelu_tanh : {{.+}} -> tensor<1x1x32xf32>
// CHECK: %[[Y:.+]] = kiln.linear %[[UP]], {{.+}} residual %[[H]] : {{.+}} -> tensor<1x1x16xf32>
// CHECK: %[[F:.+]] = kiln.layer_norm %[[Y]], {{.+}} -> tensor<1x1x16xf32>
// CHECK-NOT: kiln.slice
// CHECK: %[[LOGITS:.+]] = kiln.linear %[[F]]
// CHECK-NEXT: return %[[LOGITS]]
func.func @gpt2_last_block(
    %x: tensor<1x?x16xf32>, %qkv: tensor<1x?x48xf32>,
    %w_proj: tensor<16x16xf32>, %b_proj: tensor<16xf32>,
    %g: tensor<16xf32>, %b: tensor<16xf32>,
    %w_fc: tensor<32x16xf32>, %b_fc: tensor<32xf32>,
    %w_out: tensor<16x32xf32>, %b_out: tensor<16xf32>,
    %w_head: tensor<10x16xf32>) -> tensor<1x1x10xf32> {
  %qc = kiln.slice %qkv axis 2 offset 0 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
  %kc = kiln.slice %qkv axis 2 offset 16 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
  %vc = kiln.slice %qkv axis 2 offset 32 : tensor<1x?x48xf32> -> tensor<1x?x16xf32>
  %q = kiln.split_heads %qc : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
  %k = kiln.split_heads %kc : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
  %v = kiln.split_heads %vc : tensor<1x?x16xf32> -> tensor<1x2x?x8xf32>
  %o = kiln.attention %q, %k, %v scale 0.35355339059327373 mask causal
      : (tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32>
  %m = kiln.merge_heads %o : tensor<1x2x?x8xf32> -> tensor<1x?x16xf32>
  %h = kiln.linear %m, %w_proj bias %b_proj residual %x
      : (tensor<1x?x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %n = kiln.layer_norm %h, %g, %b epsilon 1.0e-05
      : (tensor<1x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
  %up = kiln.linear %n, %w_fc bias %b_fc activation gelu_tanh
      : (tensor<1x?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<1x?x32xf32>
  %y = kiln.linear %up, %w_out bias %b_out residual %h
      : (tensor<1x?x32xf32>, tensor<16x32xf32>, tensor<16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %f = kiln.layer_norm %y, %g, %b epsilon 1.0e-05
      : (tensor<1x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x?x16xf32>
  %last = kiln.slice %f axis 1 offset -1 : tensor<1x?x16xf32> -> tensor<1x1x16xf32>
  %logits = kiln.linear %last, %w_head : (tensor<1x1x16xf32>, tensor<10x16xf32>) -> tensor<1x1x10xf32>
  return %logits : tensor<1x1x10xf32>
}

// -----

// LLaMA's MLP and norms: the slice moves above the gated product, both
// projections of the shared norm and the fused residual norm, whose two
// results are both sliced. The bias of the broadcasting add is used whole.
// CHECK-LABEL: func.func @llama_mlp
// CHECK-SAME: (%[[A:[^:]+]]: tensor<1x?x8xf32>, %[[B:[^:]+]]: tensor<1x?x8xf32>,
// CHECK-NEXT: %[[AL:.+]] = kiln.slice %[[A]] axis 1 offset -2 : tensor<1x?x8xf32> -> tensor<1x2x8xf32>
// CHECK-NEXT: %[[BL:.+]] = kiln.slice %[[B]] axis 1 offset -2 : tensor<1x?x8xf32> -> tensor<1x2x8xf32>
// CHECK-NEXT: %[[SUM:.+]], %[[N:.+]] = kiln.add_rms_norm %[[AL]], %[[BL]], {{.+}} -> (tensor<1x2x8xf32>, tensor<1x2x8xf32>)
// CHECK-NEXT: %[[UP:.+]] = kiln.linear %[[N]], {{.+}} -> tensor<1x2x16xf32>
// CHECK-NEXT: %[[GATE:.+]] = kiln.linear %[[N]], {{.+}} activation silu : {{.+}} -> tensor<1x2x16xf32>
// CHECK-NEXT: %[[P:.+]] = kiln.mul %[[GATE]], %[[UP]] : {{.+}} -> tensor<1x2x16xf32>
// CHECK-NEXT: %[[D:.+]] = kiln.linear %[[P]], {{.+}} residual %[[SUM]] : {{.+}} -> tensor<1x2x8xf32>
// CHECK-NEXT: %[[E:.+]] = kiln.add %[[D]], %{{.+}} : (tensor<1x2x8xf32>, tensor<8xf32>) -> tensor<1x2x8xf32>
// CHECK-NEXT: return %[[E]]
func.func @llama_mlp(%a: tensor<1x?x8xf32>, %b: tensor<1x?x8xf32>, %g: tensor<8xf32>,
                     %w_up: tensor<16x8xf32>, %w_gate: tensor<16x8xf32>,
                     %w_down: tensor<8x16xf32>, %bias: tensor<8xf32>) -> tensor<1x2x8xf32> {
  %sum, %n = kiln.add_rms_norm %a, %b, %g epsilon 1.0e-06
      : (tensor<1x?x8xf32>, tensor<1x?x8xf32>, tensor<8xf32>) -> (tensor<1x?x8xf32>, tensor<1x?x8xf32>)
  %up = kiln.linear %n, %w_up : (tensor<1x?x8xf32>, tensor<16x8xf32>) -> tensor<1x?x16xf32>
  %gate = kiln.linear %n, %w_gate activation silu : (tensor<1x?x8xf32>, tensor<16x8xf32>) -> tensor<1x?x16xf32>
  %p = kiln.mul %gate, %up : (tensor<1x?x16xf32>, tensor<1x?x16xf32>) -> tensor<1x?x16xf32>
  %d = kiln.linear %p, %w_down residual %sum
      : (tensor<1x?x16xf32>, tensor<8x16xf32>, tensor<1x?x8xf32>) -> tensor<1x?x8xf32>
  %e = kiln.add %d, %bias : (tensor<1x?x8xf32>, tensor<8xf32>) -> tensor<1x?x8xf32>
  %last = kiln.slice %e axis 1 offset -2 : tensor<1x?x8xf32> -> tensor<1x2x8xf32>
  return %last : tensor<1x2x8xf32>
}

// -----

// Without a structural mask any slice of the queries moves, here the first
// position of an encoder (BERT's pooler reads it); the padding mask applies
// to keys and stays whole.
// CHECK-LABEL: func.func @encoder_first_position
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<2x4x?x8xf32>, %[[K:[^:]+]]: tensor<2x4x?x8xf32>, %[[V:[^:]+]]: tensor<2x4x?x8xf32>, %[[MASK:[^:]+]]: tensor<2x?xi64>)
// CHECK-NEXT: %[[QF:.+]] = kiln.slice %[[Q]] axis 2 offset 0 : tensor<2x4x?x8xf32> -> tensor<2x4x1x8xf32>
// CHECK-NEXT: %[[O:.+]] = kiln.attention %[[QF]], %[[K]], %[[V]] key_padding %[[MASK]] scale
// CHECK-NEXT: %[[M:.+]] = kiln.merge_heads %[[O]] : tensor<2x4x1x8xf32> -> tensor<2x1x32xf32>
// CHECK-NEXT: %[[S:.+]] = kiln.scale %[[M]] by 2.000000e+00 : tensor<2x1x32xf32>
// CHECK-NEXT: return %[[S]]
func.func @encoder_first_position(%q: tensor<2x4x?x8xf32>, %k: tensor<2x4x?x8xf32>,
                                  %v: tensor<2x4x?x8xf32>, %mask: tensor<2x?xi64>) -> tensor<2x1x32xf32> {
  %o = kiln.attention %q, %k, %v key_padding %mask scale 0.35355339059327373
      : (tensor<2x4x?x8xf32>, tensor<2x4x?x8xf32>, tensor<2x4x?x8xf32>, tensor<2x?xi64>) -> tensor<2x4x?x8xf32>
  %m = kiln.merge_heads %o : tensor<2x4x?x8xf32> -> tensor<2x?x32xf32>
  %s = kiln.scale %m by 2.0 : tensor<2x?x32xf32>
  %first = kiln.slice %s axis 1 offset 0 : tensor<2x?x32xf32> -> tensor<2x1x32xf32>
  return %first : tensor<2x1x32xf32>
}

// -----

// A static slice that ends at the end of a static axis keeps the last
// queries, as a negative offset does.
// CHECK-LABEL: func.func @static_suffix_of_causal_queries
// CHECK-NEXT: kiln.slice %arg0 axis 2 offset 3 : tensor<1x2x5x8xf32> -> tensor<1x2x2x8xf32>
// CHECK-NEXT: kiln.attention
// CHECK-SAME: -> tensor<1x2x2x8xf32>
// CHECK-NEXT: return
func.func @static_suffix_of_causal_queries(%q: tensor<1x2x5x8xf32>, %k: tensor<1x2x5x8xf32>,
                                           %v: tensor<1x2x5x8xf32>) -> tensor<1x2x2x8xf32> {
  %o = kiln.attention %q, %k, %v scale 0.35355339059327373 mask sliding_window window 2
      : (tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>) -> tensor<1x2x5x8xf32>
  %s = kiln.slice %o axis 2 offset 3 : tensor<1x2x5x8xf32> -> tensor<1x2x2x8xf32>
  return %s : tensor<1x2x2x8xf32>
}
