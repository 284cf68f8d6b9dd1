//===- Tensor.cpp - Row-major tensors of doubles for the reference --------===//
//
// Construction and index arithmetic of ReferenceTensor.
//
//===----------------------------------------------------------------------===//

#include "reference/Tensor.h"

#include "llvm/ADT/STLExtras.h"

#include <cassert>

namespace kiln {

ReferenceTensor::ReferenceTensor(llvm::ArrayRef<int64_t> shape)
    : shape(shape), elements(getNumElements(shape), 0.0) {}

ReferenceTensor::ReferenceTensor(llvm::ArrayRef<int64_t> shape,
                                 std::vector<double> elements)
    : shape(shape), elements(std::move(elements)) {
  assert(getNumElements(shape) ==
             static_cast<int64_t>(this->elements.size()) &&
         "element count does not match the shape");
}

ReferenceTensor ReferenceTensor::getSplat(llvm::ArrayRef<int64_t> shape,
                                          double value) {
  return ReferenceTensor(
      shape, std::vector<double>(getNumElements(shape), value));
}

int64_t ReferenceTensor::getNumElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape) {
    assert(size >= 0 && "reference tensors have no dynamic sizes");
    count *= size;
  }
  return count;
}

int64_t ReferenceTensor::linearize(llvm::ArrayRef<int64_t> index) const {
  assert(index.size() == shape.size() && "index rank does not match");
  int64_t flatIndex = 0;
  for (auto [position, size] : llvm::zip_equal(index, shape)) {
    assert(position >= 0 && position < size && "index out of bounds");
    flatIndex = flatIndex * size + position;
  }
  return flatIndex;
}

llvm::SmallVector<int64_t>
ReferenceTensor::delinearize(int64_t flatIndex) const {
  assert(flatIndex >= 0 && flatIndex < getNumElements() &&
         "flat index out of bounds");
  llvm::SmallVector<int64_t> index(shape.size());
  for (int64_t dim = getRank() - 1; dim >= 0; --dim) {
    index[dim] = flatIndex % shape[dim];
    flatIndex /= shape[dim];
  }
  return index;
}

} // namespace kiln
