//===- SpecDiagnostics.cpp - Errors and warnings about spec files ---------===//
//
// Implements the SourceMgr handler that counts and restyles diagnostics, and
// the conversions between SMLoc and kiln::SourceLoc.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecDiagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <string>

using namespace kiln;
using namespace llvm;

/// Brings a message to LLVM style: LLVM's YAML scanner writes "Could not
/// find closing ]!" and its JSON parser "Invalid JSON value", while Kiln's
/// diagnostics start lower-case and end without punctuation. Words that are
/// all capitals ("JSON", "YAML") keep their case.
static std::string toLLVMStyle(StringRef message) {
  std::string styled = message.rtrim(".!").str();
  if (styled.size() >= 2 && isUpper(styled[0]) && isLower(styled[1]))
    styled[0] = toLower(styled[0]);
  return styled;
}

SpecDiagnostics::SpecDiagnostics(SourceMgr &sourceMgr)
    : sourceMgr(sourceMgr), previousHandler(sourceMgr.getDiagHandler()),
      previousContext(sourceMgr.getDiagContext()) {
  sourceMgr.setDiagHandler(handleDiagnostic, this);
}

SpecDiagnostics::~SpecDiagnostics() {
  sourceMgr.setDiagHandler(previousHandler, previousContext);
}

void SpecDiagnostics::handleDiagnostic(const SMDiagnostic &diagnostic,
                                       void *context) {
  std::string message = toLLVMStyle(diagnostic.getMessage());
  SMDiagnostic styled(*diagnostic.getSourceMgr(), diagnostic.getLoc(),
                      diagnostic.getFilename(), diagnostic.getLineNo(),
                      diagnostic.getColumnNo(), diagnostic.getKind(), message,
                      diagnostic.getLineContents(), diagnostic.getRanges(),
                      diagnostic.getFixIts());
  static_cast<SpecDiagnostics *>(context)->forward(styled);
}

void SpecDiagnostics::forward(const SMDiagnostic &diagnostic) {
  if (diagnostic.getKind() == SourceMgr::DK_Error)
    ++numErrors;
  if (previousHandler)
    previousHandler(diagnostic, previousContext);
  else
    diagnostic.print(/*ProgName=*/nullptr, errs());
}

void SpecDiagnostics::error(SMLoc loc, const Twine &message) {
  sourceMgr.PrintMessage(loc, SourceMgr::DK_Error, message);
}

void SpecDiagnostics::warning(SMLoc loc, const Twine &message) {
  sourceMgr.PrintMessage(loc, SourceMgr::DK_Warning, message);
}

void SpecDiagnostics::note(SMLoc loc, const Twine &message) {
  sourceMgr.PrintMessage(loc, SourceMgr::DK_Note, message);
}

void SpecDiagnostics::error(const SourceLoc &loc, const Twine &message) {
  error(toSMLoc(loc), message);
}

void SpecDiagnostics::warning(const SourceLoc &loc, const Twine &message) {
  warning(toSMLoc(loc), message);
}

void SpecDiagnostics::fileError(StringRef file, const Twine &message) {
  forward(SMDiagnostic(file, SourceMgr::DK_Error, message.str()));
}

SourceLoc SpecDiagnostics::toSourceLoc(SMLoc loc) const {
  unsigned bufferId = sourceMgr.FindBufferContainingLoc(loc);
  if (bufferId == 0)
    return {};
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferId);
  return {sourceMgr.getMemoryBuffer(bufferId)->getBufferIdentifier().str(),
          line, column};
}

SMLoc SpecDiagnostics::toSMLoc(const SourceLoc &loc) const {
  if (loc.line == 0)
    return {};
  // The newest buffer of that name: a spec is validated right after it is
  // read, and a SourceMgr may hold older specs under the same name.
  for (unsigned id = sourceMgr.getNumBuffers(); id >= 1; --id)
    if (sourceMgr.getMemoryBuffer(id)->getBufferIdentifier() == loc.file)
      return sourceMgr.FindLocForLineAndColumn(id, loc.line, loc.column);
  return {};
}

std::string kiln::formatNumber(double value) {
  std::string text;
  raw_string_ostream(text) << format("%g", value);
  return text;
}

std::optional<StringRef>
kiln::findClosestMatch(StringRef word, ArrayRef<StringRef> candidates) {
  // A third of the word's length, at least one edit: catches typos without
  // suggesting unrelated short names.
  unsigned maxDistance = std::max<unsigned>(1, word.size() / 3);
  std::optional<StringRef> best;
  unsigned bestDistance = maxDistance + 1;
  for (StringRef candidate : candidates) {
    unsigned distance =
        word.edit_distance(candidate, /*AllowReplacements=*/true, maxDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
