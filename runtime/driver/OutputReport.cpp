//===- OutputReport.cpp - Printing a model's outputs for people -----------===//
//
// Outputs are converted to F32 first (they may be F16 or BF16), then
// summarised; only the first sequence of a batch is reported as tokens,
// since the executables run one sequence.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/OutputReport.h"

#include "runtime/src/Convert.h"
#include "runtime/src/Status.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

using namespace kiln::driver;
using namespace kiln::runtime;

/// Logits are ranked with NaN below every number, so that sorting stays
/// well defined.
static bool ranksAbove(float a, int64_t aId, float b, int64_t bId) {
  if (std::isnan(a) || std::isnan(b))
    return !std::isnan(a) && std::isnan(b);
  return a != b ? a > b : aId < bId;
}

/// Prints the `topK` largest logits in the last row of the first sequence
/// of `values`, shaped `dims` ([..., rows, vocab]), as those after position
/// `lastPosition`: the rows are every position, or the last one only.
static void printTopTokens(std::FILE *stream, const std::string &heading,
                           const std::vector<int64_t> &dims,
                           const std::vector<float> &values, int64_t topK,
                           int64_t lastPosition) {
  int64_t vocab = dims.empty() ? 1 : dims.back();
  int64_t lastRow = dims.size() < 2 ? 0 : dims[dims.size() - 2] - 1;
  const float *logits = values.data() + lastRow * vocab;
  std::vector<int64_t> ids(vocab);
  std::iota(ids.begin(), ids.end(), 0);
  int64_t k = std::min(topK, vocab);
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](int64_t a, int64_t b) {
                      return ranksAbove(logits[a], a, logits[b], b);
                    });
  std::fprintf(stream, "%s: top %lld next tokens after position %lld\n",
               heading.c_str(), static_cast<long long>(k),
               static_cast<long long>(lastPosition));
  std::fprintf(stream, "  rank     token         logit\n");
  for (int64_t i = 0; i < k; ++i)
    std::fprintf(stream, "  %4lld  %8lld  %12.6g\n",
                 static_cast<long long>(i + 1), static_cast<long long>(ids[i]),
                 logits[ids[i]]);
}

/// Prints each row of `values`, shaped `dims` ([..., d]), with its norm.
static void printVectors(std::FILE *stream, const std::string &heading,
                         const std::vector<int64_t> &dims,
                         const std::vector<float> &values) {
  constexpr size_t valuesPerLine = 8;
  size_t width = dims.empty() ? 1 : static_cast<size_t>(dims.back());
  std::fprintf(stream, "%s\n", heading.c_str());
  for (size_t row = 0; width != 0 && row < values.size() / width; ++row) {
    const float *vector = values.data() + row * width;
    double squares = 0;
    for (size_t i = 0; i < width; ++i)
      squares += double(vector[i]) * vector[i];
    std::fprintf(stream, "  row %zu: norm %.6g\n", row, std::sqrt(squares));
    for (size_t i = 0; i < width; ++i)
      std::fprintf(
          stream, "%s%.6g%s", i % valuesPerLine == 0 ? "    " : " ", vector[i],
          i + 1 == width || i % valuesPerLine == valuesPerLine - 1 ? "\n"
                                                                   : ",");
  }
}

/// Prints the mean, standard deviation and range of `values`.
static void printStatistics(std::FILE *stream, const std::string &heading,
                            const std::vector<float> &values) {
  double sum = 0, squares = 0;
  float min = INFINITY, max = -INFINITY;
  size_t finite = 0;
  for (float value : values) {
    if (!std::isfinite(value))
      continue;
    ++finite;
    sum += value;
    squares += double(value) * value;
    min = std::min(min, value);
    max = std::max(max, value);
  }
  double mean = finite ? sum / finite : 0;
  double variance = finite ? std::max(0.0, squares / finite - mean * mean) : 0;
  std::fprintf(stream, "%s: mean %.6g, std %.6g, min %.6g, max %.6g",
               heading.c_str(), mean, std::sqrt(variance), min, max);
  if (finite != values.size())
    std::fprintf(stream, ", %zu non-finite", values.size() - finite);
  std::fputc('\n', stream);
}

kiln_status *kiln::driver::printOutput(std::FILE *stream,
                                       const kiln_model *model, int32_t index,
                                       int64_t topK, int64_t numTokens) {
  kiln_io_info info;
  if (kiln_status *error = kiln_model_output_info(model, index, &info))
    return error;
  const void *data;
  int32_t rank;
  const int64_t *shape;
  if (kiln_status *error =
          kiln_model_output(model, index, &data, &rank, &shape))
    return error;
  std::string name = info.name;
  if (!canConvert(info.dtype, KILN_DTYPE_F32))
    return makeError(KILN_STATUS_UNSUPPORTED,
                     "output " + quote(name) + " has dtype " +
                         kiln_dtype_name(info.dtype) +
                         ", which cannot be printed as numbers")
        .release();

  std::vector<int64_t> dims(shape, shape + rank);
  size_t count = 1;
  for (int64_t dim : dims)
    count *= static_cast<size_t>(dim);
  std::vector<float> values(count);
  convertElements(static_cast<const uint8_t *>(data), info.dtype,
                  reinterpret_cast<uint8_t *>(values.data()), KILN_DTYPE_F32,
                  count);

  std::string heading =
      name + " " + formatShape(dims) + " " + kiln_dtype_name(info.dtype);
  if (name == "logits" && count != 0)
    printTopTokens(stream, heading, dims, values, topK, numTokens - 1);
  else if (name == "pooled_embedding")
    printVectors(stream, heading, dims, values);
  else
    printStatistics(stream, heading, values);
  return nullptr;
}

std::string kiln::driver::writeOutputNpy(const kiln_model *model,
                                         int32_t index,
                                         const std::string &path) {
  kiln_io_info info;
  const void *data = nullptr;
  int32_t rank = 0;
  const int64_t *dims = nullptr;
  for (kiln_status *status :
       {kiln_model_output_info(model, index, &info),
        kiln_model_output(model, index, &data, &rank, &dims)}) {
    if (status) {
      std::string message = kiln_status_get_message(status);
      kiln_status_free(status);
      return message;
    }
  }
  if (info.dtype != KILN_DTYPE_F32)
    return "--output-file writes float32 outputs only";

  // The header is a Python dict literal, padded with spaces so that the
  // data starts at a multiple of 64 bytes, and ends with a newline.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  int64_t elements = 1;
  for (int32_t i = 0; i < rank; ++i) {
    header += std::to_string(dims[i]) + ", ";
    elements *= dims[i];
  }
  header += "), }";
  size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';

  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    return "cannot write '" + path + "'";
  uint16_t length = static_cast<uint16_t>(header.size());
  bool written = std::fwrite("\x93NUMPY\x01\x00", 1, 8, file) == 8 &&
                 std::fwrite(&length, 2, 1, file) == 1 &&
                 std::fwrite(header.data(), 1, header.size(), file) ==
                     header.size() &&
                 std::fwrite(data, sizeof(float), elements, file) ==
                     static_cast<size_t>(elements);
  if (std::fclose(file) != 0 || !written)
    return "cannot write '" + path + "'";
  return "";
}
