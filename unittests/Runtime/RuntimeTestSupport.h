//===- RuntimeTestSupport.h - Helpers for runtime tests ---------*- C++ -*-===//
//
// A scratch directory per test, owning wrappers of the C API's handles, and
// shorthands for opening a checkpoint and checking the error it gives.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_RUNTIME_RUNTIMETESTSUPPORT_H
#define KILN_UNITTESTS_RUNTIME_RUNTIMETESTSUPPORT_H

#include "kiln/runtime.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

namespace kiln::runtime::test {

/// Frees a kiln_status.
struct FreeStatus {
  void operator()(kiln_status *status) const { kiln_status_free(status); }
};
/// An owned kiln_status; null for success.
using StatusPtr = std::unique_ptr<kiln_status, FreeStatus>;

/// Closes a kiln_weights.
struct CloseWeights {
  void operator()(kiln_weights *weights) const { kiln_weights_close(weights); }
};
/// An owned kiln_weights.
using WeightsPtr = std::unique_ptr<kiln_weights, CloseWeights>;

/// A fresh directory under the system's temporary directory, removed with
/// its contents on destruction.
class TemporaryDirectory {
public:
  TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory &) = delete;
  TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;
  ~TemporaryDirectory();

  /// The directory itself.
  const std::string &getPath() const { return path; }

  /// The path of `name` inside the directory.
  std::string getPath(std::string_view name) const;

  /// Writes `bytes` to the file `name` inside the directory, creating its
  /// parent directories, and returns its path.
  std::string write(std::string_view name, std::string_view bytes) const;

private:
  std::string path;
};

/// The result of opening a checkpoint: weights on success, else an error.
struct OpenResult {
  WeightsPtr weights;
  StatusPtr status;
};

/// Opens the checkpoint at `path`.
OpenResult openWeights(const std::string &path);

/// Expects opening `path` to fail with `code` and returns the message with
/// the "'<prefix>': " it starts with removed (the whole message when it
/// does not start so). Records a test failure, and returns "", otherwise.
std::string expectOpenError(const std::string &path, kiln_status_code code,
                            const std::string &prefix);

/// Checks `status` is null, printing its message otherwise.
::testing::AssertionResult isOk(const StatusPtr &status);

} // namespace kiln::runtime::test

#endif // KILN_UNITTESTS_RUNTIME_RUNTIMETESTSUPPORT_H
