//===- SpecTestUtils.h - Fixture for model-spec tests -----------*- C++ -*-===//
//
// Loads model descriptions from strings or from files of the source tree and
// records every diagnostic the frontend reports, so that tests can check
// both the resulting ModelSpec and the exact `file:line:col` of an error.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_FRONTEND_SPECTESTUTILS_H
#define KILN_UNITTESTS_FRONTEND_SPECTESTUTILS_H

#include "frontend/SpecLoader.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kiln::test {

/// One diagnostic as the frontend reported it.
struct Diagnostic {
  llvm::SourceMgr::DiagKind kind;
  std::string file;
  /// 1-based, as printed.
  int line;
  int column;
  std::string message;
  /// The whole diagnostic as a user sees it, with source line and caret.
  std::string rendered;
};

/// Replaces the first occurrence of `from` in `text` by `to`; fails the test
/// if there is none, so that a case cannot silently test the unchanged text.
inline std::string replaceOnce(std::string text, llvm::StringRef from,
                               llvm::StringRef to) {
  size_t pos = text.find(from.str());
  EXPECT_NE(pos, std::string::npos) << "'" << from.str() << "' not in spec";
  if (pos != std::string::npos)
    text.replace(pos, from.size(), to.str());
  return text;
}

/// The absolute path of a file of the source tree.
inline std::string sourcePath(llvm::StringRef relativePath) {
  return (llvm::Twine(KILN_SOURCE_DIR) + "/" + relativePath).str();
}

/// A fixture with a SourceMgr whose diagnostics are recorded.
class SpecTest : public ::testing::Test {
protected:
  SpecTest() { sourceMgr.setDiagHandler(record, this); }

  /// Loads `text` as a Kiln YAML spec named `file`.
  std::optional<ModelSpec> loadYaml(llvm::StringRef text,
                                    llvm::StringRef file = "spec.yaml") {
    return load(text, file, SpecFormat::KilnYaml);
  }

  /// Loads `text` as a Hugging Face config named `file`.
  std::optional<ModelSpec> loadJson(llvm::StringRef text,
                                    llvm::StringRef file = "tiny/config.json") {
    return load(text, file, SpecFormat::HuggingFaceConfig);
  }

  /// Loads a file of the source tree through the path-based entry point.
  std::optional<ModelSpec> loadSourceFile(llvm::StringRef relativePath) {
    return loadModelSpec(sourcePath(relativePath), sourceMgr);
  }

  /// The recorded diagnostics of kind `kind`.
  std::vector<Diagnostic> diagnosticsOfKind(llvm::SourceMgr::DiagKind kind) {
    std::vector<Diagnostic> result;
    for (const Diagnostic &diagnostic : diagnostics)
      if (diagnostic.kind == kind)
        result.push_back(diagnostic);
    return result;
  }

  std::vector<Diagnostic> errors() {
    return diagnosticsOfKind(llvm::SourceMgr::DK_Error);
  }

  std::vector<Diagnostic> warnings() {
    return diagnosticsOfKind(llvm::SourceMgr::DK_Warning);
  }

  /// All diagnostics as the user would see them, for failure messages.
  std::string renderAll() const {
    std::string text;
    for (const Diagnostic &diagnostic : diagnostics)
      text += diagnostic.rendered;
    return text;
  }

  /// Expects exactly one error, at `line`:`column`, whose message contains
  /// `message`.
  void expectSingleError(int line, int column, llvm::StringRef message) {
    std::vector<Diagnostic> found = errors();
    ASSERT_EQ(found.size(), 1u) << renderAll();
    EXPECT_EQ(found[0].line, line) << renderAll();
    EXPECT_EQ(found[0].column, column) << renderAll();
    EXPECT_NE(found[0].message.find(message.str()), std::string::npos)
        << "expected '" << message.str() << "' in:\n"
        << renderAll();
  }

  llvm::SourceMgr sourceMgr;
  std::vector<Diagnostic> diagnostics;

private:
  std::optional<ModelSpec> load(llvm::StringRef text, llvm::StringRef file,
                                SpecFormat format) {
    unsigned bufferId = sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, file), llvm::SMLoc());
    return loadModelSpec(bufferId, format, sourceMgr);
  }

  static void record(const llvm::SMDiagnostic &diagnostic, void *context) {
    std::string rendered;
    llvm::raw_string_ostream os(rendered);
    diagnostic.print(/*ProgName=*/nullptr, os, /*ShowColors=*/false);
    static_cast<SpecTest *>(context)->diagnostics.push_back(
        {diagnostic.getKind(), diagnostic.getFilename().str(),
         diagnostic.getLineNo(), diagnostic.getColumnNo() + 1,
         diagnostic.getMessage().str(), rendered});
  }
};

/// A malformed input and the error it must give.
struct BadInput {
  /// A test name: letters, digits and underscores.
  std::string name;
  std::string text;
  int line;
  int column;
  /// A part of the expected message.
  std::string message;
};

/// Prints a case by name in test results.
inline void PrintTo(const BadInput &input, std::ostream *os) {
  *os << input.name;
}

/// Names parameterised tests after their case.
inline std::string
badInputName(const ::testing::TestParamInfo<BadInput> &info) {
  return info.param.name;
}

/// A complete small GPT-2 spec of ten lines; tests edit it or append
/// sections from line 11 on.
inline const std::string kTinyGpt2 = R"(model:
  family: gpt2
  vocab_size: 100
  d_model: 64
  layers: 2
  max_seq_len: 32
attention:
  heads: 4
ffn:
  dim: 256
)";

} // namespace kiln::test

#endif // KILN_UNITTESTS_FRONTEND_SPECTESTUTILS_H
