//===- SpecOverrides.cpp - Command-line overrides of spec fields ----------===//
//
// The options live in a ManagedStatic, as MLIR's pass-manager options do, so
// that they exist only in the tools that register them. An override must
// make sense for the model as loaded: the spec validator has run already,
// so the same rule as for the spec field is checked here again, with a
// message that names the option.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecOverrides.h"

#include "frontend/SpecDiagnostics.h"
#include "frontend/SpecKeywords.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"

using namespace kiln;
using namespace llvm;

namespace {

/// The override options.
struct SpecOverrideOptions {
  cl::opt<OutputPositions> outputPositions{
      "output-positions",
      cl::desc("Positions of the logits output (overrides the spec's "
               "output.positions)"),
      cl::values(clEnumValN(OutputPositions::All, "all",
                            "logits for every input position"),
                 clEnumValN(OutputPositions::Last, "last",
                            "logits for the last position only, all that "
                            "choosing the next token needs")),
      cl::cat(getSpecOverrideCategory())};
  cl::opt<int64_t> maxSeqLen{
      "max-seq-len",
      cl::desc("Longest sequence the compiled model accepts, at most the "
               "spec's (overrides model.max_seq_len; the scratch memory of "
               "a forward pass grows with it)"),
      cl::value_desc("tokens"), cl::cat(getSpecOverrideCategory())};
};

} // namespace

static ManagedStatic<SpecOverrideOptions> options;

cl::OptionCategory &kiln::getSpecOverrideCategory() {
  static cl::OptionCategory category(
      "Spec overrides", "Change fields of the model spec or config.json");
  return category;
}

/// Whether the command line gives `--output-positions`.
static bool givesOutputPositions() {
  return options.isConstructed() &&
         options->outputPositions.getNumOccurrences() != 0;
}

/// Whether the command line gives `--max-seq-len`.
static bool givesMaxSeqLen() {
  return options.isConstructed() &&
         options->maxSeqLen.getNumOccurrences() != 0;
}

void kiln::registerSpecOverrideOptions() { *options; }

std::optional<StringRef> kiln::getGivenSpecOverride() {
  if (givesOutputPositions())
    return StringRef("--output-positions");
  if (givesMaxSeqLen())
    return StringRef("--max-seq-len");
  return std::nullopt;
}

/// Lowers the model's maximum sequence length to `--max-seq-len`: every
/// table and RoPE range that fits the spec's maximum fits a shorter one.
static bool applyMaxSeqLen(ModelSpec &spec, SourceMgr &sourceMgr) {
  int64_t maxSeqLen = options->maxSeqLen;
  if (maxSeqLen >= 1 && maxSeqLen <= spec.maxSeqLen) {
    spec.maxSeqLen = maxSeqLen;
    return true;
  }
  SpecDiagnostics diagnostics(sourceMgr);
  diagnostics.error(spec.locOf("model.max_seq_len"),
                    "--max-seq-len must be between 1 and the model's maximum "
                    "sequence length " +
                        Twine(spec.maxSeqLen) + ", got " + Twine(maxSeqLen));
  return false;
}

bool kiln::applySpecOverrides(ModelSpec &spec, SourceMgr &sourceMgr) {
  if (givesMaxSeqLen() && !applyMaxSeqLen(spec, sourceMgr))
    return false;
  if (!givesOutputPositions())
    return true;
  if (spec.output != OutputKind::Logits) {
    // The output kind is the spec's own, or else its family's default.
    StringRef field =
        spec.fieldLocs.count("output.kind") ? "output.kind" : "model.family";
    SpecDiagnostics diagnostics(sourceMgr);
    diagnostics.error(spec.locOf(field.str()),
                      "--output-positions only applies to the logits output, "
                      "but this model's output is " +
                          getKeywordName(spec.output));
    return false;
  }
  spec.outputPositions = options->outputPositions;
  return true;
}
