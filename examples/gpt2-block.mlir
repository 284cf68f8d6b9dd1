// One GPT-2 small decoder block, unfused, as the frontend emits it: pre-norm
// causal self-attention and a GELU (tanh) MLP, each with a residual add.
// Batch 1, dynamic sequence length; weights are function arguments.
func.func @gpt2_block(
    %x: tensor<1x?x768xf32>,
    %ln1_g: tensor<768xf32>, %ln1_b: tensor<768xf32>,
    %w_qkv: tensor<2304x768xf32>, %b_qkv: tensor<2304xf32>,
    %w_proj: tensor<768x768xf32>, %b_proj: tensor<768xf32>,
    %ln2_g: tensor<768xf32>, %ln2_b: tensor<768xf32>,
    %w_fc: tensor<3072x768xf32>, %b_fc: tensor<3072xf32>,
    %w_out: tensor<768x3072xf32>, %b_out: tensor<768xf32>)
    -> tensor<1x?x768xf32> {
  %h = kiln.layer_norm %x, %ln1_g, %ln1_b epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>)
      -> tensor<1x?x768xf32>
  %qkv = kiln.linear %h, %w_qkv bias %b_qkv
      : (tensor<1x?x768xf32>, tensor<2304x768xf32>, tensor<2304xf32>)
      -> tensor<1x?x2304xf32>
  %q_flat = kiln.slice %qkv axis 2 offset 0
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  %k_flat = kiln.slice %qkv axis 2 offset 768
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  %v_flat = kiln.slice %qkv axis 2 offset 1536
      : tensor<1x?x2304xf32> -> tensor<1x?x768xf32>
  %q = kiln.split_heads %q_flat : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  %k = kiln.split_heads %k_flat : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  %v = kiln.split_heads %v_flat : tensor<1x?x768xf32> -> tensor<1x12x?x64xf32>
  %s = kiln.matmul %q, %k transpose_rhs
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x?xf32>
  %s_scaled = kiln.scale %s by 0.125 : tensor<1x12x?x?xf32>
  %s_masked = kiln.causal_mask %s_scaled : tensor<1x12x?x?xf32>
  %p = kiln.softmax %s_masked axis 3 : tensor<1x12x?x?xf32>
  %o = kiln.matmul %p, %v
      : (tensor<1x12x?x?xf32>, tensor<1x12x?x64xf32>) -> tensor<1x12x?x64xf32>
  %o_flat = kiln.merge_heads %o : tensor<1x12x?x64xf32> -> tensor<1x?x768xf32>
  %attn = kiln.linear %o_flat, %w_proj bias %b_proj
      : (tensor<1x?x768xf32>, tensor<768x768xf32>, tensor<768xf32>)
      -> tensor<1x?x768xf32>
  %x1 = kiln.add %x, %attn
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>) -> tensor<1x?x768xf32>
  %h2 = kiln.layer_norm %x1, %ln2_g, %ln2_b epsilon 1.0e-05
      : (tensor<1x?x768xf32>, tensor<768xf32>, tensor<768xf32>)
      -> tensor<1x?x768xf32>
  %fc = kiln.linear %h2, %w_fc bias %b_fc
      : (tensor<1x?x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
      -> tensor<1x?x3072xf32>
  %act = kiln.activation gelu_tanh %fc : tensor<1x?x3072xf32>
  %mlp = kiln.linear %act, %w_out bias %b_out
      : (tensor<1x?x3072xf32>, tensor<768x3072xf32>, tensor<768xf32>)
      -> tensor<1x?x768xf32>
  %y = kiln.add %x1, %mlp
      : (tensor<1x?x768xf32>, tensor<1x?x768xf32>) -> tensor<1x?x768xf32>
  return %y : tensor<1x?x768xf32>
}
