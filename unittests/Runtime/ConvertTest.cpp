//===- ConvertTest.cpp - Tests of element type conversion -----------------===//
//
// Known bit patterns for the cases that are easy to get wrong (ties,
// subnormals, overflow, NaN), then exhaustive checks over every 16-bit
// pattern against results derived independently of the converter: decoding
// by formula, and rounding by locating each value between two neighbouring
// representable numbers.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace kiln::runtime;

namespace {

/// Converts one element held in `From` storage.
template <typename To, typename From>
To convert(From value, kiln_dtype from, kiln_dtype to) {
  To result;
  convertElements(reinterpret_cast<const uint8_t *>(&value), from,
                  reinterpret_cast<uint8_t *>(&result), to, 1);
  return result;
}

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

uint16_t f32ToF16(uint32_t bits) {
  return convert<uint16_t>(bits, KILN_DTYPE_F32, KILN_DTYPE_F16);
}
uint16_t f32ToBF16(uint32_t bits) {
  return convert<uint16_t>(bits, KILN_DTYPE_F32, KILN_DTYPE_BF16);
}
uint16_t f64ToF16(double value) {
  return convert<uint16_t>(value, KILN_DTYPE_F64, KILN_DTYPE_F16);
}
uint16_t f64ToBF16(double value) {
  return convert<uint16_t>(value, KILN_DTYPE_F64, KILN_DTYPE_BF16);
}
uint32_t f64ToF32(double value) {
  return convert<uint32_t>(value, KILN_DTYPE_F64, KILN_DTYPE_F32);
}
double f16ToF64(uint16_t bits) {
  return convert<double>(bits, KILN_DTYPE_F16, KILN_DTYPE_F64);
}
double bf16ToF64(uint16_t bits) {
  return convert<double>(bits, KILN_DTYPE_BF16, KILN_DTYPE_F64);
}

/// A float and what it narrows to.
struct NarrowingCase {
  uint32_t f32;
  uint16_t f16;
  uint16_t bf16;
  const char *what;
};

TEST(ConvertTest, NarrowsKnownFloatsBitExactly) {
  const NarrowingCase cases[] = {
      {0x3f800000, 0x3c00, 0x3f80, "1"},
      {0xc0200000, 0xc100, 0xc020, "-2.5"},
      {0x40490fdb, 0x4248, 0x4049, "pi"},
      {0x477fe000, 0x7bff, 0x4780, "65504, the largest half"},
      {0x477fefff, 0x7bff, 0x4780, "just below 65520"},
      {0x477ff000, 0x7c00, 0x4780, "65520, which ties to half infinity"},
      {0x33800000, 0x0001, 0x3380, "2^-24, the smallest half subnormal"},
      {0x33000000, 0x0000, 0x3300, "2^-25, which ties to zero"},
      {0x33400000, 0x0001, 0x3340, "1.5 * 2^-25, above the tie"},
      {0x387fc000, 0x03ff, 0x3880, "the largest half subnormal"},
      {0x38800000, 0x0400, 0x3880, "2^-14, the smallest normal half"},
      {0x3f801000, 0x3c00, 0x3f80, "1 + 2^-11, a half tie to even below"},
      {0x3f803000, 0x3c02, 0x3f80, "1 + 3 * 2^-11, a half tie to even above"},
      {0x3f808000, 0x3c04, 0x3f80, "1 + 2^-8, a bfloat16 tie to even below"},
      {0x3f818000, 0x3c0c, 0x3f82,
       "1 + 3 * 2^-8, a bfloat16 tie to even above"},
      {0x7f7fffff, 0x7c00, 0x7f80, "the largest float"},
      {0x00010000, 0x0000, 0x0001, "the smallest bfloat16 subnormal"},
      {0x00000001, 0x0000, 0x0000, "the smallest float subnormal"},
      {0x80000000, 0x8000, 0x8000, "-0"},
      {0x7f800000, 0x7c00, 0x7f80, "infinity"},
      {0xff800000, 0xfc00, 0xff80, "-infinity"},
      {0x7fc00000, 0x7e00, 0x7fc0, "NaN"},
      {0xffc00000, 0xfe00, 0xffc0, "-NaN"},
      {0x7f800001, 0x7e00, 0x7fc0, "NaN whose payload is all dropped"},
      {0x7fe00000, 0x7f00, 0x7fe0, "NaN with a payload"},
  };
  for (const NarrowingCase &c : cases) {
    EXPECT_EQ(f32ToF16(c.f32), c.f16) << c.what;
    EXPECT_EQ(f32ToBF16(c.f32), c.bf16) << c.what;
  }
}

TEST(ConvertTest, WidensKnownHalvesBitExactly) {
  EXPECT_EQ(convert<uint32_t>(uint16_t(0x3c00), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0x3f800000u);
  EXPECT_EQ(convert<uint32_t>(uint16_t(0x0001), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0x33800000u);
  EXPECT_EQ(convert<uint32_t>(uint16_t(0x03ff), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0x387fc000u);
  EXPECT_EQ(convert<uint32_t>(uint16_t(0x7bff), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0x477fe000u);
  EXPECT_EQ(convert<uint32_t>(uint16_t(0xfc00), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0xff800000u);
  EXPECT_EQ(convert<uint32_t>(uint16_t(0x7e00), KILN_DTYPE_F16, KILN_DTYPE_F32),
            0x7fc00000u);
  EXPECT_EQ(
      convert<uint32_t>(uint16_t(0x0001), KILN_DTYPE_BF16, KILN_DTYPE_F32),
      0x00010000u);
  EXPECT_EQ(
      convert<uint32_t>(uint16_t(0xc020), KILN_DTYPE_BF16, KILN_DTYPE_F32),
      0xc0200000u);
  EXPECT_EQ(
      convert<uint32_t>(uint16_t(0x7fc1), KILN_DTYPE_BF16, KILN_DTYPE_F32),
      0x7fc10000u);
}

TEST(ConvertTest, ConvertsBetweenHalfAndBFloat16) {
  // 2^-24 is a half subnormal but a normal bfloat16; 65536 is a normal
  // bfloat16 but beyond half's range.
  EXPECT_EQ(
      convert<uint16_t>(uint16_t(0x0001), KILN_DTYPE_F16, KILN_DTYPE_BF16),
      0x3380);
  EXPECT_EQ(
      convert<uint16_t>(uint16_t(0x4780), KILN_DTYPE_BF16, KILN_DTYPE_F16),
      0x7c00);
  EXPECT_EQ(
      convert<uint16_t>(uint16_t(0x4049), KILN_DTYPE_BF16, KILN_DTYPE_F16),
      0x4248);
}

TEST(ConvertTest, NarrowsDoublesWithOneRounding) {
  // Through F32 these would first round to an exact tie and then to even,
  // giving 0x3c00 and 0x3f80; rounded once they are just above the tie.
  EXPECT_EQ(f64ToF16(1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)),
            0x3c01);
  EXPECT_EQ(f64ToBF16(1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30)),
            0x3f81);
  EXPECT_EQ(f64ToF32(1.0 / 3.0), 0x3eaaaaabu);
  EXPECT_EQ(f64ToF32(1e300), 0x7f800000u);
  EXPECT_EQ(f64ToF32(-1e300), 0xff800000u);
  EXPECT_EQ(f64ToF32(1e-300), 0x00000000u);
  EXPECT_EQ(f64ToF32(-std::numeric_limits<double>::denorm_min()), 0x80000000u);
  // FLT_MAX plus half an ulp ties between FLT_MAX (odd) and infinity.
  double floatMax = std::numeric_limits<float>::max();
  EXPECT_EQ(f64ToF32(floatMax + std::ldexp(1.0, 103)), 0x7f800000u);
  EXPECT_EQ(f64ToF32(std::nextafter(floatMax + std::ldexp(1.0, 103), 0.0)),
            0x7f7fffffu);
  EXPECT_TRUE(std::isnan(floatOf(f64ToF32(std::nan("")))));
}

TEST(ConvertTest, CopiesEqualTypesBitForBit) {
  // A signalling NaN and an integer pattern survive untouched.
  EXPECT_EQ(
      convert<uint32_t>(uint32_t(0x7f800001), KILN_DTYPE_F32, KILN_DTYPE_F32),
      0x7f800001u);
  EXPECT_EQ(convert<uint64_t>(uint64_t(0x8000000000000001), KILN_DTYPE_I64,
                              KILN_DTYPE_I64),
            0x8000000000000001u);
}

TEST(ConvertTest, ConvertsOnlyFloatsBetweenTypes) {
  EXPECT_TRUE(canConvert(KILN_DTYPE_I64, KILN_DTYPE_I64));
  EXPECT_TRUE(canConvert(KILN_DTYPE_F8_E4M3, KILN_DTYPE_F8_E4M3));
  EXPECT_TRUE(canConvert(KILN_DTYPE_F64, KILN_DTYPE_F16));
  EXPECT_TRUE(canConvert(KILN_DTYPE_BF16, KILN_DTYPE_F64));
  EXPECT_FALSE(canConvert(KILN_DTYPE_I64, KILN_DTYPE_F32));
  EXPECT_FALSE(canConvert(KILN_DTYPE_F32, KILN_DTYPE_I32));
  EXPECT_FALSE(canConvert(KILN_DTYPE_F8_E4M3, KILN_DTYPE_F32));
  EXPECT_FALSE(canConvert(KILN_DTYPE_BOOL, KILN_DTYPE_U8));
}

TEST(ConvertTest, DecodesEveryHalfByFormula) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    double sign = bits & 0x8000 ? -1.0 : 1.0;
    unsigned exponent = (bits >> 10) & 0x1f;
    unsigned mantissa = bits & 0x3ff;
    double decoded = f16ToF64(bits);
    if (exponent == 0x1f && mantissa != 0) {
      EXPECT_TRUE(std::isnan(decoded)) << bits;
      EXPECT_EQ(std::signbit(decoded), sign < 0) << bits;
      continue;
    }
    double expected = exponent == 0x1f ? sign * HUGE_VAL
                      : exponent == 0
                          ? sign * std::ldexp(mantissa, -24)
                          : sign * std::ldexp(mantissa + 1024, exponent - 25);
    EXPECT_EQ(decoded, expected) << bits;
    EXPECT_EQ(std::signbit(decoded), sign < 0) << bits;
  }
}

TEST(ConvertTest, DecodesEveryBFloat16AsTheTopHalfOfAFloat) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    double decoded = bf16ToF64(bits);
    float expected = floatOf(bits << 16);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(decoded)) << bits;
      EXPECT_EQ(std::signbit(decoded), std::signbit(expected)) << bits;
    } else {
      EXPECT_EQ(bitsOf(static_cast<float>(decoded)), bits << 16) << bits;
    }
  }
}

TEST(ConvertTest, RoundTripsEveryHalfAndBFloat16ThroughWiderTypes) {
  for (uint32_t value = 0; value <= 0xffff; ++value) {
    auto bits = static_cast<uint16_t>(value);
    bool halfIsNan = (bits & 0x7c00) == 0x7c00 && (bits & 0x3ff);
    bool bfloatIsNan = (bits & 0x7f80) == 0x7f80 && (bits & 0x7f);
    uint32_t halfAsFloat =
        convert<uint32_t>(bits, KILN_DTYPE_F16, KILN_DTYPE_F32);
    uint32_t bfloatAsFloat =
        convert<uint32_t>(bits, KILN_DTYPE_BF16, KILN_DTYPE_F32);
    if (!halfIsNan) {
      EXPECT_EQ(f32ToF16(halfAsFloat), bits) << value;
      EXPECT_EQ(f64ToF16(f16ToF64(bits)), bits) << value;
    }
    if (!bfloatIsNan) {
      EXPECT_EQ(f32ToBF16(bfloatAsFloat), bits) << value;
      EXPECT_EQ(f64ToBF16(bf16ToF64(bits)), bits) << value;
    }
  }
}

/// Checks rounding to a 16-bit format for every pair of neighbouring
/// positive finite values `lower` < `upper` of it: points below their
/// midpoint round to `lower`, above to `upper`, and the midpoint to the one
/// with an even mantissa. Negative points mirror positive ones.
template <typename Encode, typename Decode>
void checkRoundingBetweenNeighbours(uint16_t largestFinite, Encode encode,
                                    Decode decode) {
  for (uint32_t lower = 0; lower <= largestFinite; ++lower) {
    auto upper = static_cast<uint16_t>(lower + 1);
    double low = decode(lower);
    // Past the largest finite value, the next step would be one ulp more.
    double high =
        lower == largestFinite ? 2 * low - decode(lower - 1) : decode(upper);
    double middle = (low + high) / 2;
    uint16_t even = lower % 2 == 0 ? lower : upper;
    const struct {
      double point;
      uint16_t expected;
    } points[] = {
        {low, static_cast<uint16_t>(lower)},
        {std::nextafter(middle, 0.0), static_cast<uint16_t>(lower)},
        {middle, even},
        {std::nextafter(middle, HUGE_VAL), upper},
    };
    for (const auto &[point, expected] : points) {
      EXPECT_EQ(encode(point), expected) << point;
      EXPECT_EQ(encode(-point), expected | 0x8000) << -point;
    }
  }
}

TEST(ConvertTest, RoundsEveryHalfIntervalToNearestEven) {
  // Above the largest half, the next "value" 0x7c00 is infinity.
  checkRoundingBetweenNeighbours(0x7bff, f64ToF16, f16ToF64);
}

TEST(ConvertTest, RoundsEveryBFloat16IntervalToNearestEven) {
  checkRoundingBetweenNeighbours(0x7f7f, f64ToBF16, bf16ToF64);
}

TEST(ConvertTest, RoundsSampledFloatIntervalsToNearestEven) {
  std::mt19937 random(20240611);
  std::uniform_int_distribution<uint32_t> positiveFinite(0, 0x7f7ffffe);
  for (int i = 0; i < 100000; ++i) {
    uint32_t lower = i == 0 ? 0 : positiveFinite(random);
    double low = floatOf(lower), high = floatOf(lower + 1);
    double middle = (low + high) / 2;
    uint32_t even = lower % 2 == 0 ? lower : lower + 1;
    EXPECT_EQ(f64ToF32(std::nextafter(middle, 0.0)), lower) << middle;
    EXPECT_EQ(f64ToF32(middle), even) << middle;
    EXPECT_EQ(f64ToF32(std::nextafter(middle, HUGE_VAL)), lower + 1) << middle;
    EXPECT_EQ(f64ToF32(-middle), even | 0x80000000u) << middle;
  }
}

TEST(ConvertTest, ConvertsUnalignedRuns) {
  // Elements at odd addresses, as tensors in a mapped file may be.
  alignas(8) uint8_t source[1 + 3 * sizeof(float)];
  const float values[] = {1.0f, -2.5f, 65504.0f};
  std::memcpy(source + 1, values, sizeof(values));
  alignas(8) uint8_t destination[1 + 3 * sizeof(uint16_t)];
  convertElements(source + 1, KILN_DTYPE_F32, destination + 1, KILN_DTYPE_F16,
                  3);
  uint16_t halves[3];
  std::memcpy(halves, destination + 1, sizeof(halves));
  EXPECT_EQ(halves[0], 0x3c00);
  EXPECT_EQ(halves[1], 0xc100);
  EXPECT_EQ(halves[2], 0x7bff);
}

} // namespace
