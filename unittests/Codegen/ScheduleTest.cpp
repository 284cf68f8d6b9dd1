//===- ScheduleTest.cpp - Schedules as data -------------------------------===//
//
// The JSON form of schedules (stable, round-tripping, with clear errors),
// the checks of schedule spaces, and defaults that follow the target's
// vector width.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedule.h"
#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/KernelSignature.h"
#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

using namespace kiln;

namespace {

/// The error message of `error`, or "" on success.
std::string messageOf(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "";
}

TEST(ScheduleTest, JsonIsSortedAndRoundTrips) {
  Schedule schedule;
  schedule.set("vector", 16);
  schedule.set("parallel", 1);
  schedule.set("tile_rows", 8);
  EXPECT_EQ(schedule.toString(), R"({"parallel":1,"tile_rows":8,"vector":16})");
  llvm::Expected<Schedule> parsed = Schedule::parse(schedule.toString());
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(*parsed, schedule);
}

TEST(ScheduleTest, ParseRejectsMalformedSchedules) {
  llvm::Expected<Schedule> notObject = Schedule::parse("[1, 2]");
  ASSERT_FALSE(bool(notObject));
  EXPECT_EQ(llvm::toString(notObject.takeError()),
            "expected a schedule to be a JSON object");
  llvm::Expected<Schedule> notInteger = Schedule::parse(R"({"vector": 1.5})");
  ASSERT_FALSE(bool(notInteger));
  EXPECT_EQ(llvm::toString(notInteger.takeError()),
            "expected schedule parameter 'vector' to be an integer");
  llvm::Expected<Schedule> truncated = Schedule::parse("{");
  ASSERT_FALSE(bool(truncated));
  llvm::consumeError(truncated.takeError());
}

/// A space with two parameters and one constraint between them.
ScheduleSpace makeSpace() {
  ScheduleSpace space;
  space.addParameter("vector", "vector width", {4, 8, 16}, 8);
  space.addParameter("tile", "tile width", {8, 12, 16}, 16);
  space.addConstraint(
      "tile is a multiple of vector", [](const Schedule &schedule) {
        return schedule.get("tile") % schedule.get("vector") == 0;
      });
  return space;
}

TEST(ScheduleSpaceTest, DefaultScheduleIsValid) {
  ScheduleSpace space = makeSpace();
  Schedule schedule = space.getDefaultSchedule();
  EXPECT_EQ(schedule.toString(), R"({"tile":16,"vector":8})");
  EXPECT_EQ(messageOf(space.verify(schedule)), "");
}

TEST(ScheduleSpaceTest, VerifyNamesTheOffendingParameterOrConstraint) {
  ScheduleSpace space = makeSpace();
  Schedule schedule = space.getDefaultSchedule();

  Schedule missing;
  missing.set("vector", 8);
  EXPECT_EQ(messageOf(space.verify(missing)),
            "missing schedule parameter 'tile'");

  Schedule unknown = schedule;
  unknown.set("unroll", 2);
  EXPECT_EQ(messageOf(space.verify(unknown)),
            "unknown schedule parameter 'unroll'");

  Schedule notCandidate = schedule;
  notCandidate.set("vector", 5);
  EXPECT_EQ(messageOf(space.verify(notCandidate)),
            "expected schedule parameter 'vector' to be one of [4, 8, 16], "
            "got 5");

  Schedule violating = schedule;
  violating.set("tile", 12);
  EXPECT_EQ(messageOf(space.verify(violating)),
            R"(schedule {"tile":12,"vector":8} violates the constraint: )"
            "tile is a multiple of vector");
}

/// The default schedule of a linear kernel for the `--target-cpu` `cpu`.
Schedule defaultLinearSchedule(llvm::StringRef cpu, bool isPacked) {
  KernelSignature signature("kiln.linear");
  signature.setAttr("packed_weight", static_cast<int64_t>(isPacked));
  llvm::Expected<Halide::Target> target = parseKernelTarget(cpu);
  EXPECT_TRUE(bool(target));
  llvm::Expected<ScheduleSpace> space =
      getKernelScheduleSpace(signature, *target);
  EXPECT_TRUE(bool(space));
  return space->getDefaultSchedule();
}

TEST(ScheduleSpaceTest, DefaultsFollowTheTargetVectorWidth) {
  Schedule avx512 = defaultLinearSchedule("avx512", /*isPacked=*/false);
  EXPECT_EQ(avx512.get("vector"), 16);
  EXPECT_EQ(avx512.get("tile_cols"), 32);
  EXPECT_EQ(avx512.get("tile_rows"), 8);
  Schedule avx2 = defaultLinearSchedule("avx2", /*isPacked=*/false);
  EXPECT_EQ(avx2.get("vector"), 8);
  EXPECT_EQ(avx2.get("tile_cols"), 16);
  EXPECT_EQ(avx2.get("tile_rows"), 4);
  EXPECT_EQ(defaultLinearSchedule("sse41", /*isPacked=*/false).get("vector"),
            4);
}

TEST(ScheduleSpaceTest, PackedLinearTilesFillTheVectorRegisters) {
  // 6 rows of 4 (AVX-512, 32 registers) or 2 (AVX2, 16) vectors.
  Schedule avx512 = defaultLinearSchedule("avx512", /*isPacked=*/true);
  EXPECT_EQ(avx512.get("vector"), 16);
  EXPECT_EQ(avx512.get("panel_width"), 64);
  EXPECT_EQ(avx512.get("tile_rows"), 6);
  Schedule avx2 = defaultLinearSchedule("avx2", /*isPacked=*/true);
  EXPECT_EQ(avx2.get("vector"), 8);
  EXPECT_EQ(avx2.get("panel_width"), 16);
  EXPECT_EQ(avx2.get("tile_rows"), 6);
}

TEST(ScheduleSpaceTest, PackedLinearOnAmxTargets) {
  // AMX targets multiply on the tiles by default, in panels of 128; other
  // targets cannot.
  Schedule amx = defaultLinearSchedule("amx", /*isPacked=*/true);
  EXPECT_EQ(amx.get("amx"), 1);
  EXPECT_EQ(amx.get("panel_width"), 128);
  EXPECT_EQ(amx.get("amx_rows_per_task"), 256);
  EXPECT_EQ(defaultLinearSchedule("avx512", /*isPacked=*/true).get("amx"), 0);

  KernelSignature signature("kiln.linear");
  signature.setAttr("packed_weight", int64_t(1));
  ScheduleSpace space = llvm::cantFail(getKernelScheduleSpace(
      signature, llvm::cantFail(parseKernelTarget("amx"))));
  // Panels of whole tiles, and no autoscheduler, which cannot place the
  // extern stage.
  Schedule narrow = amx;
  narrow.set("panel_width", 48);
  EXPECT_EQ(llvm::toString(space.verify(narrow)),
            "schedule {\"amx\":1,\"amx_rows_per_task\":256,\"autoscheduler\":0,"
            "\"k_block\":128,\"max_row_tiles_per_task\":32,\"pack_input\":0,"
            "\"panel_width\":48,\"parallel\":1,\"prefetch\":1,\"tile_rows\":6,"
            "\"vector\":16} violates the constraint: amx needs a panel_width "
            "that is a multiple of 32");
  Schedule autoscheduled = amx;
  autoscheduled.set("autoscheduler", 1);
  EXPECT_TRUE(llvm::errorToBool(space.verify(autoscheduled)));
  // Without amx, the f32 register tile must fit again.
  Schedule f32 = amx;
  f32.set("amx", 0);
  EXPECT_TRUE(llvm::errorToBool(space.verify(f32)));
  f32.set("panel_width", 64);
  EXPECT_FALSE(llvm::errorToBool(space.verify(f32)));
}

TEST(ScheduleSpaceTest, AttentionOnAmxTargets) {
  // Attention may run on AMX tiles only on AMX targets, and only where
  // kiln-tune chooses it, without an autoscheduler.
  KernelSignature signature("kiln.attention");
  for (int operand = 0; operand < 3; ++operand)
    signature.getOperands().push_back({"f32", {1, 12, kRuntimeDim, 64}});
  auto getSpace = [&](llvm::StringRef target) {
    return llvm::cantFail(getKernelScheduleSpace(
        signature, llvm::cantFail(parseKernelTarget(target))));
  };
  ScheduleSpace amxSpace = getSpace("amx");
  Schedule amx = amxSpace.getDefaultSchedule();
  EXPECT_EQ(amx.get("amx"), 0);
  amx.set("amx", 1);
  EXPECT_FALSE(llvm::errorToBool(amxSpace.verify(amx)));
  amx.set("autoscheduler", 1);
  EXPECT_TRUE(llvm::errorToBool(amxSpace.verify(amx)));
  Schedule avx512 = getSpace("avx512").getDefaultSchedule();
  avx512.set("amx", 1);
  EXPECT_TRUE(llvm::errorToBool(getSpace("avx512").verify(avx512)));
}

/// The default `rows_per_task` of the `kiln.split_heads` kernel that writes
/// rows of `rowLength` elements (kRuntimeDim: a run-time length).
int64_t defaultRowsPerTask(int64_t rowLength) {
  KernelSignature signature("kiln.split_heads");
  signature.getResults().push_back({"f32", {1, 12, kRuntimeDim, rowLength}});
  llvm::Expected<ScheduleSpace> space =
      getKernelScheduleSpace(signature, Halide::get_host_target());
  EXPECT_TRUE(bool(space));
  return space->getDefaultSchedule().get("rows_per_task");
}

TEST(ScheduleSpaceTest, PointwiseTasksCoverAtLeast4096Elements) {
  EXPECT_EQ(defaultRowsPerTask(768), 16);
  EXPECT_EQ(defaultRowsPerTask(256), 16);
  EXPECT_EQ(defaultRowsPerTask(64), 64);
  EXPECT_EQ(defaultRowsPerTask(8), 256);
  EXPECT_EQ(defaultRowsPerTask(kRuntimeDim), 16);
}

TEST(TargetTest, NamedTargetsHaveTheirFeatures) {
  llvm::Expected<Halide::Target> amx = parseKernelTarget("amx");
  ASSERT_TRUE(bool(amx));
  EXPECT_TRUE(hasAmxTiles(*amx));
  EXPECT_TRUE(amx->has_feature(Halide::Target::AVX512_Skylake));
  llvm::Expected<Halide::Target> avx512 = parseKernelTarget("avx512");
  ASSERT_TRUE(bool(avx512));
  EXPECT_TRUE(avx512->has_feature(Halide::Target::AVX512_Skylake));
  EXPECT_FALSE(hasAmxTiles(*avx512));
  EXPECT_TRUE(avx512->has_feature(Halide::Target::NoRuntime));
  llvm::Expected<Halide::Target> avx2 = parseKernelTarget("avx2");
  ASSERT_TRUE(bool(avx2));
  EXPECT_TRUE(avx2->has_feature(Halide::Target::AVX2));
  EXPECT_TRUE(avx2->has_feature(Halide::Target::FMA));
  EXPECT_TRUE(avx2->has_feature(Halide::Target::F16C));
  EXPECT_FALSE(avx2->has_feature(Halide::Target::AVX512));
  llvm::Expected<Halide::Target> sse41 = parseKernelTarget("sse41");
  ASSERT_TRUE(bool(sse41));
  EXPECT_TRUE(sse41->has_feature(Halide::Target::SSE41));
  EXPECT_FALSE(sse41->has_feature(Halide::Target::AVX));
}

TEST(TargetTest, HostTargetMatchesTheDetectedLevel) {
  llvm::Expected<Halide::Target> host = parseKernelTarget("host");
  ASSERT_TRUE(bool(host));
  EXPECT_EQ(*host, makeKernelTarget(detectHostCpuLevel()));
  // Halide's own detection must agree that the host runs what we chose.
  Halide::Target halideHost = Halide::get_host_target();
  for (Halide::Target::Feature feature :
       {Halide::Target::AVX512_Skylake, Halide::Target::AVX2,
        Halide::Target::FMA, Halide::Target::SSE41})
    if (host->has_feature(feature))
      EXPECT_TRUE(halideHost.has_feature(feature)) << feature;
}

TEST(TargetTest, UnknownTargetIsAnError) {
  llvm::Expected<Halide::Target> target = parseKernelTarget("avx1024");
  ASSERT_FALSE(bool(target));
  EXPECT_EQ(llvm::toString(target.takeError()),
            "unknown target CPU 'avx1024', expected host, amx, avx512, avx2 "
            "or sse41");
}

} // namespace
