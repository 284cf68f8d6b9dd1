//===- CApiProbe.c - The runtime's headers as C code ----------------------===//
//
// Compiled as C so that the public headers are checked to be valid C and
// the library to be callable from it; WeightsTest.cpp and ModelTest.cpp
// run the probes.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include <string.h>

/// Opens `path` and returns its number of tensors, or -1 after copying the
/// error message into `message` (of `size` bytes).
int kilnProbeCountTensors(const char *path, char *message, size_t size);

/// Runs the toy model (unittests/Runtime/ToyModel.h) with random weights
/// from seed 5 on the one token 3 and returns its first logit; on an error
/// copies the message into `message` (of `size` bytes) and returns 0.
float kilnProbeRunToy(char *message, size_t size);

/// Copies the message of `status` into `message` (of `size` bytes), frees
/// `status`, and returns whether there was an error.
static int takeError(kiln_status *status, char *message, size_t size) {
  if (!status)
    return 0;
  strncpy(message, kiln_status_get_message(status), size - 1);
  message[size - 1] = '\0';
  kiln_status_free(status);
  return 1;
}

int kilnProbeCountTensors(const char *path, char *message, size_t size) {
  kiln_weights *weights = NULL;
  if (takeError(kiln_weights_open(path, &weights), message, size))
    return -1;
  int count = (int)kiln_weights_num_tensors(weights);
  kiln_weights_close(weights);
  return count;
}

float kilnProbeRunToy(char *message, size_t size) {
  kiln_model_options options;
  kiln_model_options_init(&options);
  options.random_weights = true;
  options.seed = 5;
  options.num_threads = 1;
  kiln_model *model = NULL;
  const int64_t ids[] = {3}, mask[] = {1}, shape[] = {1, 1};
  const void *data = NULL;
  int32_t rank = 0;
  const int64_t *dims = NULL;
  kiln_status *status = kiln_model_open(&kiln_compiled_model, &options, &model);
  if (!status)
    status =
        kiln_model_set_input(model, "input_ids", ids, KILN_DTYPE_I64, 2, shape);
  if (!status)
    status = kiln_model_set_input(model, "attention_mask", mask, KILN_DTYPE_I64,
                                  2, shape);
  if (!status)
    status = kiln_model_run(model);
  if (!status)
    status = kiln_model_output(model, 0, &data, &rank, &dims);
  float logit = 0;
  if (!takeError(status, message, size))
    memcpy(&logit, data, sizeof(logit));
  kiln_model_free(model);
  return logit;
}
