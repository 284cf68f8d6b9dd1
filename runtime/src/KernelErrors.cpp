//===- KernelErrors.cpp - Messages of failing kernels ---------------------===//

#include "runtime/src/KernelErrors.h"

#include "kiln/model_abi.h"

#include <mutex>

namespace {

/// Guards `firstMessage`: kernels may fail on several threads at once.
std::mutex messageMutex;
/// The first message since the last clear; later ones are consequences.
std::string firstMessage;

} // namespace

void kiln::runtime::clearKernelError() {
  std::lock_guard<std::mutex> lock(messageMutex);
  firstMessage.clear();
}

std::string kiln::runtime::getKernelError() {
  std::lock_guard<std::mutex> lock(messageMutex);
  return firstMessage;
}

void kiln_kernel_error(void *, const char *message) {
  std::lock_guard<std::mutex> lock(messageMutex);
  if (firstMessage.empty() && message) {
    firstMessage = message;
    // Halide ends its messages with a newline.
    while (!firstMessage.empty() && firstMessage.back() == '\n')
      firstMessage.pop_back();
  }
}
