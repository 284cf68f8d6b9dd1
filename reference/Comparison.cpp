//===- Comparison.cpp - Whether a result matches the reference ------------===//

#include "reference/Comparison.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

namespace kiln {

std::optional<std::string> describeMismatch(const ReferenceTensor &actual,
                                            const ReferenceTensor &expected,
                                            double tolerance) {
  if (actual.getShape() != expected.getShape())
    return std::string("the result has the wrong shape");
  double maxMagnitude = 1.0;
  for (double x : expected.getElements())
    if (std::isfinite(x))
      maxMagnitude = std::max(maxMagnitude, std::abs(x));
  double worstError = 0.0;
  int64_t worstIndex = -1;
  for (int64_t i = 0, e = expected.getNumElements(); i < e; ++i) {
    double want = expected[i], got = actual[i];
    if (!std::isfinite(want)) {
      bool isSame = std::isnan(want) ? std::isnan(got) : got == want;
      if (!isSame)
        return "element " + std::to_string(i) + " is " + std::to_string(got) +
               ", expected " + std::to_string(want);
      continue;
    }
    if (std::isnan(got))
      return "element " + std::to_string(i) + " is NaN, expected " +
             std::to_string(want);
    double error = std::abs(got - want);
    if (error > worstError) {
      worstError = error;
      worstIndex = i;
    }
  }
  if (worstError <= tolerance * maxMagnitude)
    return std::nullopt;
  std::string message;
  llvm::raw_string_ostream os(message);
  os << "element " << worstIndex << " is " << actual[worstIndex]
     << ", expected " << expected[worstIndex] << " (error "
     << llvm::format("%.3g", worstError) << ", allowed "
     << llvm::format("%.3g", tolerance * maxMagnitude) << ")";
  return message;
}

} // namespace kiln
