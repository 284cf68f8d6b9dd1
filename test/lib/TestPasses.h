//===- TestPasses.h - Registration of Kiln's test-only passes ---*- C++ -*-===//

#ifndef KILN_TEST_LIB_TESTPASSES_H
#define KILN_TEST_LIB_TESTPASSES_H

namespace kiln::test {

/// Registers the test-only passes (`kiln-test-*`) with the pass registry.
void registerTestPasses();

} // namespace kiln::test

#endif // KILN_TEST_LIB_TESTPASSES_H
