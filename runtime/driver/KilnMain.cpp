//===- KilnMain.cpp - The main function of compiled model executables -----===//
//
// Library KilnMain provides `main` for every executable kiln-compile links:
// it runs the model that the generated code describes in
// `kiln_compiled_model` on token ids from the command line, prints what the
// model computed, and optionally benchmarks and profiles it. Every problem,
// from a malformed number to a missing weight, ends the program with a
// message on stderr and exit status 1.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"
#include "runtime/driver/DriverOptions.h"
#include "runtime/driver/OutputReport.h"
#include "runtime/src/Descriptor.h"
#include "runtime/src/Status.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace kiln::driver;
using kiln::runtime::quote;

namespace {
/// Frees a model.
struct ModelFreer {
  void operator()(kiln_model *model) const { kiln_model_free(model); }
};
using ModelPtr = std::unique_ptr<kiln_model, ModelFreer>;

/// Values for one token-id or mask input, from the command line.
struct InputValues {
  const std::vector<int64_t> *values;
  /// The option that gives them, for messages.
  const char *option;
};
} // namespace

/// The name the program was started under, for messages.
static const char *programName = "kiln-model";

/// Prints "program: error: message" and returns the exit status of a
/// failure.
static int fail(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", programName, message.c_str());
  return 1;
}

/// Prints the message of `status`, frees it and returns the exit status of
/// a failure.
static int fail(kiln_status *status) {
  std::string message = kiln_status_get_message(status);
  kiln_status_free(status);
  return fail(message);
}

/// Whether `desc` has an input called `name`.
static bool hasInput(const kiln_model_desc &desc, const char *name) {
  for (int32_t i = 0; i < desc.num_inputs; ++i)
    if (std::strcmp(desc.inputs[i].name, name) == 0)
      return true;
  return false;
}

/// `count` ones, the mask that attends to every token.
static std::vector<int64_t> ones(size_t count) {
  return std::vector<int64_t>(count, 1);
}

/// Decides the values of input `name` of `desc` from `options`, using
/// `defaultMasks` for masks not given; returns an error message when the
/// command line does not provide it.
static std::string chooseInput(const kiln_model_desc &desc,
                               const std::string &name,
                               const DriverOptions &options,
                               const std::vector<int64_t> &defaultMask,
                               const std::vector<int64_t> &defaultEncoderMask,
                               InputValues &input) {
  bool isEncoderDecoder = hasInput(desc, "decoder_input_ids");
  std::string prefix = isEncoderDecoder ? "decoder_" : "";
  if (name == prefix + "input_ids") {
    input = {&*options.tokens, "--tokens"};
  } else if (name == prefix + "attention_mask") {
    input = {options.attentionMask ? &*options.attentionMask : &defaultMask,
             "--attention-mask"};
  } else if (isEncoderDecoder && name == "encoder_input_ids") {
    if (!options.encoderTokens)
      return "model " + quote(desc.name) +
             " is an encoder-decoder: pass --encoder-tokens as well";
    input = {&*options.encoderTokens, "--encoder-tokens"};
  } else if (isEncoderDecoder && name == "encoder_attention_mask") {
    input = {options.encoderAttentionMask ? &*options.encoderAttentionMask
                                          : &defaultEncoderMask,
             "--encoder-attention-mask"};
  } else {
    return "input " + quote(name) + " of model " + quote(desc.name) +
           " cannot be given on the command line";
  }
  return "";
}

/// Checks that every token or mask option given feeds an input of `desc`.
static std::string checkOptionsAreUsed(const kiln_model_desc &desc,
                                       const DriverOptions &options) {
  bool isEncoderDecoder = hasInput(desc, "decoder_input_ids");
  std::string prefix = isEncoderDecoder ? "decoder_" : "";
  struct {
    bool given;
    std::string input;
    const char *option;
  } uses[] = {
      {options.attentionMask.has_value(), prefix + "attention_mask",
       "--attention-mask"},
      {options.encoderTokens.has_value(), "encoder_input_ids",
       "--encoder-tokens"},
      {options.encoderAttentionMask.has_value(), "encoder_attention_mask",
       "--encoder-attention-mask"},
  };
  for (const auto &use : uses)
    if (use.given && !hasInput(desc, use.input.c_str()))
      return std::string(use.option) + " does not apply: model " +
             quote(desc.name) + " has no input " + quote(use.input);
  return "";
}

/// `values` as little-endian `dtype` elements, or nothing when the driver
/// cannot produce that type.
static std::optional<std::vector<uint8_t>>
encodeIntegers(const std::vector<int64_t> &values, kiln_dtype dtype) {
  std::vector<uint8_t> bytes(values.size() * kiln_dtype_size(dtype));
  for (size_t i = 0; i < values.size(); ++i) {
    if (dtype == KILN_DTYPE_I64) {
      std::memcpy(bytes.data() + 8 * i, &values[i], 8);
    } else if (dtype == KILN_DTYPE_I32) {
      // Ids beyond 32 bits are out of every vocabulary; saturating keeps
      // them out of range rather than wrapping them into it.
      auto narrowed = static_cast<int32_t>(
          std::clamp<int64_t>(values[i], INT32_MIN, INT32_MAX));
      std::memcpy(bytes.data() + 4 * i, &narrowed, 4);
    } else {
      return std::nullopt;
    }
  }
  return bytes;
}

/// Sets every input of `model` (described by `desc`) from `options`.
static std::string setInputs(kiln_model *model, const kiln_model_desc &desc,
                             const DriverOptions &options) {
  if (std::string error = checkOptionsAreUsed(desc, options); !error.empty())
    return error;
  std::vector<int64_t> defaultMask = ones(options.tokens->size());
  std::vector<int64_t> defaultEncoderMask =
      ones(options.encoderTokens ? options.encoderTokens->size() : 0);
  for (int32_t i = 0; i < desc.num_inputs; ++i) {
    const kiln_tensor_desc &tensor = desc.inputs[i];
    InputValues input;
    if (std::string error = chooseInput(desc, tensor.name, options, defaultMask,
                                        defaultEncoderMask, input);
        !error.empty())
      return error;
    std::optional<std::vector<uint8_t>> bytes =
        encodeIntegers(*input.values, tensor.dtype);
    if (!bytes)
      return "input " + quote(tensor.name) + " has dtype " +
             kiln_dtype_name(tensor.dtype) + ", but " + input.option +
             " gives integers";
    // One sequence: every dimension but the last is 1.
    std::vector<int64_t> shape(std::max(tensor.rank, 1), 1);
    shape.back() = static_cast<int64_t>(input.values->size());
    if (kiln_status *status =
            kiln_model_set_input(model, tensor.name, bytes->data(),
                                 tensor.dtype, tensor.rank, shape.data())) {
      std::string message =
          std::string(input.option) + ": " + kiln_status_get_message(status);
      kiln_status_free(status);
      return message;
    }
  }
  return "";
}

/// "1 thread", "4 threads".
static std::string describeThreads(const kiln_model *model) {
  int32_t count = kiln_model_num_threads(model);
  return std::to_string(count) + (count == 1 ? " thread" : " threads");
}

/// Runs `model` `runs` more times and prints the median and minimum
/// latency.
static kiln_status *benchmark(kiln_model *model, int64_t runs) {
  std::vector<double> milliseconds;
  for (int64_t i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (kiln_status *error = kiln_model_run(model))
      return error;
    std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    milliseconds.push_back(elapsed.count());
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  size_t middle = milliseconds.size() / 2;
  double median = milliseconds.size() % 2
                      ? milliseconds[middle]
                      : (milliseconds[middle - 1] + milliseconds[middle]) / 2;
  std::printf("bench: %lld runs on %s, median %.3f ms, min %.3f ms\n",
              static_cast<long long>(runs), describeThreads(model).c_str(),
              median, milliseconds.front());
  return nullptr;
}

int main(int argc, char **argv) {
  if (argc > 0 && argv[0] && *argv[0]) {
    const char *slash = std::strrchr(argv[0], '/');
    programName = slash ? slash + 1 : argv[0];
  }
  const kiln_model_desc &desc = kiln_compiled_model;
  if (kiln::runtime::Status error = kiln::runtime::validateDescriptor(desc))
    return fail(error->message);

  DriverOptions options;
  if (std::optional<std::string> error =
          parseDriverOptions(argc, argv, options))
    return fail(*error);
  if (options.showHelp) {
    printHelp(stdout, programName, desc);
    return 0;
  }
  if (options.randomWeights == !options.weightsPath.empty())
    return fail(options.randomWeights
                    ? "--weights and --random-weights exclude each other"
                    : "no weights: pass --weights PATH or --random-weights");
  if (!options.tokens)
    return fail("no tokens: pass --tokens, e.g. --tokens 464,2068,7586");

  kiln_model_options modelOptions;
  kiln_model_options_init(&modelOptions);
  modelOptions.weights_path =
      options.randomWeights ? nullptr : options.weightsPath.c_str();
  modelOptions.random_weights = options.randomWeights;
  modelOptions.seed = options.seed.value_or(0);
  modelOptions.num_threads = options.numThreads;
  modelOptions.pin_threads = options.pinThreads;
  modelOptions.profile = options.profile;
  kiln_model *opened = nullptr;
  if (kiln_status *error = kiln_model_open(&desc, &modelOptions, &opened))
    return fail(error);
  ModelPtr model(opened);

  if (std::string error = setInputs(model.get(), desc, options); !error.empty())
    return fail(error);
  if (kiln_status *error = kiln_model_run(model.get()))
    return fail(error);

  std::string weights =
      options.randomWeights
          ? "random weights (seed " + std::to_string(modelOptions.seed) + ")"
          : "weights from " + quote(options.weightsPath);
  std::printf("model '%s' on %s, %s\n", desc.name,
              describeThreads(model.get()).c_str(), weights.c_str());
  auto numTokens = static_cast<int64_t>(options.tokens->size());
  for (int32_t i = 0; i < desc.num_outputs; ++i)
    if (kiln_status *error =
            printOutput(stdout, model.get(), i, options.topK, numTokens))
      return fail(error);
  if (!options.outputFile.empty())
    if (std::string error =
            writeOutputNpy(model.get(), 0, options.outputFile);
        !error.empty())
      return fail(error);
  if (options.benchRuns > 0)
    if (kiln_status *error = benchmark(model.get(), options.benchRuns))
      return fail(error);
  if (kiln_status *error = kiln_model_write_profile(model.get()))
    return fail(error);
  return 0;
}
