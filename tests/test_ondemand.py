"""`interpreter.ondemand`: numpy imported at the first name asked for, each name then kept."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROGRAM = """import sys
from interpreter.ondemand import np
print("numpy" in sys.modules)
first = np.asarray
print("numpy" in sys.modules, first is sys.modules["numpy"].asarray, "asarray" in vars(np))
"""


def test_numpy_is_imported_at_the_first_name_asked_for_and_each_name_is_kept():
    found = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, cwd=ROOT, check=True)
    assert found.stdout.split() == ["False", "True", "True", "True"]
