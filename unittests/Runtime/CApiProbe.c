//===- CApiProbe.c - The runtime's headers as C code ----------------------===//
//
// Compiled as C so that the public headers are checked to be valid C and
// the library to be callable from it; WeightsTest.cpp runs the probe.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <string.h>

/// Opens `path` and returns its number of tensors, or -1 after copying the
/// error message into `message` (of `size` bytes).
int kilnProbeCountTensors(const char *path, char *message, size_t size);

int kilnProbeCountTensors(const char *path, char *message, size_t size) {
  kiln_weights *weights = NULL;
  kiln_status *status = kiln_weights_open(path, &weights);
  if (status) {
    strncpy(message, kiln_status_get_message(status), size - 1);
    message[size - 1] = '\0';
    kiln_status_free(status);
    return -1;
  }
  int count = (int)kiln_weights_num_tensors(weights);
  kiln_weights_close(weights);
  return count;
}
