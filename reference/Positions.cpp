//===- Positions.cpp - Reference evaluation of embeddings and positions ---===//
//
// Token embedding lookups and the three positional encodings: learned
// position tables, the fixed sinusoids of "Attention Is All You Need" and
// rotary embeddings in both feature pairings. Sequence position `s` is the
// index along the sequence dimension, starting at 0.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace kiln;

namespace kiln {

LogicalResult evaluateOp(EmbeddingOp op, ValueTensors &values) {
  const ReferenceTensor &table = values.lookup(op.getTable());
  const ReferenceTensor &ids = values.lookup(op.getIds());
  int64_t rows = table.getDimSize(0), width = table.getDimSize(1);
  SmallVector<int64_t> shape(ids.getShape());
  shape.push_back(width);
  ReferenceTensor output(shape);
  for (int64_t i = 0, e = ids.getNumElements(); i < e; ++i) {
    // Ids are exact integers, checked when they enter the function; they
    // are range-checked as doubles because a huge one would not fit int64_t.
    double id = ids[i];
    if (id < 0 || id >= rows) {
      std::string idText;
      llvm::raw_string_ostream(idText) << llvm::format("%.0f", id);
      return op.emitError() << "expected token ids in [0, " << rows
                            << ") (the rows of the embedding table), got "
                            << idText;
    }
    auto row = static_cast<int64_t>(id);
    llvm::copy(table.getElements().slice(row * width, width),
               output.getElements().slice(i * width, width).begin());
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(LearnedPositionsOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  const ReferenceTensor &table = values.lookup(op.getTable());
  int64_t batch = input.getDimSize(0), seq = input.getDimSize(1),
          width = input.getDimSize(2);
  if (failed(checkSize(op, "position table width", table.getDimSize(1),
                       width)))
    return failure();
  int64_t rows = table.getDimSize(0);
  std::optional<int64_t> paddingIdx = op.getPaddingIdx();
  // With ids, RoBERTa's positions: padding sits at row paddingIdx, the
  // n-th other token at row paddingIdx + n.
  const ReferenceTensor *ids =
      paddingIdx ? &values.lookup(op.getIds()) : nullptr;
  if (!ids && seq > rows)
    return op.emitError() << "sequence length " << seq << " exceeds the "
                          << rows << " rows of the position table";
  ReferenceTensor output(input.getShape());
  for (int64_t b = 0; b < batch; ++b) {
    int64_t counted = 0;
    for (int64_t s = 0; s < seq; ++s) {
      int64_t row = s;
      if (ids) {
        bool isPadding = ids->at({b, s}) == static_cast<double>(*paddingIdx);
        counted += isPadding ? 0 : 1;
        row = isPadding ? *paddingIdx : *paddingIdx + counted;
      }
      if (row >= rows)
        return op.emitError()
               << "position " << row << " of token " << s << " exceeds the "
               << rows << " rows of the position table";
      for (int64_t d = 0; d < width; ++d)
        output.at({b, s, d}) = input.at({b, s, d}) + table.at({row, d});
    }
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(SinusoidalPositionsOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t batch = input.getDimSize(0), seq = input.getDimSize(1),
          width = input.getDimSize(2);
  if (width % 2 != 0)
    return op.emitError() << "expected an even feature width, got " << width;
  double base = op.getBase().convertToDouble();
  ReferenceTensor output = input;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < seq; ++s)
      for (int64_t i = 0; i < width / 2; ++i) {
        double angle = s / std::pow(base, 2.0 * i / width);
        output.at({b, s, 2 * i}) += std::sin(angle);
        output.at({b, s, 2 * i + 1}) += std::cos(angle);
      }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

/// The rotation frequency of pair `pair` of `rotated` features,
/// `theta^(-2 pair / rotated)`, stretched as the op's scaling says (see the
/// description of kiln.rope).
static double getRopeFrequency(RopeOp op, int64_t pair, int64_t rotated) {
  double frequency = std::pow(op.getTheta().convertToDouble(),
                              -2.0 * static_cast<double>(pair) / rotated);
  std::optional<RopeScaling> scaling = op.getScaling();
  if (!scaling)
    return frequency;
  double stretched = frequency / op.getFactor()->convertToDouble();
  if (*scaling == RopeScaling::Linear)
    return stretched;
  double low = op.getLowFreqFactor()->convertToDouble();
  double high = op.getHighFreqFactor()->convertToDouble();
  double original = static_cast<double>(*op.getOriginalMaxPositions());
  double wavelength = 2 * llvm::numbers::pi / frequency;
  if (wavelength < original / high)
    return frequency;
  if (wavelength > original / low)
    return stretched;
  double weight = (original / wavelength - low) / (high - low);
  return (1 - weight) * stretched + weight * frequency;
}

LogicalResult evaluateOp(RopeOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t batch = input.getDimSize(0), heads = input.getDimSize(1),
          seq = input.getDimSize(2), headDim = input.getDimSize(3);
  std::optional<uint64_t> rotaryDim = op.getRotaryDim();
  int64_t rotated = rotaryDim ? static_cast<int64_t>(*rotaryDim) : headDim;
  if (rotated > headDim)
    return op.emitError() << "expected rotary_dim to be at most the head size "
                          << headDim << ", got " << rotated;
  if (rotated % 2 != 0)
    return op.emitError()
           << "expected an even number of rotated features, got " << rotated;
  int64_t numPairs = rotated / 2;
  bool isHalf = op.getStyle() == RopeStyle::Half;
  // Features from `rotated` on pass through unchanged.
  ReferenceTensor output = input;
  std::vector<double> frequencies;
  for (int64_t i = 0; i < numPairs; ++i)
    frequencies.push_back(getRopeFrequency(op, i, rotated));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t i = 0; i < numPairs; ++i) {
          int64_t first = isHalf ? i : 2 * i;
          int64_t second = isHalf ? i + numPairs : 2 * i + 1;
          double angle = s * frequencies[i];
          double x1 = input.at({b, h, s, first});
          double x2 = input.at({b, h, s, second});
          output.at({b, h, s, first}) =
              x1 * std::cos(angle) - x2 * std::sin(angle);
          output.at({b, h, s, second}) =
              x2 * std::cos(angle) + x1 * std::sin(angle);
        }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

} // namespace kiln
