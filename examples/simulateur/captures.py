"""Regenerate the simulator's screenshots: the page of Avenant 1 and the 2026 proposal, side by side, as a
browser shows it at 1280 × 800 (a laptop) and at 390 × 844 (a phone), with headless Chromium.

    python examples/simulateur/captures.py            # from the root of a checkout

Writes `simulateur-1280.png` (the README's) and `simulateur-390.png` beside this script; only the first is
committed. The simulator itself is written to a temporary folder (`convcheck simulateur` writes it for you).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VERSIONS = ["conventions/aci-msp-avenant-1.conv", "conventions/aci-msp-avenant-2-france-sante.conv"]
SIZES = {"1280": "1280,800", "390": "390,844"}


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        sys.exit("Chromium est nécessaire pour les captures (apt-get install chromium).")
    convcheck = Path(sys.executable).with_name("convcheck")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "simulateur"
        subprocess.run([str(convcheck), "simulateur", *VERSIONS, "-o", str(folder)], cwd=ROOT, check=True)
        for name, size in SIZES.items():
            target = HERE / f"simulateur-{name}.png"
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    f"--user-data-dir={Path(work) / 'profil'}",
                    f"--window-size={size}",
                    "--virtual-time-budget=3000",
                    f"--screenshot={target}",
                    (folder / "index.html").as_uri(),
                ],
                check=True,
                capture_output=True,
            )
            print(f"écrit : {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
