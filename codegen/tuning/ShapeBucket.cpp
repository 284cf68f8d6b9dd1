//===- ShapeBucket.cpp - The run-time sizes a schedule is tuned for -------===//
//
// The canonical text of buckets and the default bucket of a model.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/ShapeBucket.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <limits>

using namespace llvm;

namespace kiln {

std::optional<int64_t> ShapeWorkload::getSize(StringRef name) const {
  if (name == "batch")
    return batch;
  if (name == "seq" || name == "encoder_seq")
    return seq;
  return std::nullopt;
}

std::string ShapeWorkload::str() const {
  std::string text;
  if (batch != 1)
    text = "batch=" + std::to_string(batch) + ",";
  return text + "seq=" + std::to_string(seq);
}

SmallVector<ShapeWorkload> ShapeBucket::getWorkloads() const {
  SmallVector<ShapeWorkload> workloads;
  for (int64_t seq : seqLens)
    workloads.push_back({batch, seq});
  return workloads;
}

std::string ShapeBucket::str() const {
  std::string text;
  raw_string_ostream os(text);
  os << "batch=" << batch << ";seq=";
  interleave(seqLens, os, ",");
  return text;
}

/// Parses a positive integer, or fails.
static std::optional<int64_t> parsePositive(StringRef text) {
  int64_t value;
  if (text.getAsInteger(10, value) || value <= 0)
    return std::nullopt;
  return value;
}

Expected<ShapeBucket> ShapeBucket::parse(StringRef text) {
  auto fail = [&] {
    return createStringError(inconvertibleErrorCode(),
                             "expected a shape bucket like "
                             "'batch=1;seq=128,512', got '" +
                                 text + "'");
  };
  auto [batchPart, seqPart] = text.split(';');
  if (!batchPart.consume_front("batch=") || !seqPart.consume_front("seq="))
    return fail();
  ShapeBucket bucket;
  std::optional<int64_t> batch = parsePositive(batchPart);
  if (!batch)
    return fail();
  bucket.batch = *batch;
  SmallVector<StringRef> seqTexts;
  seqPart.split(seqTexts, ',');
  for (StringRef seqText : seqTexts) {
    std::optional<int64_t> seq = parsePositive(seqText);
    if (!seq)
      return fail();
    bucket.seqLens.push_back(*seq);
  }
  llvm::sort(bucket.seqLens);
  bucket.seqLens.erase(
      std::unique(bucket.seqLens.begin(), bucket.seqLens.end()),
      bucket.seqLens.end());
  return bucket;
}

/// The module's `kiln.max_seq_len`, or no bound.
static int64_t getMaxSeqLen(mlir::ModuleOp module) {
  if (auto attr = module->getAttrOfType<mlir::IntegerAttr>("kiln.max_seq_len"))
    return attr.getInt();
  return std::numeric_limits<int64_t>::max();
}

ShapeBucket getDefaultShapeBucket(mlir::ModuleOp module) {
  ShapeBucket bucket;
  int64_t maxSeqLen = getMaxSeqLen(module);
  for (int64_t seq : {128, 512})
    if (bucket.seqLens.empty() || bucket.seqLens.back() < maxSeqLen)
      bucket.seqLens.push_back(std::min<int64_t>(seq, maxSeqLen));
  return bucket;
}

ShapeWorkload getCheckWorkload(mlir::ModuleOp module,
                               const ShapeBucket &bucket) {
  return {bucket.batch, std::min<int64_t>(37, getMaxSeqLen(module))};
}

} // namespace kiln
