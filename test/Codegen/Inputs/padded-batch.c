/* A C program using a model compiled with --emit=lib through Kiln's C API:
 * it runs a padded batch of two sequences and writes the first output as a
 * float32 .npy file.
 *
 * usage: padded-batch WEIGHTS OUTPUT.npy
 */

#include "model.h"

#include <stdio.h>
#include <string.h>

enum { BATCH = 2, SEQ = 6 };

/* Prints the message of `status`, frees it and reports failure. */
static int fail(kiln_status *status) {
  fprintf(stderr, "padded-batch: error: %s\n", kiln_status_get_message(status));
  kiln_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: padded-batch WEIGHTS OUTPUT.npy\n");
    return 2;
  }
  /* The second sequence is three tokens long, padded to six. */
  const int64_t ids[BATCH][SEQ] = {{5, 17, 42, 7, 1, 2}, {9, 3, 11, 0, 0, 0}};
  const int64_t mask[BATCH][SEQ] = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};
  const int64_t dims[2] = {BATCH, SEQ};

  kiln_model_options options;
  kiln_model_options_init(&options);
  options.weights_path = argv[1];
  kiln_model *model = NULL;
  kiln_status *status = kiln_model_open(&kiln_compiled_model, &options, &model);
  if (status)
    return fail(status);
  if ((status = kiln_model_set_input(model, "input_ids", ids, KILN_DTYPE_I64,
                                     2, dims)) ||
      (status = kiln_model_set_input(model, "attention_mask", mask,
                                     KILN_DTYPE_I64, 2, dims)) ||
      (status = kiln_model_run(model))) {
    kiln_model_free(model);
    return fail(status);
  }

  const void *data;
  int32_t rank;
  const int64_t *shape;
  if ((status = kiln_model_output(model, 0, &data, &rank, &shape))) {
    kiln_model_free(model);
    return fail(status);
  }
  /* A .npy header: magic, version 1.0, length, dict padded to 64 bytes. */
  char header[128];
  int length = snprintf(header, sizeof header,
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  int64_t count = 1;
  for (int32_t i = 0; i < rank; ++i) {
    length += snprintf(header + length, sizeof header - length, "%lld, ",
                       (long long)shape[i]);
    count *= shape[i];
  }
  length += snprintf(header + length, sizeof header - length, "), }");
  while ((10 + length + 1) % 64 != 0)
    header[length++] = ' ';
  header[length++] = '\n';
  unsigned short headerLength = (unsigned short)length;
  FILE *file = fopen(argv[2], "wb");
  if (!file) {
    kiln_model_free(model);
    fprintf(stderr, "padded-batch: error: cannot write '%s'\n", argv[2]);
    return 1;
  }
  fwrite("\x93NUMPY\x01\x00", 1, 8, file);
  fwrite(&headerLength, 2, 1, file);
  fwrite(header, 1, (size_t)length, file);
  fwrite(data, sizeof(float), (size_t)count, file);
  fclose(file);
  printf("output [%lld, %lld]\n", (long long)shape[0], (long long)shape[1]);
  kiln_model_free(model);
  return 0;
}
