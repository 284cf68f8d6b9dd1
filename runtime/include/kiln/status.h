//===- kiln/status.h - Result of every fallible runtime call ------*- C -*-===//
//
// Every runtime function that can fail returns a `kiln_status *`: NULL on
// success, otherwise an error that carries a code for programs and a message
// for people (it names the file, tensor or argument at fault). The caller
// owns a returned error and releases it with kiln_status_free.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_STATUS_H
#define KILN_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/// What went wrong, coarsely; the message says precisely.
typedef enum kiln_status_code {
  /// Success; only ever reported for a NULL status.
  KILN_STATUS_OK = 0,
  /// The caller passed a null pointer, an unknown enum value or a buffer of
  /// the wrong size.
  KILN_STATUS_INVALID_ARGUMENT = 1,
  /// A file or a tensor does not exist.
  KILN_STATUS_NOT_FOUND = 2,
  /// The operating system refused to open, inspect or map a file.
  KILN_STATUS_IO_ERROR = 3,
  /// A file exists but its contents are malformed: truncated, not valid
  /// JSON, or describing tensors that do not fit the data it holds.
  KILN_STATUS_INVALID_FORMAT = 4,
  /// A well-formed tensor does not have the shape the model expects.
  KILN_STATUS_SHAPE_MISMATCH = 5,
  /// A well-formed request the runtime cannot honour, such as converting
  /// integer weights to a floating-point type.
  KILN_STATUS_UNSUPPORTED = 6,
  /// Memory ran out.
  KILN_STATUS_OUT_OF_MEMORY = 7,
  /// A kernel of the compiled model reported an error while running.
  KILN_STATUS_KERNEL_FAILED = 8,
  /// A call came out of order, such as running a model before all of its
  /// inputs are set or reading an output before a run succeeded.
  KILN_STATUS_FAILED_PRECONDITION = 9,
} kiln_status_code;

/// An error returned by a runtime call; opaque. NULL means success.
typedef struct kiln_status kiln_status;

/// The code of `status`; KILN_STATUS_OK when `status` is NULL.
kiln_status_code kiln_status_get_code(const kiln_status *status);

/// The message of `status`, valid until it is freed; "" when `status` is
/// NULL.
const char *kiln_status_get_message(const kiln_status *status);

/// Releases `status`; does nothing when it is NULL.
void kiln_status_free(kiln_status *status);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // KILN_STATUS_H
