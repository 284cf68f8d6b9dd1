#===- KilnHalide.cmake - Import Debian's Halide 14 by path --------------===#
#
# `find_package(Halide)` would load LLVM 14's CMake configuration over LLVM
# 19's, so the library is imported by path instead. Debian builds LLVM 14 and
# LLVM 19 as symbol-versioned shared libraries, which lets Halide (LLVM 14)
# and MLIR (LLVM 19) share one process as long as LLVM 19 stays linked as the
# shared `libLLVM-19`.
#
# Provides the IMPORTED target `Kiln::Halide`. Files that call Halide must be
# compiled with exceptions enabled: Halide reports errors by throwing
# `Halide::CompileError`.
#
#===----------------------------------------------------------------------===#

find_library(KILN_HALIDE_LIBRARY NAMES Halide14 libHalide14.so.0
  PATHS /usr/lib/x86_64-linux-gnu REQUIRED)
find_path(KILN_HALIDE_INCLUDE_DIR Halide.h
  PATHS /usr/include/halide14 REQUIRED NO_DEFAULT_PATH)
find_path(KILN_HALIDE_AUTOSCHEDULER_DIR libautoschedule_adams2019.so
  PATHS /usr/lib/x86_64-linux-gnu/halide14 REQUIRED NO_DEFAULT_PATH)

add_library(Kiln::Halide SHARED IMPORTED GLOBAL)
set_target_properties(Kiln::Halide PROPERTIES
  IMPORTED_LOCATION "${KILN_HALIDE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${KILN_HALIDE_INCLUDE_DIR}")
message(STATUS "Using Halide 14: ${KILN_HALIDE_LIBRARY}")
