//===- SafetensorsWriter.cpp - Write safetensors files --------------------===//
//
// Writes the header JSON by hand (the runtime must not be tested with its
// own parser's idea of the format) and lays the data out contiguously.
//
//===----------------------------------------------------------------------===//

#include "runtime/writer/SafetensorsWriter.h"

using namespace kiln::safetensors;

/// The header is padded to a multiple of this many bytes.
constexpr size_t headerAlignment = 8;

std::string kiln::safetensors::toJsonString(std::string_view text) {
  static const char hexDigits[] = "0123456789abcdef";
  std::string json = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      json += '\\';
      json += c;
    } else if (byte < 0x20) {
      json += "\\u00";
      json += hexDigits[byte >> 4];
      json += hexDigits[byte & 0xf];
    } else {
      json += c;
    }
  }
  return json + "\"";
}

std::string kiln::safetensors::serializeSafetensors(
    const std::vector<SafetensorsTensor> &tensors,
    const std::vector<std::pair<std::string, std::string>> &metadata) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i)
      header += (i ? "," : "") + toJsonString(metadata[i].first) + ":" +
                toJsonString(metadata[i].second);
    header += "}";
  }
  std::string data;
  for (const SafetensorsTensor &tensor : tensors) {
    if (header.size() > 1)
      header += ",";
    header += toJsonString(tensor.name) + ":{\"dtype\":\"" + tensor.dtype +
              "\",\"shape\":[";
    for (size_t i = 0; i < tensor.shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(tensor.shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + tensor.bytes.size()) + "]}";
    data += tensor.bytes;
  }
  header += "}";
  header.append((headerAlignment - header.size() % headerAlignment) %
                    headerAlignment,
                ' ');
  return frameSafetensors(header, data);
}

std::string kiln::safetensors::frameSafetensors(std::string_view header,
                                                  std::string_view data) {
  std::string bytes;
  uint64_t length = header.size();
  for (int i = 0; i < 8; ++i)
    bytes += static_cast<char>((length >> (8 * i)) & 0xff);
  bytes += header;
  bytes += data;
  return bytes;
}
