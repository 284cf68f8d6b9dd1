//===- FuzzTest.cpp - The loader against damaged files --------------------===//
//
// Systematic and seeded random damage to a valid checkpoint: every
// truncation, every cut of the header JSON, and random byte changes and
// splices. The loader must reject the file or accept one it can read in
// full; it must never crash or read outside the file. Truncations go
// through files and the C API; the random cases, thousands of them, parse
// exactly-sized heap copies instead, where -fsanitize=address catches even
// a one-byte overread that a page-granular mapping would hide.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Convert.h"
#include "runtime/src/Safetensors.h"
#include "unittests/Runtime/RuntimeTestSupport.h"
#include "runtime/writer/SafetensorsWriter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>

using namespace kiln::runtime;
using namespace kiln::runtime::test;
using namespace kiln::safetensors;

namespace {

/// Tensors of several types and ranks, including a scalar and an empty one.
std::vector<SafetensorsTensor> validTensors() {
  return {
      {"embed", "F32", {2, 3}, toBytes<float>({1, 2, 3, 4, 5, 6})},
      {"norm.bias", "F16", {3}, toBytes<uint16_t>({0x3c00, 0x0001, 0x7bff})},
      {"norm.weight", "BF16", {3}, toBytes<uint16_t>({0x3f80, 0xc020, 0})},
      {"pos", "I64", {2}, toBytes<int64_t>({7, -7})},
      {"scalar", "F64", {}, toBytes<double>({0.125})},
      {"mask", "BOOL", {4}, std::string("\x01\x00\x01\x01", 4)},
      {"empty", "U8", {0}, ""},
  };
}

/// The header length recorded in the first 8 bytes of `file`.
size_t headerLengthOf(const std::string &file) {
  size_t length = 0;
  for (int i = 7; i >= 0; --i)
    length = length << 8 | static_cast<unsigned char>(file[i]);
  return length;
}

/// Whether `dtype` converts to F32.
bool isFloat(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F16 ||
         dtype == KILN_DTYPE_BF16 || dtype == KILN_DTYPE_F64;
}

/// Writes `bytes` as a file and opens it. If it opens, reads every tensor
/// in its own type and, for floats, as F32, so that every byte the header
/// claims is touched. Returns whether it opened.
bool openAndReadAll(const TemporaryDirectory &dir, std::string_view bytes) {
  OpenResult result = openWeights(dir.write("fuzzed.safetensors", bytes));
  if (result.status) {
    // Every failure explains itself.
    EXPECT_EQ(kiln_status_get_code(result.status.get()),
              KILN_STATUS_INVALID_FORMAT);
    EXPECT_NE(std::string(kiln_status_get_message(result.status.get())), "");
    return false;
  }
  kiln_weights *weights = result.weights.get();
  for (size_t i = 0; i < kiln_weights_num_tensors(weights); ++i) {
    kiln_tensor_info info;
    EXPECT_TRUE(isOk(StatusPtr(kiln_weights_get_tensor(weights, i, &info))));
    std::string copy(info.size_bytes, '\0');
    EXPECT_TRUE(isOk(StatusPtr(
        kiln_weights_read_tensor(weights, info.name, info.shape, info.rank,
                                 info.dtype, copy.data(), copy.size()))));
    EXPECT_EQ(copy, std::string(static_cast<const char *>(info.data),
                                info.size_bytes));
    if (!isFloat(info.dtype))
      continue;
    std::vector<float> floats(info.size_bytes / kiln_dtype_size(info.dtype));
    EXPECT_TRUE(isOk(StatusPtr(kiln_weights_read_tensor(
        weights, info.name, info.shape, info.rank, KILN_DTYPE_F32,
        floats.data(), floats.size() * sizeof(float)))));
  }
  return true;
}

/// Parses a copy of `bytes` held in a buffer of exactly its size. If it
/// parses, reads every tensor's bytes and converts the floating-point ones
/// to F32. Returns whether it parsed.
bool parseAndReadAll(std::string_view bytes) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  SafetensorsLayout layout;
  Status error = parseSafetensors(
      std::string_view(reinterpret_cast<const char *>(copy.get()),
                       bytes.size()),
      "fuzzed.safetensors", layout);
  if (error) {
    EXPECT_EQ(error->code, KILN_STATUS_INVALID_FORMAT);
    EXPECT_NE(error->message, "");
    return false;
  }
  for (const TensorEntry &tensor : layout.tensors) {
    const uint8_t *data = copy.get() + layout.dataStart + tensor.begin;
    std::string stored(reinterpret_cast<const char *>(data),
                       tensor.end - tensor.begin);
    EXPECT_EQ(stored.size() % kiln_dtype_size(tensor.dtype), 0u);
    if (!isFloat(tensor.dtype))
      continue;
    std::vector<float> floats(stored.size() / kiln_dtype_size(tensor.dtype));
    convertElements(data, tensor.dtype,
                    reinterpret_cast<uint8_t *>(floats.data()), KILN_DTYPE_F32,
                    floats.size());
  }
  return true;
}

TEST(FuzzTest, RejectsEveryTruncation) {
  TemporaryDirectory dir;
  std::string valid = serializeSafetensors(validTensors(), {{"k", "v"}});
  for (size_t length = 0; length < valid.size(); ++length)
    EXPECT_FALSE(openAndReadAll(dir, valid.substr(0, length)))
        << "truncated to " << length << " bytes";
  EXPECT_TRUE(openAndReadAll(dir, valid));
}

TEST(FuzzTest, RejectsEveryCutOfTheHeaderJson) {
  // Keep the length field consistent with the cut, so that the JSON parser
  // rather than the bounds check meets the damage.
  std::string valid = serializeSafetensors(validTensors());
  size_t paddedBytes = headerLengthOf(valid);
  std::string header = valid.substr(8, paddedBytes);
  header.erase(header.find_last_not_of(' ') + 1);
  std::string data = valid.substr(8 + paddedBytes);
  for (size_t length = 0; length < header.size(); ++length)
    EXPECT_FALSE(
        parseAndReadAll(frameSafetensors(header.substr(0, length), data)))
        << "header cut to " << length << " bytes";
  EXPECT_TRUE(parseAndReadAll(frameSafetensors(header, data)));
}

/// Bytes that turn valid JSON into other valid JSON often enough for the
/// checks after parsing to be reached, plus a few that never appear.
constexpr char interestingBytes[] = "0123456789{}[],:\" -.eE\\u\x00\x7f\xff";

TEST(FuzzTest, SurvivesRandomByteChanges) {
  std::string valid = serializeSafetensors(validTensors(), {{"k", "v"}});
  size_t dataStart = 8 + headerLengthOf(valid);
  std::mt19937 random(1234);
  size_t opened = 0;
  constexpr size_t iterations = 20000;
  for (size_t i = 0; i < iterations; ++i) {
    std::string bytes = valid;
    size_t changes = 1 + random() % 3;
    for (size_t change = 0; change < changes; ++change) {
      // Mostly the header, sometimes the length field.
      size_t position =
          random() % 8 == 0 ? random() % 8 : 8 + random() % (dataStart - 8);
      bytes[position] =
          random() % 2
              ? interestingBytes[random() % (sizeof(interestingBytes) - 1)]
              : static_cast<char>(random());
    }
    SCOPED_TRACE("iteration " + std::to_string(i));
    opened += parseAndReadAll(bytes);
  }
  // Some changes (a digit in a name) keep the file valid; most must not.
  EXPECT_GT(opened, 0u);
  EXPECT_LT(opened, iterations / 2);
}

TEST(FuzzTest, SurvivesRandomHeaderSplices) {
  // Insert or delete header bytes and fix up the length field, so that the
  // damage reaches the JSON and the offsets instead of the bounds check.
  std::string valid = serializeSafetensors(validTensors());
  size_t headerBytes = headerLengthOf(valid);
  std::string header = valid.substr(8, headerBytes);
  std::string data = valid.substr(8 + headerBytes);
  std::mt19937 random(98765);
  for (size_t i = 0; i < 20000; ++i) {
    std::string spliced = header;
    size_t position = random() % spliced.size();
    if (random() % 2)
      spliced.erase(position, 1 + random() % 4);
    else
      spliced.insert(
          position, 1,
          interestingBytes[random() % (sizeof(interestingBytes) - 1)]);
    // Occasionally also damage the data region's length.
    std::string splicedData =
        random() % 8 == 0 ? data.substr(0, random() % (data.size() + 1)) : data;
    SCOPED_TRACE("iteration " + std::to_string(i));
    parseAndReadAll(frameSafetensors(spliced, splicedData));
  }
}

TEST(FuzzTest, RejectsRandomGarbage) {
  std::mt19937 random(42);
  for (size_t i = 0; i < 5000; ++i) {
    std::string bytes(random() % 64, '\0');
    for (char &byte : bytes)
      byte = static_cast<char>(random());
    // A plausible length field, so that some reach the JSON parser.
    if (bytes.size() >= 8 && random() % 2) {
      bytes[0] = static_cast<char>(random() % (bytes.size() - 7));
      std::fill(bytes.begin() + 1, bytes.begin() + 8, '\0');
    }
    SCOPED_TRACE("iteration " + std::to_string(i));
    EXPECT_FALSE(parseAndReadAll(bytes));
  }
}

} // namespace
