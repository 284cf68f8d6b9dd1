//===- TensorFile.cpp - Reference tensors in a file -----------------------===//
//
// Writing and reading the tuner's tensor files, checking every size against
// what is left of the file before using it.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/TensorFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace kiln {

/// The first bytes of a tensor file.
static constexpr StringLiteral kMagic = "kiln-tensors-1\n";

/// Appends the bytes of `value` to `os`.
template <typename T> static void writeValue(raw_ostream &os, T value) {
  os.write(reinterpret_cast<const char *>(&value), sizeof(T));
}

Error writeTensorFile(StringRef path, ArrayRef<ReferenceTensor> tensors) {
  SmallString<128> temporaryPath;
  int fd;
  if (std::error_code error =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temporaryPath))
    return createStringError(error,
                             "cannot write '" + path + "': " + error.message());
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << kMagic;
    writeValue<uint64_t>(os, tensors.size());
    for (const ReferenceTensor &tensor : tensors) {
      writeValue<uint64_t>(os, tensor.getRank());
      for (int64_t size : tensor.getShape())
        writeValue<int64_t>(os, size);
      for (double element : tensor.getElements())
        writeValue<double>(os, element);
    }
    os.close();
    if (os.has_error()) {
      sys::fs::remove(temporaryPath);
      return createStringError(os.error(), "cannot write '" + path +
                                               "': " + os.error().message());
    }
  }
  if (std::error_code error = sys::fs::rename(temporaryPath, path)) {
    sys::fs::remove(temporaryPath);
    return createStringError(error,
                             "cannot write '" + path + "': " + error.message());
  }
  return Error::success();
}

namespace {

/// Reads native values from a buffer, failing past its end.
class Reader {
public:
  explicit Reader(StringRef bytes) : bytes(bytes) {}

  /// Reads one value; false at the end of the buffer.
  template <typename T> bool read(T &value) {
    if (bytes.size() < sizeof(T))
      return false;
    std::memcpy(&value, bytes.data(), sizeof(T));
    bytes = bytes.drop_front(sizeof(T));
    return true;
  }

  /// The number of bytes left.
  size_t remaining() const { return bytes.size(); }

private:
  StringRef bytes;
};

} // namespace

Expected<std::vector<ReferenceTensor>> readTensorFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(), "cannot read '" + path + "': " +
                                                  file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  auto corrupt = [&] {
    return createStringError(inconvertibleErrorCode(),
                             "'" + path + "' is not a complete tensor file");
  };
  if (!bytes.consume_front(kMagic))
    return corrupt();
  Reader reader(bytes);
  uint64_t count;
  if (!reader.read(count))
    return corrupt();
  std::vector<ReferenceTensor> tensors;
  for (uint64_t index = 0; index < count; ++index) {
    uint64_t rank;
    if (!reader.read(rank) || rank > reader.remaining() / sizeof(int64_t))
      return corrupt();
    SmallVector<int64_t> shape(rank);
    uint64_t numElements = 1;
    for (int64_t &size : shape) {
      if (!reader.read(size) || size < 0 ||
          (size != 0 &&
           numElements > reader.remaining() / static_cast<uint64_t>(size)))
        return corrupt();
      numElements *= static_cast<uint64_t>(size);
    }
    if (numElements > reader.remaining() / sizeof(double))
      return corrupt();
    std::vector<double> elements(numElements);
    for (double &element : elements)
      reader.read(element);
    tensors.emplace_back(shape, std::move(elements));
  }
  return tensors;
}

} // namespace kiln
