"""The JavaScript engine and the simulator: sizes, compile time, and a recomputation in Chromium.

    python benchmarks/simulateur.py [--repetitions 200]

Prints, for the 2026 France Santé proposal:
- the size of its simulator (page, script, styles) and of its engine, uncompressed (target: at most 300 KB);
- the time of `convcheck js` as a whole process (Python's start included) and of the compilation alone
  (`Convention.javascript()`, the version already checked), the median of several runs (target: 0.3 s);
- the time of one recomputation in headless Chromium (`--repetitions` changes of the patientèle through
  the DOM, each recomputing the page: `evaluer`, `gains`, `pertinentes`, the results drawn, the fields
  folded), median and 95th percentile (target: 5 ms), and of `evaluer` alone.

Figures vary with the machine's load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interpreter import api  # noqa: E402
from interpreter.report.simulator import simulator_files  # noqa: E402

PROPOSAL = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
CONVCHECK = Path(sys.executable).with_name("convcheck")

MEASURE = """
<script>
window.addEventListener("load", () => {
  const page = globalThis.convcheckSimulateur, field = document.querySelector('#champs [name="patientele"]');
  const engine = Object.values(page.versions)[0].moteur;
  const times = [], laid = [], alone = [];
  for (let i = 0; i < REPETITIONS; i++) {
    field.value = String(3000 + (i % 50) * 100);
    const start = performance.now();
    field.dispatchEvent(new Event("input", { bubbles: true }));
    times.push(performance.now() - start);
    void document.body.offsetHeight;  // the layout the change asks for
    laid.push(performance.now() - start);
  }
  const declaration = Object.assign({}, page.state.answers);
  for (let i = 0; i < REPETITIONS; i++) {
    declaration.patientele = String(3000 + (i % 50) * 100);
    const start = performance.now();
    engine.evaluer(declaration);
    alone.push(performance.now() - start);
  }
  const out = document.createElement("pre");
  out.id = "mesures";
  out.textContent = JSON.stringify({ page: times, miseEnPage: laid, evaluer: alone, total: document.querySelector(".version").dataset.total });
  document.body.appendChild(out);
});
</script>
"""


def sizes(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_size for path in sorted(folder.rglob("*")) if path.is_file()}


def compile_times(runs: int) -> tuple[float, float]:
    convention = api.load(PROPOSAL)
    inside = []
    for _ in range(runs):
        start = time.perf_counter()
        convention.javascript()
        inside.append(time.perf_counter() - start)
    whole = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [str(CONVCHECK), "js", str(PROPOSAL), "-o", str(Path(folder) / "moteur.mjs")],
                check=True,
                capture_output=True,
            )
            whole.append(time.perf_counter() - start)
    return statistics.median(whole), statistics.median(inside)


def recomputation(folder: Path, repetitions: int) -> dict:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        return {}
    page = folder / "mesure.html"
    page.write_text(
        (folder / "index.html")
        .read_text(encoding="utf-8")
        .replace("</body>", MEASURE.replace("REPETITIONS", str(repetitions)) + "</body>"),
        encoding="utf-8",
    )
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={folder / 'profil'}",
            "--window-size=1280,800",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    found = re.search(r'<pre id="mesures">(.*?)</pre>', dom, flags=re.S)
    return json.loads(found.group(1).replace("&quot;", '"')) if found else {}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    convention = api.load(PROPOSAL)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for relative, text in simulator_files([convention]).items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text, encoding="utf-8")
        found = sizes(folder)
        total = sum(found.values())
        print("Simulateur de la proposition 2026 (France Santé), taille non compressée :")
        for relative, size in found.items():
            print(f"  {relative:45} {size / 1000:7.1f} ko")
        print(f"  {'total (page, script, styles et moteur)':45} {total / 1000:7.1f} ko  (objectif : 300 ko au plus)")
        whole, inside = compile_times(arguments.runs)
        print(
            f"convcheck js : {whole:.2f} s (processus entier, médiane de {arguments.runs}) ; "
            f"compilation seule {inside * 1000:.0f} ms  (objectif : 0,3 s)"
        )
        measured = recomputation(folder, arguments.repetitions)
        if not measured:
            print("Chromium absent ou mesure impossible : pas de temps de recalcul.")
            return
        page, alone = measured["page"], measured["evaluer"]
        print(
            f"Recalcul de la page dans Chromium ({arguments.repetitions} changements de la patientèle) : médiane "
            f"{statistics.median(page):.2f} ms, 95e centile {percentile(page, 0.95):.2f} ms  (objectif : 5 ms)"
        )
        laid = measured["miseEnPage"]
        print(
            f"  avec la mise en page qui suit : médiane {statistics.median(laid):.2f} ms, 95e centile "
            f"{percentile(laid, 0.95):.2f} ms"
        )
        print(
            f"  dont evaluer seul : médiane {statistics.median(alone):.2f} ms, 95e centile "
            f"{percentile(alone, 0.95):.2f} ms"
        )


if __name__ == "__main__":
    main()
