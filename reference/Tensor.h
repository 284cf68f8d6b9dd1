//===- Tensor.h - Row-major double tensors of the reference -----*- C++ -*-===//
//
// The value type of Kiln's reference evaluator: a fully known shape and its
// elements in row-major order, always stored as doubles whatever the element
// type of the IR value. Integer tensors (token ids, attention masks) hold
// exact integer values, which doubles represent exactly up to 2^53.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REFERENCE_TENSOR_H
#define KILN_REFERENCE_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace kiln {

/// A dense row-major tensor of doubles whose shape has no dynamic sizes.
class ReferenceTensor {
public:
  /// A tensor of `shape` filled with zeros.
  explicit ReferenceTensor(llvm::ArrayRef<int64_t> shape);

  /// A tensor of `shape` holding `elements` in row-major order; there must be
  /// as many elements as the shape has.
  ReferenceTensor(llvm::ArrayRef<int64_t> shape, std::vector<double> elements);

  /// A tensor of `shape` whose elements all equal `value`.
  static ReferenceTensor getSplat(llvm::ArrayRef<int64_t> shape, double value);

  /// The number of elements of a tensor of `shape`.
  static int64_t getNumElements(llvm::ArrayRef<int64_t> shape);

  /// The sizes of the dimensions.
  llvm::ArrayRef<int64_t> getShape() const { return shape; }

  /// The number of dimensions.
  int64_t getRank() const { return shape.size(); }

  /// The size of dimension `dim`.
  int64_t getDimSize(int64_t dim) const { return shape[dim]; }

  /// The number of elements.
  int64_t getNumElements() const { return elements.size(); }

  /// The elements in row-major order.
  llvm::ArrayRef<double> getElements() const { return elements; }
  llvm::MutableArrayRef<double> getElements() { return elements; }

  /// The element at row-major position `flatIndex`.
  double operator[](int64_t flatIndex) const { return elements[flatIndex]; }
  double &operator[](int64_t flatIndex) { return elements[flatIndex]; }

  /// The element at the multi-dimensional `index`, one entry per dimension.
  double at(llvm::ArrayRef<int64_t> index) const {
    return elements[linearize(index)];
  }
  double &at(llvm::ArrayRef<int64_t> index) {
    return elements[linearize(index)];
  }

  /// The row-major position of the multi-dimensional `index`.
  int64_t linearize(llvm::ArrayRef<int64_t> index) const;

  /// The multi-dimensional index of row-major position `flatIndex`.
  llvm::SmallVector<int64_t> delinearize(int64_t flatIndex) const;

private:
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<double> elements;
};

} // namespace kiln

#endif // KILN_REFERENCE_TENSOR_H
