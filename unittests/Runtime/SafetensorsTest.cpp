//===- SafetensorsTest.cpp - Tests of safetensors file validation ---------===//
//
// Real files written to a scratch directory and opened through the C API:
// every supported dtype loads, and every way a header can be malformed or
// disagree with its file is rejected with a message that says what is wrong.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/RuntimeTestSupport.h"
#include "runtime/writer/SafetensorsWriter.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace kiln::runtime::test;
using namespace kiln::safetensors;

namespace {

class SafetensorsTest : public ::testing::Test {
protected:
  /// Writes `bytes` as a file and expects opening it to fail with `code`;
  /// returns the message after the file's name.
  std::string reject(std::string_view bytes,
                     kiln_status_code code = KILN_STATUS_INVALID_FORMAT) {
    std::string path = dir.write("model.safetensors", bytes);
    return expectOpenError(path, code, path);
  }

  /// Rejects a file whose header describes one tensor `a` by `entry`.
  std::string rejectEntry(std::string_view entry, std::string_view data) {
    return reject(frameSafetensors("{\"a\":" + std::string(entry) + "}", data));
  }

  /// Opens `bytes` written as a file, expecting success.
  WeightsPtr accept(std::string_view bytes) {
    OpenResult result = openWeights(dir.write("model.safetensors", bytes));
    EXPECT_TRUE(isOk(result.status));
    return std::move(result.weights);
  }

  TemporaryDirectory dir;
};

/// Every supported dtype with its element size.
const std::pair<const char *, size_t> allDTypes[] = {
    {"BOOL", 1},    {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"F8_E8M0", 1}, {"U16", 2}, {"I16", 2}, {"F16", 2},     {"BF16", 2},
    {"U32", 4},     {"I32", 4}, {"F32", 4}, {"U64", 8},     {"I64", 8},
    {"F64", 8},     {"C64", 8},
};

TEST_F(SafetensorsTest, LoadsEveryDTypeUnchanged) {
  std::vector<SafetensorsTensor> tensors;
  for (const auto &[name, size] : allDTypes) {
    std::string bytes(2 * 3 * size, '\0');
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<char>(i * 37 + size);
    tensors.push_back({name, name, {2, 3}, bytes});
  }
  WeightsPtr weights = accept(serializeSafetensors(tensors));
  ASSERT_TRUE(weights);
  ASSERT_EQ(kiln_weights_num_tensors(weights.get()), std::size(allDTypes));

  // Tensors are listed by name.
  std::string previous;
  for (size_t i = 0; i < std::size(allDTypes); ++i) {
    kiln_tensor_info info;
    ASSERT_TRUE(
        isOk(StatusPtr(kiln_weights_get_tensor(weights.get(), i, &info))));
    EXPECT_LT(previous, info.name);
    previous = info.name;
  }

  for (const SafetensorsTensor &tensor : tensors) {
    SCOPED_TRACE(tensor.name);
    kiln_tensor_info info;
    ASSERT_TRUE(isOk(StatusPtr(
        kiln_weights_find_tensor(weights.get(), tensor.name.c_str(), &info))));
    EXPECT_EQ(info.name, tensor.name);
    EXPECT_STREQ(kiln_dtype_name(info.dtype), tensor.dtype.c_str());
    EXPECT_EQ(kiln_dtype_size(info.dtype) * 6, tensor.bytes.size());
    ASSERT_EQ(info.rank, 2u);
    EXPECT_EQ(info.shape[0], 2);
    EXPECT_EQ(info.shape[1], 3);
    EXPECT_EQ(info.path, dir.getPath("model.safetensors"));
    ASSERT_EQ(info.size_bytes, tensor.bytes.size());
    EXPECT_EQ(std::memcmp(info.data, tensor.bytes.data(), info.size_bytes), 0);

    std::string copy(tensor.bytes.size(), '\0');
    const int64_t shape[] = {2, 3};
    ASSERT_TRUE(isOk(StatusPtr(
        kiln_weights_read_tensor(weights.get(), tensor.name.c_str(), shape, 2,
                                 info.dtype, copy.data(), copy.size()))));
    EXPECT_EQ(copy, tensor.bytes);
  }
}

TEST_F(SafetensorsTest, LoadsScalarsEmptyTensorsAndMetadata) {
  WeightsPtr weights = accept(serializeSafetensors(
      {{"scalar", "F32", {}, toBytes<float>({4.5f})},
       {"empty", "F16", {0, 768}, ""},
       {"huge_but_empty", "U8", {4294967296, 4294967296, 0}, ""}},
      {{"format", "pt"}}));
  ASSERT_TRUE(weights);
  EXPECT_EQ(kiln_weights_num_tensors(weights.get()), 3u);

  float scalar = 0;
  ASSERT_TRUE(isOk(StatusPtr(
      kiln_weights_read_tensor(weights.get(), "scalar", nullptr, 0,
                               KILN_DTYPE_F32, &scalar, sizeof(scalar)))));
  EXPECT_EQ(scalar, 4.5f);

  const int64_t emptyShape[] = {0, 768};
  EXPECT_TRUE(isOk(StatusPtr(kiln_weights_read_tensor(
      weights.get(), "empty", emptyShape, 2, KILN_DTYPE_F32, nullptr, 0))));
}

TEST_F(SafetensorsTest, AcceptsEntriesInAnyOrderAndPaddedHeaders) {
  // The header lists `b` first although its bytes come second; the reference
  // writer pads with spaces, and JSON allows other whitespace too.
  std::string header = "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],"
                       "\"data_offsets\":[1,3]},\n\t\"a\":{\"shape\":[1],"
                       "\"data_offsets\":[0,1],\"dtype\":\"I8\"}}   \r\n ";
  WeightsPtr weights = accept(frameSafetensors(header, "\x01\x02\x03"));
  ASSERT_TRUE(weights);
  kiln_tensor_info info;
  ASSERT_TRUE(
      isOk(StatusPtr(kiln_weights_find_tensor(weights.get(), "b", &info))));
  EXPECT_EQ(std::string(static_cast<const char *>(info.data), 2), "\x02\x03");
}

TEST_F(SafetensorsTest, AcceptsAnEmptyCheckpoint) {
  WeightsPtr weights = accept(frameSafetensors("{}", ""));
  ASSERT_TRUE(weights);
  EXPECT_EQ(kiln_weights_num_tensors(weights.get()), 0u);
}

//===----------------------------------------------------------------------===//
// The length field and the header's bounds
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsTest, RejectsFilesShorterThanTheLengthField) {
  EXPECT_EQ(reject(""),
            "file is 0 bytes, too short for the 8-byte header length");
  EXPECT_EQ(reject(std::string("\x02\0\0\0\0\0\0", 7)),
            "file is 7 bytes, too short for the 8-byte header length");
}

TEST_F(SafetensorsTest, RejectsHeadersRunningPastTheEnd) {
  std::string bytes = frameSafetensors("{}", "");
  bytes[0] = 3;
  EXPECT_EQ(reject(bytes),
            "header length 3 runs past the end of the file (10 bytes)");
  bytes[0] = 0;
  bytes[1] = 1;
  EXPECT_EQ(reject(bytes),
            "header length 256 runs past the end of the file (10 bytes)");
}

TEST_F(SafetensorsTest, RejectsOversizedHeaders) {
  EXPECT_EQ(reject(std::string("\x01\xe1\xf5\x05\0\0\0\0{}", 10)),
            "header length 100000001 exceeds the limit of 100000000 bytes");
  EXPECT_EQ(reject(std::string(8, '\xff') + "{}"),
            "header length 18446744073709551615 exceeds the limit of "
            "100000000 bytes");
}

//===----------------------------------------------------------------------===//
// The header's JSON
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsTest, RejectsInvalidJson) {
  EXPECT_EQ(reject(frameSafetensors("", "")),
            "header is not valid JSON: unexpected end of input, expected a "
            "value at header byte 0");
  EXPECT_EQ(reject(frameSafetensors("{\"a\":", "")),
            "header is not valid JSON: unexpected end of input, expected a "
            "value at header byte 5");
  EXPECT_EQ(reject(frameSafetensors(std::string("{}\0\0", 4), "")),
            "header is not valid JSON: unexpected byte 0x00 after the JSON "
            "value at header byte 2");
  EXPECT_EQ(reject(frameSafetensors("{\"\xff\":{}}", "")),
            "header is not valid JSON: invalid UTF-8 byte 0xff in string at "
            "header byte 2");
}

TEST_F(SafetensorsTest, RejectsHeadersThatAreNotObjects) {
  EXPECT_EQ(reject(frameSafetensors("[]", "")),
            "header must be a JSON object, got an array");
  EXPECT_EQ(reject(frameSafetensors("\"F32\"", "")),
            "header must be a JSON object, got string 'F32'");
}

TEST_F(SafetensorsTest, RejectsDuplicateTensorNames) {
  std::string entry = R"({"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  EXPECT_EQ(reject(frameSafetensors("{\"w\":" + entry + ",\"w\":" + entry + "}",
                                    "\x01")),
            "header is not valid JSON: duplicate key 'w' at header byte 53");
}

TEST_F(SafetensorsTest, RejectsMalformedMetadata) {
  EXPECT_EQ(reject(frameSafetensors(R"({"__metadata__":[]})", "")),
            "__metadata__ must be an object of strings, got an array");
  EXPECT_EQ(reject(frameSafetensors(R"({"__metadata__":{"step":5}})", "")),
            "__metadata__ entry 'step' must be a string, got 5");
}

//===----------------------------------------------------------------------===//
// Tensor entries
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsTest, RejectsEntriesThatAreNotObjects) {
  EXPECT_EQ(rejectEntry("5", ""),
            "tensor 'a' must be an object with dtype, shape and data_offsets, "
            "got 5");
  EXPECT_EQ(rejectEntry("[\"F32\", [1], [0, 4]]", ""),
            "tensor 'a' must be an object with dtype, shape and data_offsets, "
            "got an array");
}

TEST_F(SafetensorsTest, RejectsMissingAndUnknownFields) {
  EXPECT_EQ(rejectEntry(R"({"shape":[1],"data_offsets":[0,1]})", "\x01"),
            "tensor 'a' has no dtype");
  EXPECT_EQ(rejectEntry(R"({"dtype":"U8","data_offsets":[0,1]})", "\x01"),
            "tensor 'a' has no shape");
  EXPECT_EQ(rejectEntry(R"({"dtype":"U8","shape":[1]})", "\x01"),
            "tensor 'a' has no data_offsets");
  EXPECT_EQ(rejectEntry(R"({"dtype":"U8","shape":[1],"data_offsets":[0,1],)"
                        R"("offsets":[0,1]})",
                        "\x01"),
            "tensor 'a' has unknown field 'offsets', expected dtype, shape "
            "and data_offsets");
}

TEST_F(SafetensorsTest, RejectsUnknownDTypes) {
  const std::string expected =
      "expected one of BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, U16, I16, "
      "F16, BF16, U32, I32, F32, U64, I64, F64, C64";
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"F7","shape":[1],"data_offsets":[0,1]})", "\x01"),
      "tensor 'a' has unknown dtype 'F7', " + expected);
  // Names are case-sensitive, and sub-byte types are not supported.
  EXPECT_EQ(rejectEntry(R"({"dtype":"f32","shape":[1],"data_offsets":[0,4]})",
                        "abcd"),
            "tensor 'a' has unknown dtype 'f32', " + expected);
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"F4","shape":[2],"data_offsets":[0,1]})", "\x01"),
      "tensor 'a' has unknown dtype 'F4', " + expected);
  EXPECT_EQ(
      rejectEntry(R"({"dtype":4,"shape":[1],"data_offsets":[0,4]})", "abcd"),
      "tensor 'a' dtype must be a string, got 4");
}

TEST_F(SafetensorsTest, RejectsMalformedShapes) {
  auto withShape = [](const std::string &shape) {
    return R"({"dtype":"U8","shape":)" + shape + R"(,"data_offsets":[0,1]})";
  };
  EXPECT_EQ(rejectEntry(withShape("1"), "\x01"),
            "tensor 'a' shape must be an array of non-negative integers, got "
            "1");
  EXPECT_EQ(rejectEntry(withShape("[-1]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "-1");
  EXPECT_EQ(rejectEntry(withShape("[1, 1.0]"), "\x01"),
            "tensor 'a' shape dimension 1 must be an integer in [0, 2^63), got "
            "1.0");
  EXPECT_EQ(rejectEntry(withShape("[1e0]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "1e0");
  EXPECT_EQ(rejectEntry(withShape("[\"1\"]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "string '1'");
  EXPECT_EQ(rejectEntry(withShape("[null]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "null");
  EXPECT_EQ(rejectEntry(withShape("[9223372036854775808]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "9223372036854775808");
  EXPECT_EQ(rejectEntry(withShape("[99999999999999999999999]"), "\x01"),
            "tensor 'a' shape dimension 0 must be an integer in [0, 2^63), got "
            "99999999999999999999999");
}

TEST_F(SafetensorsTest, RejectsShapesWhoseSizeOverflows) {
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"U8","shape":[4294967296,4294967296],)"
                  R"("data_offsets":[0,0]})",
                  ""),
      "tensor 'a' of U8 [4294967296, 4294967296] has more than 2^64 bytes");
  // The element count fits but the byte count does not.
  EXPECT_EQ(rejectEntry(R"({"dtype":"F64","shape":[2305843009213693952],)"
                        R"("data_offsets":[0,0]})",
                        ""),
            "tensor 'a' of F64 [2305843009213693952] has more than 2^64 bytes");
}

TEST_F(SafetensorsTest, RejectsMalformedDataOffsets) {
  auto withOffsets = [](const std::string &offsets) {
    return R"({"dtype":"U8","shape":[1],"data_offsets":)" + offsets + "}";
  };
  EXPECT_EQ(rejectEntry(withOffsets("[0]"), "\x01"),
            "tensor 'a' data_offsets must be an array of two integers, got an "
            "array of 1 values");
  EXPECT_EQ(rejectEntry(withOffsets("[0,1,2]"), "\x01"),
            "tensor 'a' data_offsets must be an array of two integers, got an "
            "array of 3 values");
  EXPECT_EQ(rejectEntry(withOffsets("{\"begin\":0}"), "\x01"),
            "tensor 'a' data_offsets must be an array of two integers, got an "
            "object");
  EXPECT_EQ(rejectEntry(withOffsets("[0,-1]"), "\x01"),
            "tensor 'a' data_offsets element 1 must be an integer in "
            "[0, 2^64), got -1");
  EXPECT_EQ(rejectEntry(withOffsets("[0.0,1]"), "\x01"),
            "tensor 'a' data_offsets element 0 must be an integer in "
            "[0, 2^64), got 0.0");
  EXPECT_EQ(rejectEntry(withOffsets("[0,18446744073709551616]"), "\x01"),
            "tensor 'a' data_offsets element 1 must be an integer in "
            "[0, 2^64), got 18446744073709551616");
}

TEST_F(SafetensorsTest, RejectsOffsetsThatBeginAfterTheyEnd) {
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"U8","shape":[0],"data_offsets":[4,2]})", "abcd"),
      "tensor 'a' data_offsets [4, 2] begin after they end");
}

TEST_F(SafetensorsTest, RejectsOffsetsBeyondTheData) {
  // A header that promises 4000 bytes in a file that has 8.
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"F32","shape":[1000],"data_offsets":[0,4000]})",
                  "abcdefgh"),
      "tensor 'a' data_offsets [0, 4000] end beyond the data region (8 "
      "bytes)");
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"U8","shape":[0],)"
                  R"("data_offsets":[18446744073709551615,)"
                  R"(18446744073709551615]})",
                  ""),
      "tensor 'a' data_offsets [18446744073709551615, 18446744073709551615] "
      "end beyond the data region (0 bytes)");
}

TEST_F(SafetensorsTest, RejectsSizesThatDisagreeWithTheShape) {
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})",
                  "abcdefgh"),
      "tensor 'a' data_offsets [0, 8] span 8 bytes, expected 12 for F32 [3]");
  EXPECT_EQ(
      rejectEntry(R"({"dtype":"BF16","shape":[2,2],"data_offsets":[0,16]})",
                  std::string(16, 'x')),
      "tensor 'a' data_offsets [0, 16] span 16 bytes, expected 8 for BF16 "
      "[2, 2]");
}

TEST_F(SafetensorsTest, RejectsNamesWithNul) {
  EXPECT_EQ(reject(frameSafetensors(R"({"a\u0000b":{"dtype":"U8",)"
                                    R"("shape":[1],"data_offsets":[0,1]}})",
                                    "\x01")),
            "tensor name 'a\\x00b' contains a NUL character");
}

//===----------------------------------------------------------------------===//
// How the tensors cover the data region
//===----------------------------------------------------------------------===//

/// A header describing F32 [2] tensors `a` and `b` at the given offsets.
std::string twoTensors(const std::string &offsetsOfA,
                       const std::string &offsetsOfB) {
  return R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + offsetsOfA +
         R"(},"b":{"dtype":"F32","shape":[2],"data_offsets":)" + offsetsOfB +
         "}}";
}

TEST_F(SafetensorsTest, RejectsOverlappingTensors) {
  EXPECT_EQ(reject(frameSafetensors(twoTensors("[0,8]", "[4,12]"),
                                    std::string(12, 'x'))),
            "tensor 'b' data_offsets [4, 12] overlap tensor 'a' at [0, 8]");
  // Two names for the same bytes.
  EXPECT_EQ(reject(frameSafetensors(twoTensors("[0,8]", "[0,8]"),
                                    std::string(8, 'x'))),
            "tensor 'b' data_offsets [0, 8] overlap tensor 'a' at [0, 8]");
}

TEST_F(SafetensorsTest, RejectsGapsAndUncoveredBytes) {
  EXPECT_EQ(reject(frameSafetensors(twoTensors("[0,8]", "[12,20]"),
                                    std::string(20, 'x'))),
            "bytes [8, 12) of the data region belong to no tensor (they "
            "follow tensor 'a')");
  EXPECT_EQ(reject(frameSafetensors(twoTensors("[4,12]", "[12,20]"),
                                    std::string(20, 'x'))),
            "bytes [0, 4) of the data region belong to no tensor");
  EXPECT_EQ(reject(frameSafetensors(twoTensors("[0,8]", "[8,16]"),
                                    std::string(20, 'x'))),
            "bytes [16, 20) of the data region belong to no tensor (they "
            "follow tensor 'b')");
  EXPECT_EQ(reject(frameSafetensors("{}", "x")),
            "bytes [0, 1) of the data region belong to no tensor");
}

TEST_F(SafetensorsTest, QuotesHostileNamesSafely) {
  std::string name(500, 'n');
  name[1] = '\n';
  std::string message =
      reject(frameSafetensors("{" + toJsonString(name) + ":5}", ""));
  EXPECT_EQ(message, "tensor 'n\\x0a" + std::string(198, 'n') +
                         "...' must be an object with dtype, shape and "
                         "data_offsets, got 5");
}

//===----------------------------------------------------------------------===//
// Paths
//===----------------------------------------------------------------------===//

TEST_F(SafetensorsTest, ReportsMissingFiles) {
  std::string path = dir.getPath("absent.safetensors");
  EXPECT_EQ(expectOpenError(path, KILN_STATUS_NOT_FOUND, ""),
            "cannot open '" + path + "': No such file or directory");
}

TEST_F(SafetensorsTest, ReportsDirectoriesWithoutACheckpoint) {
  EXPECT_EQ(expectOpenError(dir.getPath(), KILN_STATUS_NOT_FOUND, ""),
            "directory '" + dir.getPath() +
                "' holds neither model.safetensors nor "
                "model.safetensors.index.json");
}

TEST_F(SafetensorsTest, ReportsMissingTensorsByName) {
  std::string path = dir.write(
      "model.safetensors",
      serializeSafetensors({{"wte", "F32", {1}, toBytes<float>({1})}}));
  OpenResult result = openWeights(path);
  ASSERT_TRUE(isOk(result.status));
  kiln_tensor_info info;
  StatusPtr status(
      kiln_weights_find_tensor(result.weights.get(), "wpe", &info));
  EXPECT_EQ(kiln_status_get_code(status.get()), KILN_STATUS_NOT_FOUND);
  EXPECT_EQ(kiln_status_get_message(status.get()),
            "tensor 'wpe' not found in '" + path +
                "', neither as named nor below a base-model prefix such as "
                "'bert.'");
}

} // namespace
