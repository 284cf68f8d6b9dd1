//===- DriverOptions.cpp - Command line of model executables --------------===//
//
// A small hand-written parser: the executables depend on nothing beyond the
// C++ standard library. Options take their value as the next argument or
// after `=`; numbers must be plain decimal integers, read whole.
//
//===----------------------------------------------------------------------===//

#include "runtime/driver/DriverOptions.h"

#include "runtime/src/Descriptor.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

using namespace kiln::driver;

/// `text` as a decimal integer in [min, max], or nothing.
static std::optional<int64_t> parseInteger(const std::string &text, int64_t min,
                                           int64_t max) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    return std::nullopt;
  return value;
}

/// `text` as comma-separated decimal integers, or nothing.
static std::optional<std::vector<int64_t>> parseList(const std::string &text) {
  std::vector<int64_t> values;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::optional<int64_t> value = parseInteger(
        text.substr(start, comma - start), std::numeric_limits<int64_t>::min(),
        std::numeric_limits<int64_t>::max());
    if (!value)
      return std::nullopt;
    values.push_back(*value);
    if (comma == std::string::npos)
      return values;
    start = comma + 1;
  }
}

/// `text` as an unsigned 64-bit decimal integer, or nothing.
static std::optional<uint64_t> parseSeed(const std::string &text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0')
    return std::nullopt;
  return value;
}

namespace {
/// Walks the arguments, handing out options and their values.
class ArgumentReader {
public:
  ArgumentReader(int argc, char **argv) : argc(argc), argv(argv) {}

  /// Moves to the next argument; false at the end.
  bool next() {
    if (++index >= argc)
      return false;
    std::string argument = argv[index];
    size_t equals = argument.find('=');
    if (argument.rfind("--", 0) == 0 && equals != std::string::npos) {
      name = argument.substr(0, equals);
      inlineValue = argument.substr(equals + 1);
    } else {
      name = argument;
      inlineValue.reset();
    }
    return true;
  }

  /// The current option's name, such as "--tokens".
  const std::string &getName() const { return name; }

  /// The current option's value: after `=`, or the next argument.
  std::optional<std::string> takeValue() {
    if (inlineValue)
      return std::exchange(inlineValue, std::nullopt);
    if (index + 1 >= argc)
      return std::nullopt;
    return std::string(argv[++index]);
  }

  /// Whether a value was given with `=` to an option that takes none.
  bool hasInlineValue() const { return inlineValue.has_value(); }

private:
  int argc;
  char **argv;
  int index = 0;
  std::string name;
  std::optional<std::string> inlineValue;
};
} // namespace

std::optional<std::string>
kiln::driver::parseDriverOptions(int argc, char **argv,
                                 DriverOptions &options) {
  ArgumentReader reader(argc, argv);
  while (reader.next()) {
    const std::string name = reader.getName();
    bool isFlag = name == "--help" || name == "-h" ||
                  name == "--random-weights" || name == "--no-pin" ||
                  name == "--profile";
    if (isFlag) {
      if (reader.hasInlineValue())
        return name + " takes no value";
      options.showHelp |= name == "--help" || name == "-h";
      options.randomWeights |= name == "--random-weights";
      options.pinThreads &= name != "--no-pin";
      options.profile |= name == "--profile";
      continue;
    }

    std::optional<std::vector<int64_t>> *list =
        name == "--tokens"                   ? &options.tokens
        : name == "--encoder-tokens"         ? &options.encoderTokens
        : name == "--attention-mask"         ? &options.attentionMask
        : name == "--encoder-attention-mask" ? &options.encoderAttentionMask
                                             : nullptr;
    bool isNumber = name == "--threads" || name == "--top-k" ||
                    name == "--bench" || name == "--seed";
    bool isPath = name == "--weights" || name == "--output-file";
    if (!list && !isNumber && !isPath)
      return "unknown option '" + name + "'; see --help";
    std::optional<std::string> value = reader.takeValue();
    if (!value)
      return name + " needs a value";

    if (isPath) {
      if (value->empty())
        return name + " needs a path";
      (name == "--weights" ? options.weightsPath : options.outputFile) = *value;
    } else if (list) {
      *list = parseList(*value);
      if (!*list)
        return name + " expects comma-separated integers, got '" + *value + "'";
    } else if (name == "--seed") {
      options.seed = parseSeed(*value);
      if (!options.seed)
        return "--seed expects a non-negative integer, got '" + *value + "'";
    } else {
      int64_t min = name == "--threads" ? 0 : 1;
      int64_t max =
          name == "--threads" ? 1024 : std::numeric_limits<int32_t>::max();
      std::optional<int64_t> number = parseInteger(*value, min, max);
      if (!number)
        return name + " expects an integer in [" + std::to_string(min) + ", " +
               std::to_string(max) + "], got '" + *value + "'";
      if (name == "--threads")
        options.numThreads = static_cast<int32_t>(*number);
      else if (name == "--top-k")
        options.topK = *number;
      else
        options.benchRuns = *number;
    }
  }
  if (options.seed && !options.randomWeights)
    return "--seed needs --random-weights";
  return std::nullopt;
}

/// Prints the `count` tensors at `tensors` of `desc` under `title`.
static void printTensors(std::FILE *stream, const char *title,
                         const kiln_model_desc &desc, int32_t count,
                         const kiln_tensor_desc *tensors) {
  std::fprintf(stream, "  %s:\n", title);
  for (int32_t i = 0; i < count; ++i) {
    const kiln_tensor_desc &tensor = tensors[i];
    std::fprintf(stream, "    %-24s %-4s %s", tensor.name,
                 kiln_dtype_name(tensor.dtype),
                 kiln::runtime::formatSymbolicDims(desc, tensor).c_str());
    if (tensor.id_bound > 0)
      std::fprintf(stream, ", ids in [0, %lld)",
                   static_cast<long long>(tensor.id_bound));
    std::fputc('\n', stream);
  }
}

void kiln::driver::printHelp(std::FILE *stream, const char *program,
                             const kiln_model_desc &desc) {
  std::fprintf(stream, "Runs the Kiln-compiled model '%s' on token ids.\n\n",
               desc.name);
  std::fprintf(stream,
               "usage: %s (--weights PATH | --random-weights [--seed N])\n"
               "       %*s --tokens IDS [options]\n\n",
               program, static_cast<int>(std::strlen(program)), "");
  std::fputs(
      "Weights:\n"
      "  --weights PATH            a .safetensors file, a sharded "
      "checkpoint's\n"
      "                            index .json, or a directory holding either\n"
      "  --random-weights          seeded pseudo-random weights instead\n"
      "  --seed N                  the seed of --random-weights (default 0)\n"
      "Inputs (comma-separated integers, one sequence):\n"
      "  --tokens IDS              token ids, e.g. 464,2068,7586: input_ids,\n"
      "                            or decoder_input_ids of encoder-decoders\n"
      "  --encoder-tokens IDS      encoder_input_ids of encoder-decoders\n"
      "  --attention-mask MASK     1 for tokens to attend to, 0 for padding\n"
      "                            (default all ones), e.g. 1,1,0\n"
      "  --encoder-attention-mask MASK\n"
      "                            the same for --encoder-tokens\n"
      "Running:\n"
      "  --threads N               threads running kernels, 0 for one per\n"
      "                            CPU (default 0)\n"
      "  --no-pin                  leave threads unpinned (default: worker i\n"
      "                            runs on the i-th CPU)\n"
      "  --top-k K                 next tokens printed for logits (default 5)\n"
      "  --bench N                 after the first run, time N more and print\n"
      "                            their median and minimum latency\n"
      "  --profile                 time every kernel call: a table on stderr\n"
      "                            and a Chrome trace (also KILN_PROFILE=1;\n"
      "                            the trace goes to $KILN_PROFILE_TRACE, by\n"
      "                            default kiln-trace.json)\n"
      "  --output-file PATH        also write the first output as a NumPy\n"
      "                            .npy file (float32)\n"
      "  --help                    this text\n\n"
      "Output: the top-k next tokens and their logits at the last position\n"
      "for `logits`, the vector and its norm for `pooled_embedding`, and the\n"
      "shape and statistics of any other output. Errors exit with status "
      "1.\n\n",
      stream);

  std::fprintf(stream, "Model '%s' (output kind: %s)\n", desc.name,
               desc.output_kind);
  std::fputs("  run-time sizes:\n", stream);
  for (int32_t k = 0; k < desc.num_sizes; ++k)
    std::fprintf(stream, "    %-24s at most %lld\n", desc.sizes[k].name,
                 static_cast<long long>(desc.sizes[k].max));
  printTensors(stream, "inputs", desc, desc.num_inputs, desc.inputs);
  printTensors(stream, "outputs", desc, desc.num_outputs, desc.outputs);
  std::fprintf(stream, "  %d weights, %d kernel calls, %lld bytes of arena\n",
               desc.num_weights, desc.num_kernel_calls,
               static_cast<long long>(desc.arena_bytes));
}
