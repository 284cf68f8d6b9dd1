//===- kiln-reference.cpp - fp64 reference runs of a model ----------------===//
//
// The oracle of Kiln's end-to-end tests. For a model description it
//
// - makes seeded random weights (the reference evaluator's distribution)
//   and writes them as a safetensors checkpoint that a compiled model can
//   load (`--write-weights`), transposing the matrices the spec says the
//   checkpoint stores transposed;
// - evaluates the *unfused* kiln IR that the frontend builds, in double
//   precision, on the given tokens, and writes the first output as .npy
//   (`--write-output`); `--output-positions` overrides the spec as it does
//   for kiln-compile;
// - compares a compiled model's .npy output with the reference within a
//   tolerance relative to the reference's largest magnitude (`--compare`),
//   or only their last positions (`--last-position`), which is how logits
//   of the last position are checked against those of every position.
//
// The unfused graph is deliberately what it evaluates: no pass of the
// pipeline that produced the compiled model is involved in the oracle.
//
//===----------------------------------------------------------------------===//

#include "NpyFile.h"

#include "frontend/MLIRGen.h"
#include "frontend/SpecLoader.h"
#include "frontend/SpecOverrides.h"
#include "reference/ReferenceEvaluator.h"
#include "runtime/writer/SafetensorsWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace cl = llvm::cl;
using namespace mlir;

static cl::OptionCategory referenceCategory("kiln-reference options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<spec.yaml|config.json>"),
                                          cl::cat(referenceCategory));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the random weights"),
                              cl::init(0), cl::cat(referenceCategory));
static cl::list<std::string>
    tokens("tokens",
           cl::desc("Token ids of input_ids (decoder_input_ids), comma-"
                    "separated; repeat the option for each batch row"),
           cl::cat(referenceCategory));
static cl::list<std::string>
    encoderTokens("encoder-tokens",
                  cl::desc("Token ids of encoder_input_ids, one option per "
                           "batch row"),
                  cl::cat(referenceCategory));
static cl::list<std::string>
    attentionMask("attention-mask",
                  cl::desc("The attention mask, one option per batch row "
                           "(default: all ones)"),
                  cl::cat(referenceCategory));
static cl::opt<std::string>
    writeWeights("write-weights",
                 cl::desc("Write the random weights as a safetensors file"),
                 cl::value_desc("path"), cl::cat(referenceCategory));
static cl::opt<std::string>
    writeOutput("write-output", cl::desc("Write the reference output as .npy"),
                cl::value_desc("path"), cl::cat(referenceCategory));
static cl::list<std::string>
    compare("compare", cl::desc("Compare two .npy files: <actual> <reference>"),
            cl::multi_val(2), cl::cat(referenceCategory));
static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("Largest allowed |actual - reference| / max |reference|"),
    cl::init(1e-4), cl::cat(referenceCategory));
static cl::opt<bool> lastPosition(
    "last-position",
    cl::desc("With --compare: compare only the last position of each array "
             "(its last row along dimension -2), as logits of the last "
             "position against those of every position"),
    cl::cat(referenceCategory));

/// Reports `message` as `kiln-reference: error:` and returns 1.
static int failWith(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kiln-reference") << message << "\n";
  return 1;
}

/// The last row of `array` along dimension -2: [..., rows, d] becomes
/// [..., 1, d]. An error names `path` when there is no such row.
static llvm::Expected<kiln::NpyArray> lastRowOf(kiln::NpyArray array,
                                                llvm::StringRef path) {
  size_t rank = array.shape.size();
  if (rank < 2 || array.shape[rank - 2] == 0)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--last-position needs a row along dimension -2 of '%s'",
        path.str().c_str());
  int64_t rows = array.shape[rank - 2], width = array.shape[rank - 1];
  int64_t outer = static_cast<int64_t>(array.values.size()) /
                  std::max<int64_t>(rows * width, 1);
  std::vector<double> values;
  for (int64_t o = 0; o < outer; ++o) {
    auto row = array.values.begin() + (o * rows + rows - 1) * width;
    values.insert(values.end(), row, row + width);
  }
  array.shape[rank - 2] = 1;
  array.values = std::move(values);
  return array;
}

/// Reads the .npy array at `path`, reduced to its last position with
/// `--last-position`.
static llvm::Expected<kiln::NpyArray> readCompared(llvm::StringRef path) {
  llvm::Expected<kiln::NpyArray> array = kiln::readNpy(path);
  if (!array || !lastPosition)
    return array;
  return lastRowOf(std::move(*array), path);
}

/// Compares two .npy arrays and prints the largest relative error.
static int compareArrays(llvm::StringRef actualPath,
                         llvm::StringRef referencePath) {
  llvm::Expected<kiln::NpyArray> actual = readCompared(actualPath);
  if (!actual)
    return failWith(llvm::toString(actual.takeError()));
  llvm::Expected<kiln::NpyArray> reference = readCompared(referencePath);
  if (!reference)
    return failWith(llvm::toString(reference.takeError()));
  if (actual->shape != reference->shape)
    return failWith("the arrays have different shapes");
  double scale = 0, worst = 0;
  for (double value : reference->values)
    scale = std::max(scale, std::fabs(value));
  for (auto [a, r] : llvm::zip_equal(actual->values, reference->values)) {
    double error = std::fabs(a - r);
    worst = std::isnan(error) ? INFINITY : std::max(worst, error);
  }
  double relative = worst / std::max(scale, 1e-30);
  llvm::outs() << "max abs error " << llvm::format("%.3e", worst)
               << ", max |reference| " << llvm::format("%.3e", scale)
               << ", relative " << llvm::format("%.3e", relative) << ": "
               << (relative <= tolerance ? "ok" : "MISMATCH") << "\n";
  return relative <= tolerance ? 0 : 1;
}

/// Writes the weight arguments of `forward` as an F32 safetensors file;
/// matrices marked `kiln.weight_transposed` are stored [in, out].
static llvm::Error
writeCheckpoint(llvm::StringRef path, func::FuncOp forward,
                llvm::ArrayRef<kiln::ReferenceTensor> arguments) {
  std::vector<kiln::safetensors::SafetensorsTensor> tensors;
  for (auto [index, tensor] : llvm::enumerate(arguments)) {
    auto name = forward.getArgAttrOfType<StringAttr>(index, "kiln.weight");
    if (!name)
      continue;
    std::vector<int64_t> shape(tensor.getShape().begin(),
                               tensor.getShape().end());
    std::vector<float> values(tensor.getElements().begin(),
                              tensor.getElements().end());
    if (forward.getArgAttr(index, "kiln.weight_transposed")) {
      int64_t rows = shape[0], columns = shape[1];
      std::vector<float> transposed(values.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < columns; ++c)
          transposed[c * rows + r] = values[r * columns + c];
      values = std::move(transposed);
      std::swap(shape[0], shape[1]);
    }
    tensors.push_back({name.getValue().str(), "F32", shape,
                       kiln::safetensors::toBytes(values)});
  }
  std::error_code error;
  llvm::raw_fd_ostream file(path, error);
  if (error)
    return llvm::createStringError(error, "cannot write '%s'",
                                   path.str().c_str());
  file << kiln::safetensors::serializeSafetensors(tensors);
  return llvm::Error::success();
}

/// The [rows, columns] tensor of comma-separated integer `rows`, or an
/// error naming `option` when a row is malformed or the rows differ in
/// length.
static llvm::Expected<kiln::ReferenceTensor>
matrixOf(llvm::ArrayRef<std::string> rows, llvm::StringRef option) {
  std::vector<double> values;
  int64_t columns = -1;
  for (llvm::StringRef row : rows) {
    llvm::SmallVector<llvm::StringRef> fields;
    row.split(fields, ',');
    if (columns >= 0 && static_cast<int64_t>(fields.size()) != columns)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--%s rows differ in length",
                                     option.str().c_str());
    columns = fields.size();
    for (llvm::StringRef field : fields) {
      int64_t value;
      if (field.trim().getAsInteger(10, value))
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            "--%s expects comma-separated integers, got '%s'",
            option.str().c_str(), row.str().c_str());
      values.push_back(value);
    }
  }
  return kiln::ReferenceTensor(
      {static_cast<int64_t>(rows.size()), std::max<int64_t>(columns, 0)},
      std::move(values));
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  kiln::registerSpecOverrideOptions();
  cl::HideUnrelatedOptions(
      {&referenceCategory, &kiln::getSpecOverrideCategory()});
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln fp64 reference runs of a model\n");
  if (!compare.empty())
    return compareArrays(compare[0], compare[1]);
  if (inputFilename.empty())
    return failWith("expected a model description");
  if (tokens.empty())
    return failWith("expected --tokens");

  llvm::SourceMgr sourceMgr;
  std::optional<kiln::ModelSpec> spec =
      kiln::loadModelSpec(inputFilename, sourceMgr);
  if (!spec || !kiln::applySpecOverrides(*spec, sourceMgr))
    return 1;
  MLIRContext context;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = kiln::buildModule(*spec, context);
  if (!module)
    return 1;
  auto forward = module->lookupSymbol<func::FuncOp>("forward");

  FailureOr<std::vector<kiln::ReferenceTensor>> arguments =
      kiln::randomArguments(forward, seed, {1, 1});
  if (failed(arguments))
    return 1;
  // The inputs are the given tokens, not random ones; masks default to
  // all ones over the tokens they mask.
  for (auto [index, argument] : llvm::enumerate(*arguments)) {
    auto input = forward.getArgAttrOfType<StringAttr>(index, "kiln.input");
    if (!input)
      continue;
    StringRef name = input.getValue();
    bool isEncoder = name.starts_with("encoder_");
    llvm::ArrayRef<std::string> ids = isEncoder ? encoderTokens : tokens;
    llvm::Expected<kiln::ReferenceTensor> value =
        matrixOf(ids, isEncoder ? "encoder-tokens" : "tokens");
    if (value && name.ends_with("attention_mask")) {
      if (!isEncoder && !attentionMask.empty())
        value = matrixOf(attentionMask, "attention-mask");
      else
        value = kiln::ReferenceTensor::getSplat(value->getShape(), 1.0);
    }
    if (!value)
      return failWith(llvm::toString(value.takeError()));
    argument = std::move(*value);
  }

  if (!writeWeights.empty())
    if (llvm::Error error = writeCheckpoint(writeWeights, forward, *arguments))
      return failWith(llvm::toString(std::move(error)));

  FailureOr<std::vector<kiln::ReferenceTensor>> results =
      kiln::evaluateFunction(forward, *arguments);
  if (failed(results))
    return 1;
  if (!writeOutput.empty()) {
    const kiln::ReferenceTensor &output = results->front();
    if (llvm::Error error = kiln::writeNpy(writeOutput, output.getShape(),
                                           output.getElements()))
      return failWith(llvm::toString(std::move(error)));
  }
  return 0;
}
