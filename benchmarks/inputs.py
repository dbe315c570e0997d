"""Benchmark: `check` on large valid files (1, 2, 5 and 10 MB), to show that it is linear.

Generates conventions of about 1, 2, 5 and 10 MB (the critères of `benchmarks/parse.py`,
repeated with distinct ids) in a temporary folder, checks each one as `convcheck check` does
(read, parse, resolve, check) and prints the time per size (wall clock, and the CPU time of
this process, which other programs running on the machine do not inflate), the MB/s and the
ratio to the smallest file. Linear means the ratio follows the size (about 10 for 10 MB
against 1 MB). Target: the 10 MB file checked in at most 30 s.

    .venv/bin/python benchmarks/inputs.py            # 1, 2, 5, 10 MB
    .venv/bin/python benchmarks/inputs.py 0.5 1      # other sizes, in MB
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.parse import generate  # noqa: E402
from dsl.driver import check_file  # noqa: E402

SIZES_MB = (1, 2, 5, 10)
BYTES_PER_CRITERE = 275  # measured on `benchmarks.parse.generate`


def write_input(folder: Path, megabytes: float) -> Path:
    """A valid convention of about `megabytes` MB."""
    text = generate(criteres=max(3, int(megabytes * 1_000_000 / BYTES_PER_CRITERE)))
    path = folder / f"grande-{megabytes:g}mo.conv"
    path.write_text(text, encoding="utf-8")
    return path


def time_check(path: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds to check one file; fails loudly if the generated file is not valid."""
    start, cpu = time.perf_counter(), time.process_time()
    checked = check_file(str(path))
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    errors = [d for d in checked.diagnostics if d.is_error]
    assert not errors, errors[:3]
    return elapsed


def main(sizes: tuple[float, ...] = SIZES_MB) -> None:
    with tempfile.TemporaryDirectory(prefix="convcheck-bench-") as folder:
        first = None
        print(f"{'taille':>10}  {'temps':>9}  {'CPU':>9}  {'débit':>10}  {'rapport':>8}")
        for megabytes in sizes:
            path = write_input(Path(folder), megabytes)
            size = path.stat().st_size / 1_000_000
            wall, cpu = time_check(path)
            first = first or (size, cpu)
            print(
                f"{size:8.2f} Mo  {wall:7.2f} s  {cpu:7.2f} s  {size / cpu:6.2f} Mo/s  {cpu / first[1]:8.1f}"
                f"  (taille × {size / first[0]:.1f})"
            )


if __name__ == "__main__":
    main(tuple(float(a) for a in sys.argv[1:]) or SIZES_MB)
