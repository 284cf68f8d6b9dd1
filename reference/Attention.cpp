//===- Attention.cpp - Reference evaluation of softmax, masks, attention --===//
//
// The pieces of unfused attention (softmax, the causal, sliding-window and
// padding masks, which fill masked scores with -inf) and the fused
// `kiln.attention`, which applies the same masks and softmax to one row of
// scores at a time. Both share the position rule of the masks and the
// softmax that turns a fully masked row into zeros, so that fused and
// unfused IR agree by construction on those conventions.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln;

namespace kiln {

namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

/// Fills the scores (last two dimensions [queries, keys]) that the causal
/// mask, limited to `window` keys when given, hides with -inf.
ReferenceTensor maskByPosition(const ReferenceTensor &scores,
                               std::optional<int64_t> window) {
  ArrayRef<int64_t> shape = scores.getShape();
  int64_t queries = shape.end()[-2], keys = shape.back();
  int64_t matrices = ReferenceTensor::getNumElements(shape.drop_back(2));
  ReferenceTensor output = scores;
  for (int64_t m = 0; m < matrices; ++m)
    for (int64_t i = 0; i < queries; ++i)
      for (int64_t j = 0; j < keys; ++j)
        if (isMaskedByPosition(i, j, queries, keys, window))
          output[(m * queries + i) * keys + j] = kNegativeInfinity;
  return output;
}

} // namespace

void applySoftmax(MutableArrayRef<double> row) {
  double max = kNegativeInfinity;
  for (double x : row)
    max = std::max(max, x);
  if (max == kNegativeInfinity) {
    std::fill(row.begin(), row.end(), 0.0);
    return;
  }
  double sum = 0.0;
  for (double &x : row) {
    x = std::exp(x - max);
    sum += x;
  }
  for (double &x : row)
    x /= sum;
}

bool isMaskedByPosition(int64_t query, int64_t key, int64_t queries,
                        int64_t keys, std::optional<int64_t> window) {
  int64_t queryPosition = query + keys - queries;
  if (key > queryPosition)
    return true;
  return window && queryPosition - key >= *window;
}

LogicalResult evaluateOp(SoftmaxOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  ArrayRef<int64_t> shape = input.getShape();
  int64_t axis = op.getAxis();
  int64_t outer = ReferenceTensor::getNumElements(shape.take_front(axis));
  int64_t size = shape[axis];
  int64_t inner = ReferenceTensor::getNumElements(shape.drop_front(axis + 1));
  ReferenceTensor output = input;
  std::vector<double> row(size);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      for (int64_t k = 0; k < size; ++k)
        row[k] = output[(o * size + k) * inner + i];
      applySoftmax(row);
      for (int64_t k = 0; k < size; ++k)
        output[(o * size + k) * inner + i] = row[k];
    }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(CausalMaskOp op, ValueTensors &values) {
  values.bind(op.getOutput(), maskByPosition(values.lookup(op.getScores()),
                                             /*window=*/std::nullopt));
  return success();
}

LogicalResult evaluateOp(SlidingWindowMaskOp op, ValueTensors &values) {
  values.bind(op.getOutput(),
              maskByPosition(values.lookup(op.getScores()),
                             static_cast<int64_t>(op.getWindow())));
  return success();
}

LogicalResult evaluateOp(PaddingMaskOp op, ValueTensors &values) {
  const ReferenceTensor &scores = values.lookup(op.getScores());
  const ReferenceTensor &mask = values.lookup(op.getAttentionMask());
  int64_t batch = scores.getDimSize(0), heads = scores.getDimSize(1),
          queries = scores.getDimSize(2), keys = scores.getDimSize(3);
  if (failed(checkShape(op, "attention mask", mask.getShape(), {batch, keys})))
    return failure();
  ReferenceTensor output = scores;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < queries; ++i)
        for (int64_t j = 0; j < keys; ++j)
          if (mask.at({b, j}) == 0)
            output.at({b, h, i, j}) = kNegativeInfinity;
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(AttentionOp op, ValueTensors &values) {
  const ReferenceTensor &query = values.lookup(op.getQuery());
  const ReferenceTensor &key = values.lookup(op.getKey());
  const ReferenceTensor &value = values.lookup(op.getValue());
  const ReferenceTensor *padding = values.lookupOptional(op.getKeyPadding());
  int64_t batch = query.getDimSize(0), queryHeads = query.getDimSize(1),
          queries = query.getDimSize(2), headDim = query.getDimSize(3);
  int64_t kvHeads = key.getDimSize(1), keys = key.getDimSize(2),
          valueDim = value.getDimSize(3);
  if (failed(checkSize(op, "key dimension 0 (batch)", key.getDimSize(0),
                       batch)) ||
      failed(checkSize(op, "value dimension 0 (batch)", value.getDimSize(0),
                       batch)) ||
      failed(checkSize(op, "value dimension 1 (key/value heads)",
                       value.getDimSize(1), kvHeads)) ||
      failed(checkSize(op, "value dimension 2 (keys)", value.getDimSize(2),
                       keys)) ||
      failed(checkSize(op, "key dimension 3 (the query's head size)",
                       key.getDimSize(3), headDim)))
    return failure();
  if (kvHeads == 0 || queryHeads % kvHeads != 0)
    return op.emitError() << "expected query heads " << queryHeads
                          << " to be a multiple of key/value heads "
                          << kvHeads;
  if (padding && failed(checkShape(op, "key padding", padding->getShape(),
                                   {batch, keys})))
    return failure();

  MaskKind maskKind = op.getMask();
  std::optional<int64_t> window;
  if (maskKind == MaskKind::SlidingWindow)
    window = static_cast<int64_t>(*op.getWindow());
  double scale = op.getScale().convertToDouble();
  int64_t groupSize = queryHeads / kvHeads;
  ReferenceTensor output({batch, queryHeads, queries, valueDim});
  std::vector<double> row(keys);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < queryHeads; ++h) {
      // Grouped-query attention: consecutive query heads share a KV head.
      int64_t kvHead = h / groupSize;
      for (int64_t i = 0; i < queries; ++i) {
        for (int64_t j = 0; j < keys; ++j) {
          bool isMasked = (maskKind != MaskKind::None &&
                           isMaskedByPosition(i, j, queries, keys, window)) ||
                          (padding && padding->at({b, j}) == 0);
          if (isMasked) {
            row[j] = kNegativeInfinity;
            continue;
          }
          double dot = 0.0;
          for (int64_t d = 0; d < headDim; ++d)
            dot += query.at({b, h, i, d}) * key.at({b, kvHead, j, d});
          row[j] = scale * dot;
        }
        applySoftmax(row);
        for (int64_t d = 0; d < valueDim; ++d) {
          double sum = 0.0;
          for (int64_t j = 0; j < keys; ++j)
            sum += row[j] * value.at({b, kvHead, j, d});
          output.at({b, h, i, d}) = sum;
        }
      }
    }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

} // namespace kiln
