//===- HostTestTarget.cpp - Kernel tests on the host's target -------------===//

#include "KernelTestSupport.h"

const kiln::test::KernelTestTarget &kiln::test::getKernelTestTarget() {
  static const KernelTestTarget target = {"host", /*isAmxEmulated=*/false};
  return target;
}
