"""Runs every benchmark of Kiln's CPU kernels and models (issue #6) and writes
the medians and ratios, all measured in this one run, as Markdown and JSON.

usage: run_benchmarks.py --build-dir BUILD [--output-dir DIR] [--quick]
           [--suites kernels,attention,models]

- kernels: `kiln-bench-kernels` measures the FMA peak (each CPU alone and
  all together, pinned), the GEMM + bias + GELU kernels against OpenBLAS
  sgemm, the attention kernels, and the memory-bound kernels (norms,
  softmax over logits, embedding, positions, RoPE) against a parallel copy
  of as many bytes, on 1 and 2 threads;
- attention: PyTorch's attention on the same problems and threads;
- models: GPT-2 small and BERT-base compiled by kiln-compile, at seq 128
  and 512 (batch 1), against the PyTorch float32 implementation of
  utils/torch_models.py on the same seeded weights, with PyTorch's best of
  its thread configurations, and the largest difference of their outputs.

One-thread runs are pinned to the first CPU the process may use (taskset);
two-thread runs may use the first two, where Kiln's pool and OpenBLAS pin
their workers and PyTorch runs with passive OpenMP waiting. Run by
`make bench`; Debian's /usr/bin/python3 (python3-torch, numpy) runs it.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THREAD_COUNTS = (1, 2)
ATTENTION_SEQS = (128, 512, 2048)
ATTENTION_HEADS, ATTENTION_HEAD_DIM = 12, 64
MODEL_SEQS = (128, 512)
# The spec, the family of utils/torch_models.py, the heads and vocabulary of
# each model, and whether it returns the logits of the last position only
# (--output-positions=last: a text-generation prefill), on both sides.
MODELS = (
    ("gpt2-small", "examples/gpt2-small.yaml", "gpt2", 12, 50257, False),
    ("gpt2-small-next", "examples/gpt2-small.yaml", "gpt2", 12, 50257, True),
    ("bert-base", "examples/bert-base.yaml", "bert", 12, 30522, False),
)
# Kiln's and PyTorch's float32 outputs must agree within this fraction of
# the largest PyTorch output magnitude: both round differently over 12
# layers, so they agree to a few f32 ulps of the largest value, not exactly.
MODEL_TOLERANCE = 1e-4
WEIGHT_SEED = 1


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def available_cpus():
    return sorted(os.sched_getaffinity(0))


def pinned(command, threads):
    """`command` run by taskset on the first `threads` available CPUs."""
    cpus = ",".join(str(cpu) for cpu in available_cpus()[:threads])
    return ["taskset", "-c", cpus] + command


def run(command, env=None):
    """Runs `command`; its stdout, or an exception with its stderr."""
    result = subprocess.run(command, capture_output=True, text=True,
                            env=dict(os.environ, **(env or {})))
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed "
                           f"({result.returncode}):\n{result.stderr}")
    return result.stdout


def torch_env(threads):
    """PyTorch's configuration for `threads` threads: OpenMP and OpenBLAS
    limited to them, and passive OpenMP waiting, without which its
    two-thread runs are slower than one-thread ones on two cores."""
    env = {"OMP_NUM_THREADS": str(threads),
           "OPENBLAS_NUM_THREADS": str(threads)}
    if threads > 1:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def machine_info():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = run(["git", "-C", SOURCE_ROOT, "rev-parse", "--short", "HEAD"]).strip()
    dirty = run(["git", "-C", SOURCE_ROOT, "status", "--porcelain",
                 "--untracked-files=no"]).strip()
    torch_version = run(["/usr/bin/python3", "-c",
                         "import torch; print(torch.__version__)"]).strip()
    return {
        "cpu": model,
        "cores": len(available_cpus()),
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc)
                .strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit + ("+uncommitted" if dirty else ""),
        "torch": torch_version,
        # Other work on the machine skews every figure; record how much.
        "load_average_1min": os.getloadavg()[0],
    }


#===------------------------------------------------------------------------===#
# Measurements
#===------------------------------------------------------------------------===#


def bench_kernels(args):
    """kiln-bench-kernels: the FMA peak on all CPUs, then GEMM, attention
    and the memory-bound kernels once per thread count, pinned like the
    other one- and two-thread runs. Each suite runs in a process of its
    own: after the GEMM suite, OpenBLAS's pinned threads slowed the
    attention that followed in the same process on 2 threads (seq 512:
    2.3-2.7 ms, against 2.0-2.2 ms alone)."""
    tool = os.path.join(args.build_dir, "bin", "kiln-bench-kernels")
    quick = ["--quick"] if args.quick else []
    log("FMA peak")
    report = json.loads(run([tool, "--suite", "fma", "--num-threads",
                             ",".join(map(str, THREAD_COUNTS)), "-o", "-"]
                            + quick))
    suites = ("gemm", "attention", "memory")
    for suite in suites:
        report[suite] = []
    for threads in THREAD_COUNTS:
        log(f"GEMM, attention and memory-bound kernels on {threads} thread(s)")
        for suite in suites:
            part = json.loads(run(pinned([tool, "--suite", suite,
                                          "--num-threads", str(threads), "-o",
                                          "-"] + quick, threads)))
            report[suite] += part[suite]
    return report


def bench_torch_attention(args):
    results = []
    for threads in THREAD_COUNTS:
        log(f"PyTorch attention on {threads} thread(s)")
        output = run(pinned(
            ["/usr/bin/python3", os.path.join(SOURCE_ROOT, "bench", "torch_bench.py"),
             "--threads", str(threads), "--repetitions", "2" if args.quick else "5",
             "attention", "--seqs", ",".join(map(str, ATTENTION_SEQS)),
             "--heads", str(ATTENTION_HEADS), "--head-dim", str(ATTENTION_HEAD_DIM)],
            threads), env=torch_env(threads))
        for entry in json.loads(output)["results"]:
            results.append(dict(entry, threads=threads))
    return results


def token_ids(seq, vocab):
    """Deterministic, varied token ids for a prompt of `seq` tokens."""
    return [(i * 7919 + 13) % vocab for i in range(seq)]


KILN_BENCH_LINE = re.compile(r"bench: \d+ runs on .*, median ([0-9.]+) ms")


def bench_model(args, name, spec, family, heads, vocab, last_position, work):
    """Compiles `spec`, writes its seeded weights, and times Kiln and
    PyTorch on every sequence length; the entries of the results table."""
    executable = os.path.join(work, name)
    weights = os.path.join(work, name + ".safetensors")
    log(f"{name}: kiln-compile")
    positions = ["--output-positions=last"] if last_position else []
    run([os.path.join(args.build_dir, "bin", "kiln-compile"),
         os.path.join(SOURCE_ROOT, spec), "-o", executable] + positions)
    log(f"{name}: seeded weights")
    run([os.path.join(args.build_dir, "bin", "kiln-reference"),
         os.path.join(SOURCE_ROOT, spec), "--seed", str(WEIGHT_SEED),
         "--tokens", ",".join(map(str, token_ids(8, vocab))),
         "--write-weights", weights])
    runs = "2" if args.quick else "5"
    prompts = {seq: ",".join(map(str, token_ids(seq, vocab))) for seq in MODEL_SEQS}

    kiln = {}
    for threads in THREAD_COUNTS:
        for seq, tokens in prompts.items():
            log(f"{name}: Kiln, seq {seq}, {threads} thread(s)")
            output = os.path.join(work, f"{name}-kiln-{seq}.npy")
            stdout = run(pinned([executable, "--weights", weights, "--tokens", tokens,
                                 "--threads", str(threads), "--bench", runs,
                                 "--output-file", output], threads))
            kiln[seq, threads] = float(KILN_BENCH_LINE.search(stdout).group(1)) / 1e3

    torch_seconds = {}
    for threads in THREAD_COUNTS:
        log(f"{name}: PyTorch, {threads} thread(s)")
        command = ["/usr/bin/python3", os.path.join(SOURCE_ROOT, "bench", "torch_bench.py"),
                   "--threads", str(threads), "--repetitions", runs,
                   "model", family, weights, "--heads", str(heads),
                   "--output-prefix", os.path.join(work, f"{name}-torch-{threads}")]
        if last_position:
            command.append("--last-position")
        for tokens in prompts.values():
            command += ["--tokens", tokens]
        for entry in json.loads(run(pinned(command, threads),
                                    env=torch_env(threads)))["results"]:
            torch_seconds[entry["seq"], threads] = entry["seconds"]

    results = []
    for seq in MODEL_SEQS:
        best_threads = min(THREAD_COUNTS, key=lambda t: torch_seconds[seq, t])
        actual = np.load(os.path.join(work, f"{name}-kiln-{seq}.npy")).astype(np.float64)
        expected = np.load(os.path.join(
            work, f"{name}-torch-{best_threads}-{seq}.npy")).astype(np.float64)
        if actual.shape != expected.shape:
            raise RuntimeError(f"{name} at seq {seq}: Kiln's output has shape "
                               f"{actual.shape}, PyTorch's {expected.shape}")
        max_abs_diff = float(np.abs(actual - expected).max())
        max_abs_torch = float(np.abs(expected).max())
        results.append({
            "model": name, "seq": seq,
            "kiln_seconds": {str(t): kiln[seq, t] for t in THREAD_COUNTS},
            "torch_seconds": {str(t): torch_seconds[seq, t] for t in THREAD_COUNTS},
            "torch_best_threads": best_threads,
            "speedup_vs_torch_best": torch_seconds[seq, best_threads]
                                     / kiln[seq, max(THREAD_COUNTS)],
            "max_abs_diff": max_abs_diff, "max_abs_torch": max_abs_torch,
            "tolerance": MODEL_TOLERANCE,
            "outputs_match": max_abs_diff <= MODEL_TOLERANCE * max_abs_torch,
        })
    return results


#===------------------------------------------------------------------------===#
# Derived figures and the report
#===------------------------------------------------------------------------===#


def attention_rows(kernels, torch_attention):
    """Kiln's attention per problem with its share of the FMA peak, its
    causal/non-causal time ratio and its speedup over PyTorch."""
    peak = kernels["fma_peak"]["by_threads"]
    kiln = {(e["seq"], e["causal"], e["threads"]): e for e in kernels["attention"]}
    torch = {(e["seq"], e["causal"], e["threads"]): e for e in torch_attention}
    rows = []
    for (seq, causal, threads), entry in sorted(kiln.items()):
        row = dict(entry)
        row["percent_of_peak"] = 100 * entry["kiln_gflops"] / peak[str(threads)]
        if causal:
            row["causal_time_ratio"] = (entry["kiln_seconds"]
                                        / kiln[seq, False, threads]["kiln_seconds"])
        if (seq, causal, threads) in torch:
            reference = torch[seq, causal, threads]
            row["torch_seconds"] = reference["seconds"]
            row["torch_variant"] = reference["variant"]
            row["speedup_vs_torch"] = reference["seconds"] / entry["kiln_seconds"]
        rows.append(row)
    return rows


def targets(results):
    """The 'done when' criteria of issue #6, on two threads."""
    checks = []
    two = max(THREAD_COUNTS)
    gemm = [e for e in results.get("gemm", []) if e["threads"] == two]
    if gemm:
        worst = min(gemm, key=lambda e: e["ratio"])
        checks.append(("GEMM+epilogue >= 0.9x OpenBLAS on every shape",
                       f"worst {worst['ratio']:.2f}x ([{worst['m']}x{worst['k']}]"
                       f"x[{worst['k']}x{worst['n']}])", worst["ratio"] >= 0.9))
        one = {(e["m"], e["k"], e["n"]): e for e in results["gemm"] if e["threads"] == 1}
        large = [e for e in gemm if e["m"] >= 128]
        scaling = min(e["kiln_gflops"] / one[e["m"], e["k"], e["n"]]["kiln_gflops"]
                      for e in large)
        checks.append(("2 threads >= 1.7x 1 thread on the large GEMM shapes",
                       f"worst {scaling:.2f}x", scaling >= 1.7))
    attention = [r for r in results.get("attention", []) if r["threads"] == two]
    plain = [r for r in attention if not r["causal"] and r["seq"] >= 512]
    if plain:
        worst = min(r["percent_of_peak"] for r in plain)
        checks.append(("attention, non-causal, seq >= 512: >= 60% of FMA peak",
                       f"worst {worst:.0f}%", worst >= 60))
        ratio = max(r["causal_time_ratio"] for r in attention
                    if r["causal"] and r["seq"] >= 512)
        checks.append(("causal attention <= 0.6x the non-causal time (seq >= 512)",
                       f"worst {ratio:.2f}x", ratio <= 0.6))
        with_torch = [r for r in plain if "speedup_vs_torch" in r]
        if with_torch:
            speedup = min(r["speedup_vs_torch"] for r in with_torch)
            checks.append(("attention >= 3x faster than PyTorch (seq >= 512)",
                           f"worst {speedup:.1f}x", speedup >= 3))
    models = results.get("models", [])
    if models:
        speedup = min(m["speedup_vs_torch_best"] for m in models)
        checks.append(("models >= 2x faster than PyTorch's best configuration",
                       f"worst {speedup:.2f}x", speedup >= 2))
        checks.append(("model outputs match PyTorch",
                       "all" if all(m["outputs_match"] for m in models) else "MISMATCH",
                       all(m["outputs_match"] for m in models)))
    return checks


def markdown(results):
    m = results["machine"]
    lines = [
        "# Kiln benchmarks",
        "",
        f"Measured by `make bench` on {m['date']}, commit {m['commit']}: "
        f"{m['cpu']}, {m['cores']} cores available, Linux {m['kernel']}, "
        f"PyTorch {m['torch']}; load average {m['load_average_1min']:.1f} "
        "when it started. Medians; every ratio compares figures of this "
        "one run." + (" **Quick mode: few repetitions, not measurements.**"
                      if results["quick"] else ""),
    ]
    checks = targets(results)
    if checks:
        lines += ["", "## Targets of issue #6 (2 threads)", "",
                  "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {value} | {'yes' if met else '**no**'} |"
                  for name, value, met in checks]
    if "fma_peak" in results:
        peak = results["fma_peak"]
        per_cpu = ", ".join(f"cpu {e['cpu']}: {e['gflops']:.0f}" for e in peak["per_cpu"])
        lines += ["", f"## FMA peak ({peak['isa']}, f32)", "",
                  "| threads (pinned) | GFLOP/s |", "|---|---|"]
        lines += [f"| {t} | {g:.1f} |" for t, g in sorted(peak["by_threads"].items())]
        lines += ["", f"Each CPU alone: {per_cpu} GFLOP/s."]
    if results.get("gemm"):
        lines += ["", "## GEMM + bias + tanh-GELU (Kiln) vs OpenBLAS sgemm", "",
                  "| shape | threads | Kiln ms | Kiln GFLOP/s | OpenBLAS GFLOP/s | "
                  "Kiln / OpenBLAS | max abs diff |", "|---|---|---|---|---|---|---|"]
        for e in results["gemm"]:
            lines.append(f"| [{e['m']}x{e['k']}]x[{e['k']}x{e['n']}] | {e['threads']} | "
                         f"{e['kiln_seconds'] * 1e3:.3f} | {e['kiln_gflops']:.1f} | "
                         f"{e['openblas_gflops']:.1f} | {e['ratio']:.2f} | "
                         f"{e['max_abs_diff']:.1e} |")
    if results.get("attention"):
        lines += ["", f"## Attention ({ATTENTION_HEADS} heads x {ATTENTION_HEAD_DIM}, "
                  "batch 1)", "",
                  "GFLOP/s count 4 x seq^2 x 64 x 12 for causal attention too. "
                  "PyTorch: best of matmul-softmax-matmul spellings.", "",
                  "| seq | mask | threads | Kiln ms | GFLOP/s | % of FMA peak | "
                  "causal / non-causal time | PyTorch ms | speedup vs PyTorch |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in results["attention"]:
            ratio = f"{r['causal_time_ratio']:.2f}" if "causal_time_ratio" in r else ""
            torch_ms = f"{r['torch_seconds'] * 1e3:.2f}" if "torch_seconds" in r else ""
            speedup = f"{r['speedup_vs_torch']:.1f}x" if "speedup_vs_torch" in r else ""
            lines.append(f"| {r['seq']} | {'causal' if r['causal'] else 'none'} | "
                         f"{r['threads']} | {r['kiln_seconds'] * 1e3:.2f} | "
                         f"{r['kiln_gflops']:.1f} | {r['percent_of_peak']:.0f}% | "
                         f"{ratio} | {torch_ms} | {speedup} |")
    if results.get("memory"):
        lines += ["", "## Memory-bound kernels vs a parallel copy", "",
                  "Tensors of 64 MiB and more, beyond the caches. GB/s count "
                  "the bytes a call reads and writes; the copy (memcpy on the "
                  "same number of pinned threads, measured in alternation) "
                  "moves as many bytes, half read and half written.", "",
                  "| kernel | threads | Kiln ms | Kiln GB/s | copy GB/s | "
                  "Kiln / copy |", "|---|---|---|---|---|---|"]
        for e in results["memory"]:
            lines.append(f"| {e['kernel']} | {e['threads']} | "
                         f"{e['kiln_seconds'] * 1e3:.2f} | {e['kiln_gbps']:.1f} | "
                         f"{e['copy_gbps']:.1f} | {e['ratio']:.2f} |")
    if results.get("models"):
        lines += ["", "## Whole models (prefill, batch 1, f32)", "",
                  "Latency in ms. Speedup: Kiln on 2 threads vs PyTorch's best "
                  f"thread count. Outputs match when max abs diff <= "
                  f"{MODEL_TOLERANCE:g} x max |PyTorch output|.", "",
                  "| model | seq | Kiln 1 thread | Kiln 2 threads | PyTorch 1 thread | "
                  "PyTorch 2 threads | speedup | max abs diff / max abs | match |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for e in results["models"]:
            k, t = e["kiln_seconds"], e["torch_seconds"]
            lines.append(f"| {e['model']} | {e['seq']} | {k['1'] * 1e3:.1f} | "
                         f"{k['2'] * 1e3:.1f} | {t['1'] * 1e3:.1f} | {t['2'] * 1e3:.1f} | "
                         f"{e['speedup_vs_torch_best']:.2f}x | "
                         f"{e['max_abs_diff']:.1e} / {e['max_abs_torch']:.1e} | "
                         f"{'yes' if e['outputs_match'] else '**no**'} |")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- bench-results:begin (written by make bench) -->"
README_END = "<!-- bench-results:end -->"


def update_readme(path, report):
    """Replaces the results between the README's markers with `report`,
    its headings one level down."""
    with open(path) as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise RuntimeError(f"{path} has no '{README_BEGIN}' ... "
                           f"'{README_END}' section to update")
    body = [("#" + line if line.startswith("#") else line)
            for line in report.splitlines()[1:]]
    section = README_BEGIN + "\n" + "\n".join(body).strip("\n") + "\n"
    with open(path, "w") as f:
        f.write(text[:begin] + section + text[end:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--output-dir", default=os.path.join(SOURCE_ROOT, "bench", "results"))
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions: checks the harness, measures nothing")
    parser.add_argument("--suites", default="kernels,attention,models",
                        help="comma-separated subset of kernels,attention,models")
    parser.add_argument("--readme",
                        help="also put the results into this README, between "
                             "its bench-results markers (not in quick mode)")
    args = parser.parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    suites = set(args.suites.split(","))
    unknown = suites - {"kernels", "attention", "models"}
    if unknown:
        parser.error(f"unknown suites: {', '.join(sorted(unknown))}")
    if "attention" in suites:
        suites.add("kernels")  # Its ratios need Kiln's kernels and peak.
    work = os.path.join(args.build_dir, "bench-work")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.output_dir, exist_ok=True)

    start = time.time()
    results = {"machine": machine_info(), "quick": args.quick,
               "threads": list(THREAD_COUNTS)}
    if "kernels" in suites:
        kernels = bench_kernels(args)
        results["fma_peak"] = kernels["fma_peak"]
        results["gemm"] = kernels["gemm"]
        results["memory"] = kernels["memory"]
        torch_attention = bench_torch_attention(args) if "attention" in suites else []
        results["attention"] = attention_rows(kernels, torch_attention)
    if "models" in suites:
        results["models"] = []
        for name, spec, family, heads, vocab, last_position in MODELS:
            results["models"] += bench_model(args, name, spec, family, heads,
                                             vocab, last_position, work)
    results["seconds"] = time.time() - start

    with open(os.path.join(args.output_dir, "latest.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    report = markdown(results)
    with open(os.path.join(args.output_dir, "latest.md"), "w") as f:
        f.write(report)
    print(report)
    if args.readme and not args.quick:
        update_readme(args.readme, report)
        log(f"updated the results in {args.readme}")
    log(f"done in {results['seconds']:.0f} s; results in {args.output_dir}")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        log(f"error: {error}")
        sys.exit(1)
