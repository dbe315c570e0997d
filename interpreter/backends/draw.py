"""`tirage(p)`: which structures a scenario draws — the same ones in every run, whatever the row order.

A structure is drawn when `h < p × 2⁶⁴`, where `h` is a 64-bit hash of « salt/structure id »
(the salt names the scenario and the donnée). The hash is FNV-1a over the UTF-8 bytes followed
by the SplitMix64 finaliser: simple, stable across platforms and versions (written here, not
taken from a library whose hash may change), and computed the same way one structure at a time
and, with numpy, for a whole column at once. The comparison with `p` is exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

MASK = 2**64 - 1
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


def _finish(h: int) -> int:
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 31)


def structure_hash(salt: str, structure: str) -> int:
    """The 64-bit hash of one structure for one draw."""
    h = FNV_OFFSET
    for byte in f"{salt}/{structure}".encode():
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return _finish(h)


def threshold(share) -> int:
    """The smallest hash not drawn: ⌈p × 2⁶⁴⌉, within [0, 2⁶⁴]."""
    exact = Fraction(share) * 2**64
    return min(max(-((-exact.numerator) // exact.denominator), 0), 2**64)


def drawn(salt: str, structure: str, share) -> bool:
    """Whether one structure is drawn, for a share `p` (a fraction between 0 and 1)."""
    return structure_hash(salt, structure) < threshold(share)


def id_bytes(structures) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of every structure id, as a zero-padded matrix, and their lengths (computed once
    per population, shared by every draw)."""
    import numpy as np  # only a population needs numpy

    encoded = [str(s).encode("utf-8") for s in structures]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    width = max(int(lengths.max(initial=0)), 1)
    matrix = np.frombuffer(np.array(encoded, dtype=f"S{width}").tobytes(), dtype=np.uint8).reshape(len(encoded), width)
    return matrix, lengths


def hashes(salt: str, structures, encoded: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The hash of every structure id, as uint64, computed column-wise (`encoded`: `id_bytes(structures)`)."""
    import numpy as np  # only a population needs numpy

    matrix, lengths = encoded if encoded is not None else id_bytes(structures)
    h = np.full(len(lengths), FNV_OFFSET, dtype=np.uint64)
    prime = np.uint64(FNV_PRIME)
    with np.errstate(over="ignore"):
        for byte in f"{salt}/".encode():
            h = (h ^ np.uint64(byte)) * prime
        for column in range(matrix.shape[1]):
            stepped = (h ^ matrix[:, column].astype(np.uint64)) * prime
            h = np.where(lengths > column, stepped, h)
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def prefix_state(text: str) -> int:
    """The FNV-1a state after the bytes of `text` (« salt/ »), before the structure id."""
    h = FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def many_hashes(salts: list[str], encoded: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The hash of every structure (`encoded`: `id_bytes`) under each salt — a matrix, one row per salt — computed
    for all the salts at once: the state after « salt/ » per row, then the id bytes column by column. The same
    hashes as `hashes(salt, …)` row by row (repeated draws, `interpreter.compare.draws`)."""
    import numpy as np  # only a population needs numpy

    matrix, lengths = encoded
    h = np.repeat(
        np.array([prefix_state(f"{salt}/") for salt in salts], dtype=np.uint64)[:, None], len(lengths), axis=1
    )
    prime = np.uint64(FNV_PRIME)
    with np.errstate(over="ignore"):
        for column in range(matrix.shape[1]):
            stepped = (h ^ matrix[:, column].astype(np.uint64)) * prime
            short = lengths <= column
            if short.any():
                stepped[:, short] = h[:, short]
            h = stepped
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))
