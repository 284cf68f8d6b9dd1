//===- Convert.cpp - Converting tensors between element types -------------===//
//
// Every floating-point element is decoded exactly into a double (which holds
// F32, F16 and BF16 values exactly) and encoded into the target format by
// one bit-level rounding routine parameterised on the format's exponent and
// mantissa widths. Doing the rounding in integers rather than with a C++
// cast keeps it exact for every format and free of the undefined behaviour
// of casting an out-of-range double to float.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Convert.h"

#include <cstring>

using namespace kiln::runtime;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian and is copied as is");

/// Bits of an IEEE binary64 value.
constexpr unsigned doubleMantissaBits = 52;
constexpr uint64_t doubleExponentMask = 0x7ff;
constexpr int64_t doubleBias = 1023;

/// The double whose bits are `bits`.
static double toDouble(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// An IEEE-style binary floating-point format with `ExponentBits` exponent
/// bits and `MantissaBits` explicit mantissa bits, held in `Storage`.
template <typename Storage, unsigned ExponentBits, unsigned MantissaBits>
struct BinaryFloat {
  static constexpr size_t size = sizeof(Storage);
  static constexpr uint64_t exponentMask = (uint64_t(1) << ExponentBits) - 1;
  static constexpr uint64_t mantissaMask = (uint64_t(1) << MantissaBits) - 1;
  static constexpr int64_t bias = (int64_t(1) << (ExponentBits - 1)) - 1;
  static constexpr uint64_t infinity = exponentMask << MantissaBits;
  static constexpr unsigned signShift = ExponentBits + MantissaBits;

  /// The element at `bytes` as a double, exactly.
  static double load(const uint8_t *bytes) {
    Storage stored;
    std::memcpy(&stored, bytes, sizeof(stored));
    return decode(stored);
  }

  /// Stores `value` rounded to nearest-even at `bytes`.
  static void store(uint8_t *bytes, double value) {
    auto stored = static_cast<Storage>(encode(value));
    std::memcpy(bytes, &stored, sizeof(stored));
  }

  static double decode(uint64_t bits) {
    if constexpr (MantissaBits == doubleMantissaBits)
      return toDouble(bits);
    uint64_t sign = (bits >> signShift) & 1;
    uint64_t exponent = (bits >> MantissaBits) & exponentMask;
    uint64_t mantissa = bits & mantissaMask;
    uint64_t result = sign << 63;
    if (exponent == exponentMask) {
      // Infinity, or NaN with its payload kept in the top mantissa bits.
      result |= (doubleExponentMask << doubleMantissaBits) |
                (mantissa << (doubleMantissaBits - MantissaBits));
    } else if (exponent != 0) {
      result |= uint64_t(int64_t(exponent) - bias + doubleBias)
                    << doubleMantissaBits |
                (mantissa << (doubleMantissaBits - MantissaBits));
    } else if (mantissa != 0) {
      // A subnormal: normalise so that its leading one becomes implicit.
      unsigned leading = 63 - __builtin_clzll(mantissa);
      int64_t unbiased = 1 - bias - int64_t(MantissaBits) + leading;
      result |= uint64_t(unbiased + doubleBias) << doubleMantissaBits |
                ((mantissa << (doubleMantissaBits - leading)) &
                 ((uint64_t(1) << doubleMantissaBits) - 1));
    }
    return toDouble(result);
  }

  static uint64_t encode(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    if constexpr (MantissaBits == doubleMantissaBits)
      return bits;
    uint64_t sign = (bits >> 63) << signShift;
    uint64_t exponent = (bits >> doubleMantissaBits) & doubleExponentMask;
    uint64_t mantissa = bits & ((uint64_t(1) << doubleMantissaBits) - 1);
    if (exponent == doubleExponentMask) {
      if (mantissa == 0)
        return sign | infinity;
      // Keep the payload's top bits and set the quiet bit, which also
      // keeps a NaN whose payload lies only in the dropped bits a NaN.
      return sign | infinity | (uint64_t(1) << (MantissaBits - 1)) |
             (mantissa >> (doubleMantissaBits - MantissaBits));
    }
    // Zero, and double subnormals, which lie far below half the smallest
    // subnormal of every narrower format and so round to zero.
    if (exponent == 0)
      return sign;

    // The value is significand * 2^(unbiased - 52). Drop the low bits the
    // target cannot hold: those below its mantissa for a normal result,
    // more for a subnormal one, whose exponent field is that of the
    // smallest normal number.
    uint64_t significand = mantissa | (uint64_t(1) << doubleMantissaBits);
    int64_t targetExponent = int64_t(exponent) - doubleBias + bias;
    uint64_t shift = doubleMantissaBits - MantissaBits;
    if (targetExponent < 1) {
      // With more bits dropped than the significand has plus one, the value
      // is less than half the smallest subnormal.
      uint64_t subnormalShift = uint64_t(1 - targetExponent);
      if (shift + subnormalShift > doubleMantissaBits + 1)
        return sign;
      shift += subnormalShift;
      targetExponent = 1;
    }
    uint64_t rounded = significand >> shift;
    uint64_t remainder = significand & ((uint64_t(1) << shift) - 1);
    uint64_t half = uint64_t(1) << (shift - 1);
    if (remainder > half || (remainder == half && (rounded & 1)))
      ++rounded;
    // `rounded` still has the implicit bit at MantissaBits (none for a
    // subnormal), so adding it to the exponent field less one encodes the
    // result, and a carry out of the mantissa bumps the exponent.
    uint64_t magnitude =
        (uint64_t(targetExponent - 1) << MantissaBits) + rounded;
    if (magnitude >= infinity)
      return sign | infinity;
    return sign | magnitude;
  }
};

using Float64 = BinaryFloat<uint64_t, 11, 52>;
using Float32 = BinaryFloat<uint32_t, 8, 23>;
using Float16 = BinaryFloat<uint16_t, 5, 10>;
using BFloat16 = BinaryFloat<uint16_t, 8, 7>;

/// Calls `function` with the format of the floating-point type `dtype`.
template <typename Function>
static void visitFloatFormat(kiln_dtype dtype, Function function) {
  switch (dtype) {
  case KILN_DTYPE_F64:
    return function(Float64());
  case KILN_DTYPE_F32:
    return function(Float32());
  case KILN_DTYPE_F16:
    return function(Float16());
  case KILN_DTYPE_BF16:
    return function(BFloat16());
  default:
    return;
  }
}

/// Whether `dtype` is one of the floating-point types that convert.
static bool isConvertibleFloat(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F64 || dtype == KILN_DTYPE_F32 ||
         dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

bool kiln::runtime::canConvert(kiln_dtype from, kiln_dtype to) {
  return from == to || (isConvertibleFloat(from) && isConvertibleFloat(to));
}

void kiln::runtime::convertElements(const uint8_t *source, kiln_dtype from,
                                    uint8_t *destination, kiln_dtype to,
                                    size_t count) {
  if (from == to) {
    if (count != 0)
      std::memcpy(destination, source, count * kiln_dtype_size(from));
    return;
  }
  // Dispatching once per call instantiates one loop per pair of formats.
  visitFloatFormat(from, [&](auto sourceFormat) {
    using Source = decltype(sourceFormat);
    visitFloatFormat(to, [&](auto destinationFormat) {
      using Destination = decltype(destinationFormat);
      for (size_t i = 0; i < count; ++i)
        Destination::store(destination + i * Destination::size,
                           Source::load(source + i * Source::size));
    });
  });
}
