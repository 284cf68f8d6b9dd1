//===- Status.cpp - kiln_status errors ------------------------------------===//
//
// The C accessors of kiln_status and the C++ helpers that build errors and
// their messages.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Status.h"

#include <algorithm>
#include <new>

using namespace kiln::runtime;

/// Returned when memory runs out, including while building another error;
/// kiln_status_free recognises it and leaves it alone. Its message is a
/// literal so that it needs no allocation.
static kiln_status outOfMemoryStatus = {KILN_STATUS_OUT_OF_MEMORY,
                                        "out of memory"};

kiln_status_code kiln_status_get_code(const kiln_status *status) {
  return status ? status->code : KILN_STATUS_OK;
}

const char *kiln_status_get_message(const kiln_status *status) {
  return status ? status->message.c_str() : "";
}

void kiln_status_free(kiln_status *status) {
  if (status != &outOfMemoryStatus)
    delete status;
}

Status kiln::runtime::makeError(kiln_status_code code, std::string message) {
  auto *status = new (std::nothrow) kiln_status{code, std::move(message)};
  return Status(status ? status : &outOfMemoryStatus);
}

Status kiln::runtime::outOfMemory() { return Status(&outOfMemoryStatus); }

Status kiln::runtime::addContext(Status error, const std::string &context) {
  if (error && error.get() != &outOfMemoryStatus)
    error->message = context + ": " + error->message;
  return error;
}

Status kiln::runtime::invalidArgument(const char *function,
                                      const std::string &what) {
  return makeError(KILN_STATUS_INVALID_ARGUMENT,
                   std::string(function) + ": " + what);
}

std::string kiln::runtime::quote(std::string_view text) {
  constexpr size_t maxQuotedBytes = 200;
  static const char hexDigits[] = "0123456789abcdef";
  // Cut at a character boundary so the message stays valid UTF-8.
  size_t length = std::min(text.size(), maxQuotedBytes);
  while (length < text.size() && length > 0 && (text[length] & 0xc0) == 0x80)
    --length;
  std::string quoted = "'";
  for (unsigned char byte : text.substr(0, length)) {
    if (byte >= 0x20 && byte != 0x7f && byte != '\\' && byte != '\'') {
      quoted += static_cast<char>(byte);
      continue;
    }
    quoted += "\\x";
    quoted += hexDigits[byte >> 4];
    quoted += hexDigits[byte & 0xf];
  }
  if (length < text.size())
    quoted += "...";
  return quoted + "'";
}

std::string kiln::runtime::formatShape(const std::vector<int64_t> &shape) {
  constexpr size_t maxSpelledDims = 16;
  std::string text = "[";
  for (size_t i = 0; i < shape.size() && i < maxSpelledDims; ++i) {
    if (i != 0)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  if (shape.size() > maxSpelledDims)
    text += ", ... (" + std::to_string(shape.size()) + " dimensions)";
  return text + "]";
}
