"""numpy, imported the first time one of its names is used.

`convcheck simulate` of a Parquet or CSV file computes in polars from end to end: numpy (0.04 s and 12 MB
of a run) is needed only where a population is read by convcheck's own reader, results are compared or
charted. The modules on that path write `from interpreter.ondemand import np` where others write
`import numpy as np`; type checkers see numpy itself. `tests/test_cli_check.py` checks that such a
`simulate` never imports it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["np"]


class OnDemand:
    """A module imported when one of its names is first asked for; each name is then kept (found again as fast as
    on the module itself, not through the import machinery: 1 µs a time)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module(self._name), name)
        setattr(self, name, value)
        return value


if TYPE_CHECKING:
    import numpy as np
else:
    np = OnDemand("numpy")
