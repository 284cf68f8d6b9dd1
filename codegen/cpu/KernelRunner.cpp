//===- KernelRunner.cpp - Run one kernel on concrete tensors --------------===//
//
// Generates the kernel, JIT-compiles it with the Halide runtime (kernels are
// otherwise compiled without it), and realizes its pipeline on buffers
// converted from reference tensors. A JIT user context carries the thread
// pool: Halide's `custom_do_par_for` handler sends every parallel loop of
// the kernel to it, as `halide_do_par_for` does in compiled models.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelRunner.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"
#include "codegen/cpu/generators/Generators.h"
#include "codegen/cpu/generators/WeightPrefetch.h"
#include "kiln/model_abi.h"
#include "runtime/src/ThreadPool.h"
#include "runtime/src/WeightPacking.h"

#include "llvm/ADT/STLExtras.h"

#include <Halide.h>
#include <algorithm>
#include <chrono>
#include <type_traits>

using namespace kiln;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Parallel loops on the thread pool
//===----------------------------------------------------------------------===//

namespace {

/// The JIT user context of one run: the pool that runs the kernel's
/// parallel loops.
struct PoolContext : Halide::JITUserContext {
  runtime::ThreadPool *pool = nullptr;
};

/// A task of a kernel's parallel loop as Halide's JIT calls it.
using HalideTask = int (*)(Halide::JITUserContext *, int, uint8_t *);

/// What the pool's tasks need to call one Halide task.
struct HalideLoop {
  HalideTask task;
  Halide::JITUserContext *context;
  uint8_t *closure;
};

} // namespace

/// Runs iteration `index` of the HalideLoop `loop`.
static int32_t runLoopIteration(void *loop, int32_t index, uint8_t *) {
  auto *halideLoop = static_cast<HalideLoop *>(loop);
  return halideLoop->task(halideLoop->context, index, halideLoop->closure);
}

/// Halide's `custom_do_par_for`: runs the loop on the context's pool.
static int runParallelLoop(Halide::JITUserContext *context, HalideTask task,
                           int min, int count, uint8_t *closure) {
  HalideLoop loop{task, context, closure};
  return static_cast<PoolContext *>(context)->pool->parallelFor(
      runLoopIteration, &loop, min, count, /*closure=*/nullptr);
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

/// Calls `function` with a null pointer of the C++ element type of `type`;
/// fails for types that kernels never take.
template <typename Function>
static llvm::Error dispatchOnType(Halide::Type type, Function &&function) {
  if (type == Halide::Float(32))
    function(static_cast<float *>(nullptr));
  else if (type == Halide::Float(16))
    function(static_cast<Halide::float16_t *>(nullptr));
  else if (type == Halide::BFloat(16))
    function(static_cast<Halide::bfloat16_t *>(nullptr));
  else if (type == Halide::Int(64))
    function(static_cast<int64_t *>(nullptr));
  else if (type == Halide::Int(32))
    function(static_cast<int32_t *>(nullptr));
  else if (type == Halide::Bool())
    function(static_cast<bool *>(nullptr));
  else
    return llvm::createStringError("unsupported buffer element type " +
                                   Halide::type_to_c_type(type, false));
  return llvm::Error::success();
}

/// The sizes of `shape` innermost first, as Halide orders them.
static std::vector<int> reversedSizes(ArrayRef<int64_t> shape) {
  return std::vector<int>(shape.rbegin(), shape.rend());
}

/// The Halide buffer of `tensor` (dimensions reversed, elements converted
/// to `type`).
static llvm::Expected<Halide::Buffer<>>
toHalideBuffer(const ReferenceTensor &tensor, Halide::Type type) {
  Halide::Buffer<> buffer(type, reversedSizes(tensor.getShape()));
  // Halide's default layout is dense with dimension 0 innermost: the
  // row-major order of the tensor.
  if (llvm::Error error = dispatchOnType(type, [&](auto *typed) {
        using T = std::remove_pointer_t<decltype(typed)>;
        auto *data = static_cast<T *>(buffer.data());
        for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
          data[i] = static_cast<T>(tensor[i]);
      }))
    return std::move(error);
  return buffer;
}

/// The buffer of the [rows, cols] f32 weight `tensor` packed as `argument`
/// reads it, see CallInterface.h.
static llvm::Expected<Halide::Buffer<>>
toPackedWeightBuffer(const ReferenceTensor &tensor,
                     const KernelArgument &argument) {
  unsigned panelWidth = argument.panelWidth;
  if (tensor.getRank() != 2)
    return llvm::createStringError(
        "packed weight operand " + std::to_string(argument.index) + " ('" +
        argument.name + "') must have rank 2, got rank " +
        std::to_string(tensor.getRank()));
  int64_t rows = tensor.getDimSize(0), cols = tensor.getDimSize(1);
  std::vector<float> weight(tensor.getElements().begin(),
                            tensor.getElements().end());
  std::array<runtime::PackedDim, 3> dims = runtime::getPackedWeightDims(
      rows, cols, panelWidth, argument.packedFormat);
  Halide::Type type = argument.packedFormat == KILN_PACKED_BF16X3_TILES
                          ? Halide::UInt(32)
                          : Halide::Float(32);
  // Dense and innermost first, as getPackedWeightDims gives them.
  Halide::Buffer<> packed(type, static_cast<int>(dims[0].extent),
                          static_cast<int>(dims[1].extent),
                          static_cast<int>(dims[2].extent));
  runtime::packWeight(weight.data(), rows, cols, panelWidth,
                      argument.packedFormat, packed.data());
  return packed;
}

/// The tensor of `buffer` (innermost dimension first), as doubles.
static ReferenceTensor fromHalideBuffer(const Halide::Buffer<> &buffer) {
  SmallVector<int64_t> shape;
  for (int dim = buffer.dimensions() - 1; dim >= 0; --dim)
    shape.push_back(buffer.dim(dim).extent());
  ReferenceTensor tensor(shape);
  // Results were allocated with a type that dispatchOnType accepts.
  llvm::cantFail(dispatchOnType(buffer.type(), [&](auto *typed) {
    using T = std::remove_pointer_t<decltype(typed)>;
    const auto *data = static_cast<const T *>(buffer.data());
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      tensor[i] = static_cast<double>(data[i]);
  }));
  return tensor;
}

//===----------------------------------------------------------------------===//
// KernelRunner
//===----------------------------------------------------------------------===//

struct KernelRunner::Impl {
  KernelSignature signature;
  GeneratedKernel kernel;
  /// The kernel's target with the Halide runtime, which JIT code needs.
  Halide::Target jitTarget;
  std::unique_ptr<runtime::ThreadPool> pool;
  /// The operand buffers in call order, bound to `kernel.inputs`.
  std::vector<Halide::Buffer<>> inputs;
  /// The result buffers in result order.
  std::vector<Halide::Buffer<>> outputs;
};

KernelRunner::KernelRunner(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}

KernelRunner::~KernelRunner() = default;

llvm::Expected<Schedule>
KernelRunner::getDefaultSchedule(const KernelSignature &signature,
                                 StringRef targetCpu) {
  llvm::Expected<Halide::Target> target = parseKernelTarget(targetCpu);
  if (!target)
    return target.takeError();
  llvm::Expected<ScheduleSpace> space =
      getKernelScheduleSpace(signature, *target);
  if (!space)
    return space.takeError();
  return space->getDefaultSchedule();
}

llvm::Expected<std::unique_ptr<KernelRunner>>
KernelRunner::create(const KernelSignature &signature, const Schedule &schedule,
                     StringRef targetCpu, int numThreads, bool pin) {
  llvm::Expected<Halide::Target> target = parseKernelTarget(targetCpu);
  if (!target)
    return target.takeError();
  llvm::Expected<GeneratedKernel> kernel =
      generateKernel(signature, schedule, *target);
  if (!kernel)
    return kernel.takeError();
  for (const KernelArgument &argument : kernel->interface.arguments)
    if (argument.kind == KernelArgument::Kind::Scalar)
      return llvm::createStringError(
          "the kernel of " + signature.getOpName().str() +
          " takes scalar argument '" + argument.name +
          "', which the runner cannot provide");

  auto impl = std::make_unique<Impl>(
      Impl{signature, std::move(*kernel), Halide::Target(), nullptr, {}, {}});
  impl->jitTarget =
      impl->kernel.target.without_feature(Halide::Target::NoRuntime);
  // What compiled models get from the runtime they link.
  impl->kernel.pipeline.set_jit_externs(
      {{kWeightPrefetchFunction, Halide::JITExtern(kiln_prefetch_part)},
       {kAmxLinearFunction, Halide::JITExtern(kiln_amx_linear)},
       {kAmxAttentionFunction, Halide::JITExtern(kiln_amx_attention)}});
  try {
    impl->kernel.pipeline.compile_jit(impl->jitTarget);
  } catch (const Halide::Error &error) {
    return llvm::createStringError("cannot JIT-compile the kernel of " +
                                   signature.getOpName().str() + ": " +
                                   error.what());
  }
  if (runtime::Status status =
          runtime::ThreadPool::create(numThreads, pin, impl->pool))
    return llvm::createStringError("cannot start the thread pool: " +
                                   status->message);
  return std::unique_ptr<KernelRunner>(new KernelRunner(std::move(impl)));
}

llvm::Error KernelRunner::bind(ArrayRef<ReferenceTensor> operands,
                               ArrayRef<SmallVector<int64_t>> resultShapes) {
  const KernelSignature &signature = impl->signature;
  if (operands.size() != signature.getOperands().size())
    return llvm::createStringError(
        signature.getOpName().str() + " takes " +
        std::to_string(signature.getOperands().size()) + " operands, got " +
        std::to_string(operands.size()));
  if (resultShapes.size() != signature.getResults().size())
    return llvm::createStringError(
        signature.getOpName().str() + " has " +
        std::to_string(signature.getResults().size()) + " results, got " +
        std::to_string(resultShapes.size()) + " result shapes");

  GeneratedKernel &kernel = impl->kernel;
  std::vector<Halide::Buffer<>> inputs;
  std::vector<Halide::Buffer<>> outputs;
  for (const KernelArgument &argument : kernel.interface.arguments) {
    if (argument.kind == KernelArgument::Kind::Result) {
      Halide::Type type =
          kernel.pipeline.outputs()[argument.index].output_types()[0];
      outputs.emplace_back(type, reversedSizes(resultShapes[argument.index]));
      continue;
    }
    const ReferenceTensor &operand = operands[argument.index];
    Halide::ImageParam param = kernel.inputs[inputs.size()];
    llvm::Expected<Halide::Buffer<>> buffer =
        argument.panelWidth != 0 ? toPackedWeightBuffer(operand, argument)
                                 : toHalideBuffer(operand, param.type());
    if (!buffer)
      return buffer.takeError();
    inputs.push_back(std::move(*buffer));
  }
  for (auto [param, buffer] : llvm::zip(kernel.inputs, inputs))
    param.set(buffer);
  impl->inputs = std::move(inputs);
  impl->outputs = std::move(outputs);
  return llvm::Error::success();
}

llvm::Error KernelRunner::run() {
  if (impl->outputs.empty())
    return llvm::createStringError(
        "the kernel's buffers are not bound: call bind() first");
  // A fresh context per run: Halide's JIT fills in the context's handlers
  // and error buffer for the call it is passed to.
  PoolContext context;
  context.pool = impl->pool.get();
  context.handlers.custom_do_par_for = runParallelLoop;
  try {
    Halide::Realization realization(impl->outputs);
    impl->kernel.pipeline.realize(&context, realization, impl->jitTarget);
  } catch (const Halide::Error &error) {
    return llvm::createStringError("the kernel of " +
                                   impl->signature.getOpName().str() +
                                   " failed: " + error.what());
  }
  return llvm::Error::success();
}

std::vector<ReferenceTensor> KernelRunner::getResults() const {
  std::vector<ReferenceTensor> results;
  for (const Halide::Buffer<> &output : impl->outputs)
    results.push_back(fromHalideBuffer(output));
  return results;
}

llvm::Expected<std::vector<double>> KernelRunner::time(unsigned warmup,
                                                       unsigned repetitions) {
  for (unsigned i = 0; i < warmup; ++i)
    if (llvm::Error error = run())
      return std::move(error);
  std::vector<double> seconds;
  seconds.reserve(repetitions);
  for (unsigned i = 0; i < repetitions; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error error = run())
      return std::move(error);
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    seconds.push_back(elapsed.count());
  }
  return seconds;
}

const CallInterface &KernelRunner::getInterface() const {
  return impl->kernel.interface;
}

int KernelRunner::getNumThreads() const { return impl->pool->getNumThreads(); }

double kiln::median(std::vector<double> samples) {
  size_t middle = samples.size() / 2;
  std::nth_element(samples.begin(), samples.begin() + middle, samples.end());
  if (samples.size() % 2 == 1)
    return samples[middle];
  double upper = samples[middle];
  double lower = *std::max_element(samples.begin(), samples.begin() + middle);
  return (lower + upper) / 2;
}
