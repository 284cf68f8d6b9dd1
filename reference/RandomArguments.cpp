//===- RandomArguments.cpp - Seeded random inputs for the reference -------===//
//
// Makes plausible, reproducible arguments for a function of kiln IR, so that
// a numerics check can run a model without a checkpoint: token ids inside
// the vocabulary, right-padded attention masks, norm gains near one and
// small weights. What an argument is comes from how the function uses it,
// not from its name, so hand-written test functions work as well as the
// frontend's `forward`.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"
#include "reference/ReferenceEvaluator.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <random>

using namespace mlir;
using namespace kiln;

namespace kiln {

namespace {

/// Standard deviation of weights, biases and activations.
constexpr double kWeightStdDev = 0.02;
/// Standard deviation of norm gains around their mean of one.
constexpr double kGainStdDev = 0.1;

/// Random numbers that do not depend on the standard library: the output of
/// std::mt19937_64 is fixed by the C++ standard, its distributions are not,
/// so the transforms are written out here.
class RandomSource {
public:
  explicit RandomSource(uint64_t seed) : engine(seed) {}

  /// A double drawn uniformly from [0, 1), from the top 53 bits.
  double uniform() { return (engine() >> 11) * 0x1.0p-53; }

  /// A standard normal sample (Box-Muller).
  double normal() {
    double u1 = 1.0 - uniform(); // In (0, 1], so the logarithm is finite.
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) *
           std::cos(2.0 * llvm::numbers::pi * u2);
  }

  /// An integer drawn from [0, bound); the modulo bias is negligible for
  /// bounds far below 2^64.
  int64_t below(int64_t bound) {
    return static_cast<int64_t>(engine() % static_cast<uint64_t>(bound));
  }

private:
  std::mt19937_64 engine;
};

/// Whether `use` is the gain (`gamma`) of a norm.
bool isNormGain(OpOperand &use) {
  return llvm::TypeSwitch<Operation *, bool>(use.getOwner())
      .Case<LayerNormOp, RmsNormOp, AddLayerNormOp, AddRmsNormOp>(
          [&](auto norm) { return &norm.getGammaMutable() == &use; })
      .Default([](Operation *) { return false; });
}

/// The number of rows of the smallest embedding table that `argument`
/// indexes, nothing if it indexes none, or failure (with an error on `func`)
/// if a table has a dynamic or zero number of rows.
FailureOr<std::optional<int64_t>> findVocabSize(func::FuncOp func,
                                                BlockArgument argument) {
  std::optional<int64_t> vocabSize;
  for (OpOperand &use : argument.getUses()) {
    auto embedding = dyn_cast<EmbeddingOp>(use.getOwner());
    if (!embedding || &embedding.getIdsMutable() != &use)
      continue;
    int64_t rows =
        cast<RankedTensorType>(embedding.getTable().getType()).getDimSize(0);
    if (ShapedType::isDynamic(rows) || rows == 0)
      return func.emitError()
             << "expected a static, non-zero number of rows in the embedding "
                "table indexed by "
             << describeArgument(func, argument.getArgNumber());
    vocabSize = std::min(rows, vocabSize.value_or(rows));
  }
  return vocabSize;
}

/// The shape of `argument`, with dynamic dimension `d` taking
/// `dynamicSizes[d]`.
FailureOr<SmallVector<int64_t>> resolveShape(func::FuncOp func,
                                             BlockArgument argument,
                                             ArrayRef<int64_t> dynamicSizes) {
  unsigned index = argument.getArgNumber();
  auto type = dyn_cast<RankedTensorType>(argument.getType());
  if (!type)
    return func.emitError() << "expected " << describeArgument(func, index)
                            << " to be a ranked tensor, got "
                            << argument.getType();
  SmallVector<int64_t> shape(type.getShape());
  for (size_t dim = 0; dim < shape.size(); ++dim) {
    if (!ShapedType::isDynamic(shape[dim]))
      continue;
    if (dim >= dynamicSizes.size() || dynamicSizes[dim] < 0)
      return func.emitError()
             << "expected a size for dynamic dimension " << dim << " of "
             << describeArgument(func, index) << " in dynamic sizes ["
             << dynamicSizes << "]";
    shape[dim] = dynamicSizes[dim];
  }
  return shape;
}

/// Ones followed by up to half of each row's length of zeros along the last
/// dimension, as a tokenizer right-pads a batch.
ReferenceTensor makeAttentionMask(ArrayRef<int64_t> shape,
                                  RandomSource &random) {
  ReferenceTensor mask(shape);
  int64_t rowLength = shape.empty() ? 1 : shape.back();
  for (int64_t start = 0, e = mask.getNumElements(); start < e;
       start += rowLength) {
    int64_t padding = random.below(rowLength / 2 + 1);
    for (int64_t i = 0; i < rowLength - padding; ++i)
      mask[start + i] = 1.0;
  }
  return mask;
}

} // namespace

FailureOr<std::vector<ReferenceTensor>>
randomArguments(func::FuncOp func, uint64_t seed,
                ArrayRef<int64_t> dynamicSizes) {
  RandomSource random(seed);
  std::vector<ReferenceTensor> arguments;
  for (BlockArgument argument : func.getArguments()) {
    FailureOr<SmallVector<int64_t>> shape =
        resolveShape(func, argument, dynamicSizes);
    if (failed(shape))
      return failure();
    ReferenceTensor tensor(*shape);
    MutableArrayRef<double> elements = tensor.getElements();

    if (isa<FloatType>(getElementTypeOrSelf(argument.getType()))) {
      bool isGain = llvm::any_of(argument.getUses(), isNormGain);
      for (double &element : elements)
        element = isGain ? 1.0 + kGainStdDev * random.normal()
                         : kWeightStdDev * random.normal();
      arguments.push_back(std::move(tensor));
      continue;
    }

    FailureOr<std::optional<int64_t>> vocabSize =
        findVocabSize(func, argument);
    if (failed(vocabSize))
      return failure();
    if (!*vocabSize) {
      arguments.push_back(makeAttentionMask(*shape, random));
      continue;
    }
    for (double &element : elements)
      element = random.below(**vocabSize);
    arguments.push_back(std::move(tensor));
  }
  return arguments;
}

} // namespace kiln
