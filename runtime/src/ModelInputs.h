//===- ModelInputs.h - A model's inputs and the sizes they set --*- C++ -*-===//
//
// The caller sets a model's inputs one by one. Each is checked against the
// descriptor before it is copied: dtype, rank and static dimensions; its
// symbolic dimensions must agree with the values other inputs gave the same
// size symbols and stay within the symbols' maxima; token ids must lie
// within their vocabulary. Together the inputs determine the value of every
// size symbol for the next run.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_MODELINPUTS_H
#define KILN_RUNTIME_SRC_MODELINPUTS_H

#include "kiln/model_abi.h"
#include "runtime/src/AlignedBuffer.h"
#include "runtime/src/Status.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace kiln::runtime {

/// The inputs set so far for one model.
class ModelInputs {
public:
  /// Holds the inputs of `desc`, which must be valid; none is set.
  explicit ModelInputs(const kiln_model_desc &desc);

  /// The index of the input called `name`, or -1.
  int32_t find(std::string_view name) const;

  /// Checks the `rank`-dimensional `dtype` tensor `data` of shape `dims`
  /// against input `index` and the other inputs set, and copies it. On an
  /// error the inputs are left as they were.
  Status set(int32_t index, const void *data, kiln_dtype dtype, int32_t rank,
             const int64_t *dims);

  /// Forgets every input, so that the next ones may choose new sizes.
  void clear();

  /// Checks that every input is set.
  Status checkComplete() const;

  /// The value of each size symbol set by the inputs so far, unknownSize
  /// for the others.
  const std::vector<int64_t> &getSizes() const { return sizes; }

  /// The data of each input, as kiln_forward_args::inputs wants it.
  const void *const *getPointers() const { return pointers.data(); }

private:
  /// Where a size symbol got its value.
  struct SizeBinding {
    int64_t value;
    /// The input and its dimension that set it; -1 when unset.
    int32_t input;
    int32_t dim;
  };

  /// The size symbols as bound by the inputs set, ignoring input `except`.
  std::vector<SizeBinding> bindSizes(int32_t except) const;

  /// Checks the shape `dims` given for input `index`.
  Status checkShape(int32_t index, const std::vector<int64_t> &dims) const;

  /// Recomputes `sizes` from the inputs set.
  void updateSizes();

  const kiln_model_desc &desc;
  /// For each input: whether it is set, its shape, and a copy of its data.
  std::vector<bool> isSet;
  std::vector<std::vector<int64_t>> shapes;
  std::vector<AlignedBuffer> buffers;
  std::vector<const void *> pointers;
  std::vector<int64_t> sizes;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_MODELINPUTS_H
