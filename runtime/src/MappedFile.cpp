//===- MappedFile.cpp - A read-only memory mapping of a file --------------===//
//
// POSIX open/fstat/mmap with every failure turned into an error that names
// the file and the system's reason.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/MappedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace kiln::runtime;

/// An error for the failed system call `what` on `path`, from errno.
static Status systemError(const char *what, const std::string &path) {
  int error = errno;
  kiln_status_code code =
      error == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR;
  return makeError(code, std::string("cannot ") + what + " " + quote(path) +
                             ": " + std::strerror(error));
}

MappedFile::~MappedFile() {
  if (bytes)
    munmap(const_cast<uint8_t *>(bytes), length);
}

Status MappedFile::open(const std::string &path, MappedFile &file) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return systemError("open", path);
  // The descriptor is not needed once the file is mapped (or failed to be).
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  struct stat info;
  if (fstat(fd, &info) != 0)
    return systemError("stat", path);
  if (!S_ISREG(info.st_mode))
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     quote(path) + " is not a regular file");
  if (info.st_size == 0)
    return ok();
  if (static_cast<uint64_t>(info.st_size) > SIZE_MAX)
    return makeError(KILN_STATUS_UNSUPPORTED,
                     quote(path) + " is too large to map");

  auto size = static_cast<size_t>(info.st_size);
  void *address = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (address == MAP_FAILED)
    return systemError("map", path);
  file.bytes = static_cast<const uint8_t *>(address);
  file.length = size;
  return ok();
}
