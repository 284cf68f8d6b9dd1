//===- ModelTestSupport.cpp - Running the toy model in tests --------------===//
//
// Everything goes through the public C API, as a program embedding a model
// would.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/ModelTestSupport.h"

#include "unittests/Runtime/ToyModel.h"

#include <cstring>

using namespace kiln::runtime::test;
using namespace kiln::safetensors;

/// The bytes of `values` in `dtype`: "F32", or "BF16" by truncation (exact
/// for the toy's values).
static std::string encode(const std::vector<float> &values,
                          const std::string &dtype) {
  if (dtype == "F32")
    return toBytes(values);
  std::vector<uint16_t> halves;
  for (float value : values) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    halves.push_back(static_cast<uint16_t>(bits >> 16));
  }
  return toBytes(halves);
}

std::vector<SafetensorsTensor>
kiln::runtime::test::makeToyCheckpoint(const std::string &dtype) {
  std::vector<float> table, storedHead(toyWidth * toyVocab, 0.0f);
  for (int64_t v = 0; v < toyVocab; ++v) {
    float row[] = {float(v), float(v + 1), float(2 * v), float(-v)};
    table.insert(table.end(), row, row + toyWidth);
    // lm_head[v] = +-e(v mod 4), stored transposed as [width, vocab].
    storedHead[(v % toyWidth) * toyVocab + v] = v < toyWidth ? 1.0f : -1.0f;
  }
  return {
      {"embed.table", dtype, {toyVocab, toyWidth}, encode(table, dtype)},
      {"embed.scale", dtype, {toyWidth}, encode({1, 0.5f, 2, 1}, dtype)},
      {"embed.bias", dtype, {toyWidth}, encode({0, 1, 0, -1}, dtype)},
      {"lm_head", dtype, {toyWidth, toyVocab}, encode(storedHead, dtype)},
  };
}

kiln_model_options kiln::runtime::test::makeOptions(int32_t numThreads) {
  kiln_model_options options;
  kiln_model_options_init(&options);
  options.num_threads = numThreads;
  options.pin_threads = false;
  return options;
}

OpenModelResult
kiln::runtime::test::openModel(const kiln_model_options &options,
                               const kiln_model_desc &desc) {
  kiln_model *model = nullptr;
  StatusPtr status(kiln_model_open(&desc, &options, &model));
  return {ModelPtr(model), std::move(status)};
}

/// The [batch][seq] `rows` as one row-major array and its shape.
static std::vector<int64_t>
flatten(const std::vector<std::vector<int64_t>> &rows, int64_t shape[2]) {
  std::vector<int64_t> flat;
  for (const std::vector<int64_t> &row : rows)
    flat.insert(flat.end(), row.begin(), row.end());
  shape[0] = static_cast<int64_t>(rows.size());
  shape[1] = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  return flat;
}

StatusPtr kiln::runtime::test::setToyInputs(
    kiln_model *model, const std::vector<std::vector<int64_t>> &ids,
    const std::vector<std::vector<int64_t>> &mask) {
  int64_t shape[2];
  std::vector<int64_t> flatIds = flatten(ids, shape);
  if (StatusPtr status(kiln_model_set_input(model, "input_ids", flatIds.data(),
                                            KILN_DTYPE_I64, 2, shape));
      status)
    return status;
  std::vector<int64_t> flatMask = mask.empty()
                                      ? std::vector<int64_t>(flatIds.size(), 1)
                                      : flatten(mask, shape);
  return StatusPtr(kiln_model_set_input(
      model, "attention_mask", flatMask.data(), KILN_DTYPE_I64, 2, shape));
}

std::vector<float>
kiln::runtime::test::readOutput(const kiln_model *model, int32_t index,
                                std::vector<int64_t> *shape) {
  const void *data = nullptr;
  int32_t rank = 0;
  const int64_t *dims = nullptr;
  StatusPtr status(kiln_model_output(model, index, &data, &rank, &dims));
  EXPECT_TRUE(isOk(status));
  if (status)
    return {};
  size_t count = 1;
  for (int32_t d = 0; d < rank; ++d)
    count *= static_cast<size_t>(dims[d]);
  if (shape)
    shape->assign(dims, dims + rank);
  const auto *values = static_cast<const float *>(data);
  return std::vector<float>(values, values + count);
}
