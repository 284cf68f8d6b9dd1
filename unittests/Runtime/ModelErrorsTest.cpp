//===- ModelErrorsTest.cpp - Tests of the model API's errors --------------===//
//
// Every way opening, feeding or running a model can fail, each checked for
// its status code and for a message that names the culprit, and for
// leaving the model usable where it should.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/ModelTestSupport.h"
#include "unittests/Runtime/ToyModel.h"

#include <gtest/gtest.h>

using namespace kiln::runtime::test;
using namespace kiln::safetensors;

namespace {

/// Expects `status` to be an error with `code` and return its message.
std::string expectError(const StatusPtr &status, kiln_status_code code) {
  EXPECT_EQ(kiln_status_get_code(status.get()), code)
      << kiln_status_get_message(status.get());
  return kiln_status_get_message(status.get());
}

//===----------------------------------------------------------------------===//
// Opening
//===----------------------------------------------------------------------===//

/// Tests that open the toy on a checkpoint of modified weights.
class OpenErrorTest : public ::testing::Test {
protected:
  /// Opens the toy on `tensors` and expects an error with `code`; returns
  /// its message.
  std::string openError(const std::vector<SafetensorsTensor> &tensors,
                        kiln_status_code code) {
    path = dir.write("model.safetensors", serializeSafetensors(tensors));
    kiln_model_options options = makeOptions(1);
    options.weights_path = path.c_str();
    OpenModelResult result = openModel(options);
    EXPECT_EQ(result.model, nullptr);
    return expectError(result.status, code);
  }

  /// The toy's checkpoint with tensor `name` replaced by `tensor`, or
  /// removed when `tensor` has no name.
  static std::vector<SafetensorsTensor> replaceTensor(const std::string &name,
                                               const SafetensorsTensor &tensor) {
    std::vector<SafetensorsTensor> tensors;
    for (const SafetensorsTensor &original : makeToyCheckpoint("F32")) {
      if (original.name != name)
        tensors.push_back(original);
      else if (!tensor.name.empty())
        tensors.push_back(tensor);
    }
    return tensors;
  }

  TemporaryDirectory dir;
  std::string path;
};

TEST_F(OpenErrorTest, MissingWeightIsNamed) {
  EXPECT_EQ(openError(replaceTensor("embed.bias", {}), KILN_STATUS_NOT_FOUND),
            "cannot load the weights of model 'toy': tensor 'embed.bias' or "
            "'embed.beta' not found in '" +
                path +
                "', neither as named nor below a base-model prefix such as "
                "'bert.'");
}

TEST_F(OpenErrorTest, WrongShapeIsNamed) {
  std::string message = openError(
      replaceTensor(
          "embed.scale",
          {"embed.scale", "F32", {5}, toBytes<float>({1, 2, 3, 4, 5})}),
      KILN_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(message, "cannot load the weights of model 'toy': tensor "
                     "'embed.scale' in '" +
                         path + "': expected shape [4], got [5]");
}

TEST_F(OpenErrorTest, UntransposedWeightIsNamed) {
  std::string message = openError(
      replaceTensor("lm_head", {"lm_head",
                                "F32",
                                {toyVocab, toyWidth},
                                toBytes(std::vector<float>(32, 0.0f))}),
      KILN_STATUS_SHAPE_MISMATCH);
  EXPECT_EQ(message, "cannot load the weights of model 'toy': weight "
                     "'lm_head' is stored transposed: tensor 'lm_head' in '" +
                         path + "': expected shape [4, 8], got [8, 4]");
}

TEST_F(OpenErrorTest, WrongDTypeIsNamed) {
  std::string message = openError(
      replaceTensor(
          "embed.bias",
          {"embed.bias", "I32", {4}, toBytes<int32_t>({0, 1, 0, -1})}),
      KILN_STATUS_UNSUPPORTED);
  EXPECT_EQ(message, "cannot load the weights of model 'toy': tensor "
                     "'embed.bias' in '" +
                         path + "': cannot convert I32 to F32");
}

TEST_F(OpenErrorTest, MissingCheckpointIsNamed) {
  std::string missing = dir.getPath("absent.safetensors");
  kiln_model_options options = makeOptions(1);
  options.weights_path = missing.c_str();
  OpenModelResult result = openModel(options);
  std::string message = expectError(result.status, KILN_STATUS_NOT_FOUND);
  EXPECT_NE(message.find("cannot load the weights of model 'toy'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(missing), std::string::npos) << message;
}

TEST(OpenOptionsTest, WeightsAreRequired) {
  OpenModelResult result = openModel(makeOptions(1));
  EXPECT_EQ(expectError(result.status, KILN_STATUS_INVALID_ARGUMENT),
            "model 'toy' needs weights: give a checkpoint path or ask for "
            "random weights");
}

TEST(OpenOptionsTest, ThreadCountIsChecked) {
  kiln_model_options options = makeOptions(-1);
  options.random_weights = true;
  OpenModelResult result = openModel(options);
  EXPECT_EQ(expectError(result.status, KILN_STATUS_INVALID_ARGUMENT),
            "model 'toy': the number of threads must lie in [0, 1024], got -1");
}

TEST(OpenOptionsTest, NullArgumentsAreRefused) {
  kiln_model *model = nullptr;
  EXPECT_EQ(expectError(StatusPtr(kiln_model_open(nullptr, nullptr, &model)),
                        KILN_STATUS_INVALID_ARGUMENT),
            "kiln_model_open: desc and model must not be null");
  expectError(StatusPtr(kiln_model_run(nullptr)), KILN_STATUS_INVALID_ARGUMENT);
  expectError(StatusPtr(kiln_model_write_profile(nullptr)),
              KILN_STATUS_INVALID_ARGUMENT);
}

//===----------------------------------------------------------------------===//
// Descriptors
//===----------------------------------------------------------------------===//

/// Opens the toy's descriptor as modified by `modify` with random weights
/// and expects an error with `code`; returns its message.
template <typename Modify>
std::string openModifiedDescriptor(Modify modify, kiln_status_code code) {
  kiln_model_desc desc = kiln_compiled_model;
  modify(desc);
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  OpenModelResult result = openModel(options, desc);
  return expectError(result.status, code);
}

TEST(DescriptorTest, OtherAbiVersionsAreRefused) {
  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) { desc.abi_version = 1; },
                KILN_STATUS_UNSUPPORTED),
            "model 'toy' was compiled for model ABI version 1, but this "
            "runtime implements version 3");
}

TEST(DescriptorTest, InconsistentDescriptorsAreRefused) {
  static const int64_t symbolicDims[] = {KILN_SYMBOLIC_DIM(1), toyWidth};
  static const int64_t unknownSymbol[] = {KILN_SYMBOLIC_DIM(5),
                                          KILN_SYMBOLIC_DIM(1)};
  static kiln_tensor_desc weights[4], inputs[2];
  std::copy(kiln_compiled_model.weights, kiln_compiled_model.weights + 4,
            weights);
  std::copy(kiln_compiled_model.inputs, kiln_compiled_model.inputs + 2, inputs);

  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) {
                  weights[0].dims = symbolicDims;
                  desc.weights = weights;
                },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': weight 'embed.table' has a "
            "symbolic dimension 0, but weights are static");
  std::copy(kiln_compiled_model.weights, kiln_compiled_model.weights + 4,
            weights);

  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) {
                  inputs[1].dims = unknownSymbol;
                  desc.inputs = inputs;
                },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': dimension 0 of input "
            "'attention_mask' stands for size symbol 5, but the model has 2");

  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) {
                  inputs[1] = inputs[0];
                  desc.inputs = inputs;
                },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': two inputs are called "
            "'input_ids'");

  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) {
                  static const kiln_size_symbol sizes[] = {
                      {"batch", 4}, {"seq", 16}, {"unused", 2}};
                  desc.sizes = sizes;
                  desc.num_sizes = 3;
                },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': size symbol 'unused' "
            "appears in no input");

  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) { desc.num_kernel_calls = -1; },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': it has -1 kernel calls");
  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) { desc.kernel_call_names = nullptr; },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': it has 4 kernel calls but no "
            "array of them");
}

TEST(DescriptorTest, InconsistentPackedWeightsAreRefused) {
  auto withPacked = [](kiln_packed_weight_desc packed) {
    static kiln_packed_weight_desc packedWeights[1];
    packedWeights[0] = packed;
    return [](kiln_model_desc &desc) { desc.packed_weights = packedWeights; };
  };
  EXPECT_EQ(openModifiedDescriptor(withPacked({4, 3, KILN_PACKED_F32_PANELS}),
                                   KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': packed weight 0 copies weight "
            "4, but the model has 4");
  EXPECT_EQ(openModifiedDescriptor(withPacked({1, 3, KILN_PACKED_F32_PANELS}),
                                   KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': packed weight 0 copies weight "
            "'embed.scale', which is not a rank-2 f32 matrix");
  EXPECT_EQ(openModifiedDescriptor(withPacked({3, 0, KILN_PACKED_F32_PANELS}),
                                   KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': packed weight 0 has panel "
            "width 0, expected at least 1");
  EXPECT_EQ(openModifiedDescriptor(withPacked({3, 32, 2}),
                                   KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': packed weight 0 has format 2, "
            "expected 0 (f32 panels) or 1 (bf16x3 tiles)");
  EXPECT_EQ(
      openModifiedDescriptor(withPacked({3, 48, KILN_PACKED_BF16X3_TILES}),
                             KILN_STATUS_INVALID_ARGUMENT),
      "invalid descriptor of model 'toy': packed weight 0 has bf16x3 "
      "tiles of panel width 48, expected a multiple of 32");
  EXPECT_EQ(openModifiedDescriptor(withPacked({0, 3, KILN_PACKED_F32_PANELS}),
                                   KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': weight 'lm_head' is read only "
            "packed but has no packed copy");
  EXPECT_EQ(openModifiedDescriptor(
                [](kiln_model_desc &desc) { desc.packed_weights = nullptr; },
                KILN_STATUS_INVALID_ARGUMENT),
            "invalid descriptor of model 'toy': it has 1 packed weights but no "
            "array of them");
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Tests of setting inputs on the toy with random weights.
class InputErrorTest : public ::testing::Test {
protected:
  void SetUp() override {
    kiln_model_options options = makeOptions(2);
    options.random_weights = true;
    OpenModelResult result = openModel(options);
    ASSERT_TRUE(isOk(result.status));
    model = std::move(result.model);
  }

  /// Sets input `name` to the I64 `values` of shape `shape`, expecting an
  /// error with `code`; returns its message.
  std::string setError(const char *name, const std::vector<int64_t> &values,
                       const std::vector<int64_t> &shape, kiln_status_code code,
                       kiln_dtype dtype = KILN_DTYPE_I64) {
    return expectError(StatusPtr(kiln_model_set_input(
                           model.get(), name, values.data(), dtype,
                           static_cast<int32_t>(shape.size()), shape.data())),
                       code);
  }

  ModelPtr model;
};

TEST_F(InputErrorTest, UnknownInputListsTheInputs) {
  EXPECT_EQ(setError("token_type_ids", {0}, {1, 1}, KILN_STATUS_NOT_FOUND),
            "model 'toy' has no input 'token_type_ids'; its inputs: "
            "'input_ids', 'attention_mask'");
}

TEST_F(InputErrorTest, DTypeAndRankMustMatch) {
  EXPECT_EQ(setError("input_ids", {0}, {1, 1}, KILN_STATUS_INVALID_ARGUMENT,
                     KILN_DTYPE_F64),
            "input 'input_ids' has dtype I64, got F64");
  EXPECT_EQ(setError("input_ids", {0, 1}, {2}, KILN_STATUS_SHAPE_MISMATCH),
            "input 'input_ids' has rank 2 [batch, seq], got shape [2]");
}

TEST_F(InputErrorTest, SizesMustStayWithinTheMaxima) {
  std::vector<int64_t> ids(toyMaxSeq + 1, 0);
  EXPECT_EQ(setError("input_ids", ids, {1, toyMaxSeq + 1},
                     KILN_STATUS_SHAPE_MISMATCH),
            "input 'input_ids': sequence length 17 exceeds the model's "
            "maximum 16");
  EXPECT_EQ(setError("input_ids", std::vector<int64_t>(5, 0), {5, 1},
                     KILN_STATUS_SHAPE_MISMATCH),
            "input 'input_ids': batch size 5 exceeds the model's maximum 4");
  EXPECT_EQ(setError("input_ids", {}, {1, 0}, KILN_STATUS_SHAPE_MISMATCH),
            "input 'input_ids': sequence length 0 must be at least 1");
}

TEST_F(InputErrorTest, SizesMustAgreeAcrossInputs) {
  ASSERT_TRUE(isOk(setToyInputs(model.get(), {{1, 2, 3}})));
  EXPECT_EQ(setError("attention_mask", {1, 1, 1, 1}, {1, 4},
                     KILN_STATUS_SHAPE_MISMATCH),
            "input 'attention_mask': sequence length 4 disagrees with 3 "
            "given by input 'input_ids'");
  EXPECT_EQ(setError("input_ids", {1, 2}, {1, 2}, KILN_STATUS_SHAPE_MISMATCH),
            "input 'input_ids': sequence length 2 disagrees with 3 given by "
            "input 'attention_mask'");
  // The failed calls changed nothing, so the model still runs on length 3;
  // clearing the inputs lets new ones choose another length.
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(model.get()))));
  std::vector<int64_t> shape;
  readOutput(model.get(), toyLogitsOutput, &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 3, toyVocab}));
  kiln_model_clear_inputs(model.get());
  ASSERT_TRUE(isOk(setToyInputs(model.get(), {{1, 2}})));
}

TEST_F(InputErrorTest, TokenIdsMustBeInTheVocabulary) {
  EXPECT_EQ(setError("input_ids", {1, 2, 3, 4, 8, 5}, {2, 3},
                     KILN_STATUS_INVALID_ARGUMENT),
            "input 'input_ids': token id 8 at position [1, 1] is out of "
            "range [0, 8)");
  EXPECT_EQ(setError("input_ids", {-1}, {1, 1}, KILN_STATUS_INVALID_ARGUMENT),
            "input 'input_ids': token id -1 at position [0, 0] is out of "
            "range [0, 8)");
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

TEST_F(InputErrorTest, RunNeedsEveryInput) {
  EXPECT_EQ(expectError(StatusPtr(kiln_model_run(model.get())),
                        KILN_STATUS_FAILED_PRECONDITION),
            "input 'input_ids' of model 'toy' is not set");
  const int64_t ids[] = {1}, shape[] = {1, 1};
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_set_input(model.get(), "input_ids", ids,
                                                  KILN_DTYPE_I64, 2, shape))));
  EXPECT_EQ(expectError(StatusPtr(kiln_model_run(model.get())),
                        KILN_STATUS_FAILED_PRECONDITION),
            "input 'attention_mask' of model 'toy' is not set");
}

TEST_F(InputErrorTest, OutputsNeedASuccessfulRun) {
  const void *data;
  int32_t rank;
  const int64_t *dims;
  EXPECT_EQ(expectError(StatusPtr(kiln_model_output(model.get(), 0, &data,
                                                    &rank, &dims)),
                        KILN_STATUS_FAILED_PRECONDITION),
            "model 'toy' has no outputs: no run has succeeded since it was "
            "opened, or the last one failed");
  ASSERT_TRUE(isOk(setToyInputs(model.get(), {{1}})));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(model.get()))));
  EXPECT_EQ(expectError(StatusPtr(kiln_model_output(model.get(), 3, &data,
                                                    &rank, &dims)),
                        KILN_STATUS_INVALID_ARGUMENT),
            "kiln_model_output: index 3 is out of range, the model has 3 "
            "outputs");
}

TEST_F(InputErrorTest, FailingKernelIsNamed) {
  ASSERT_TRUE(
      isOk(setToyInputs(model.get(), {{1, 2}, {3, 4}}, {{1, 1}, {1, 2}})));
  EXPECT_EQ(expectError(StatusPtr(kiln_model_run(model.get())),
                        KILN_STATUS_KERNEL_FAILED),
            "model 'toy': kernel call 'pool.mean (toy_mean_pool)' failed "
            "with code 3: toy mask values must be 0 or 1");
  const void *data;
  int32_t rank;
  const int64_t *dims;
  expectError(StatusPtr(kiln_model_output(model.get(), 0, &data, &rank, &dims)),
              KILN_STATUS_FAILED_PRECONDITION);

  // The model recovers once the inputs are fixed.
  kiln_model_clear_inputs(model.get());
  ASSERT_TRUE(isOk(setToyInputs(model.get(), {{1, 2}, {3, 4}})));
  EXPECT_TRUE(isOk(StatusPtr(kiln_model_run(model.get()))));
}

/// A forward function that fails outside any kernel call.
int32_t failOutsideKernels(const kiln_forward_args *) { return 9; }

TEST(RunErrorTest, FailureOutsideKernelsIsReported) {
  kiln_model_desc desc = kiln_compiled_model;
  desc.forward = failOutsideKernels;
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  OpenModelResult result = openModel(options, desc);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), {{1}})));
  EXPECT_EQ(expectError(StatusPtr(kiln_model_run(result.model.get())),
                        KILN_STATUS_KERNEL_FAILED),
            "model 'toy': forward failed with code 9");
}

TEST(RunErrorTest, UnwritableTraceIsReported) {
  kiln_model_options options = makeOptions(1);
  options.random_weights = true;
  options.profile = true;
  options.profile_trace_path = "/nonexistent-kiln-dir/trace.json";
  OpenModelResult result = openModel(options);
  ASSERT_TRUE(isOk(result.status));
  ASSERT_TRUE(isOk(setToyInputs(result.model.get(), {{1}})));
  ASSERT_TRUE(isOk(StatusPtr(kiln_model_run(result.model.get()))));
  ::testing::internal::CaptureStderr();
  StatusPtr status(kiln_model_write_profile(result.model.get()));
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(expectError(status, KILN_STATUS_IO_ERROR),
            "cannot write the profile trace to "
            "'/nonexistent-kiln-dir/trace.json': No such file or directory");
}

} // namespace
