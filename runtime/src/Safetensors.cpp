//===- Safetensors.cpp - Validated safetensors files ----------------------===//
//
// Validation runs in the order a reader needs it: the length field, the
// header's bounds, its JSON, each tensor entry on its own, and finally how
// the entries tile the data region together. Every arithmetic step on
// values from the file is checked for overflow.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Safetensors.h"

#include "runtime/src/DType.h"
#include "runtime/src/Json.h"

#include <algorithm>
#include <tuple>

using namespace kiln::runtime;

/// Size of the little-endian header length that starts the file.
constexpr size_t headerLengthBytes = 8;

/// The key of the optional string-to-string metadata in the header.
constexpr std::string_view metadataKey = "__metadata__";

namespace {

/// Validates one file; every error message starts with the file's name.
class SafetensorsParser {
public:
  SafetensorsParser(std::string_view bytes, const std::string &path)
      : bytes(bytes), path(path) {}

  Status parse(SafetensorsLayout &layout);

private:
  /// An INVALID_FORMAT error about the file.
  Status invalid(const std::string &message) const {
    return makeError(KILN_STATUS_INVALID_FORMAT, quote(path) + ": " + message);
  }

  /// An INVALID_FORMAT error about the tensor `name`.
  Status invalidTensor(const std::string &name,
                       const std::string &message) const {
    return invalid("tensor " + quote(name) + " " + message);
  }

  Status parseMetadata(const JsonValue &metadata) const;
  Status parseTensor(const std::string &name, const JsonValue &entry,
                     uint64_t dataBytes, TensorEntry &tensor) const;
  Status parseShape(const std::string &name, const JsonValue &shape,
                    std::vector<int64_t> &dims) const;
  Status parseDataOffsets(const std::string &name, const JsonValue &offsets,
                          TensorEntry &tensor) const;
  Status checkTiling(std::vector<TensorEntry> &tensors,
                     uint64_t dataBytes) const;

  std::string_view bytes;
  const std::string &path;
};

} // namespace

/// Formats a byte range from a header for a message: [0, 16].
static std::string formatOffsets(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

Status SafetensorsParser::parse(SafetensorsLayout &layout) {
  if (bytes.size() < headerLengthBytes)
    return invalid("file is " + std::to_string(bytes.size()) +
                   " bytes, too short for the 8-byte header length");
  uint64_t headerBytes = 0;
  for (size_t i = 0; i < headerLengthBytes; ++i)
    headerBytes |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (headerBytes > maxSafetensorsHeaderBytes)
    return invalid("header length " + std::to_string(headerBytes) +
                   " exceeds the limit of " +
                   std::to_string(maxSafetensorsHeaderBytes) + " bytes");
  uint64_t available = bytes.size() - headerLengthBytes;
  if (headerBytes > available)
    return invalid("header length " + std::to_string(headerBytes) +
                   " runs past the end of the file (" +
                   std::to_string(bytes.size()) + " bytes)");

  JsonError jsonError;
  std::optional<JsonValue> header =
      parseJson(bytes.substr(headerLengthBytes, headerBytes), jsonError);
  if (!header)
    return invalid("header is not valid JSON: " + jsonError.message +
                   " at header byte " + std::to_string(jsonError.offset));
  if (header->kind != JsonValue::Kind::Object)
    return invalid("header must be a JSON object, got " + header->describe());

  uint64_t dataBytes = available - headerBytes;
  layout.dataStart = headerLengthBytes + headerBytes;
  layout.tensors.clear();
  layout.tensors.reserve(header->members.size());
  for (const JsonMember &member : header->members) {
    if (member.key == metadataKey) {
      if (Status error = parseMetadata(member.value))
        return error;
      continue;
    }
    TensorEntry &tensor = layout.tensors.emplace_back();
    if (Status error = parseTensor(member.key, member.value, dataBytes, tensor))
      return error;
  }
  return checkTiling(layout.tensors, dataBytes);
}

Status SafetensorsParser::parseMetadata(const JsonValue &metadata) const {
  if (metadata.kind != JsonValue::Kind::Object)
    return invalid(std::string(metadataKey) +
                   " must be an object of strings, got " + metadata.describe());
  for (const JsonMember &member : metadata.members)
    if (member.value.kind != JsonValue::Kind::String)
      return invalid(std::string(metadataKey) + " entry " + quote(member.key) +
                     " must be a string, got " + member.value.describe());
  return ok();
}

Status SafetensorsParser::parseTensor(const std::string &name,
                                      const JsonValue &entry,
                                      uint64_t dataBytes,
                                      TensorEntry &tensor) const {
  // The C API hands names out as C strings, which cannot hold a NUL.
  if (name.find('\0') != std::string::npos)
    return invalid("tensor name " + quote(name) + " contains a NUL character");
  tensor.name = name;
  if (entry.kind != JsonValue::Kind::Object)
    return invalidTensor(name, "must be an object with dtype, shape and "
                               "data_offsets, got " +
                                   entry.describe());
  for (const JsonMember &member : entry.members)
    if (member.key != "dtype" && member.key != "shape" &&
        member.key != "data_offsets")
      return invalidTensor(name, "has unknown field " + quote(member.key) +
                                     ", expected dtype, shape and "
                                     "data_offsets");

  const JsonValue *dtype = entry.find("dtype");
  if (!dtype)
    return invalidTensor(name, "has no dtype");
  if (dtype->kind != JsonValue::Kind::String)
    return invalidTensor(name,
                         "dtype must be a string, got " + dtype->describe());
  std::optional<kiln_dtype> parsedDType = parseDTypeName(dtype->text);
  if (!parsedDType)
    return invalidTensor(name, "has unknown dtype " + quote(dtype->text) +
                                   ", expected one of " + listDTypeNames());
  tensor.dtype = *parsedDType;

  const JsonValue *shape = entry.find("shape");
  if (!shape)
    return invalidTensor(name, "has no shape");
  if (Status error = parseShape(name, *shape, tensor.shape))
    return error;

  const JsonValue *offsets = entry.find("data_offsets");
  if (!offsets)
    return invalidTensor(name, "has no data_offsets");
  if (Status error = parseDataOffsets(name, *offsets, tensor))
    return error;

  std::string range = formatOffsets(tensor.begin, tensor.end);
  if (tensor.begin > tensor.end)
    return invalidTensor(name,
                         "data_offsets " + range + " begin after they end");
  if (tensor.end > dataBytes)
    return invalidTensor(name, "data_offsets " + range +
                                   " end beyond the data region (" +
                                   std::to_string(dataBytes) + " bytes)");

  std::string described = std::string(kiln_dtype_name(tensor.dtype)) + " " +
                          formatShape(tensor.shape);
  // A zero dimension empties the tensor however large the others are.
  uint64_t expectedBytes = kiln_dtype_size(tensor.dtype);
  bool overflow = false;
  for (int64_t dim : tensor.shape)
    overflow |= __builtin_mul_overflow(
        expectedBytes, static_cast<uint64_t>(dim), &expectedBytes);
  if (std::count(tensor.shape.begin(), tensor.shape.end(), 0) != 0)
    expectedBytes = 0;
  else if (overflow)
    return invalidTensor(name, "of " + described + " has more than 2^64 bytes");
  if (tensor.end - tensor.begin != expectedBytes)
    return invalidTensor(name, "data_offsets " + range + " span " +
                                   std::to_string(tensor.end - tensor.begin) +
                                   " bytes, expected " +
                                   std::to_string(expectedBytes) + " for " +
                                   described);
  return ok();
}

Status SafetensorsParser::parseShape(const std::string &name,
                                     const JsonValue &shape,
                                     std::vector<int64_t> &dims) const {
  if (shape.kind != JsonValue::Kind::Array)
    return invalidTensor(name, "shape must be an array of non-negative "
                               "integers, got " +
                                   shape.describe());
  dims.reserve(shape.elements.size());
  for (size_t i = 0; i < shape.elements.size(); ++i) {
    std::optional<uint64_t> dim = shape.elements[i].getUnsigned();
    if (!dim || *dim > uint64_t(INT64_MAX))
      return invalidTensor(name, "shape dimension " + std::to_string(i) +
                                     " must be an integer in [0, 2^63), "
                                     "got " +
                                     shape.elements[i].describe());
    dims.push_back(static_cast<int64_t>(*dim));
  }
  return ok();
}

Status SafetensorsParser::parseDataOffsets(const std::string &name,
                                           const JsonValue &offsets,
                                           TensorEntry &tensor) const {
  if (offsets.kind != JsonValue::Kind::Array || offsets.elements.size() != 2)
    return invalidTensor(
        name, "data_offsets must be an array of two integers, got " +
                  (offsets.kind == JsonValue::Kind::Array
                       ? "an array of " +
                             std::to_string(offsets.elements.size()) + " values"
                       : offsets.describe()));
  uint64_t *bounds[] = {&tensor.begin, &tensor.end};
  for (size_t i = 0; i < 2; ++i) {
    std::optional<uint64_t> bound = offsets.elements[i].getUnsigned();
    if (!bound)
      return invalidTensor(name, "data_offsets element " + std::to_string(i) +
                                     " must be an integer in [0, 2^64), "
                                     "got " +
                                     offsets.elements[i].describe());
    *bounds[i] = *bound;
  }
  return ok();
}

/// Requires the tensors, ordered by offset, to cover [0, dataBytes) exactly
/// as the reference implementation does: an overlap would let one tensor's
/// bytes be read as another's, and gaps or trailing bytes mean the header
/// does not describe the file it is in.
Status SafetensorsParser::checkTiling(std::vector<TensorEntry> &tensors,
                                      uint64_t dataBytes) const {
  // Names break ties so that messages do not depend on the sort.
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorEntry &lhs, const TensorEntry &rhs) {
              return std::tie(lhs.begin, lhs.end, lhs.name) <
                     std::tie(rhs.begin, rhs.end, rhs.name);
            });
  uint64_t covered = 0;
  const TensorEntry *previous = nullptr;
  auto describeUncovered = [&](uint64_t end) {
    return "bytes [" + std::to_string(covered) + ", " + std::to_string(end) +
           ") of the data region belong to no tensor" +
           (previous ? " (they follow tensor " + quote(previous->name) + ")"
                     : "");
  };
  for (const TensorEntry &tensor : tensors) {
    if (tensor.begin < covered)
      return invalidTensor(
          tensor.name, "data_offsets " +
                           formatOffsets(tensor.begin, tensor.end) +
                           " overlap tensor " + quote(previous->name) + " at " +
                           formatOffsets(previous->begin, previous->end));
    if (tensor.begin > covered)
      return invalid(describeUncovered(tensor.begin));
    covered = tensor.end;
    previous = &tensor;
  }
  if (covered != dataBytes)
    return invalid(describeUncovered(dataBytes));
  return ok();
}

Status kiln::runtime::parseSafetensors(std::string_view bytes,
                                       const std::string &path,
                                       SafetensorsLayout &layout) {
  return SafetensorsParser(bytes, path).parse(layout);
}

Status SafetensorsFile::open(const std::string &path, SafetensorsFile &file) {
  file.path = path;
  if (Status error = MappedFile::open(path, file.mapping))
    return error;
  return parseSafetensors(file.mapping.slice(0, file.mapping.size()), path,
                          file.layout);
}
