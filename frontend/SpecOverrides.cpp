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

void kiln::registerSpecOverrideOptions() { *options; }

std::optional<StringRef> kiln::getGivenSpecOverride() {
  if (givesOutputPositions())
    return StringRef("--output-positions");
  return std::nullopt;
}

bool kiln::applySpecOverrides(ModelSpec &spec, SourceMgr &sourceMgr) {
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
