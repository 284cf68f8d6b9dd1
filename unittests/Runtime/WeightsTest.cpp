//===- WeightsTest.cpp - Tests of reading tensors through the C API -------===//
//
// Reading checks the tensor against the model (shape, buffer size) and
// converts it to the type the model computes in; these tests go through
// files and the C API end to end, including from C.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/RuntimeTestSupport.h"
#include "runtime/writer/SafetensorsWriter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace kiln::runtime::test;
using namespace kiln::safetensors;

extern "C" int kilnProbeCountTensors(const char *path, char *message,
                                     size_t size);

namespace {

class WeightsTest : public ::testing::Test {
protected:
  /// Writes `tensors` to model.safetensors and opens it.
  void open(const std::vector<SafetensorsTensor> &tensors) {
    path = dir.write("model.safetensors", serializeSafetensors(tensors));
    OpenResult result = openWeights(path);
    ASSERT_TRUE(isOk(result.status));
    weights = std::move(result.weights);
  }

  /// Reads the rank-1 tensor `name` of `count` elements as `dtype`.
  template <typename T>
  std::vector<T> read(const char *name, size_t count, kiln_dtype dtype) {
    std::vector<T> values(count);
    const int64_t shape[] = {static_cast<int64_t>(count)};
    EXPECT_TRUE(isOk(StatusPtr(
        kiln_weights_read_tensor(weights.get(), name, shape, 1, dtype,
                                 values.data(), values.size() * sizeof(T)))));
    return values;
  }

  /// Reads `name` expecting an error with `code`; returns its message.
  std::string readError(const char *name, const std::vector<int64_t> &shape,
                        kiln_dtype dtype, void *buffer, size_t size,
                        kiln_status_code code) {
    StatusPtr status(kiln_weights_read_tensor(
        weights.get(), name, shape.data(), shape.size(), dtype, buffer, size));
    EXPECT_EQ(kiln_status_get_code(status.get()), code);
    return kiln_status_get_message(status.get());
  }

  TemporaryDirectory dir;
  std::string path;
  WeightsPtr weights;
};

TEST_F(WeightsTest, ConvertsStoredFloatsToTheRequestedType) {
  const float inf = std::numeric_limits<float>::infinity();
  open({{"f32",
         "F32",
         {7},
         toBytes<float>({1.0f, -2.5f, 65504.0f, 65520.0f, std::ldexp(1.0f, -24),
                         std::ldexp(1.0f, -25), -inf})},
        {"f16", "F16", {3}, toBytes<uint16_t>({0x3c00, 0x0001, 0xfc00})},
        {"bf16", "BF16", {3}, toBytes<uint16_t>({0x3f80, 0xc020, 0x7f80})},
        {"f64",
         "F64",
         {2},
         toBytes<double>(
             {1.0 / 3.0, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)})}});

  EXPECT_EQ(read<uint16_t>("f32", 7, KILN_DTYPE_F16),
            (std::vector<uint16_t>{0x3c00, 0xc100, 0x7bff, 0x7c00, 0x0001,
                                   0x0000, 0xfc00}));
  EXPECT_EQ(read<uint16_t>("f32", 7, KILN_DTYPE_BF16),
            (std::vector<uint16_t>{0x3f80, 0xc020, 0x4780, 0x4780, 0x3380,
                                   0x3300, 0xff80}));
  EXPECT_EQ(read<double>("f32", 7, KILN_DTYPE_F64)[1], -2.5);
  EXPECT_EQ(read<float>("f16", 3, KILN_DTYPE_F32),
            (std::vector<float>{1.0f, std::ldexp(1.0f, -24), -inf}));
  EXPECT_EQ(read<float>("bf16", 3, KILN_DTYPE_F32),
            (std::vector<float>{1.0f, -2.5f, inf}));
  EXPECT_EQ(read<uint16_t>("bf16", 3, KILN_DTYPE_F16),
            (std::vector<uint16_t>{0x3c00, 0xc100, 0x7c00}));
  std::vector<float> fromDouble = read<float>("f64", 2, KILN_DTYPE_F32);
  EXPECT_EQ(fromDouble[0], 1.0f / 3.0f);
  EXPECT_EQ(read<uint16_t>("f64", 2, KILN_DTYPE_F16)[1], 0x3c01);
}

TEST_F(WeightsTest, KeepsNaNsThroughConversion) {
  open({{"nan",
         "F32",
         {2},
         toBytes<float>({std::numeric_limits<float>::quiet_NaN(),
                         -std::numeric_limits<float>::quiet_NaN()})}});
  std::vector<uint16_t> halves = read<uint16_t>("nan", 2, KILN_DTYPE_F16);
  EXPECT_EQ(halves[0] & 0x7c00, 0x7c00);
  EXPECT_NE(halves[0] & 0x3ff, 0);
  EXPECT_EQ(halves[1] & 0x8000, 0x8000);
  std::vector<float> floats = read<float>("nan", 2, KILN_DTYPE_F32);
  EXPECT_TRUE(std::isnan(floats[0]));
  EXPECT_TRUE(std::signbit(floats[1]));
}

TEST_F(WeightsTest, ChecksTheShapeTheModelExpects) {
  open({{"h.0.attn.c_attn.weight", "F32", {4, 6}, std::string(96, '\0')}});
  float buffer[24];
  EXPECT_EQ(readError("h.0.attn.c_attn.weight", {6, 4}, KILN_DTYPE_F32, buffer,
                      sizeof(buffer), KILN_STATUS_SHAPE_MISMATCH),
            "tensor 'h.0.attn.c_attn.weight' in '" + path +
                "': expected shape [6, 4], got [4, 6]");
  EXPECT_EQ(readError("h.0.attn.c_attn.weight", {24}, KILN_DTYPE_F32, buffer,
                      sizeof(buffer), KILN_STATUS_SHAPE_MISMATCH),
            "tensor 'h.0.attn.c_attn.weight' in '" + path +
                "': expected shape [24], got [4, 6]");
  EXPECT_EQ(readError("h.0.attn.c_attn.weight", {}, KILN_DTYPE_F32, buffer,
                      sizeof(buffer), KILN_STATUS_SHAPE_MISMATCH),
            "tensor 'h.0.attn.c_attn.weight' in '" + path +
                "': expected shape [], got [4, 6]");
}

TEST_F(WeightsTest, RefusesConversionsItCannotDo) {
  open({{"ids", "I64", {2}, toBytes<int64_t>({1, 2})},
        {"fp8", "F8_E4M3", {2}, "\x38\x40"}});
  float buffer[2];
  EXPECT_EQ(readError("ids", {2}, KILN_DTYPE_F32, buffer, sizeof(buffer),
                      KILN_STATUS_UNSUPPORTED),
            "tensor 'ids' in '" + path + "': cannot convert I64 to F32");
  EXPECT_EQ(readError("fp8", {2}, KILN_DTYPE_F16, buffer, sizeof(buffer),
                      KILN_STATUS_UNSUPPORTED),
            "tensor 'fp8' in '" + path + "': cannot convert F8_E4M3 to F16");
  EXPECT_EQ(read<int64_t>("ids", 2, KILN_DTYPE_I64),
            (std::vector<int64_t>{1, 2}));
}

TEST_F(WeightsTest, ChecksTheBufferHoldsTheTensor) {
  open({{"w", "F16", {2}, toBytes<uint16_t>({0x3c00, 0x4000})}});
  float buffer[3] = {0, 0, 7};
  EXPECT_EQ(readError("w", {2}, KILN_DTYPE_F32, buffer, 7,
                      KILN_STATUS_INVALID_ARGUMENT),
            "kiln_weights_read_tensor: the buffer for tensor 'w' in '" + path +
                "' holds 7 bytes, expected at least 8 for F32 [2]");
  EXPECT_EQ(readError("w", {2}, KILN_DTYPE_F32, nullptr, 8,
                      KILN_STATUS_INVALID_ARGUMENT),
            "kiln_weights_read_tensor: the buffer for tensor 'w' in '" + path +
                "' holds 0 bytes, expected at least 8 for F32 [2]");
  // A larger buffer is fine, and only the tensor's bytes are written.
  const int64_t shape[] = {2};
  ASSERT_TRUE(isOk(StatusPtr(kiln_weights_read_tensor(
      weights.get(), "w", shape, 1, KILN_DTYPE_F32, buffer, sizeof(buffer)))));
  EXPECT_EQ(buffer[0], 1.0f);
  EXPECT_EQ(buffer[1], 2.0f);
  EXPECT_EQ(buffer[2], 7.0f);
}

TEST_F(WeightsTest, ReportsMissingTensorsWhenReading) {
  open({{"w", "F32", {1}, toBytes<float>({1})}});
  float value;
  EXPECT_EQ(readError("v", {1}, KILN_DTYPE_F32, &value, sizeof(value),
                      KILN_STATUS_NOT_FOUND),
            "tensor 'v' not found in '" + path +
                "', neither as named nor below a base-model prefix such as "
                "'bert.'");
}

TEST_F(WeightsTest, FindsWeightsAsHuggingFaceModelsStoreThem) {
  // A BertForMaskedLM checkpoint of the TensorFlow era: the base model below
  // `bert.`, LayerNorm parameters named gamma and beta, and a head that
  // holds a LayerNorm of its own.
  open({{"bert.embeddings.word_embeddings.weight",
         "F32",
         {1},
         toBytes<float>({1})},
        {"bert.embeddings.LayerNorm.gamma", "F32", {1}, toBytes<float>({2})},
        {"bert.embeddings.LayerNorm.beta", "F32", {1}, toBytes<float>({3})},
        {"cls.predictions.transform.LayerNorm.gamma",
         "F32",
         {1},
         toBytes<float>({4})},
        {"pooler.dense.weight", "F32", {1}, toBytes<float>({5})},
        {"bert.pooler.dense.weight", "F32", {1}, toBytes<float>({6})}});
  EXPECT_EQ(
      read<float>("embeddings.word_embeddings.weight", 1, KILN_DTYPE_F32)[0],
      1.0f);
  EXPECT_EQ(read<float>("embeddings.LayerNorm.weight", 1, KILN_DTYPE_F32)[0],
            2.0f);
  EXPECT_EQ(read<float>("embeddings.LayerNorm.bias", 1, KILN_DTYPE_F32)[0],
            3.0f);
  // The name as stored wins over a prefixed copy.
  EXPECT_EQ(read<float>("pooler.dense.weight", 1, KILN_DTYPE_F32)[0], 5.0f);
  // Only one leading component is a base-model prefix.
  float value;
  EXPECT_EQ(readError("transform.LayerNorm.weight", {1}, KILN_DTYPE_F32, &value,
                      sizeof(value), KILN_STATUS_NOT_FOUND),
            "tensor 'transform.LayerNorm.weight' or "
            "'transform.LayerNorm.gamma' not found in '" +
                path +
                "', neither as named nor below a base-model prefix such as "
                "'bert.'");
  kiln_tensor_info info;
  ASSERT_TRUE(isOk(StatusPtr(kiln_weights_find_tensor(
      weights.get(), "embeddings.LayerNorm.bias", &info))));
  EXPECT_STREQ(info.name, "bert.embeddings.LayerNorm.beta");
}

TEST_F(WeightsTest, RefusesAWeightThatTwoPrefixesHold) {
  open({{"bert.embeddings.word_embeddings.weight",
         "F32",
         {1},
         toBytes<float>({1})},
        {"roberta.embeddings.word_embeddings.weight",
         "F32",
         {1},
         toBytes<float>({2})}});
  float value;
  EXPECT_EQ(readError("embeddings.word_embeddings.weight", {1}, KILN_DTYPE_F32,
                      &value, sizeof(value), KILN_STATUS_INVALID_FORMAT),
            "tensor 'embeddings.word_embeddings.weight' is ambiguous in '" +
                path +
                "': both 'bert.embeddings.word_embeddings.weight' and "
                "'roberta.embeddings.word_embeddings.weight' hold it");
}

TEST_F(WeightsTest, RejectsInvalidArguments) {
  open({{"w", "F32", {1}, toBytes<float>({1})}});
  float value;
  auto expectInvalid = [](kiln_status *status, const char *message) {
    StatusPtr owned(status);
    EXPECT_EQ(kiln_status_get_code(owned.get()), KILN_STATUS_INVALID_ARGUMENT);
    EXPECT_STREQ(kiln_status_get_message(owned.get()), message);
  };
  expectInvalid(kiln_weights_read_tensor(nullptr, "w", nullptr, 0,
                                         KILN_DTYPE_F32, &value, 4),
                "kiln_weights_read_tensor: weights and name must not be null");
  expectInvalid(kiln_weights_read_tensor(weights.get(), "w", nullptr, 1,
                                         KILN_DTYPE_F32, &value, 4),
                "kiln_weights_read_tensor: expected_shape is null but "
                "expected_rank is 1");
  const int64_t shape[] = {1};
  expectInvalid(kiln_weights_read_tensor(weights.get(), "w", shape, 1,
                                         static_cast<kiln_dtype>(99), &value,
                                         4),
                "kiln_weights_read_tensor: unknown dtype 99");
  kiln_tensor_info info;
  expectInvalid(kiln_weights_get_tensor(weights.get(), 1, &info),
                "kiln_weights_get_tensor: index 1 is out of range, the "
                "checkpoint has 1 tensors");
  expectInvalid(kiln_weights_get_tensor(weights.get(), 0, nullptr),
                "kiln_weights_get_tensor: weights and info must not be null");
  expectInvalid(kiln_weights_find_tensor(weights.get(), nullptr, &info),
                "kiln_weights_find_tensor: weights, name and info must not be "
                "null");
  kiln_weights *opened = reinterpret_cast<kiln_weights *>(&value);
  expectInvalid(kiln_weights_open(nullptr, &opened),
                "kiln_weights_open: path and weights must not be null");
  expectInvalid(kiln_weights_open("", &opened),
                "kiln_weights_open: path is empty");
  EXPECT_EQ(opened, nullptr);
  expectInvalid(kiln_weights_open(path.c_str(), nullptr),
                "kiln_weights_open: path and weights must not be null");
}

TEST_F(WeightsTest, RejectsFilesThatAreNotRegular) {
  EXPECT_EQ(expectOpenError("/dev/null", KILN_STATUS_INVALID_ARGUMENT, ""),
            "'/dev/null' is not a regular file");
}

TEST(WeightsApiTest, ToleratesNullHandles) {
  EXPECT_EQ(kiln_status_get_code(nullptr), KILN_STATUS_OK);
  EXPECT_STREQ(kiln_status_get_message(nullptr), "");
  kiln_status_free(nullptr);
  kiln_weights_close(nullptr);
  EXPECT_EQ(kiln_weights_num_tensors(nullptr), 0u);
}

TEST(WeightsApiTest, NamesAndSizesDTypes) {
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_BF16), "BF16");
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_F8_E5M2), "F8_E5M2");
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_F64), 8u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_BOOL), 1u);
  EXPECT_EQ(kiln_dtype_name(static_cast<kiln_dtype>(17)), nullptr);
  EXPECT_EQ(kiln_dtype_size(static_cast<kiln_dtype>(1000)), 0u);
}

TEST(WeightsApiTest, WorksFromC) {
  TemporaryDirectory dir;
  std::string good = dir.write(
      "good.safetensors", serializeSafetensors({{"a", "U8", {1}, "\x01"},
                                                {"b", "U8", {1}, "\x02"}}));
  std::string bad = dir.write("bad.safetensors", "short");
  char message[256] = "";
  EXPECT_EQ(kilnProbeCountTensors(good.c_str(), message, sizeof(message)), 2);
  EXPECT_EQ(kilnProbeCountTensors(bad.c_str(), message, sizeof(message)), -1);
  EXPECT_EQ(std::string(message),
            "'" + bad +
                "': file is 5 bytes, too short for the 8-byte header "
                "length");
}

} // namespace
