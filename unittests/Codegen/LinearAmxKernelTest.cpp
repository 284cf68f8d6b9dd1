//===- LinearAmxKernelTest.cpp - kiln.linear kernels on AMX tiles ---------===//
//
// Packed linear layers on AMX tiles against the fp64 reference, on the
// host where it has AMX and in KilnAmxEmulationTests on any machine with
// AVX-512 (AmxEmulationTestTarget.cpp).
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(LinearAmxKernelTest, PackedWeightOnAmxTiles) {
  // On AMX, linear layers multiply as six bf16 products of split operands
  // (runtime/src/AmxLinear.cpp), which must stay as accurate as f32: 70
  // input features leave a partial step of 32, 45 output features a
  // partial panel, and row counts that are not multiples of 32 a partial
  // block of rows. Contractions of 70 keep f32 rounding below 1e-5.
  Halide::Target target =
      cantFail(parseKernelTarget(getKernelTestTarget().name));
  if (!hasAmxTiles(target))
    GTEST_SKIP() << "the host CPU has no AMX tiles";
  static const char *source = R"mlir(
    func.func @f(%x: tensor<2x?x70xf32>,
                 %w: tensor<45x70xf32> {kiln.weight = "w"},
                 %b: tensor<45xf32>, %r: tensor<2x?x45xf32>)
        -> tensor<2x?x45xf32> {
      %y = kiln.linear %x, %w bias %b activation gelu_tanh residual %r
          : (tensor<2x?x70xf32>, tensor<45x70xf32>, tensor<45xf32>,
             tensor<2x?x45xf32>) -> tensor<2x?x45xf32>
      return %y : tensor<2x?x45xf32>
    })mlir";
  std::unique_ptr<KernelUnderTest> defaultKernel =
      KernelUnderTest::create(source);
  ASSERT_TRUE(defaultKernel);
  ScheduleSpace space =
      cantFail(getKernelScheduleSpace(defaultKernel->getSignature(), target));
  ASSERT_EQ(space.getDefaultSchedule().get("amx"), 1);
  for (int64_t panelWidth : {32, 64, 128})
    for (int64_t rowsPerTask : {32, 128}) {
      Schedule schedule = space.getDefaultSchedule();
      schedule.set("panel_width", panelWidth);
      schedule.set("amx_rows_per_task", rowsPerTask);
      ASSERT_FALSE(llvm::errorToBool(space.verify(schedule)));
      SCOPED_TRACE(schedule.toString());
      std::unique_ptr<KernelUnderTest> kernel =
          KernelUnderTest::create(source, schedule);
      ASSERT_TRUE(kernel);
      for (int64_t rows : {1, 15, 16, 17, 32, 50, 100})
        kernel->expectMatchesReference({2, rows});
    }
}

} // namespace
