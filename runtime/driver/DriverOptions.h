//===- DriverOptions.h - Command line of model executables ------*- C++ -*-===//
//
// Every executable that kiln-compile links shares one command line: where
// the weights come from, the token ids to run on, how many threads to use,
// and what to measure. This parses it, without touching the model, and
// documents it in --help along with the model's own inputs and limits.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DRIVER_DRIVEROPTIONS_H
#define KILN_RUNTIME_DRIVER_DRIVEROPTIONS_H

#include "kiln/model_abi.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace kiln::driver {

/// The parsed command line.
struct DriverOptions {
  bool showHelp = false;
  /// --weights PATH.
  std::string weightsPath;
  /// --random-weights and --seed N.
  bool randomWeights = false;
  std::optional<uint64_t> seed;
  /// --tokens: the ids of `input_ids`, or of `decoder_input_ids` in an
  /// encoder-decoder model; --encoder-tokens: those of `encoder_input_ids`.
  std::optional<std::vector<int64_t>> tokens;
  std::optional<std::vector<int64_t>> encoderTokens;
  /// --attention-mask and --encoder-attention-mask; all ones by default.
  std::optional<std::vector<int64_t>> attentionMask;
  std::optional<std::vector<int64_t>> encoderAttentionMask;
  /// --threads N (0: one per CPU) and --no-pin.
  int32_t numThreads = 0;
  bool pinThreads = true;
  /// --top-k K: how many next tokens to print for logits.
  int64_t topK = 5;
  /// --bench N: timed runs after the first; 0 for none.
  int64_t benchRuns = 0;
  /// --profile.
  bool profile = false;
  /// --output-file PATH: the first output as a NumPy .npy file.
  std::string outputFile;
};

/// Parses `argv[1..argc)` into `options`; returns the message of the first
/// malformed or unknown argument, or nothing on success.
std::optional<std::string> parseDriverOptions(int argc, char **argv,
                                              DriverOptions &options);

/// Prints the usage of `program`, every option, and the name, run-time
/// sizes, inputs and outputs of the model `desc` to `stream`.
void printHelp(std::FILE *stream, const char *program,
               const kiln_model_desc &desc);

} // namespace kiln::driver

#endif // KILN_RUNTIME_DRIVER_DRIVEROPTIONS_H
