//===- ForwardBuilder.cpp - Emission state of the forward function --------===//
//
// Implements ForwardBuilder: locations from spec fields, the f32 tensor
// types of the model, the inputs and weight parameters of `@forward`, and
// the linear layers and norms that read weights.
//
//===----------------------------------------------------------------------===//

#include "frontend/ForwardBuilder.h"

#include "frontend/WeightNames.h"

#include "dialect/KilnOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace kiln;

namespace kiln {

/// Marks an argument of `@forward` as a model input; the value names it.
static constexpr llvm::StringLiteral kInputAttr = "kiln.input";
/// Marks an argument as a weight; the value is the checkpoint tensor name.
static constexpr llvm::StringLiteral kWeightAttr = "kiln.weight";
/// Marks a weight whose checkpoint stores the matrix transposed ([in, out]).
static constexpr llvm::StringLiteral kWeightTransposedAttr =
    "kiln.weight_transposed";
/// Names the result of `@forward`.
static constexpr llvm::StringLiteral kOutputAttr = "kiln.output";

std::string layerScope(StringRef stack, int64_t layer) {
  return (stack + ".layer" + Twine(layer)).str();
}

/// The position of a weight in the model: `decoder.layer.attn.q.weight` of
/// layer 3 is `decoder.layer3.attn.q.weight`.
static std::string weightScope(StringRef logicalName,
                               std::optional<int64_t> layer) {
  auto [stack, rest] = logicalName.split(".layer.");
  if (!layer || rest.empty())
    return logicalName.str();
  return (layerScope(stack, *layer) + "." + rest).str();
}

/// `tensorName` with every `{layer}` replaced by the layer index.
static std::string substituteLayer(StringRef tensorName,
                                   std::optional<int64_t> layer) {
  std::string result = tensorName.str();
  if (!layer)
    return result;
  std::string index = std::to_string(*layer);
  for (size_t pos = result.find(kLayerPlaceholder); pos != std::string::npos;
       pos = result.find(kLayerPlaceholder, pos + index.size()))
    result.replace(pos, kLayerPlaceholder.size(), index);
  return result;
}

ForwardBuilder::ForwardBuilder(const ModelSpec &spec, ModuleOp module)
    : spec(spec), context(module.getContext()), builder(context) {
  builder.setInsertionPointToEnd(module.getBody());
  forward = builder.create<func::FuncOp>(loc("forward", {}), "forward",
                                         builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(forward.addEntryBlock());
}

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

Location fileLocation(MLIRContext *context, const SourceLoc &source) {
  if (source.file.empty() && source.line == 0)
    return UnknownLoc::get(context);
  return FileLineColLoc::get(context, source.file, source.line, source.column);
}

/// A field left out of the spec took the default of the model's family, so
/// the family is the next most relevant place to point at.
static constexpr llvm::StringLiteral kFamilyField = "model.family";

Location ForwardBuilder::loc(const Twine &scope,
                             ArrayRef<StringRef> fields) const {
  const SourceLoc *source = &spec.loc;
  for (StringRef field : llvm::concat<const StringRef>(
           fields, ArrayRef<StringRef>(kFamilyField))) {
    auto it = spec.fieldLocs.find(field.str());
    if (it != spec.fieldLocs.end()) {
      source = &it->second;
      break;
    }
  }
  return NameLoc::get(StringAttr::get(context, scope),
                      fileLocation(context, *source));
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// The batch dimension: the spec's size, or dynamic.
static int64_t batchDim(const ModelSpec &spec) {
  return spec.batch.dynamic ? ShapedType::kDynamic : spec.batch.size;
}

RankedTensorType ForwardBuilder::tokenType() const {
  return RankedTensorType::get({batchDim(spec), ShapedType::kDynamic},
                               IntegerType::get(context, 64));
}

RankedTensorType ForwardBuilder::activationType(int64_t features) const {
  return tensorType({batchDim(spec), ShapedType::kDynamic, features});
}

RankedTensorType ForwardBuilder::headsType(int64_t heads) const {
  return tensorType(
      {batchDim(spec), heads, ShapedType::kDynamic, spec.headDim});
}

RankedTensorType ForwardBuilder::scoresType() const {
  return tensorType({batchDim(spec), spec.numHeads, ShapedType::kDynamic,
                     ShapedType::kDynamic});
}

RankedTensorType ForwardBuilder::tensorType(ArrayRef<int64_t> shape) const {
  return RankedTensorType::get(shape, Float32Type::get(context));
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

BlockArgument ForwardBuilder::addArgument(Type type, Location loc,
                                          StringRef attrName,
                                          StringRef attrValue) {
  argAttrs.push_back(builder.getDictionaryAttr(
      builder.getNamedAttr(attrName, builder.getStringAttr(attrValue))));
  return forward.getBody().front().addArgument(type, loc);
}

Value ForwardBuilder::addInput(StringRef name, Location loc) {
  return addArgument(tokenType(), loc, kInputAttr, name);
}

FailureOr<Value> ForwardBuilder::weight(StringRef logicalName,
                                        std::optional<int64_t> layer,
                                        ArrayRef<int64_t> shape) {
  std::string scope = weightScope(logicalName, layer);
  std::string field = ("weights." + logicalName).str();
  Location paramLoc = loc(scope, {field, "weights.prefix", "weights"});
  auto binding = spec.weights.find(logicalName.str());
  if (binding == spec.weights.end())
    return emitError(paramLoc)
           << "no checkpoint tensor is bound to weight '" << logicalName << "'";
  bool transposed = binding->second.transposed;
  if (transposed && shape.size() != 2)
    return emitError(paramLoc) << "weight '" << logicalName
                               << "' is not a matrix and cannot be transposed";

  // The parameter always has kiln's layout; a checkpoint that stores the
  // matrix transposed says so on the argument, and the runtime transposes
  // it once while loading rather than on every forward pass.
  RankedTensorType type = tensorType(shape);
  std::string tensorName = substituteLayer(binding->second.tensorName, layer);
  auto [it, isNew] = parameters.try_emplace(tensorName);
  if (isNew) {
    it->second = addArgument(type, paramLoc, kWeightAttr, tensorName);
    if (transposed)
      argAttrs.back() = DictionaryAttr::get(
          context, {builder.getNamedAttr(kWeightAttr,
                                         builder.getStringAttr(tensorName)),
                    builder.getNamedAttr(kWeightTransposedAttr,
                                         builder.getUnitAttr())});
    return Value(it->second);
  }
  bool wasTransposed =
      argAttrs[it->second.getArgNumber()].contains(kWeightTransposedAttr);
  if (it->second.getType() != type || wasTransposed != transposed)
    return emitError(paramLoc)
           << "checkpoint tensor '" << tensorName << "' is used as "
           << it->second.getType() << (wasTransposed ? " (transposed)" : "")
           << " and as " << type << (transposed ? " (transposed)" : "")
           << " (weight '" << logicalName << "')";
  return Value(it->second);
}

//===----------------------------------------------------------------------===//
// Layers with weights
//===----------------------------------------------------------------------===//

FailureOr<Value> ForwardBuilder::linear(Value input, StringRef prefix,
                                        std::optional<int64_t> layer,
                                        int64_t outFeatures, bool hasBias,
                                        Location loc) {
  int64_t inFeatures =
      cast<RankedTensorType>(input.getType()).getShape().back();
  FailureOr<Value> w =
      weight((prefix + ".weight").str(), layer, {outFeatures, inFeatures});
  if (failed(w))
    return failure();
  Value b;
  if (hasBias) {
    FailureOr<Value> bias =
        weight((prefix + ".bias").str(), layer, {outFeatures});
    if (failed(bias))
      return failure();
    b = *bias;
  }
  SmallVector<int64_t> shape(
      cast<RankedTensorType>(input.getType()).getShape());
  shape.back() = outFeatures;
  return create<LinearOp>(loc, tensorType(shape), input, *w, b,
                          /*residual=*/Value(),
                          /*activation=*/ActivationKindAttr());
}

FailureOr<Value> ForwardBuilder::norm(Value input, StringRef prefix,
                                      std::optional<int64_t> layer,
                                      Location loc) {
  int64_t width = cast<RankedTensorType>(input.getType()).getShape().back();
  FailureOr<Value> gamma = weight((prefix + ".weight").str(), layer, {width});
  if (failed(gamma))
    return failure();
  APFloat epsilon(spec.normEpsilon);
  if (spec.norm == NormKind::RmsNorm) {
    Type f64 = Float64Type::get(input.getContext());
    FloatAttr offset = spec.normGammaOffset != 0.0
                           ? FloatAttr::get(f64, spec.normGammaOffset)
                           : FloatAttr();
    return create<RmsNormOp>(loc, input.getType(), input, *gamma,
                             FloatAttr::get(f64, epsilon), offset);
  }
  Value beta;
  if (spec.normBias) {
    FailureOr<Value> bias = weight((prefix + ".bias").str(), layer, {width});
    if (failed(bias))
      return failure();
    beta = *bias;
  }
  return create<LayerNormOp>(loc, input.getType(), input, *gamma, beta,
                             epsilon);
}

//===----------------------------------------------------------------------===//
// Completion
//===----------------------------------------------------------------------===//

void ForwardBuilder::finish(Value result, StringRef outputName, Location loc) {
  builder.create<func::ReturnOp>(loc, result);
  Block &body = forward.getBody().front();
  forward.setFunctionType(
      builder.getFunctionType(body.getArgumentTypes(), result.getType()));
  forward.setAllArgAttrs(argAttrs);
  forward.setResultAttr(0, kOutputAttr, builder.getStringAttr(outputName));
}

} // namespace kiln
