//===- ForwardBuilder.h - Emission state of @forward ------------*- C++ -*-===//
//
// The state that MLIRGen threads through the model while it emits
// `func.func @forward`: the insertion point, the model inputs, the weight
// parameters created so far and the rules that turn a spec field and a
// position in the model into an op location. It also emits the few pieces
// that need a weight (linear layers, norms), because those are where a
// missing checkpoint binding is found and reported.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_FORWARDBUILDER_H
#define KILN_FRONTEND_FORWARDBUILDER_H

#include "frontend/ModelSpec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>

namespace kiln {

/// Emits the body of `@forward` and collects its signature as it goes:
/// inputs are added up front, weight parameters on first use, and
/// `finish` fixes the function type and argument attributes at the end.
class ForwardBuilder {
public:
  /// Creates an empty `@forward` at the end of `module` and points the
  /// builder into it.
  ForwardBuilder(const ModelSpec &spec, mlir::ModuleOp module);

  /// The spec being lowered.
  const ModelSpec &getSpec() const { return spec; }

  /// The builder, positioned at the end of the body of `@forward`.
  mlir::OpBuilder &getBuilder() { return builder; }

  /// Creates an op at the builder's insertion point and returns its single
  /// result.
  template <typename OpTy, typename... Args>
  mlir::Value create(mlir::Location loc, Args &&...args) {
    return builder.create<OpTy>(loc, std::forward<Args>(args)...).getResult();
  }

  //===--------------------------------------------------------------------===//
  // Locations
  //===--------------------------------------------------------------------===//

  /// `NameLoc(scope, FileLineColLoc(...))` pointing at the first of `fields`
  /// (dotted spec paths) that the spec sets, else at `model.family` (whose
  /// defaults filled the fields the spec left out), else at the whole
  /// model.
  mlir::Location loc(const llvm::Twine &scope,
                     llvm::ArrayRef<llvm::StringRef> fields) const;

  //===--------------------------------------------------------------------===//
  // Types (all activations and weights are f32)
  //===--------------------------------------------------------------------===//

  /// [batch, seq] token ids or attention mask.
  mlir::RankedTensorType tokenType() const;
  /// [batch, seq, features] activations.
  mlir::RankedTensorType activationType(int64_t features) const;
  /// [batch, heads, seq, head_dim] per-head activations.
  mlir::RankedTensorType headsType(int64_t heads) const;
  /// [batch, heads, queries, keys] attention scores.
  mlir::RankedTensorType scoresType() const;
  /// A static-shape f32 tensor (weights, pooled outputs).
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) const;

  //===--------------------------------------------------------------------===//
  // Arguments
  //===--------------------------------------------------------------------===//

  /// Adds the [batch, seq] i64 model input `name` as the next argument.
  mlir::Value addInput(llvm::StringRef name, mlir::Location loc);

  /// The parameter bound to logical weight `logicalName`
  /// (`decoder.layer.attn.q.weight`) of layer `layer` (none for weights
  /// outside the layers), as a tensor of `shape` in kiln's layout ([out, in]
  /// for matrices). A checkpoint that stores the matrix transposed marks the
  /// parameter `kiln.weight_transposed` for the runtime, which transposes
  /// it while loading. Tensors used twice (tied
  /// embeddings) share one parameter. Fails with an error when the spec
  /// binds no checkpoint tensor to the weight.
  mlir::FailureOr<mlir::Value> weight(llvm::StringRef logicalName,
                                      std::optional<int64_t> layer,
                                      llvm::ArrayRef<int64_t> shape);

  //===--------------------------------------------------------------------===//
  // Layers with weights
  //===--------------------------------------------------------------------===//

  /// `x * W^T (+ b)` with `<prefix>.weight` ([outFeatures, in]) and, if
  /// `hasBias`, `<prefix>.bias`.
  mlir::FailureOr<mlir::Value> linear(mlir::Value input, llvm::StringRef prefix,
                                      std::optional<int64_t> layer,
                                      int64_t outFeatures, bool hasBias,
                                      mlir::Location loc);

  /// The spec's norm (layer or RMS norm) over the last dimension, with
  /// `<prefix>.weight` and, for a layer norm with biases, `<prefix>.bias`.
  mlir::FailureOr<mlir::Value> norm(mlir::Value input, llvm::StringRef prefix,
                                    std::optional<int64_t> layer,
                                    mlir::Location loc);

  //===--------------------------------------------------------------------===//
  // Completion
  //===--------------------------------------------------------------------===//

  /// Returns `result` from `@forward`, naming it `kiln.output = outputName`,
  /// and sets the function type and argument attributes.
  void finish(mlir::Value result, llvm::StringRef outputName,
              mlir::Location loc);

private:
  /// Appends an argument of `type` to `@forward` with the string attribute
  /// `attrName = attrValue`.
  mlir::BlockArgument addArgument(mlir::Type type, mlir::Location loc,
                                  llvm::StringRef attrName,
                                  llvm::StringRef attrValue);

  const ModelSpec &spec;
  mlir::MLIRContext *context;
  mlir::OpBuilder builder;
  mlir::func::FuncOp forward;
  /// The attributes of each argument added so far, in order.
  llvm::SmallVector<mlir::DictionaryAttr> argAttrs;
  /// The parameter of each checkpoint tensor, by tensor name.
  llvm::StringMap<mlir::BlockArgument> parameters;
};

/// The file location of `source`, or an unknown location for specs built in
/// memory.
mlir::Location fileLocation(mlir::MLIRContext *context,
                            const SourceLoc &source);

/// The name of a layer's position in the model: `decoder.layer3`.
std::string layerScope(llvm::StringRef stack, int64_t layer);

} // namespace kiln

#endif // KILN_FRONTEND_FORWARDBUILDER_H
