//===- MappedFile.h - A read-only memory mapping of a file ------*- C++ -*-===//
//
// Checkpoints are mapped rather than read so that opening one costs nothing
// until its tensors are touched and an unconverted tensor can be used in
// place. The mapping is private and read-only and lives as long as the
// MappedFile.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_MAPPEDFILE_H
#define KILN_RUNTIME_SRC_MAPPEDFILE_H

#include "runtime/src/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::runtime {

/// The whole contents of one regular file, mapped read-only.
class MappedFile {
public:
  MappedFile() = default;
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  /// Maps the regular file at `path` into `file`, which must be unmapped.
  /// An empty file maps to no bytes.
  static Status open(const std::string &path, MappedFile &file);

  /// The first byte, or null for an empty file.
  const uint8_t *data() const { return bytes; }
  size_t size() const { return length; }

  /// The bytes [offset, offset + count), which must lie inside the file.
  std::string_view slice(size_t offset, size_t count) const {
    return {reinterpret_cast<const char *>(bytes) + offset, count};
  }

private:
  const uint8_t *bytes = nullptr;
  size_t length = 0;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_MAPPEDFILE_H
