//===- KilnEnums.td - Enums of the kiln dialect ---------*- tablegen -*-===//
//
// Enumerations shared by several ops: activation functions (used both by
// `kiln.activation` and by the fused epilogue of `kiln.linear`), structural
// attention masks and the rotary embedding layout.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNENUMS_TD
#define KILN_DIALECT_KILNENUMS_TD

include "mlir/IR/EnumAttr.td"

/// `relu` is max(x, 0); `gelu` is the exact x * Phi(x); `gelu_tanh` is the
/// tanh approximation used by GPT-2; `silu` is x * sigmoid(x); `tanh` is the
/// hyperbolic tangent.
def Kiln_ActivationKind : I32EnumAttr<"ActivationKind",
    "elementwise activation function", [
      I32EnumAttrCase<"Relu", 0, "relu">,
      I32EnumAttrCase<"Gelu", 1, "gelu">,
      I32EnumAttrCase<"GeluTanh", 2, "gelu_tanh">,
      I32EnumAttrCase<"Silu", 3, "silu">,
      I32EnumAttrCase<"Tanh", 4, "tanh">
    ]> {
  let cppNamespace = "::kiln";
}


/// The mask that `kiln.attention` derives from positions alone: `none`,
/// `causal` (query i sees keys j <= i), or `sliding_window` (causal, and
/// query i sees only the `window` most recent keys j > i - window).
def Kiln_MaskKind : I32EnumAttr<"MaskKind",
    "structural attention mask", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Causal", 1, "causal">,
      I32EnumAttrCase<"SlidingWindow", 2, "sliding_window">
    ]> {
  let cppNamespace = "::kiln";
}


/// `half` rotates feature i with feature i + d/2 (GPT-NeoX, LLaMA);
/// `interleaved` rotates feature 2i with feature 2i + 1 (GPT-J, the RoFormer
/// paper).
def Kiln_RopeStyle : I32EnumAttr<"RopeStyle",
    "pairing of rotated features in rotary embeddings", [
      I32EnumAttrCase<"Half", 0, "half">,
      I32EnumAttrCase<"Interleaved", 1, "interleaved">
    ]> {
  let cppNamespace = "::kiln";
}

def Kiln_RopeScaling : I32EnumAttr<"RopeScaling",
    "how rotary embeddings scale their frequencies for longer contexts", [
      I32EnumAttrCase<"Linear", 0, "linear">,
      I32EnumAttrCase<"Llama3", 1, "llama3">
    ]> {
  let cppNamespace = "::kiln";
}

#endif // KILN_DIALECT_KILNENUMS_TD
