# -*- Python -*-
"""lit configuration of Kiln's regression tests.

Runs the `.mlir` FileCheck tests under test/ and, through lit's GoogleTest
format, the unit-test binaries built from unittests/.
"""

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%kiln_src_root", config.kiln_src_root))
config.substitutions.append(("%kiln_obj_root", config.kiln_obj_root))
# The C compiler that tests use to build programs against compiled models.
config.substitutions.append(
    ("%clang", os.path.join(config.llvm_tools_dir, "clang")))

# Debian's PyTorch (python3-torch) is an independent reference for some
# end-to-end tests; they are skipped, with a note, where it is missing.
import subprocess

debian_python = "/usr/bin/python3"
try:
    has_torch = subprocess.run(
        [debian_python, "-c", "import numpy, torch"],
        capture_output=True).returncode == 0
except OSError:
    has_torch = False
if has_torch:
    config.available_features.add("torch")
    config.substitutions.append(("%torch_python", debian_python))
else:
    lit_config.note("PyTorch (Debian's python3-torch) is not installed: the "
                    "PyTorch cross-checks are skipped")

# kiln-compile reads the default tuning database under $XDG_CACHE_HOME:
# tests get an empty cache of their own, whatever the user has tuned.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root,
                                                     "xdg-cache")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [
    ToolSubst("kiln-compile", unresolved="fatal"),
    ToolSubst("kiln-opt", unresolved="fatal"),
    ToolSubst("kiln-reference", unresolved="fatal"),
    ToolSubst("kiln-toy-model", unresolved="fatal"),
    ToolSubst("kiln-tune", unresolved="fatal"),
]
# The kernel benchmarks are built only where OpenBLAS, their GEMM yardstick,
# is installed.
if os.path.exists(os.path.join(config.kiln_tools_dir, "kiln-bench-kernels")):
    config.available_features.add("kiln-bench-kernels")
    tools.append(ToolSubst("kiln-bench-kernels", unresolved="fatal"))
llvm_config.add_tool_substitutions(tools, [config.kiln_tools_dir])
