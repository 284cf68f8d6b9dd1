//===- WorkerProcess.cpp - Run a measurement in a child process -----------===//
//
// Starts the worker with LLVM's process API and polls it, which lets one
// loop watch both the deadline and the interrupt flag. Killing uses POSIX
// signals: Kiln's kernels target x86-64 Linux only. Workers are detached
// from the terminal and die with the tuner (see kiln-tune's worker mode).
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/WorkerProcess.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <csignal>
#include <thread>

using namespace llvm;

namespace kiln {

/// How often the worker is polled.
static constexpr std::chrono::milliseconds kPollInterval(20);

/// The last line that the worker wrote to the error file at `path` before
/// LLVM's crash report, if any, for messages.
static std::string readLastLine(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return "";
  SmallVector<StringRef> lines;
  (*file)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  std::string last;
  for (StringRef line : lines) {
    if (line.starts_with("PLEASE submit a bug report") ||
        line.starts_with("Stack dump"))
      break;
    if (!line.trim().empty())
      last = line.trim().str();
  }
  return last;
}

/// `message`, followed by the worker's error output if it wrote any.
static std::string withErrorOutput(std::string message, StringRef errorPath) {
  std::string errorOutput = readLastLine(errorPath);
  if (!errorOutput.empty())
    message += "; its last error output: " + errorOutput;
  return message;
}

/// Reads the result from the last non-empty line of the worker's output.
static WorkerOutcome readResult(StringRef outputPath, StringRef errorPath) {
  WorkerOutcome outcome;
  ErrorOr<std::unique_ptr<MemoryBuffer>> file =
      MemoryBuffer::getFile(outputPath);
  StringRef lastLine;
  if (file) {
    SmallVector<StringRef> lines;
    (*file)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    if (!lines.empty())
      lastLine = lines.back();
  }
  Expected<json::Value> value = json::parse(lastLine);
  if (!value) {
    outcome.message = withErrorOutput("the worker wrote no result (" +
                                          toString(value.takeError()) + ")",
                                      errorPath);
    return outcome;
  }
  Expected<MeasureResult> result = MeasureResult::fromJSON(*value);
  if (!result) {
    outcome.message =
        withErrorOutput("the worker wrote an unreadable result (" +
                            toString(result.takeError()) + ")",
                        errorPath);
    return outcome;
  }
  outcome.kind = WorkerOutcome::Kind::Finished;
  outcome.result = std::move(*result);
  return outcome;
}

/// Kills and reaps the worker.
static void killWorker(const sys::ProcessInfo &process) {
  ::kill(process.Pid, SIGKILL);
  sys::Wait(process, /*SecondsToWait=*/std::nullopt);
}

WorkerOutcome runWorkerProcess(const WorkerCommand &command,
                               const MeasureJob &job, double timeoutSeconds,
                               const std::function<bool()> &isInterrupted) {
  auto pathIn = [&](StringRef name) {
    SmallString<128> path(command.scratchDirectory);
    sys::path::append(path, name);
    return std::string(path);
  };
  std::string jobPath = pathIn("job.json");
  std::string outputPath = pathIn("result.json");
  std::string errorPath = pathIn("worker.err");
  // Redirected output is appended to an existing file, not truncated.
  sys::fs::remove(outputPath);
  sys::fs::remove(errorPath);
  WorkerOutcome outcome;
  {
    std::error_code error;
    raw_fd_ostream os(jobPath, error);
    if (error) {
      outcome.message = "cannot write '" + jobPath + "': " + error.message();
      return outcome;
    }
    os << job.toJSON();
  }

  SmallVector<StringRef> arguments(command.arguments.begin(),
                                   command.arguments.end());
  std::optional<StringRef> redirects[] = {
      StringRef(jobPath), StringRef(outputPath), StringRef(errorPath)};
  std::string errorMessage;
  bool executionFailed = false;
  // The worker runs in a session of its own, so that Ctrl-C reaches the
  // tuner only, which then stops the worker itself.
  sys::ProcessInfo process =
      sys::ExecuteNoWait(command.program, arguments, std::nullopt, redirects,
                         /*MemoryLimit=*/0, &errorMessage, &executionFailed,
                         /*AffinityMask=*/nullptr, /*DetachProcess=*/true);
  if (executionFailed) {
    outcome.message = "cannot start the worker: " + errorMessage;
    return outcome;
  }

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration<double>(timeoutSeconds);
  for (;;) {
    errorMessage.clear();
    sys::ProcessInfo status =
        sys::Wait(process, /*SecondsToWait=*/0, &errorMessage);
    if (status.Pid != 0) {
      if (status.ReturnCode == 0)
        return readResult(outputPath, errorPath);
      std::string how = status.ReturnCode == -2
                            ? "the worker died: " + errorMessage
                            : "the worker exited with status " +
                                  std::to_string(status.ReturnCode);
      outcome.message = withErrorOutput(how, errorPath);
      return outcome;
    }
    if (isInterrupted()) {
      killWorker(process);
      outcome.kind = WorkerOutcome::Kind::Interrupted;
      outcome.message = "interrupted";
      return outcome;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      killWorker(process);
      outcome.kind = WorkerOutcome::Kind::TimedOut;
      std::string limit;
      raw_string_ostream(limit) << format("%.0f", timeoutSeconds);
      outcome.message =
          withErrorOutput("the worker ran past its time limit of " + limit +
                              " s and was killed",
                          errorPath);
      return outcome;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

} // namespace kiln
