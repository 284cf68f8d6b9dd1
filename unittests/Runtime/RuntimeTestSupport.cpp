//===- RuntimeTestSupport.cpp - Helpers for runtime tests -----------------===//
//
// Scratch directories use std::filesystem; everything else goes through the
// runtime's C API exactly as a user of the runtime would.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/RuntimeTestSupport.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace kiln::runtime::test;
namespace fs = std::filesystem;

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern =
      (fs::temp_directory_path() / "kiln-runtime-test-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    ADD_FAILURE() << "cannot create a directory from " << pattern;
  path = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

std::string TemporaryDirectory::getPath(std::string_view name) const {
  return (fs::path(path) / name).string();
}

std::string TemporaryDirectory::write(std::string_view name,
                                      std::string_view bytes) const {
  std::string filePath = getPath(name);
  fs::create_directories(fs::path(filePath).parent_path());
  std::ofstream file(filePath, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file)
    ADD_FAILURE() << "cannot write " << filePath;
  return filePath;
}

OpenResult kiln::runtime::test::openWeights(const std::string &path) {
  kiln_weights *weights = nullptr;
  StatusPtr status(kiln_weights_open(path.c_str(), &weights));
  return {WeightsPtr(weights), std::move(status)};
}

std::string kiln::runtime::test::expectOpenError(const std::string &path,
                                                 kiln_status_code code,
                                                 const std::string &prefix) {
  OpenResult result = openWeights(path);
  if (!result.status) {
    ADD_FAILURE() << "opening " << path << " succeeded, expected an error";
    return "";
  }
  EXPECT_EQ(result.weights, nullptr);
  std::string message = kiln_status_get_message(result.status.get());
  EXPECT_EQ(kiln_status_get_code(result.status.get()), code) << message;
  std::string quoted = "'" + prefix + "': ";
  if (message.compare(0, quoted.size(), quoted) == 0)
    return message.substr(quoted.size());
  return message;
}

::testing::AssertionResult kiln::runtime::test::isOk(const StatusPtr &status) {
  if (!status)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "error " << kiln_status_get_code(status.get()) << ": "
         << kiln_status_get_message(status.get());
}
