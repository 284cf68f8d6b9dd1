//===- ProgressDisplay.h - Tuner progress on a terminal or log --*- C++ -*-===//
//
// On a terminal, the tuner shows one status line that it rewrites in place
// (kernel i/N, candidates tried, best speedup so far, time left), with
// notable events (a failed or wrong candidate, a finished kernel) printed
// above it. Anywhere else (a log file, a test) every event is a plain line
// and there is no status line.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_PROGRESSDISPLAY_H
#define KILN_CODEGEN_TUNING_PROGRESSDISPLAY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace kiln {

/// Where the tuner reports progress.
class ProgressDisplay {
public:
  /// Reports to `os`, rewriting a status line when `isTerminal`.
  ProgressDisplay(llvm::raw_ostream &os, bool isTerminal)
      : os(os), isTerminal(isTerminal) {}

  /// Clears the status line.
  ~ProgressDisplay() { finish(); }

  /// Replaces the status line (terminal only).
  void status(llvm::StringRef line);

  /// Prints a line that stays: above the status line on a terminal.
  void note(llvm::StringRef line);

  /// Prints a routine event: a plain line when not on a terminal, where
  /// the status line shows it instead.
  void event(llvm::StringRef line);

  /// Erases the status line from the terminal, for output that follows.
  void finish();

private:
  /// Erases the status line from the terminal and forgets it.
  void clearStatus();

  llvm::raw_ostream &os;
  bool isTerminal;
  std::string statusLine;
};

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_PROGRESSDISPLAY_H
