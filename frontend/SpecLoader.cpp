//===- SpecLoader.cpp - Load a model description from a file --------------===//
//
// Reads the file into the SourceMgr and hands it to the YAML spec parser or
// the Hugging Face importer according to its extension.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecLoader.h"

#include "frontend/HFConfigImporter.h"
#include "frontend/SpecDiagnostics.h"
#include "frontend/SpecParser.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace kiln;
using namespace llvm;

std::optional<ModelSpec> kiln::loadModelSpec(StringRef path,
                                             SourceMgr &sourceMgr) {
  SpecDiagnostics diagnostics(sourceMgr);
  std::optional<SpecFormat> format =
      StringSwitch<std::optional<SpecFormat>>(
          sys::path::extension(path).lower())
          .Cases(".yaml", ".yml", SpecFormat::KilnYaml)
          .Case(".json", SpecFormat::HuggingFaceConfig)
          .Default(std::nullopt);
  if (!format) {
    diagnostics.fileError(path, "unrecognised model description; expected a "
                                "Kiln spec (.yaml, .yml) or a Hugging Face "
                                "config (.json)");
    return std::nullopt;
  }

  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    diagnostics.fileError(path, "cannot read the model description: " +
                                    error.message());
    return std::nullopt;
  }
  unsigned bufferId = sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  return loadModelSpec(bufferId, *format, sourceMgr);
}

std::optional<ModelSpec> kiln::loadModelSpec(unsigned bufferId,
                                             SpecFormat format,
                                             SourceMgr &sourceMgr) {
  SpecDiagnostics diagnostics(sourceMgr);
  switch (format) {
  case SpecFormat::KilnYaml:
    return parseKilnSpec(bufferId, diagnostics);
  case SpecFormat::HuggingFaceConfig:
    return importHFConfig(bufferId, diagnostics);
  }
  llvm_unreachable("unknown spec format");
}
