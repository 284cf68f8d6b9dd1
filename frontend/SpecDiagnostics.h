//===- SpecDiagnostics.h - Errors and warnings about spec files -*- C++ -*-===//
//
// Reports problems found in a model description through an llvm::SourceMgr,
// so that every message reads `file:line:col: error: ...` followed by the
// offending line and a caret. It counts the errors (including the ones the
// YAML scanner prints on its own) so the frontend knows whether to go on, and
// converts between SMLoc and the kiln::SourceLoc that ModelSpec keeps.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECDIAGNOSTICS_H
#define KILN_FRONTEND_SPECDIAGNOSTICS_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <string>

namespace kiln {

/// Routes the frontend's diagnostics through a SourceMgr for as long as it
/// lives: it installs its own handler, which counts errors, brings messages
/// from LLVM's YAML and JSON parsers to LLVM style (lower-case, no trailing
/// punctuation) and forwards them to the handler installed before it (or
/// prints them to stderr), and restores that handler when destroyed.
class SpecDiagnostics {
public:
  /// Starts routing diagnostics of `sourceMgr` through this object.
  explicit SpecDiagnostics(llvm::SourceMgr &sourceMgr);
  /// Restores the SourceMgr's previous handler.
  ~SpecDiagnostics();
  SpecDiagnostics(const SpecDiagnostics &) = delete;
  SpecDiagnostics &operator=(const SpecDiagnostics &) = delete;

  /// The SourceMgr holding the spec buffers.
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// Reports an error at `loc`, a position inside a buffer of the SourceMgr.
  void error(llvm::SMLoc loc, const llvm::Twine &message);
  /// Reports a warning at `loc`.
  void warning(llvm::SMLoc loc, const llvm::Twine &message);
  /// Attaches a note at `loc` to the diagnostic just reported.
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  /// Reports an error at a location recorded in a ModelSpec.
  void error(const SourceLoc &loc, const llvm::Twine &message);
  /// Reports a warning at a location recorded in a ModelSpec.
  void warning(const SourceLoc &loc, const llvm::Twine &message);
  /// Reports an error about a whole file that has no position to point at,
  /// as `file: error: ...` (it could not be read, say).
  void fileError(llvm::StringRef file, const llvm::Twine &message);

  /// Whether any error has been reported since construction.
  bool hadError() const { return numErrors != 0; }

  /// The file, line and column of `loc`.
  SourceLoc toSourceLoc(llvm::SMLoc loc) const;
  /// The position that `loc` names in the newest SourceMgr buffer of that
  /// file, or an invalid SMLoc when no buffer has that name.
  llvm::SMLoc toSMLoc(const SourceLoc &loc) const;

private:
  /// The SourceMgr handler: restyles one diagnostic and forwards it.
  static void handleDiagnostic(const llvm::SMDiagnostic &diagnostic,
                               void *context);
  /// Counts `diagnostic` if it is an error and passes it to the previous
  /// handler, or prints it to stderr when there was none.
  void forward(const llvm::SMDiagnostic &diagnostic);

  llvm::SourceMgr &sourceMgr;
  llvm::SourceMgr::DiagHandlerTy previousHandler;
  void *previousContext;
  unsigned numErrors = 0;
};

/// A floating-point value as a message quotes it (`%g`: 0.2, 1e-05).
std::string formatNumber(double value);

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a likely misspelling, for "did you mean" hints.
std::optional<llvm::StringRef>
findClosestMatch(llvm::StringRef word,
                 llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace kiln

#endif // KILN_FRONTEND_SPECDIAGNOSTICS_H
