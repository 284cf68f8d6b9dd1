//===- CheckpointTest.cpp - Tests of sharded checkpoints and paths --------===//
//
// A two-shard checkpoint written to a scratch directory, opened through its
// index or its directory, and indexes that lie about their shards.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/RuntimeTestSupport.h"
#include "runtime/writer/SafetensorsWriter.h"

#include <gtest/gtest.h>

using namespace kiln::runtime::test;
using namespace kiln::safetensors;

namespace {

constexpr const char *firstShard = "model-00001-of-00002.safetensors";
constexpr const char *secondShard = "model-00002-of-00002.safetensors";
constexpr const char *indexName = "model.safetensors.index.json";

class CheckpointTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir.write(
        firstShard,
        serializeSafetensors({{"a", "F32", {2}, toBytes<float>({1.0f, 2.0f})},
                              {"c", "F16", {1}, toBytes<uint16_t>({0x3c00})}}));
    dir.write(secondShard,
              serializeSafetensors(
                  {{"b", "BF16", {2}, toBytes<uint16_t>({0x3f80, 0xc020})}}));
  }

  /// Writes an index whose weight_map is `weightMap` (a JSON object).
  std::string writeIndex(const std::string &weightMap) {
    return dir.write(indexName, R"({"metadata":{"total_size":14},)"
                                R"("weight_map":)" +
                                    weightMap + "}");
  }

  /// The weight_map that matches the shards.
  static std::string matchingWeightMap() {
    return std::string("{\"a\":\"") + firstShard + "\",\"b\":\"" + secondShard +
           "\",\"c\":\"" + firstShard + "\"}";
  }

  /// Expects opening the index `text` to fail with INVALID_FORMAT and
  /// returns the message after the index's name.
  std::string rejectIndex(const std::string &text) {
    std::string path = dir.write(indexName, text);
    return expectOpenError(path, KILN_STATUS_INVALID_FORMAT, path);
  }

  /// Checks `weights` holds the two shards' three tensors.
  void expectBothShards(kiln_weights *weights) {
    ASSERT_EQ(kiln_weights_num_tensors(weights), 3u);
    kiln_tensor_info info;
    ASSERT_TRUE(isOk(StatusPtr(kiln_weights_find_tensor(weights, "b", &info))));
    EXPECT_EQ(info.path, dir.getPath(secondShard));
    ASSERT_TRUE(isOk(StatusPtr(kiln_weights_find_tensor(weights, "c", &info))));
    EXPECT_EQ(info.path, dir.getPath(firstShard));

    float b[2];
    const int64_t shape[] = {2};
    ASSERT_TRUE(isOk(StatusPtr(kiln_weights_read_tensor(
        weights, "b", shape, 1, KILN_DTYPE_F32, b, sizeof(b)))));
    EXPECT_EQ(b[0], 1.0f);
    EXPECT_EQ(b[1], -2.5f);
  }

  TemporaryDirectory dir;
};

TEST_F(CheckpointTest, OpensShardsThroughTheirIndex) {
  OpenResult result = openWeights(writeIndex(matchingWeightMap()));
  ASSERT_TRUE(isOk(result.status));
  expectBothShards(result.weights.get());
}

TEST_F(CheckpointTest, OpensTheIndexInADirectory) {
  writeIndex(matchingWeightMap());
  OpenResult result = openWeights(dir.getPath());
  ASSERT_TRUE(isOk(result.status));
  expectBothShards(result.weights.get());
}

TEST_F(CheckpointTest, PrefersTheSingleFileInADirectory) {
  writeIndex(matchingWeightMap());
  dir.write("model.safetensors",
            serializeSafetensors({{"single", "U8", {1}, "\x01"}}));
  OpenResult result = openWeights(dir.getPath() + "/");
  ASSERT_TRUE(isOk(result.status));
  ASSERT_EQ(kiln_weights_num_tensors(result.weights.get()), 1u);
  kiln_tensor_info info;
  ASSERT_TRUE(
      isOk(StatusPtr(kiln_weights_get_tensor(result.weights.get(), 0, &info))));
  EXPECT_STREQ(info.name, "single");
}

TEST_F(CheckpointTest, OpensShardsInSubdirectories) {
  dir.write("shards/only.safetensors",
            serializeSafetensors({{"x", "U8", {1}, "\x01"}}));
  OpenResult result =
      openWeights(writeIndex(R"({"x":"shards/only.safetensors"})"));
  ASSERT_TRUE(isOk(result.status));
  EXPECT_EQ(kiln_weights_num_tensors(result.weights.get()), 1u);
}

TEST_F(CheckpointTest, NamesTheIndexAndShardsOfAMissingTensor) {
  std::string index = writeIndex(matchingWeightMap());
  OpenResult result = openWeights(index);
  ASSERT_TRUE(isOk(result.status));
  kiln_tensor_info info;
  StatusPtr status(
      kiln_weights_find_tensor(result.weights.get(), "lm_head", &info));
  EXPECT_EQ(kiln_status_get_code(status.get()), KILN_STATUS_NOT_FOUND);
  EXPECT_EQ(kiln_status_get_message(status.get()),
            "tensor 'lm_head' not found in '" + index + "' (shards '" +
                dir.getPath(firstShard) + "', '" + dir.getPath(secondShard) +
                "'), neither as named nor below a base-model prefix such as "
                "'bert.'");
}

TEST_F(CheckpointTest, RejectsMalformedIndexes) {
  EXPECT_EQ(rejectIndex(""), "index is not valid JSON: unexpected end of "
                             "input, expected a value at byte 0");
  EXPECT_EQ(rejectIndex("{\"weight_map\":{\"a\":\"x\",\"a\":\"y\"}}"),
            "index is not valid JSON: duplicate key 'a' at byte 23");
  EXPECT_EQ(rejectIndex("[]"), "index must be a JSON object, got an array");
  EXPECT_EQ(rejectIndex("{\"metadata\":{}}"), "index has no weight_map");
  EXPECT_EQ(rejectIndex("{\"weight_map\":[]}"),
            "index weight_map must be an object, got an array");
  EXPECT_EQ(rejectIndex("{\"metadata\":5,\"weight_map\":{}}"),
            "index metadata must be an object, got 5");
  EXPECT_EQ(rejectIndex("{\"weights\":{},\"weight_map\":{}}"),
            "index has unknown field 'weights', expected metadata and "
            "weight_map");
  EXPECT_EQ(rejectIndex("{\"weight_map\":{\"a\":1}}"),
            "weight_map entry 'a' must be a file name, got 1");
}

TEST_F(CheckpointTest, RejectsShardsOutsideTheIndexDirectory) {
  for (const char *shard :
       {"../model.safetensors", "/etc/passwd", "", "a/../../b", "a/.."}) {
    SCOPED_TRACE(shard);
    EXPECT_EQ(
        rejectIndex(std::string("{\"weight_map\":{\"a\":\"") + shard + "\"}}"),
        std::string("weight_map entry 'a' names file '") + shard +
            "', expected a relative path inside the index's directory");
  }
}

TEST_F(CheckpointTest, ReportsMissingShards) {
  std::string index = writeIndex(R"({"a":"absent.safetensors"})");
  std::string shard = dir.getPath("absent.safetensors");
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_NOT_FOUND, ""),
            "cannot open '" + shard + "': No such file or directory");
}

TEST_F(CheckpointTest, ReportsMalformedShards) {
  dir.write(secondShard, "abc");
  std::string index = writeIndex(matchingWeightMap());
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_INVALID_FORMAT,
                            dir.getPath(secondShard)),
            "file is 3 bytes, too short for the 8-byte header length");
}

TEST_F(CheckpointTest, RejectsTensorsTheIndexDoesNotMap) {
  std::string index = writeIndex(std::string("{\"a\":\"") + firstShard +
                                 "\",\"b\":\"" + secondShard + "\"}");
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_INVALID_FORMAT, index),
            std::string("tensor 'c' of shard '") + firstShard +
                "' is not in the weight_map");
}

TEST_F(CheckpointTest, RejectsTensorsMappedToAnotherShard) {
  std::string index =
      writeIndex(std::string("{\"a\":\"") + firstShard + "\",\"b\":\"" +
                 secondShard + "\",\"c\":\"" + secondShard + "\"}");
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_INVALID_FORMAT, index),
            std::string("tensor 'c' of shard '") + firstShard +
                "' is mapped to '" + secondShard + "'");
}

TEST_F(CheckpointTest, RejectsTensorsInTwoShards) {
  dir.write(secondShard, serializeSafetensors(
                             {{"b", "BF16", {1}, "\x80\x3f"},
                              {"c", "F16", {1}, std::string("\x00\x3c", 2)}}));
  std::string index = writeIndex(matchingWeightMap());
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_INVALID_FORMAT, index),
            std::string("tensor 'c' of shard '") + secondShard +
                "' is mapped to '" + firstShard + "'");
}

TEST_F(CheckpointTest, RejectsMappedTensorsTheShardLacks) {
  std::string index = writeIndex(
      std::string("{\"a\":\"") + firstShard + "\",\"b\":\"" + secondShard +
      "\",\"c\":\"" + firstShard + "\",\"d\":\"" + firstShard + "\"}");
  EXPECT_EQ(expectOpenError(index, KILN_STATUS_INVALID_FORMAT, index),
            std::string("tensor 'd' is mapped to '") + firstShard +
                "', which has no such tensor");
}

} // namespace
