//===- KilnBase.td - The kiln dialect and its type constraints -*- tablegen -*-===//
//
// Declares the `kiln` dialect, the base class of its ops and the tensor type
// constraints shared by them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNBASE_TD
#define KILN_DIALECT_KILNBASE_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Transformer model concepts at tensor level";
  let description = [{
    The `kiln` dialect describes a Transformer with one op per model concept:
    embedding lookups, positional encodings, linear layers, norms,
    activations, the pieces of attention (matmuls, scaling, masks, softmax,
    head split and merge) and the fused forms that Kiln's graph passes
    produce from them (`kiln.attention`, linear layers with a fused epilogue,
    residual adds fused into norms).

    All ops work on ranked tensors with value semantics. Floating-point
    tensors are `f32`, `f16` or `bf16`; token ids are `i32` or `i64`.
    Dimensions may be dynamic (`?`), typically the batch and sequence
    length, which are only known when a model runs.
  }];
}

/// Base class of every kiln op.
class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

/// Element types of activations and weights.
def Kiln_FloatType : AnyTypeOf<[F32, F16, BF16], "f32, f16 or bf16">;

/// A ranked tensor of activations or weights.
def Kiln_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;

/// A ranked tensor of token ids or positions.
def Kiln_IdTensor : RankedTensorOf<[I32, I64]>;

/// A ranked tensor holding an attention mask input: non-zero keeps a
/// position, zero masks it out. Tokenizers produce integers; graphs that
/// turn the mask into an additive bias use floats.
def Kiln_AttentionMaskTensor : RankedTensorOf<[I1, I32, I64, F32, F16, BF16]>;

#endif // KILN_DIALECT_KILNBASE_TD
