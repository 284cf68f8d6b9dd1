//===- ProgressDisplay.cpp - Tuner progress on a terminal or log ----------===//
//
// The status line is redrawn with a carriage return and the ANSI "erase to
// end of line" sequence, and cut to the terminal's width so that it never
// wraps (a wrapped line cannot be rewritten in place).
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/ProgressDisplay.h"

#include "llvm/Support/Process.h"

using namespace llvm;

namespace kiln {

/// Returns to the start of the line and erases it.
static constexpr StringLiteral kEraseLine = "\r\x1b[K";

void ProgressDisplay::clearStatus() {
  if (!isTerminal || statusLine.empty())
    return;
  os << kEraseLine;
  os.flush();
}

void ProgressDisplay::finish() {
  clearStatus();
  statusLine.clear();
}

void ProgressDisplay::status(StringRef line) {
  if (!isTerminal)
    return;
  // Terminals of unknown width are taken to have 80 columns.
  unsigned width = sys::Process::StandardErrColumns();
  statusLine = line.take_front(width ? width - 1 : 79).str();
  os << kEraseLine << statusLine;
  os.flush();
}

void ProgressDisplay::note(StringRef line) {
  clearStatus();
  os << line << "\n";
  if (isTerminal && !statusLine.empty())
    os << statusLine;
  os.flush();
}

void ProgressDisplay::event(StringRef line) {
  if (isTerminal)
    return;
  os << line << "\n";
  os.flush();
}

} // namespace kiln
