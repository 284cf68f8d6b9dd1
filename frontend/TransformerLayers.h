//===- TransformerLayers.h - Emit the layers of one stack -------*- C++ -*-===//
//
// Emits the repeated part of a Transformer: the layers of the encoder or
// decoder stack (self-attention, optional cross-attention on the encoder
// output, feed-forward, each with its residual add and norm) and the stack's
// final norm, as unfused kiln ops.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TRANSFORMERLAYERS_H
#define KILN_FRONTEND_TRANSFORMERLAYERS_H

#include "frontend/ForwardBuilder.h"

namespace kiln {

/// What one stack reads besides its input activations.
struct StackInputs {
  /// `encoder` or `decoder`: the prefix of its scopes and logical weights.
  llvm::StringRef name;
  const StackSpec &stack;
  /// The [batch, seq] attention mask of the stack's own tokens, when its
  /// self-attention masks padding.
  mlir::Value paddingMask;
  /// Cross-attention only: the encoder output the layers attend to, and the
  /// encoder's attention mask if it has one.
  mlir::Value memory;
  mlir::Value memoryPaddingMask;
};

/// Emits every layer of a stack on `hidden` ([batch, seq, d_model]) and the
/// final norm if the model has one; returns the stack's output.
mlir::FailureOr<mlir::Value> emitStack(ForwardBuilder &builder,
                                       mlir::Value hidden,
                                       const StackInputs &inputs);

} // namespace kiln

#endif // KILN_FRONTEND_TRANSFORMERLAYERS_H
