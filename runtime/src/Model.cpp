//===- Model.cpp - The C API of compiled models ---------------------------===//
//
// Implements the model half of kiln/runtime.h: a kiln_model ties a compiled
// model's descriptor to its weights, arena, inputs, output buffers, thread
// pool and profiler, and runs `forward` over them. Memory is allocated when
// the model is opened (weights, arena) or grows with the sizes of its runs
// (inputs, outputs), never during `forward`.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime.h"

#include "runtime/src/AlignedBuffer.h"
#include "runtime/src/Descriptor.h"
#include "runtime/src/KernelErrors.h"
#include "runtime/src/ModelInputs.h"
#include "runtime/src/ModelWeights.h"
#include "runtime/src/Profiler.h"
#include "runtime/src/ThreadPool.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace kiln::runtime;

/// The trace file of a profile when neither the options nor the
/// environment name one.
constexpr const char *defaultTracePath = "kiln-trace.json";

/// An open model behind the opaque C handle.
struct kiln_model {
  kiln_model(const kiln_model_desc &desc, bool profile)
      : desc(desc), inputs(desc), profiler(desc, profile),
        outputBuffers(desc.num_outputs),
        outputPointers(desc.num_outputs, nullptr),
        outputShapes(desc.num_outputs) {
    refreshInfoDims();
  }

  /// Recomputes the dimensions the info calls report from the sizes the
  /// inputs set.
  void refreshInfoDims() {
    const std::vector<int64_t> &sizes = inputs.getSizes();
    inputInfoDims.clear();
    for (int32_t i = 0; i < desc.num_inputs; ++i)
      inputInfoDims.push_back(resolveDims(desc.inputs[i], sizes));
    outputInfoDims.clear();
    for (int32_t i = 0; i < desc.num_outputs; ++i)
      outputInfoDims.push_back(resolveDims(desc.outputs[i], sizes));
  }

  const kiln_model_desc &desc;
  ModelWeights weights;
  AlignedBuffer arena;
  ModelInputs inputs;
  std::unique_ptr<ThreadPool> pool;
  Profiler profiler;
  std::string tracePath;
  /// Each output's buffer, and its shape in the last run.
  std::vector<AlignedBuffer> outputBuffers;
  std::vector<void *> outputPointers;
  std::vector<std::vector<int64_t>> outputShapes;
  /// Whether the last run succeeded, so that the outputs hold its results.
  bool hasOutputs = false;
  /// The dimensions kiln_model_input_info and kiln_model_output_info
  /// report.
  std::vector<std::vector<int64_t>> inputInfoDims;
  std::vector<std::vector<int64_t>> outputInfoDims;
};

/// Whether the environment variable `name` is set to something other than
/// "" or "0".
static bool isEnvironmentFlagSet(const char *name) {
  const char *value = std::getenv(name);
  return value && *value && std::strcmp(value, "0") != 0;
}

void kiln_model_options_init(kiln_model_options *options) {
  if (!options)
    return;
  *options = kiln_model_options{};
  options->pin_threads = true;
}

/// Opens `desc` with `options` into `model`.
static Status openModel(const kiln_model_desc &desc,
                        const kiln_model_options &options,
                        std::unique_ptr<kiln_model> &model) {
  if (Status error = validateDescriptor(desc))
    return error;
  bool profile = options.profile || isEnvironmentFlagSet("KILN_PROFILE");
  auto opened = std::make_unique<kiln_model>(desc, profile);

  if (options.random_weights) {
    if (Status error = opened->weights.randomize(desc, options.seed))
      return error;
  } else if (!options.weights_path || !*options.weights_path) {
    if (desc.num_weights != 0)
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       "model " + quote(desc.name) +
                           " needs weights: give a checkpoint path or ask "
                           "for random weights");
  } else if (Status error = opened->weights.load(desc, options.weights_path)) {
    return error;
  }

  if (Status error =
          opened->arena.reserve(static_cast<size_t>(desc.arena_bytes),
                                "the arena of model " + quote(desc.name)))
    return error;
  if (Status error = ThreadPool::create(options.num_threads,
                                        options.pin_threads, opened->pool))
    return addContext(std::move(error), "model " + quote(desc.name));

  const char *tracePath = options.profile_trace_path;
  if (!tracePath || !*tracePath)
    tracePath = std::getenv("KILN_PROFILE_TRACE");
  opened->tracePath = tracePath && *tracePath ? tracePath : defaultTracePath;
  model = std::move(opened);
  return ok();
}

kiln_status *kiln_model_open(const kiln_model_desc *desc,
                             const kiln_model_options *options,
                             kiln_model **model) {
  return runGuarded([&] {
    if (!desc || !model)
      return invalidArgument("kiln_model_open",
                             "desc and model must not be null");
    *model = nullptr;
    kiln_model_options defaults;
    kiln_model_options_init(&defaults);
    std::unique_ptr<kiln_model> opened;
    if (Status error = openModel(*desc, options ? *options : defaults, opened))
      return error;
    *model = opened.release();
    return ok();
  });
}

/// Prints the profile table of `model` to stderr and writes its trace.
static Status writeProfile(kiln_model &model) {
  if (!model.profiler.isTiming())
    return ok();
  std::string table = model.profiler.formatTable();
  std::string trace = model.profiler.formatTrace();
  model.profiler.markReported();
  std::fputs(table.c_str(), stderr);
  std::FILE *file = std::fopen(model.tracePath.c_str(), "w");
  bool written =
      file && std::fwrite(trace.data(), 1, trace.size(), file) == trace.size();
  int error = errno;
  if (file && std::fclose(file) != 0 && written) {
    written = false;
    error = errno;
  }
  if (!written)
    return makeError(KILN_STATUS_IO_ERROR,
                     "cannot write the profile trace to " +
                         quote(model.tracePath) + ": " + std::strerror(error));
  std::fprintf(stderr, "kiln profile trace written to %s\n",
               quote(model.tracePath).c_str());
  return ok();
}

void kiln_model_free(kiln_model *model) {
  if (!model)
    return;
  if (model->profiler.hasUnreportedRecords())
    if (Status error = writeProfile(*model))
      std::fprintf(stderr, "kiln: %s\n", error->message.c_str());
  delete model;
}

const char *kiln_model_name(const kiln_model *model) {
  return model ? model->desc.name : "";
}

int32_t kiln_model_num_threads(const kiln_model *model) {
  return model ? model->pool->getNumThreads() : 0;
}

int32_t kiln_model_num_sizes(const kiln_model *model) {
  return model ? model->desc.num_sizes : 0;
}

int32_t kiln_model_num_inputs(const kiln_model *model) {
  return model ? model->desc.num_inputs : 0;
}

int32_t kiln_model_num_outputs(const kiln_model *model) {
  return model ? model->desc.num_outputs : 0;
}

/// Checks that `index` picks one of the `count` `what` of a model, for the
/// C function `function`.
static Status checkIndex(const char *function, int32_t index, int32_t count,
                         const char *what) {
  if (index < 0 || index >= count)
    return invalidArgument(function, "index " + std::to_string(index) +
                                         " is out of range, the model has " +
                                         std::to_string(count) + " " + what);
  return ok();
}

/// Checks the arguments of the info call `function` on entry `index` of
/// `count` `what`.
static Status checkInfoCall(const char *function, const void *model,
                            int32_t index, int32_t count, const void *info,
                            const char *what) {
  if (!model || !info)
    return invalidArgument(function, "model and info must not be null");
  return checkIndex(function, index, count, what);
}

kiln_status *kiln_model_size_info(const kiln_model *model, int32_t index,
                                  kiln_size_info *info) {
  return runGuarded([&] {
    if (Status error =
            checkInfoCall("kiln_model_size_info", model, index,
                          kiln_model_num_sizes(model), info, "sizes"))
      return error;
    const kiln_size_symbol &symbol = model->desc.sizes[index];
    *info = {symbol.name, symbol.max, model->inputs.getSizes()[index]};
    return ok();
  });
}

/// Fills `info` from `tensor` with the dimensions `dims`.
static void describeIo(const kiln_tensor_desc &tensor,
                       const std::vector<int64_t> &dims, kiln_io_info &info) {
  info = {tensor.name, tensor.dtype, tensor.rank, dims.data(), tensor.id_bound};
}

kiln_status *kiln_model_input_info(const kiln_model *model, int32_t index,
                                   kiln_io_info *info) {
  return runGuarded([&] {
    if (Status error =
            checkInfoCall("kiln_model_input_info", model, index,
                          kiln_model_num_inputs(model), info, "inputs"))
      return error;
    describeIo(model->desc.inputs[index], model->inputInfoDims[index], *info);
    return ok();
  });
}

kiln_status *kiln_model_output_info(const kiln_model *model, int32_t index,
                                    kiln_io_info *info) {
  return runGuarded([&] {
    if (Status error =
            checkInfoCall("kiln_model_output_info", model, index,
                          kiln_model_num_outputs(model), info, "outputs"))
      return error;
    describeIo(model->desc.outputs[index], model->outputInfoDims[index], *info);
    return ok();
  });
}

kiln_status *kiln_model_set_input(kiln_model *model, const char *name,
                                  const void *data, kiln_dtype dtype,
                                  int32_t rank, const int64_t *dims) {
  return runGuarded([&] {
    if (!model || !name)
      return invalidArgument("kiln_model_set_input",
                             "model and name must not be null");
    int32_t index = model->inputs.find(name);
    if (index < 0) {
      std::string names;
      for (int32_t i = 0; i < model->desc.num_inputs; ++i)
        names += (i ? ", " : "") + quote(model->desc.inputs[i].name);
      return makeError(KILN_STATUS_NOT_FOUND,
                       "model " + quote(model->desc.name) + " has no input " +
                           quote(name) + "; its inputs: " + names);
    }
    if (Status error = model->inputs.set(index, data, dtype, rank, dims))
      return error;
    model->refreshInfoDims();
    return ok();
  });
}

void kiln_model_clear_inputs(kiln_model *model) {
  if (!model)
    return;
  model->inputs.clear();
  model->refreshInfoDims();
}

/// Sizes the output buffers of `model` for the sizes of its inputs.
static Status allocateOutputs(kiln_model &model) {
  const kiln_model_desc &desc = model.desc;
  for (int32_t i = 0; i < desc.num_outputs; ++i) {
    const kiln_tensor_desc &output = desc.outputs[i];
    std::vector<int64_t> dims = resolveDims(output, model.inputs.getSizes());
    std::string what = "output " + quote(output.name);
    std::optional<size_t> bytes = getByteSize(dims, output.dtype);
    if (!bytes)
      return makeError(KILN_STATUS_OUT_OF_MEMORY,
                       what + " of shape " + formatShape(dims) +
                           " is too large for this host");
    if (Status error = model.outputBuffers[i].reserve(*bytes, what))
      return error;
    model.outputPointers[i] = model.outputBuffers[i].data();
    model.outputShapes[i] = std::move(dims);
  }
  return ok();
}

/// Runs `model` once.
static Status runModel(kiln_model &model) {
  model.hasOutputs = false;
  if (Status error = model.inputs.checkComplete())
    return error;
  if (Status error = allocateOutputs(model))
    return error;

  kiln_forward_args args = {};
  args.sizes = model.inputs.getSizes().data();
  args.inputs = model.inputs.getPointers();
  args.weights = model.weights.getPointers();
  args.packed_weights = model.weights.getPackedPointers();
  args.arena = model.arena.data();
  args.outputs = model.outputPointers.data();
  args.profiler = &model.profiler;
  int32_t code;
  {
    ThreadPool::Scope scope(*model.pool);
    clearKernelError();
    model.profiler.beginForward();
    code = model.desc.forward(&args);
    model.profiler.endForward();
  }
  if (code != 0) {
    std::string call = model.profiler.getLastCallName();
    std::string message = getKernelError();
    return makeError(
        KILN_STATUS_KERNEL_FAILED,
        "model " + quote(model.desc.name) + ": " +
            (call.empty() ? "forward" : "kernel call " + quote(call)) +
            " failed with code " + std::to_string(code) +
            (message.empty() ? "" : ": " + message));
  }
  model.hasOutputs = true;
  return ok();
}

kiln_status *kiln_model_run(kiln_model *model) {
  return runGuarded([&] {
    if (!model)
      return invalidArgument("kiln_model_run", "model must not be null");
    return runModel(*model);
  });
}

kiln_status *kiln_model_output(const kiln_model *model, int32_t index,
                               const void **data, int32_t *rank,
                               const int64_t **dims) {
  return runGuarded([&] {
    constexpr const char *function = "kiln_model_output";
    if (!model || !data || !rank || !dims)
      return invalidArgument(function,
                             "model, data, rank and dims must not be null");
    if (Status error =
            checkIndex(function, index, model->desc.num_outputs, "outputs"))
      return error;
    if (!model->hasOutputs)
      return makeError(KILN_STATUS_FAILED_PRECONDITION,
                       "model " + quote(model->desc.name) +
                           " has no outputs: no run has succeeded since it "
                           "was opened, or the last one failed");
    *data = model->outputPointers[index];
    *rank = model->desc.outputs[index].rank;
    *dims = model->outputShapes[index].data();
    return ok();
  });
}

kiln_status *kiln_model_write_profile(kiln_model *model) {
  return runGuarded([&] {
    if (!model)
      return invalidArgument("kiln_model_write_profile",
                             "model must not be null");
    return writeProfile(*model);
  });
}
