//===- SafetensorsWriter.h - Write safetensors files ------------*- C++ -*-===//
//
// Serialises tensors into the bytes of a safetensors file the way the
// reference writer lays them out: the loader's tests run on real files made
// with it, and kiln-reference writes its checkpoints with it. Also frames
// hand-written (possibly malformed) headers for the tests of the loader's
// validation.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_WRITER_SAFETENSORSWRITER_H
#define KILN_RUNTIME_WRITER_SAFETENSORSWRITER_H

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::safetensors {

/// One tensor to serialise.
struct SafetensorsTensor {
  std::string name;
  /// The safetensors dtype name ("F32").
  std::string dtype;
  std::vector<int64_t> shape;
  /// The stored little-endian bytes.
  std::string bytes;
};

/// The bytes of a safetensors file holding `tensors`, stored in the given
/// order with the header listing them in that order, after an optional
/// `__metadata__` object. As in the reference writer, the header is padded
/// with spaces to a multiple of 8 bytes.
std::string serializeSafetensors(
    const std::vector<SafetensorsTensor> &tensors,
    const std::vector<std::pair<std::string, std::string>> &metadata = {});

/// The bytes of a safetensors file with the given header text and data
/// region: the 8-byte little-endian header length, then both verbatim.
std::string frameSafetensors(std::string_view header, std::string_view data);

/// `text` as a JSON string literal, quotes included.
std::string toJsonString(std::string_view text);

/// The in-memory (little-endian) bytes of `values`.
template <typename T> std::string toBytes(const std::vector<T> &values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty())
    std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

} // namespace kiln::safetensors

#endif // KILN_RUNTIME_WRITER_SAFETENSORSWRITER_H
