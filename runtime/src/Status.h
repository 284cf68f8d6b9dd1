//===- Status.h - Building kiln_status errors in C++ ------------*- C++ -*-===//
//
// The runtime's C++ side reports errors as an owning `Status`, which is null
// on success and converts to the `kiln_status *` of the C API when it
// crosses it. An allocation failure while building an error still yields a
// (static) out-of-memory error rather than a false success. Also the
// guard every C entry point runs its body in, and the helpers that spell
// names and shapes the same way in every message.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_STATUS_H
#define KILN_RUNTIME_SRC_STATUS_H

#include "kiln/status.h"

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

/// The error behind the opaque C handle.
struct kiln_status {
  kiln_status_code code;
  std::string message;
};

namespace kiln::runtime {

/// Deletes a kiln_status through the C API so the static out-of-memory
/// error is never freed.
struct StatusDeleter {
  void operator()(kiln_status *status) const { kiln_status_free(status); }
};

/// An owned error, or null for success: `if (Status error = f()) return
/// error;` propagates it.
using Status = std::unique_ptr<kiln_status, StatusDeleter>;

/// Success.
inline Status ok() { return Status(); }

/// An error with `code` and `message`.
Status makeError(kiln_status_code code, std::string message);

/// The error for a failed allocation; it needs no memory.
Status outOfMemory();

/// `error` with "context: " put before its message, so that an error from
/// a lower layer says what it was doing; the static out-of-memory error is
/// returned unchanged.
Status addContext(Status error, const std::string &context);

/// An INVALID_ARGUMENT error from the C function `function`: "function:
/// what".
Status invalidArgument(const char *function, const std::string &what);

/// Runs `body`, which returns a Status, and hands its error to C; an
/// allocation failure anywhere in it becomes an out-of-memory error. Every
/// C entry point runs its body so that no C++ exception crosses the C ABI.
template <typename Body> kiln_status *runGuarded(Body body) {
  try {
    return body().release();
  } catch (const std::bad_alloc &) {
    return outOfMemory().release();
  }
}

/// Quotes a file path or tensor name for a message: 'name'. Names come from
/// untrusted files, so control characters are escaped (\xNN) and names
/// longer than a line are cut short with "...".
std::string quote(std::string_view text);

/// Formats a shape for a message: [768, 2304]. Only the first dimensions of
/// an absurdly long shape (from a crafted file) are spelled out.
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_STATUS_H
