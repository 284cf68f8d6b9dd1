//===- KernelErrors.h - Messages of failing kernels -------------*- C++ -*-===//
//
// Kernels report errors through kiln_kernel_error (kiln/model_abi.h),
// possibly from worker threads, before returning a non-zero code. The
// runtime clears the message before each forward pass and adds it to the
// error of a failed run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_KERNELERRORS_H
#define KILN_RUNTIME_SRC_KERNELERRORS_H

#include <string>

namespace kiln::runtime {

/// Forgets any message reported so far.
void clearKernelError();

/// The first message reported since the last clearKernelError, or "".
std::string getKernelError();

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_KERNELERRORS_H
