//===- AttentionKernelTest.cpp - kiln.attention kernels -------------------===//
//
// The fused attention kernel against the reference for every mask kind,
// key padding, grouped- and multi-query heads, fewer or more queries than
// keys (rows with no visible key must be zeros) and a value size other
// than the head size. Sequences of 70 with the default tiles make the
// online softmax merge several key tiles, partial ones included.
//
// The kernel skips the key tiles that a causal or sliding-window mask hides
// from a whole query tile: sequences on either side of tile boundaries,
// fewer queries than keys, and windows narrower and wider than a key tile
// check that it skips none that some query sees. A set of schedules that
// together take every candidate value of every parameter of the space
// must compute the same function.
//
// Each test runs the f32 kernel and, for targets with AMX tiles, the AMX
// kernel (runtime/src/AmxAttention.cpp), whose blocks of 32 queries and
// 32 keys the sequence lengths also straddle; KilnAmxEmulationTests runs
// the AMX kernel on an emulation of the tiles on any machine.
//
// Tolerance: scores are dot products of 16 N(0, 1) pairs scaled by 1/4 and
// the outputs averages of N(0, 1) values; f32 rounding in the exponentials
// and the rescaling stays below 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A function applying kiln.attention to [2, heads, ?, headDim] operands
/// with `attributes` (mask, window) and optionally a [2, ?] key padding
/// mask.
std::string attentionFunction(int queryHeads, int kvHeads,
                              const std::string &attributes, bool hasKeyPadding,
                              int valueDim = 16,
                              const std::string &queries = "?",
                              int headDim = 16) {
  std::string features = "x" + std::to_string(headDim) + "xf32>";
  std::string q =
      "tensor<2x" + std::to_string(queryHeads) + "x" + queries + features;
  std::string k = "tensor<2x" + std::to_string(kvHeads) + "x?" + features;
  std::string v = "tensor<2x" + std::to_string(kvHeads) + "x?x" +
                  std::to_string(valueDim) + "xf32>";
  std::string o = "tensor<2x" + std::to_string(queryHeads) + "x" + queries +
                  "x" + std::to_string(valueDim) + "xf32>";
  std::string padding = hasKeyPadding ? ", %m: tensor<2x?xi64>" : "";
  std::string paddingOperand = hasKeyPadding ? " key_padding %m" : "";
  std::string paddingType = hasKeyPadding ? ", tensor<2x?xi64>" : "";
  return "func.func @f(%q: " + q + ", %k: " + k + ", %v: " + v + padding +
         ") -> " + o + " {\n  %o = kiln.attention %q, %k, %v" + paddingOperand +
         " scale 0.25 " + attributes + " : (" + q + ", " + k + ", " + v +
         paddingType + ") -> " + o + "\n  return %o : " + o + "\n}";
}

/// Checks the kernel of `source` against the reference on each entry of
/// `dynamicSizeSets`, on every path the test target can take: f32 FMAs
/// (`amx` 0, unless the AMX kernels are emulated) and, where it has AMX
/// tiles, the AMX kernel.
void expectAttentionMatchesReference(
    const std::string &source,
    llvm::ArrayRef<std::vector<int64_t>> dynamicSizeSets) {
  std::unique_ptr<KernelUnderTest> defaultKernel =
      KernelUnderTest::create(source);
  ASSERT_TRUE(defaultKernel);
  ScheduleSpace space = cantFail(getKernelScheduleSpace(
      defaultKernel->getSignature(),
      cantFail(parseKernelTarget(getKernelTestTarget().name))));
  for (int64_t amx : {0, 1}) {
    if (amx == 0 && getKernelTestTarget().isAmxEmulated)
      continue;
    Schedule schedule = space.getDefaultSchedule();
    schedule.set("amx", amx);
    if (llvm::errorToBool(space.verify(schedule)))
      continue;
    SCOPED_TRACE(schedule.toString());
    std::unique_ptr<KernelUnderTest> kernel =
        KernelUnderTest::create(source, schedule);
    ASSERT_TRUE(kernel);
    for (const std::vector<int64_t> &sizes : dynamicSizeSets)
      kernel->expectMatchesReference(sizes, /*seed=*/sizes.back());
  }
}

TEST(AttentionKernelTest, NoMask) {
  expectAttentionMatchesReference(attentionFunction(2, 2, "", false),
                                  {{5, 5, 5}, {70, 70, 70}});
}

TEST(AttentionKernelTest, Causal) {
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", false),
                                  {{70, 70, 70}, {9, 9, 9}});
}

TEST(AttentionKernelTest, SlidingWindow) {
  expectAttentionMatchesReference(
      attentionFunction(2, 2, "mask sliding_window window 5", false),
      {{70, 70, 70}, {11, 11, 11}});
}

TEST(AttentionKernelTest, KeyPaddingWithCausalMask) {
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", true),
                                  {{70, 70, 70}, {8, 8, 8}});
}

TEST(AttentionKernelTest, KeyPaddingWithoutStructuralMask) {
  expectAttentionMatchesReference(attentionFunction(2, 2, "", true),
                                  {{13, 13, 13}, {6, 6, 6}});
}

TEST(AttentionKernelTest, GroupedQueryAttention) {
  expectAttentionMatchesReference(attentionFunction(4, 2, "mask causal", false),
                                  {{70, 70, 70}, {7, 7, 7}});
}

TEST(AttentionKernelTest, MultiQueryAttention) {
  expectAttentionMatchesReference(attentionFunction(4, 1, "", true),
                                  {{10, 10, 10}, {3, 3, 3}});
}

TEST(AttentionKernelTest, ValueSizeDiffersFromHeadSize) {
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", false,
                                                    /*valueDim=*/8),
                                  {{9, 9, 9}, {4, 4, 4}});
}

TEST(AttentionKernelTest, FewerOrMoreQueriesThanKeys) {
  // Five queries are the latest positions: with three keys the first two
  // queries see none and must yield zeros.
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", false,
                                                    /*valueDim=*/16,
                                                    /*queries=*/"5"),
                                  {{0, 0, 12}, {0, 0, 3}});
}

TEST(AttentionKernelTest, CausalAroundTileBoundaries) {
  // The default tiles are 8, 16 or 32 queries (by the vector width), 64
  // keys inside the mask and 32 along its diagonal: lengths on either side
  // of each, with the last key tile partial, full or holding a single key.
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", false),
                                  {{15, 15, 15},
                                   {16, 16, 16},
                                   {17, 17, 17},
                                   {31, 31, 31},
                                   {32, 32, 32},
                                   {33, 33, 33},
                                   {63, 63, 63},
                                   {64, 64, 64},
                                   {65, 65, 65},
                                   {97, 97, 97},
                                   {127, 127, 127},
                                   {128, 128, 128},
                                   {129, 129, 129}});
}

TEST(AttentionKernelTest, CausalWithFewerQueriesThanKeys) {
  // 33 queries are the last 33 positions of 31 to 98 keys: with 31 keys
  // two queries see none, and with 34, 66 or 98 the last query of some
  // query tile sees exactly the first key of a key tile, which a bound off
  // by one would skip. With 62 to 64 keys, the first query of the AMX
  // kernel's first block of 32 sees all but the last 1 or 2, or every
  // key, of its first block of 32 keys: the block must be masked unless
  // it sees them all.
  expectAttentionMatchesReference(attentionFunction(2, 2, "mask causal", true,
                                                    /*valueDim=*/16,
                                                    /*queries=*/"33"),
                                  {{31, 31, 31},
                                   {33, 33, 33},
                                   {34, 34, 34},
                                   {62, 62, 62},
                                   {63, 63, 63},
                                   {64, 64, 64},
                                   {66, 66, 66},
                                   {98, 98, 98}});
}

TEST(AttentionKernelTest, WindowNarrowerThanAKeyTile) {
  // Most key tiles are hidden from the whole query tile; the first query
  // of a tile of 32 sees exactly the last key of the previous key tile.
  expectAttentionMatchesReference(
      attentionFunction(2, 2, "mask sliding_window window 2", false),
      {{32, 32, 32}, {64, 64, 64}, {100, 100, 100}, {129, 129, 129}});
}

TEST(AttentionKernelTest, WindowWiderThanAKeyTile) {
  // The first query of a tile of 32 sees exactly the last key of the key
  // tile two before its own.
  expectAttentionMatchesReference(
      attentionFunction(4, 2, "mask sliding_window window 34", true),
      {{33, 33, 33},
       {34, 34, 34},
       {35, 35, 35},
       {100, 100, 100},
       {161, 161, 161}});
}

TEST(AttentionKernelTest, WindowAroundInteriorKeyTiles) {
  // A window of 130 keys leaves whole interior tiles of 64 keys that every
  // query of a tile sees, between edges at the window's start and at the
  // diagonal: each key must be absorbed exactly once.
  expectAttentionMatchesReference(
      attentionFunction(4, 2, "mask sliding_window window 130", true),
      {{129, 129, 129},
       {130, 130, 130},
       {200, 200, 200},
       {257, 257, 257},
       {300, 300, 300}});
}

TEST(AttentionKernelTest, WindowWiderThanTheSequence) {
  // Nothing is hidden beyond the causal mask.
  expectAttentionMatchesReference(
      attentionFunction(2, 2, "mask sliding_window window 500", false,
                        /*valueDim=*/16, /*queries=*/"40"),
      {{0, 0, 40}, {0, 0, 99}});
}

TEST(AttentionKernelTest, HeadsOfSeveralContractionSteps) {
  // Heads of 80 features, as in Phi-2: the AMX kernel contracts them in
  // steps of 32, the last partial, and accumulates 80 value features in
  // blocks of 32, the last partial.
  expectAttentionMatchesReference(
      attentionFunction(4, 2, "mask causal", true, /*valueDim=*/80,
                        /*queries=*/"?", /*headDim=*/80),
      {{1, 1, 1}, {45, 45, 45}, {100, 100, 100}});
}

TEST(AttentionKernelTest, SchedulesAcrossTheSpace) {
  if (getKernelTestTarget().isAmxEmulated)
    GTEST_SKIP() << "the schedules of the f32 kernel run in KilnKernelTests";
  // Together the schedules take every candidate of every parameter;
  // windowed GQA with padding and value features of 32 exercises every
  // path, on sequences across the tiles of each schedule.
  std::string source = attentionFunction(4, 2, "mask sliding_window window 20",
                                         true, /*valueDim=*/32);
  const int64_t lengths[] = {3, 37, 70, 130};
  std::unique_ptr<KernelUnderTest> defaultKernel =
      KernelUnderTest::create(source);
  ASSERT_TRUE(defaultKernel);
  for (int64_t length : lengths)
    defaultKernel->expectMatchesReference({length, length, length},
                                          /*seed=*/length);
  ScheduleSpace space = cantFail(getKernelScheduleSpace(
      defaultKernel->getSignature(),
      cantFail(parseKernelTarget(getKernelTestTarget().name))));
  struct Parameters {
    int64_t vector, queryTile, keyTile, edgeKeyTile, keyBlock, valueBlock,
        parallel;
  };
  static const Parameters schedules[] = {
      {4, 4, 8, 8, 1, 1, 0},        {4, 8, 16, 8, 2, 2, 1},
      {8, 16, 32, 16, 4, 4, 1},     {16, 48, 64, 64, 12, 12, 1},
      {16, 32, 128, 32, 16, 16, 0}, {32, 64, 256, 256, 24, 24, 1},
      {32, 32, 32, 32, 32, 32, 1},  {16, 16, 128, 128, 8, 8, 1},
  };
  for (const Parameters &parameters : schedules) {
    Schedule schedule = space.getDefaultSchedule();
    schedule.set("vector", parameters.vector);
    schedule.set("query_tile", parameters.queryTile);
    schedule.set("key_tile", parameters.keyTile);
    schedule.set("edge_key_tile", parameters.edgeKeyTile);
    schedule.set("key_block", parameters.keyBlock);
    schedule.set("value_block", parameters.valueBlock);
    schedule.set("parallel", parameters.parallel);
    schedule.set("amx", 0);
    SCOPED_TRACE(schedule.toString());
    ASSERT_FALSE(llvm::errorToBool(space.verify(schedule)));
    std::unique_ptr<KernelUnderTest> kernel =
        KernelUnderTest::create(source, schedule);
    ASSERT_TRUE(kernel);
    for (int64_t length : lengths)
      kernel->expectMatchesReference({length, length, length},
                                     /*seed=*/length);
  }
}

} // namespace
