//===- ModelTest.cpp - Tests of running models through the C API ----------===//
//
// Runs the hand-written toy model (ToyModel.h) through kiln/runtime.h and
// checks its outputs against values computed by hand from the weights of
// ModelTestSupport.h, for checkpoints in F32 and BF16, random weights, every
// thread count from 1 to 4, and with profiling on.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/ModelTestSupport.h"
#include "unittests/Runtime/ToyModel.h"

#include "runtime/src/Json.h"
#include "runtime/src/ThreadPool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace kiln::runtime;
using namespace kiln::runtime::test;
using namespace kiln::safetensors;

extern "C" float kilnProbeRunToy(char *message, size_t size);

namespace {

/// Tests that open the toy on a checkpoint written to a scratch directory.
class ModelTest : public ::testing::Test {
protected:
  /// Writes the toy's checkpoint in `dtype` and opens the toy on it with
  /// `numThreads` threads.
  void openOnCheckpoint(const std::string &dtype, int32_t numThreads = 2) {
    std::string path = dir.write(
        "model.safetensors", serializeSafetensors(makeToyCheckpoint(dtype)));
    kiln_model_options options = makeOptions(numThreads);
    options.weights_path = path.c_str();
    OpenModelResult result = openModel(options);
    ASSERT_TRUE(isOk(result.status));
    model = std::move(result.model);
  }

  /// Runs the toy on `ids` and `mask`, expecting success.
  void run(const std::vector<std::vector<int64_t>> &ids,
           const std::vector<std::vector<int64_t>> &mask = {}) {
    kiln_model_clear_inputs(model.get());
    ASSERT_TRUE(isOk(setToyInputs(model.get(), ids, mask)));
    ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(model.get()))));
  }

  TemporaryDirectory dir;
  ModelPtr model;
};

/// The checkpoint dtypes the toy's weights are converted from.
class CheckpointDTypeTest : public ModelTest,
                            public ::testing::WithParamInterface<std::string> {
};

TEST_P(CheckpointDTypeTest, ComputesTheHandComputedOutputs) {
  ASSERT_NO_FATAL_FAILURE(openOnCheckpoint(GetParam()));
  ASSERT_NO_FATAL_FAILURE(run({{3, 1}}));

  // scaled[3] = [3, 3, 12, -4] and scaled[1] = [1, 2, 4, -2].
  std::vector<int64_t> shape;
  EXPECT_EQ(readOutput(model.get(), toyHiddenOutput, &shape),
            (std::vector<float>{3, 3, 12, -4, 1, 2, 4, -2}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 2, 4}));
  // Each token's logits are its hidden state, then its negation.
  EXPECT_EQ(readOutput(model.get(), toyLogitsOutput, &shape),
            (std::vector<float>{3, 3, 12, -4, -3, -3, -12, 4, //
                                1, 2, 4, -2, -1, -2, -4, 2}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 2, 8}));
  EXPECT_EQ(readOutput(model.get(), toyPooledOutput, &shape),
            (std::vector<float>{2, 2.5f, 8, -3}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 4}));
}

INSTANTIATE_TEST_SUITE_P(ModelTest, CheckpointDTypeTest,
                         ::testing::Values("F32", "BF16"));

TEST_F(ModelTest, PoolsOnlyTheUnmaskedPositions) {
  ASSERT_NO_FATAL_FAILURE(openOnCheckpoint("F32"));
  // scaled[5] = [5, 4, 20, -6]; the masked token 1 is left out.
  ASSERT_NO_FATAL_FAILURE(run({{3, 1, 5}}, {{1, 0, 1}}));
  EXPECT_EQ(readOutput(model.get(), toyPooledOutput),
            (std::vector<float>{4, 3.5f, 16, -5}));
  ASSERT_NO_FATAL_FAILURE(run({{3, 1, 5}}, {{0, 0, 0}}));
  EXPECT_EQ(readOutput(model.get(), toyPooledOutput),
            (std::vector<float>{0, 0, 0, 0}));
}

TEST_F(ModelTest, OutputsFollowTheSizesOfEachRun) {
  ASSERT_NO_FATAL_FAILURE(openOnCheckpoint("F32"));
  std::vector<int64_t> shape;
  ASSERT_NO_FATAL_FAILURE(run({{1}}));
  EXPECT_EQ(readOutput(model.get(), toyHiddenOutput, &shape),
            (std::vector<float>{1, 2, 4, -2}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 1, 4}));

  // Growing the batch and sequence grows the output buffers.
  ASSERT_NO_FATAL_FAILURE(run({{0, 2}, {7, 1}}));
  EXPECT_EQ(readOutput(model.get(), toyPooledOutput, &shape),
            (std::vector<float>{1, 2, 4, -2, 4, 3.5f, 16, -5}));
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 4}));

  // Shrinking them again reuses the buffers.
  ASSERT_NO_FATAL_FAILURE(run({{6}}));
  EXPECT_EQ(readOutput(model.get(), toyHiddenOutput, &shape),
            (std::vector<float>{6, 4.5f, 24, -7}));
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 1, 4}));
}

TEST_F(ModelTest, InputsStaySetAcrossRuns) {
  ASSERT_NO_FATAL_FAILURE(openOnCheckpoint("F32"));
  ASSERT_NO_FATAL_FAILURE(run({{3, 1}}));
  std::vector<float> first = readOutput(model.get(), toyLogitsOutput);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(model.get()))));
    EXPECT_EQ(readOutput(model.get(), toyLogitsOutput), first);
  }
}

TEST_F(ModelTest, ReportsSymbolicDimsUntilInputsSetThem) {
  ASSERT_NO_FATAL_FAILURE(openOnCheckpoint("F32", 3));
  EXPECT_STREQ(kiln_model_name(model.get()), "toy");
  EXPECT_EQ(kiln_model_num_threads(model.get()), 3);
  ASSERT_EQ(kiln_model_num_sizes(model.get()), 2);
  ASSERT_EQ(kiln_model_num_inputs(model.get()), 2);
  ASSERT_EQ(kiln_model_num_outputs(model.get()), 3);

  kiln_size_info size;
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_size_info(model.get(), 1, &size))));
  EXPECT_STREQ(size.name, "seq");
  EXPECT_EQ(size.max, toyMaxSeq);
  EXPECT_EQ(size.value, -1);

  kiln_io_info input;
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_input_info(model.get(), 0, &input))));
  EXPECT_STREQ(input.name, "input_ids");
  EXPECT_EQ(input.dtype, KILN_DTYPE_I64);
  EXPECT_EQ(input.id_bound, toyVocab);
  EXPECT_EQ(std::vector<int64_t>(input.dims, input.dims + input.rank),
            (std::vector<int64_t>{-1, -1}));

  kiln_io_info output;
  ASSERT_TRUE(isOk(StatusPtr(
      kiln_model_output_info(model.get(), toyLogitsOutput, &output))));
  EXPECT_STREQ(output.name, "logits");
  EXPECT_EQ(std::vector<int64_t>(output.dims, output.dims + output.rank),
            (std::vector<int64_t>{-1, -1, toyVocab}));

  const int64_t ids[] = {1, 2, 3}, idsShape[] = {1, 3};
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_set_input(
      model.get(), "input_ids", ids, KILN_DTYPE_I64, 2, idsShape))));
  ASSERT_TRUE(isOk(StatusPtr(
      kiln_model_output_info(model.get(), toyLogitsOutput, &output))));
  EXPECT_EQ(std::vector<int64_t>(output.dims, output.dims + output.rank),
            (std::vector<int64_t>{1, 3, toyVocab}));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_size_info(model.get(), 1, &size))));
  EXPECT_EQ(size.value, 3);

  kiln_model_clear_inputs(model.get());
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_size_info(model.get(), 1, &size))));
  EXPECT_EQ(size.value, -1);
}

/// All outputs of `model`, concatenated.
static std::vector<float> readAllOutputs(const kiln_model *model) {
  std::vector<float> all;
  for (int32_t i = 0; i < toyNumOutputs; ++i) {
    std::vector<float> values = readOutput(model, i);
    all.insert(all.end(), values.begin(), values.end());
  }
  return all;
}

/// A full-size batch: every id, in a different order in each sequence.
static std::vector<std::vector<int64_t>> makeFullBatch() {
  std::vector<std::vector<int64_t>> ids(toyMaxBatch);
  for (int64_t b = 0; b < toyMaxBatch; ++b)
    for (int64_t s = 0; s < toyMaxSeq; ++s)
      ids[b].push_back((s * (b + 3) + b) % toyVocab);
  return ids;
}

/// Opens the toy with random weights from `seed` on `numThreads` threads,
/// runs it on a full batch and returns all its outputs.
static std::vector<float> runRandomToy(uint64_t seed, int32_t numThreads) {
  kiln_model_options options = makeOptions(numThreads);
  options.random_weights = true;
  options.seed = seed;
  OpenModelResult result = openModel(options);
  EXPECT_TRUE(isOk(result.status));
  if (result.status)
    return {};
  EXPECT_TRUE(isOk(setToyInputs(result.model.get(), makeFullBatch())));
  EXPECT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));
  return readAllOutputs(result.model.get());
}

TEST(RandomWeightsTest, AreDeterminedByTheSeed) {
  std::vector<float> first = runRandomToy(7, 1);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(runRandomToy(7, 1), first);
  EXPECT_NE(runRandomToy(8, 1), first);
}

TEST(RandomWeightsTest, KeepActivationsSmall) {
  // Weights lie in [-1/2, 1/2) (the toy's last dimensions are 4 and 8), so
  // hidden states lie in (-3/4, 3/4].
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), makeFullBatch())));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));
  std::vector<float> hidden = readOutput(result.model.get(), toyHiddenOutput);
  bool allZero = true;
  for (float value : hidden) {
    EXPECT_LE(std::abs(value), 0.75f);
    allZero &= value == 0;
  }
  EXPECT_FALSE(allZero);
}

TEST(ThreadCountTest, EveryCountComputesTheSame) {
  std::vector<float> expected = runRandomToy(1, 1);
  ASSERT_FALSE(expected.empty());
  for (int32_t threads = 2; threads <= 4; ++threads)
    EXPECT_EQ(runRandomToy(1, threads), expected) << threads << " threads";
}

TEST(ThreadCountTest, ZeroMeansOnePerAvailableCpu) {
  kiln_model_options options = makeOptions(0);
  options.random_weights = true;
  options.pin_threads = true;
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  EXPECT_EQ(kiln_model_num_threads(result.model.get()),
            static_cast<int32_t>(getAvailableCpus().size()));
}

TEST(ModelCApiTest, IsCallableFromC) {
  char message[256] = "";
  // The probe runs token 3 of the toy with random weights from seed 5; its
  // first logit must match the same run from C++.
  float logit = kilnProbeRunToy(message, sizeof(message));
  EXPECT_STREQ(message, "");
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  options.seed = 5;
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), {{3}})));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));
  EXPECT_EQ(logit, readOutput(result.model.get(), toyLogitsOutput)[0]);
}

//===----------------------------------------------------------------------===//
// Profiling
//===----------------------------------------------------------------------===//

/// The contents of the file at `path`.
static std::string readFile(const std::string &path) {
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

/// The number of trace events of each name in the Chrome trace `trace`,
/// after checking that it parses and that every event is complete.
static std::map<std::string, int> countTraceEvents(const std::string &trace) {
  JsonError error;
  std::optional<JsonValue> document = parseJson(trace, error);
  EXPECT_TRUE(document) << error.message << " at " << error.offset;
  if (!document)
    return {};
  const JsonValue *events = document->find("traceEvents");
  EXPECT_TRUE(events && events->kind == JsonValue::Kind::Array);
  if (!events)
    return {};
  std::map<std::string, int> counts;
  for (const JsonValue &event : events->elements) {
    for (const char *field : {"ts", "dur", "pid", "tid"}) {
      const JsonValue *value = event.find(field);
      EXPECT_TRUE(value && value->kind == JsonValue::Kind::Number) << field;
    }
    const JsonValue *phase = event.find("ph");
    EXPECT_TRUE(phase && phase->text == "X");
    const JsonValue *name = event.find("name");
    if (name)
      ++counts[name->text];
  }
  return counts;
}

/// The rows of a profile table: each kernel call's name and total ms.
static std::vector<std::pair<std::string, double>>
parseTable(const std::string &table) {
  std::vector<std::pair<std::string, double>> rows;
  std::istringstream lines(table);
  std::string line;
  std::getline(lines, line); // The title.
  std::getline(lines, line); // The column heads.
  while (std::getline(lines, line) && line.find("  ") == 0) {
    std::istringstream fields(line);
    double totalMs, meanUs, share;
    long long calls;
    fields >> totalMs >> meanUs >> calls >> share;
    std::string name;
    std::getline(fields >> std::ws, name);
    rows.emplace_back(name, totalMs);
    EXPECT_EQ(calls, 3) << line;
    EXPECT_GE(share, 0.0);
    EXPECT_LE(share, 100.0);
  }
  return rows;
}

TEST_F(ModelTest, ProfilesEveryKernelCall) {
  std::string path = dir.write("model.safetensors",
                               serializeSafetensors(makeToyCheckpoint("F32")));
  std::string tracePath = dir.getPath("trace.json");
  kiln_model_options options = makeOptions(2);
  options.weights_path = path.c_str();
  options.profile = true;
  options.profile_trace_path = tracePath.c_str();
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), makeFullBatch())));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));

  ::testing::internal::CaptureStderr();
  StatusPtr status(kiln_model_write_profile(result.model.get()));
  std::string table = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(isOk(status));

  EXPECT_EQ(table.rfind("kiln profile of model 'toy': 3 forward passes", 0), 0u)
      << table;
  std::vector<std::pair<std::string, double>> rows = parseTable(table);
  ASSERT_EQ(rows.size(), 4u) << table;
  for (size_t i = 1; i < rows.size(); ++i)
    EXPECT_GE(rows[i - 1].second, rows[i].second) << table;
  std::map<std::string, int> names;
  for (const auto &row : rows)
    ++names[row.first];
  EXPECT_EQ(names,
            (std::map<std::string, int>{{"embed.affine (toy_affine)", 1},
                                        {"embed.gather (toy_gather)", 1},
                                        {"lm_head (toy_linear)", 1},
                                        {"pool.mean (toy_mean_pool)", 1}}));

  EXPECT_EQ(countTraceEvents(readFile(tracePath)),
            (std::map<std::string, int>{{"forward", 3},
                                        {"embed.affine (toy_affine)", 3},
                                        {"embed.gather (toy_gather)", 3},
                                        {"lm_head (toy_linear)", 3},
                                        {"pool.mean (toy_mean_pool)", 3}}));
}

TEST(ProfileEnvironmentTest, KilnProfileTurnsProfilingOn) {
  TemporaryDirectory dir;
  std::string tracePath = dir.getPath("env-trace.json");
  setenv("KILN_PROFILE", "1", 1);
  setenv("KILN_PROFILE_TRACE", tracePath.c_str(), 1);
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  OpenModelResult result = openModel(options);
  unsetenv("KILN_PROFILE");
  unsetenv("KILN_PROFILE_TRACE");
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), {{1, 2}})));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));

  // Freeing the model writes the pending profile.
  ::testing::internal::CaptureStderr();
  result.model.reset();
  std::string table = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(table.find("pool.mean (toy_mean_pool)"), std::string::npos)
      << table;
  EXPECT_EQ(countTraceEvents(readFile(tracePath)).at("forward"), 1);
}

TEST(ProfileEnvironmentTest, NothingIsWrittenWithoutProfiling) {
  TemporaryDirectory dir;
  std::string tracePath = dir.getPath("unused-trace.json");
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  options.profile_trace_path = tracePath.c_str();
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), {{1, 2}})));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(isOk(StatusPtr(kiln_model_write_profile(result.model.get()))));
  result.model.reset();
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_FALSE(std::ifstream(tracePath).good());
}

} // namespace
