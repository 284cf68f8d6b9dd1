//===- NpyFile.cpp - Read and write NumPy .npy arrays ---------------------===//

#include "NpyFile.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace kiln {

static constexpr char kMagic[] = "\x93NUMPY";

Error writeNpy(StringRef path, ArrayRef<int64_t> shape,
               ArrayRef<double> values) {
  std::error_code error;
  raw_fd_ostream file(path, error);
  if (error)
    return createStringError(error, "cannot write '%s'", path.str().c_str());
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
  for (int64_t dim : shape)
    header += std::to_string(dim) + ", ";
  header += "), }";
  // The header is padded with spaces so that the data starts at a multiple
  // of 64 bytes, and ends with a newline.
  size_t unpadded = 6 + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  file.write(kMagic, 6);
  file << '\x01' << '\x00';
  uint16_t length = header.size();
  file.write(reinterpret_cast<const char *>(&length), 2);
  file << header;
  file.write(reinterpret_cast<const char *>(values.data()),
             values.size() * sizeof(double));
  return Error::success();
}

Expected<NpyArray> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return createStringError(buffer.getError(), "cannot read '%s'",
                             path.str().c_str());
  StringRef data = (*buffer)->getBuffer();
  auto malformed = [&](const char *what) {
    return createStringError(inconvertibleErrorCode(), "'%s' is not a .npy "
                             "file: %s", path.str().c_str(), what);
  };
  if (data.size() < 10 || !data.starts_with(StringRef(kMagic, 6)) ||
      data[6] != 1)
    return malformed("expected the version 1.0 magic");
  uint16_t length;
  std::memcpy(&length, data.data() + 8, 2);
  if (data.size() < 10u + length)
    return malformed("truncated header");
  StringRef header = data.substr(10, length);
  SmallVector<StringRef> match;
  if (!Regex("'descr': *'<f([48])'").match(header, &match))
    return malformed("expected little-endian float32 or float64");
  size_t elementSize = match[1] == "4" ? 4 : 8;
  if (header.contains("'fortran_order': True"))
    return malformed("expected C order");
  if (!Regex("'shape': *\\(([0-9, ]*)\\)").match(header, &match))
    return malformed("no shape");

  NpyArray array;
  SmallVector<StringRef> dims;
  match[1].split(dims, ',', -1, /*KeepEmpty=*/false);
  size_t count = 1;
  for (StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t size;
    if (dim.getAsInteger(10, size) || size < 0)
      return malformed("bad shape");
    array.shape.push_back(size);
    count *= size;
  }
  StringRef payload = data.drop_front(10 + length);
  if (payload.size() != count * elementSize)
    return malformed("data size does not match the shape");
  array.values.resize(count);
  for (size_t i = 0; i < count; ++i) {
    if (elementSize == 4) {
      float value;
      std::memcpy(&value, payload.data() + 4 * i, 4);
      array.values[i] = value;
    } else {
      std::memcpy(&array.values[i], payload.data() + 8 * i, 8);
    }
  }
  return array;
}

} // namespace kiln
