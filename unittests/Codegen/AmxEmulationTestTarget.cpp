//===- AmxEmulationTestTarget.cpp - Kernel tests on emulated AMX ----------===//
//
// KilnAmxEmulationTests compiles the kernels for AMX targets and links the
// runtime's AMX kernels built against the scalar emulation of the tile
// unit, so that any machine with AVX-512 (which the rest of those kernels
// and the generated code use) checks their layouts, masks and blocking.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

const kiln::test::KernelTestTarget &kiln::test::getKernelTestTarget() {
  static const KernelTestTarget target = {"amx", /*isAmxEmulated=*/true};
  return target;
}

namespace {

/// Skips every test on hosts without AVX-512.
class RequireAvx512 : public testing::Environment {
public:
  void SetUp() override {
    if (kiln::detectHostCpuLevel() < kiln::CpuLevel::Avx512)
      GTEST_SKIP() << "the emulated AMX kernels need AVX-512";
  }
};

const testing::Environment *const requireAvx512 =
    testing::AddGlobalTestEnvironment(new RequireAvx512);

} // namespace
