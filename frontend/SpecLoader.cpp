//===- SpecLoader.cpp - Load a model description from a file --------------===//
//
// Reads the file into the SourceMgr, checks that it is UTF-8, and hands it to
// the YAML spec parser or the Hugging Face importer according to its
// extension.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpecLoader.h"

#include "frontend/HFConfigImporter.h"
#include "frontend/SpecDiagnostics.h"
#include "frontend/SpecParser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace kiln;
using namespace llvm;

/// Whether buffer `bufferId` is valid UTF-8; if not, reports its first byte
/// that is not. LLVM's YAML parser passes such bytes through, so a Latin-1
/// file would otherwise give names that no UTF-8 checkpoint holds; checking
/// once here gives both formats the same message.
static bool checkUTF8(unsigned bufferId, SpecDiagnostics &diagnostics) {
  StringRef text =
      diagnostics.getSourceMgr().getMemoryBuffer(bufferId)->getBuffer();
  size_t offset = 0;
  if (json::isUTF8(text, &offset))
    return true;
  auto byte = static_cast<unsigned char>(text[offset]);
  diagnostics.error(SMLoc::getFromPointer(text.data() + offset),
                    "invalid UTF-8 byte 0x" + utohexstr(byte) +
                        "; model descriptions must be UTF-8");
  return false;
}

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
  if (!checkUTF8(bufferId, diagnostics))
    return std::nullopt;
  switch (format) {
  case SpecFormat::KilnYaml:
    return parseKilnSpec(bufferId, diagnostics);
  case SpecFormat::HuggingFaceConfig:
    return importHFConfig(bufferId, diagnostics);
  }
  llvm_unreachable("unknown spec format");
}
