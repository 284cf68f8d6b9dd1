//===- ShapeUtils.cpp - Shape arithmetic shared by kiln ops ---------------===//

#include "dialect/ShapeUtils.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace kiln {

bool areDimsCompatible(int64_t lhs, int64_t rhs) {
  return lhs == rhs || ShapedType::isDynamic(lhs) ||
         ShapedType::isDynamic(rhs);
}

bool areShapesCompatible(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  return lhs.size() == rhs.size() &&
         llvm::all_of(llvm::zip_equal(lhs, rhs), [](auto dims) {
           return areDimsCompatible(std::get<0>(dims), std::get<1>(dims));
         });
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Walk from the trailing dimension; a missing leading dimension is 1.
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    int64_t &out = result[rank - 1 - i];
    if (l == 1)
      out = r;
    else if (r == 1)
      out = l;
    else if (ShapedType::isDynamic(l))
      out = r;
    else if (ShapedType::isDynamic(r) || l == r)
      out = l;
    else
      return std::nullopt;
  }
  return result;
}

std::string formatDim(int64_t dim) {
  return ShapedType::isDynamic(dim) ? "?" : std::to_string(dim);
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::interleave(
      shape, [&](int64_t dim) { text += formatDim(dim); },
      [&] { text += 'x'; });
  return text;
}

} // namespace kiln
