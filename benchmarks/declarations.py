"""Benchmark: reading a declaration with very many keys (a hostile or broken file).

Every key but the données is unknown, so that every key is located and reported. Reading must
grow linearly with the file: target ≤ 5 s for 80,000 keys (about 2 MB) on a 2-core machine.
Prints one line per format and size.

    python benchmarks/declarations.py [--keys 10000 40000 80000] [--formats json toml yaml]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dsl.driver import check_file  # noqa: E402
from interpreter.io.declarations import DeclarationError, read_declaration  # noqa: E402

CONVENTION = ROOT / "tests" / "golden" / "cli" / "convention.conv"
DONNEES = {
    "patientele": 4000,
    "jours_ouverture": 6,
    "samedi_matin": True,
    "coordination": True,
    "nb_protocoles": 3,
    "taux_rcp": 10,
    "zone": "metropole",
    "engagement_france_sante": False,
}


def declaration(keys: int, fmt: str) -> str:
    """A declaration of the bundled test convention with `keys` extra keys."""
    extra = {f"cle_inconnue_{i:06d}": i for i in range(keys)}
    data = {**DONNEES, **extra}
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt == "toml":
        return "\n".join(f"{k} = {json.dumps(v)}" for k, v in data.items()) + "\n"
    return "\n".join(f"{k}: {json.dumps(v)}" for k, v in data.items()) + "\n"


def measure(keys: int, fmt: str, model) -> tuple[float, int, int]:
    """(seconds, bytes, diagnostics) to read and validate one declaration."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"structure.{fmt}"
        path.write_text(declaration(keys, fmt), encoding="utf-8")
        start = time.perf_counter()
        try:
            read_declaration(str(path), model)
            problems = 0
        except DeclarationError as error:
            problems = len(error.diagnostics)
        return time.perf_counter() - start, path.stat().st_size, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[10_000, 40_000, 80_000])
    parser.add_argument("--formats", nargs="+", default=["json", "toml", "yaml"])
    options = parser.parse_args()
    model = check_file(str(CONVENTION)).model
    for fmt in options.formats:
        for keys in options.keys:
            seconds, size, problems = measure(keys, fmt, model)
            print(f"{fmt:5} {keys:>7,} clés ({size / 1e6:5.2f} Mo) : {seconds:6.2f} s ({problems:,} diagnostics)")


if __name__ == "__main__":
    main()
