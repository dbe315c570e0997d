"""Input numbers: one rule for every format (`interpreter/io/numbers.py`), refused rather than guessed.

A hostile number — ambiguous, too large, too precise, thousands of digits — gives a French
diagnostic naming where it is, in every format, never exit 3 and never a silently wrong value;
the column reader and the scalar reader agree value for value.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsl import limits
from dsl.driver import check_file
from interpreter.cli import cli
from interpreter.io import numbers
from interpreter.io.number_columns import read_numbers
from interpreter.io.numbers import NUMERIC, NumberProblem, NumberToken, read_number, read_written
from interpreter.io.tables import TableError, read_population
from tests.conftest import GOLDEN, ROOT

D = Decimal
CLI = GOLDEN / "cli"
MODEL = check_file(str(CLI / "convention.conv")).model
MSP = {
    "patientele": 4000,
    "jours_ouverture": 6,
    "samedi_matin": True,
    "coordination": True,
    "nb_protocoles": 3,
    "taux_rcp": 10,
    "zone": "metropole",
    "engagement_france_sante": False,
}


# ---- the rule, value by value ------------------------------------------------------------------------

ACCEPTED = [
    ("4000", "entier", "4000"),
    ("7,5", "nombre", "7.5"),
    ("7.50", "nombre", "7.5"),
    ("0,125", "nombre", "0.125"),
    ("0.125", "nombre", "0.125"),
    ("1234,567", "nombre", "1234.567"),
    ("1 234,56", "montant", "1234.56"),
    ("1\u00a0234,56", "montant", "1234.56"),
    ("1\u202f234,56 €", "montant", "1234.56"),
    ("1_100", "entier", "1100"),
    ("1 234 567", "entier", "1234567"),
    ("7 €", "montant", "7"),
    ("7EUR", "montant", "7"),
    ("7 eur", "montant", "7"),
    ("75 %", "pourcentage", "0.75"),
    ("75", "pourcentage", "0.75"),
    ("12,5%", "pourcentage", "0.125"),
    ("-12,5", "nombre", "-12.5"),
    ("+3", "entier", "3"),
    ("  42\t", "entier", "42"),
    ("1 234.567", "nombre", "1234.567"),
    ("1_234,567", "nombre", "1234.567"),
    ("12.5000", "nombre", "12.5"),
    ("1.5000000000000", "nombre", "1.5"),
    ("999999999999999.999999999", "nombre", "999999999999999.999999999"),
    ("-0", "nombre", "0"),
    ("0" * 5000 + "1", "entier", "1"),
    ("0.000000001", "nombre", "0.000000001"),
]
AMBIGUOUS = [
    "4.000",
    "1,234",
    "-12.500",
    "12,500 %",
    "999.999",
    "1.234,5",
    "1,234.5",
    "1.234.567",
    "1,234,567",
    "4.000 €",
]
NOT_NUMBERS = [
    "1e3",
    ".5",
    "5.",
    "1 23",
    "12 3456",
    "abc",
    "\u0663",
    "1__0",
    "_1",
    "1_",
    "\u22125",
    "4 000.000.5",
    "7 € 7",
    "",
    "1 234,5 %",
]
BEYOND = [
    "1000000000000000",
    "-1000000000000000",
    "1.0000000001",
    "9" * 5000,
    "0." + "0" * 5000 + "1",
    "1 000 000 000 000 000",
]


@pytest.mark.parametrize("text, kind, value", ACCEPTED)
def test_unambiguous_text_is_accepted(text, kind, value):
    assert read_number(text, kind) == D(value)


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_a_separator_that_could_be_thousands_is_refused_with_both_readings(text):
    problem = read_number(text, "pourcentage" if "%" in text else "montant")
    assert isinstance(problem, NumberProblem) and problem.code == "nombre-ambigu"
    assert problem.hint.startswith("écrivez") or problem.hint.startswith("si ")


def test_the_hint_gives_the_two_readings():
    assert (
        read_number("4.000", "entier").hint == "écrivez 4000 s'il s'agit de milliers, ou 4.0 s'il s'agit de décimales"
    )
    assert read_number("1,234", "nombre").hint == (
        "écrivez 1234 s'il s'agit de milliers, ou 1.2340 s'il s'agit de décimales"
    )


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_other_text_is_not_a_number(text):
    kind = "nombre" if "€" in text else "montant"
    problem = read_number(text, kind)
    assert isinstance(problem, NumberProblem) and problem.code == numbers.TYPE


@pytest.mark.parametrize("text", BEYOND)
def test_values_beyond_the_bounds_are_refused_without_converting_them(text):
    problem = read_number(text, "nombre")
    assert isinstance(problem, NumberProblem) and problem.code == "nombre-hors-limites"
    assert len(problem.message("x", "")) < 300  # shortened: first and last digits, and the count


@pytest.mark.parametrize(
    "raw, expected",
    [
        (NumberToken("4.000"), D(4)),
        (NumberToken("1E+2"), D(100)),
        (NumberToken("1_000.5"), D("1000.5")),
        (NumberToken("-0.0"), D(0)),
        (NumberToken("1234567890123456e-5"), D("12345678901.23456")),
        (0.1, D("0.1")),
        (D("4.000"), D(4)),
        (10**14, D(10**14)),
        (1e-7, D("1E-7")),
    ],
)
def test_a_number_of_a_typed_format_follows_its_format(raw, expected):
    assert read_number(raw, "nombre") == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        (NumberToken("1e999999999999"), "nombre-hors-limites"),
        (NumberToken("1e-999999999999"), "nombre-hors-limites"),
        (NumberToken("1e400"), "nombre-hors-limites"),
        (1e19, "nombre-hors-limites"),
        (2**63, "nombre-hors-limites"),
        (NumberToken("9" * 5000), "nombre-hors-limites"),
        (D("1E+20"), "nombre-hors-limites"),
        (D("0.0000000001"), "nombre-hors-limites"),
        (float("nan"), numbers.TYPE),
        (float("inf"), numbers.TYPE),
        (NumberToken("NaN"), numbers.TYPE),
        (NumberToken("-Infinity"), numbers.TYPE),
        (D("NaN"), numbers.TYPE),
        (True, numbers.TYPE),
        ([1], numbers.TYPE),
        (None, numbers.TYPE),
    ],
)
def test_typed_values_beyond_the_bounds_or_not_numbers_are_refused(raw, code):
    problem = read_number(raw, "nombre")
    assert isinstance(problem, NumberProblem) and problem.code == code


def test_zero_is_zero_whatever_its_exponent():
    assert read_number(NumberToken("0e999999999999"), "nombre") == 0


def test_a_pourcentage_is_bounded_as_written_in_percent():
    assert read_number("999999999999999 %", "pourcentage") == D("9999999999999.99")
    assert read_number("33.333333333 %", "pourcentage") == D("0.33333333333")
    assert read_number("33.3333333333 %", "pourcentage").code == "nombre-hors-limites"


# ---- the column reader agrees with the scalar reader -------------------------------------------------

ALPHABET = "0123456789012345678901234567890123456789.,_ -+€%eEUR\u00a0\u202f\tx"


@st.composite
def written_numbers(draw):
    """Numbers as people write them, good and bad: signs, groupings, separators, units, blanks."""
    blank = st.sampled_from(["", "", " ", "\u00a0", "\t"])
    integer = draw(
        st.one_of(
            st.from_regex(r"[0-9]{1,18}", fullmatch=True),
            st.from_regex(r"[0-9]{1,3}([ \u00a0\u202f][0-9]{3}){1,5}", fullmatch=True),
            st.from_regex(r"[0-9](_?[0-9]){0,16}", fullmatch=True),
        )
    )
    fraction = draw(st.one_of(st.just(""), st.from_regex(r"[.,][0-9]{1,12}", fullmatch=True)))
    unit = draw(st.sampled_from(["", "", " €", "€", " EUR", " %", "%"]))
    return f"{draw(blank)}{draw(st.sampled_from(['', '', '-', '+']))}{integer}{fraction}{unit}{draw(blank)}"


texts = st.one_of(written_numbers(), st.text(alphabet=ALPHABET, max_size=24))


def check_agreement(series: pl.Series, raws: list, kind: str, typed=None):
    """Each row of the column reader equals `read_number` of that row (value or problem)."""
    skip = series.is_null().to_numpy()
    if series.dtype == pl.String:
        skip |= (series.str.strip_chars(numbers.BLANKS) == "").fill_null(True).to_numpy()
    values, problems = read_numbers(series, kind, skip, typed)
    assert values.num.dtype in (np.int64, object)
    for row, raw in enumerate(raws):
        if skip[row]:
            continue
        expected = read_number(raw, kind)
        if isinstance(expected, NumberProblem):
            assert row in problems, (raw, kind)
            if isinstance(raw, str):  # the very same text: the very same problem, message and hint
                assert problems[row] == read_written(raw, kind), (raw, kind)
            else:  # a float or a decimal is shown as polars writes it (`NaN`, `1e-7`)
                assert problems[row].code == expected.code, (raw, kind)
        else:
            assert row not in problems, (raw, kind, problems.get(row))
            assert values.value(row) == expected, (raw, kind)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(texts, min_size=1, max_size=12), st.sampled_from(NUMERIC))
@example(["4.000", "1 234,5 €", "12345678901234.123456789", "0.000000001", "9" * 30, "7,5 %"], "montant")
def test_text_columns_agree_with_the_scalar_reader(raws, kind):
    check_agreement(pl.Series(raws, dtype=pl.String), raws, kind)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.from_regex(r"-?[0-9]{1,17}(\.[0-9]{1,11})?", fullmatch=True), min_size=1, max_size=12),
    st.sampled_from(NUMERIC),
)
@example(["1.000", "12", "-0.5"], "nombre")
@example(["999999999999999.999999999", "1"], "montant")
def test_plain_columns_agree_with_the_scalar_reader(raws, kind):
    """Digits and at most one point: the short path of the column reader."""
    check_agreement(pl.Series(raws, dtype=pl.String), raws, kind)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.one_of(st.floats(), st.floats(-1e16, 1e16), st.floats(-1000, 1000).map(lambda f: round(f, 3))),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(NUMERIC),
)
@example(
    [0.1, 1e-7, 1e19, float("nan"), float("inf"), -0.0, 123456789012.125, 5e-324, 1e15, 999999999999999.9], "nombre"
)
def test_float_columns_agree_with_the_scalar_reader(raws, kind):
    check_agreement(pl.Series(raws, dtype=pl.Float64), raws, kind)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=12), st.sampled_from(NUMERIC))
def test_integer_columns_agree_with_the_scalar_reader(raws, kind):
    check_agreement(pl.Series(raws, dtype=pl.Int64), raws, kind)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.integers(0, 20).flatmap(
        lambda scale: st.tuples(
            st.just(scale),
            st.lists(
                st.decimals(-(10 ** (37 - scale)), 10 ** (37 - scale), places=scale, allow_nan=False),
                min_size=1,
                max_size=8,
            ),
        )
    )
)
def test_decimal_columns_agree_with_the_scalar_reader(case):
    scale, raws = case
    series = pl.Series([str(v) for v in raws]).str.to_decimal(scale=scale)
    check_agreement(series, raws, "nombre")


json_numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: str(d)),
    st.from_regex(r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,14})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.booleans(), st.one_of(json_numbers, texts)), min_size=1, max_size=12),
    st.sampled_from(NUMERIC),
)
def test_mixed_json_columns_agree_with_the_scalar_reader(cells, kind):
    """A JSON Lines column mixing numbers (typed) and strings (a person's writing)."""
    texts_ = [text for _, text in cells]
    typed = np.array([is_number for is_number, _ in cells], dtype=bool)
    raws = [NumberToken(text) if is_number else text for is_number, text in cells]
    check_agreement(pl.Series(texts_, dtype=pl.String), raws, kind, typed)


def test_float32_columns_are_read_as_their_own_shortest_decimals():
    values, problems = read_numbers(pl.Series([0.1, 3.3, 1e-7], dtype=pl.Float32), "nombre", np.zeros(3, dtype=bool))
    assert not problems and [values.value(i) for i in range(3)] == [D("0.1"), D("3.3"), D("1E-7")]


def test_unsigned_and_wide_integer_columns():
    check_agreement(
        pl.Series([2**64 - 1, 2**63, 5, 10**15 - 1], dtype=pl.UInt64), [2**64 - 1, 2**63, 5, 10**15 - 1], "entier"
    )
    check_agreement(pl.Series([10**30, -(10**30), 7], dtype=pl.Int128), [10**30, -(10**30), 7], "entier")
    check_agreement(pl.Series([1, 2], dtype=pl.Int8), [1, 2], "pourcentage")


def test_ordinary_columns_never_take_the_slow_path(monkeypatch):
    """The expressions read usual values themselves: the value-by-value reader is only for the rest."""

    def refuse(raw, kind):
        raise AssertionError(f"value read one by one: {raw!r}")

    monkeypatch.setattr(numbers, "read_written", refuse)
    size = 1000
    rng = np.random.default_rng(1)
    for series, kind in [
        (pl.Series(rng.integers(0, 10**6, size)), "entier"),
        (pl.Series(np.round(rng.random(size) * 10**5, 2)), "montant"),
        (pl.Series([f"{i} {i % 1000:03d},{i % 100:02d} €" for i in range(1, size)]), "montant"),
        (pl.Series([f"{i % 100},{i % 10} %" for i in range(size)]), "pourcentage"),
        (pl.Series(["12.5", "0,125", "1_100", "7"] * 10), "nombre"),
        (pl.Series(["1.50", "2.25"]).str.to_decimal(scale=12), "nombre"),
    ]:
        _, problems = read_numbers(series, kind, np.zeros(len(series), dtype=bool))
        assert not problems


def test_a_column_too_wide_for_int64_is_exact():
    values, problems = read_numbers(
        pl.Series(["999999999999999.5", "0.000000001", "-999999999999999.999999999"]),
        "montant",
        np.zeros(3, dtype=bool),
    )
    assert not problems and values.num.dtype == object and values.den == 10**9
    assert [values.value(i) for i in range(3)] == [
        D("999999999999999.5"),
        D("0.000000001"),
        D("-999999999999999.999999999"),
    ]


# ---- the bounds, as documented -----------------------------------------------------------------------


def test_the_documented_bounds_are_the_constants():
    assert limits.LIMIT == 10**limits.MAX_INTEGER_DIGITS
    guide = (ROOT / "docs" / "langage.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 11. Limites des nombres") :]
    assert f"inférieure à 10^{limits.MAX_INTEGER_DIGITS}" in section
    assert f"au plus {limits.MAX_DECIMALS} décimales" in section
    for doc in (numbers.__doc__, limits.__doc__):
        assert "10¹⁵" in doc and f"at most {limits.MAX_DECIMALS} decimals" in doc
    too_large, _ = limits.limit_text(limits.TOO_LARGE, "1")
    too_precise, _ = limits.limit_text(limits.TOO_PRECISE, "1")
    assert f"10^{limits.MAX_INTEGER_DIGITS}" in too_large and f"{limits.MAX_DECIMALS} au plus" in too_precise
    assert read_number("1" + "0" * (limits.MAX_INTEGER_DIGITS - 1), "nombre") == 10 ** (limits.MAX_INTEGER_DIGITS - 1)
    assert read_number("1" + "0" * limits.MAX_INTEGER_DIGITS, "nombre").code == "nombre-hors-limites"
    assert read_number("0." + "0" * (limits.MAX_DECIMALS - 1) + "1", "nombre") == D(10) ** -limits.MAX_DECIMALS
    assert read_number("0." + "0" * limits.MAX_DECIMALS + "1", "nombre").code == "nombre-hors-limites"


# ---- every format, hostile values ---------------------------------------------------------------------

FIVE_THOUSAND = "9" * 5000
# case → (donnée, value as text, value as a number of a typed format or None, expected code)
HOSTILE = {
    "ambigu": ("patientele", "4.000", None, "nombre-ambigu"),
    "deux-separateurs": ("patientele", "1.234,5", None, "nombre-ambigu"),
    "vingt-chiffres": ("patientele", "12345678901234567890", "12345678901234567890", "nombre-hors-limites"),
    "dix-decimales": ("taux_rcp", "10.0000000001", "10.0000000001", "nombre-hors-limites"),
    "intervalle-29-chiffres": ("nb_protocoles", "1" * 29, "1" * 29, "nombre-hors-limites"),
    "cinq-mille-chiffres": ("patientele", FIVE_THOUSAND, FIVE_THOUSAND, "nombre-hors-limites"),
    "exposant-enorme": ("taux_rcp", None, "1e999999999", "nombre-hors-limites"),
}
TEXT_FORMATS = ["yaml", "json-texte", "toml-texte", "csv", "jsonl-texte", "parquet-texte"]
NUMBER_FORMATS = ["json", "toml", "jsonl", "set", "conv"]


def write_declaration(folder: Path, fmt: str, donnee: str, value: str, typed: bool) -> Path:
    data = dict(MSP)
    if fmt == "yaml":
        lines = [
            f"{k}: {json.dumps(v) if isinstance(v, str) else str(v).lower()}" for k, v in data.items() if k != donnee
        ]
        path = folder / "structure.yaml"
        path.write_text("\n".join(lines + [f'{donnee}: "{value}"']) + "\n", encoding="utf-8")
    elif fmt.startswith("json"):
        items = [f'"{k}": {json.dumps(v)}' for k, v in data.items() if k != donnee]
        items.append(f'"{donnee}": {value if typed else json.dumps(value)}')
        path = folder / "structure.json"
        path.write_text("{\n  " + ",\n  ".join(items) + "\n}\n", encoding="utf-8")
    else:
        lines = [f"{k} = {json.dumps(v)}" for k, v in data.items() if k != donnee]
        path = folder / "structure.toml"
        path.write_text(
            "\n".join(lines + [f"{donnee} = {value if typed else json.dumps(value)}"]) + "\n", encoding="utf-8"
        )
    return path


def write_population(folder: Path, fmt: str, donnee: str, value: str, typed: bool) -> Path:
    second = {**MSP, donnee: value}
    if fmt == "csv":
        path = folder / "population.csv"
        header = ",".join(["id", *MSP])

        def cells(row):
            return ",".join(json.dumps(v) if isinstance(v, str) else str(v).lower() for v in row.values())

        path.write_text(f"{header}\nmsp_ok,{cells(MSP)}\nmsp_x,{cells(second)}\n", encoding="utf-8")
    elif fmt.startswith("jsonl"):
        path = folder / "population.jsonl"
        first = json.dumps({"id": "msp_ok", **MSP})
        items = [f'"{k}": {json.dumps(v)}' for k, v in {"id": "msp_x", **MSP}.items() if k != donnee]
        items.append(f'"{donnee}": {value if typed else json.dumps(value)}')
        path.write_text(first + "\n{" + ", ".join(items) + "}\n", encoding="utf-8")
    else:
        path = folder / "population.parquet"
        columns = {"id": ["msp_ok", "msp_x"], **{k: [v, v] for k, v in MSP.items()}}
        columns[donnee] = [str(MSP[donnee]), value]
        pl.DataFrame(columns).write_parquet(path)
    return path


def run(folder: Path, *args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "erreur interne" not in result.output
    return result.output


FORMAT_CASES = [
    (case, fmt) for case, (_, text, _, _) in HOSTILE.items() if text is not None for fmt in TEXT_FORMATS
] + [
    (case, fmt)
    for case, (_, _, number, _) in HOSTILE.items()
    if number is not None
    for fmt in NUMBER_FORMATS
    if fmt not in ("set", "conv") or "e" not in number
]  # the language has no exponent


@pytest.mark.parametrize("case, fmt", FORMAT_CASES, ids=[f"{c}-{f}" for c, f in FORMAT_CASES])
def test_hostile_numbers_in_every_format(case, fmt, tmp_path, monkeypatch):
    """A clear French diagnostic naming where the value is (structure, line, donnée); exit 1."""
    monkeypatch.chdir(tmp_path)
    donnee, text, number, code = HOSTILE[case]
    typed = fmt in NUMBER_FORMATS
    value = number if typed else text
    convention = str(CLI / "convention.conv")
    if fmt == "set":
        output = run(tmp_path, "eval", convention, str(CLI / "msp.yaml"), "--set", f"patientele_reference={value}")
        assert f"erreur[{code}]" in output and "--set patientele_reference" in output
        return
    if fmt == "conv":
        path = tmp_path / "c.conv"
        source = (CLI / "convention.conv").read_text(encoding="utf-8")
        path.write_text(
            source.replace("patientele_reference = 4000", f"patientele_reference = {value}"), encoding="utf-8"
        )
        output = run(tmp_path, "check", str(path))
        assert f"c.conv:8:26: erreur[{code}]" in output
        output = run(tmp_path, "eval", str(path), str(CLI / "msp.yaml"))
        assert f"erreur[{code}]" in output
        return
    base = fmt.split("-")[0]
    if base in ("yaml", "json", "toml"):
        path = write_declaration(tmp_path, base, donnee, value, typed)
        output = run(tmp_path, "eval", convention, str(path))
        assert re.search(rf"structure\.{base}:\d+:\d+: erreur\[{code}\]: « {donnee} » = ", output), output
    else:
        path = write_population(tmp_path, base, donnee, value, typed)
        output = run(tmp_path, "simulate", convention, str(path))
        where = {"csv": "ligne 3", "jsonl": "ligne 2", "parquet": "rangée 2"}[base]
        assert f"erreur[{code}]: structure « msp_x », donnée « {donnee} » ({where}) : « {donnee} » = " in output, output
    assert len(output.splitlines()[0]) < 400  # the value is shortened (the source line is shown as it is)


def test_parquet_types_that_cannot_hold_a_donnee(tmp_path):
    columns = {"id": ["a", "b"], **{k: [v, v] for k, v in MSP.items()}}
    frame = pl.DataFrame(columns)
    cases = {
        "floats": frame.with_columns(pl.Series("taux_rcp", [1e19, float("nan")])),
        "decimal": frame.with_columns(pl.Series("taux_rcp", ["10", "0.00000000000000000001"]).str.to_decimal(scale=20)),
        "uint64": frame.with_columns(pl.Series("patientele", [2**63, 5], dtype=pl.UInt64)),
        "list": frame.with_columns(pl.Series("patientele", [[1], [2]]), pl.Series("zone", [{"a": 1}, {"a": 2}])),
    }
    messages = {}
    for name, table in cases.items():
        path = tmp_path / f"{name}.parquet"
        table.write_parquet(path)
        with pytest.raises(TableError) as raised:
            read_population(str(path), MODEL)
        messages[name] = [(d.code, d.message) for d in raised.value.diagnostics]
    assert [c for c, _ in messages["floats"]] == ["nombre-hors-limites", "population-invalide"]
    assert "(rangée 1)" in messages["floats"][0][1] and "pas « NaN »" in messages["floats"][1][1]
    assert messages["decimal"] == [
        (
            "nombre-hors-limites",
            "structure « b », donnée « taux_rcp » (rangée 2) : « taux_rcp » "
            "= 0.00000000000000000001 a trop de décimales (écrit en pour cent) : 9 au plus",
        )
    ]
    assert messages["uint64"][0][0] == "nombre-hors-limites" and "9223372036854775808" in messages["uint64"][0][1]
    assert messages["list"] == [  # one error per column, not per row
        (
            "population-colonnes",
            "colonne « patientele » : elle contient des listes (type List(Int64)), pas une valeur par structure",
        ),
        (
            "population-colonnes",
            "colonne « zone » : elle contient des tables (struct) (type Struct({'a': Int64})), pas "
            "une valeur par structure",
        ),
    ]
    ranged = frame.with_columns(pl.Series("nb_protocoles", ["3", "1" * 29]).str.to_decimal(scale=0))
    ranged.write_parquet(tmp_path / "ranged.parquet")
    with pytest.raises(TableError) as raised:
        read_population(str(tmp_path / "ranged.parquet"), MODEL)
    assert [d.code for d in raised.value.diagnostics] == ["nombre-hors-limites"]
    fine = cases["decimal"].with_columns(pl.Series("taux_rcp", ["10", "2.5"]).str.to_decimal(scale=20))
    fine.write_parquet(tmp_path / "fine.parquet")
    population = read_population(str(tmp_path / "fine.parquet"), MODEL)
    assert population.columns["taux_rcp"].value(1) == D("0.025")


# ---- the 4.000 case ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ['patientele: "4.000"', "patientele: 4.000", "patientele: '4,000'"])
def test_four_thousand_written_with_a_point_is_refused_not_read_as_four(written, tmp_path):
    """The reference structure of Avenant 1 pays 102 340 €; read as 4 patients it would pay 72 969,40 €."""
    convention = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
    reference = ROOT / "examples" / "declarations" / "msp-reference-ipa-avenant-1.yaml"
    result = CliRunner().invoke(cli, ["eval", convention, str(reference), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output)["total"] == "102340.00"
    text = reference.read_text(encoding="utf-8")
    assert re.search(r"^patientele: 4000$", text, flags=re.M)
    path = tmp_path / "reference.yaml"
    path.write_text(re.sub(r"^patientele: 4000$", written, text, flags=re.M), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", convention, str(path)])
    assert result.exit_code == 1 and "erreur[nombre-ambigu]" in result.output
    assert "72 969,40" not in result.output


def test_a_json_number_keeps_its_format_and_a_json_string_does_not(tmp_path):
    path = write_declaration(tmp_path, "json", "patientele", "4.000", typed=True)
    result = CliRunner().invoke(cli, ["eval", str(CLI / "convention.conv"), str(path), "--format", "json"])
    assert result.exit_code == 0, result.output  # 4.000 without quotes is JSON's 4
    path = write_declaration(tmp_path, "json", "patientele", "4.000", typed=False)
    result = CliRunner().invoke(cli, ["eval", str(CLI / "convention.conv"), str(path)])
    assert result.exit_code == 1 and "erreur[nombre-ambigu]" in result.output


# ---- duplicates and blank lines --------------------------------------------------------------------------


def test_a_key_written_twice_in_toml_is_reported(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("patientele = 4000\npatientele = 9000\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(CLI / "convention.conv"), str(path)])
    assert result.exit_code == 1 and "TOML illisible : clé déclarée deux fois" in result.output


def test_a_column_written_twice_in_parquet_is_reported(tmp_path):
    columns = {"id": ["a"], **{k: [v] for k, v in MSP.items()}, "colonneA": [1], "colonneB": [2]}
    path = tmp_path / "p.parquet"
    pl.DataFrame(columns).write_parquet(path, statistics=False)
    path.write_bytes(path.read_bytes().replace(b"colonneB", b"colonneA"))  # a file another tool could write
    with pytest.raises(TableError) as raised:
        read_population(str(path), MODEL)
    assert [(d.code, d.message) for d in raised.value.diagnostics] == [
        ("population-colonnes", "colonne « colonneA » en double")
    ]


def population_text(fmt: str, rows: list[dict]) -> str:
    if fmt == "csv":
        return (
            ",".join(["id", *MSP])
            + "\n"
            + "".join(
                ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in row.values()) + "\n" for row in rows
            )
        )
    return "".join(json.dumps(row) + "\n" for row in rows)


ROWS = [{"id": "msp_a", **MSP}, {"id": "msp_b", **MSP, "patientele": 3333}]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("ending", ["\n", "\n\n\n", "   \n", "\r\n", ",,,,,,,,\n\n"])
def test_blank_lines_at_the_end_are_ignored(fmt, ending, tmp_path):
    if ending.startswith(",") and fmt == "jsonl":
        ending = "\n \n"
    path = tmp_path / f"p.{fmt}"
    path.write_text(population_text(fmt, ROWS) + ending, encoding="utf-8")
    population = read_population(str(path), MODEL)
    assert list(population.ids) == ["msp_a", "msp_b"]


@pytest.mark.parametrize("fmt, line", [("csv", "ligne 3"), ("jsonl", "ligne 2")])
def test_a_blank_line_among_the_rows_is_an_error_naming_it(fmt, line, tmp_path):
    text = (
        population_text(fmt, ROWS[:1]) + "\n" + population_text(fmt, ROWS[1:]).split("\n", 1 if fmt == "csv" else 0)[-1]
    )
    path = tmp_path / f"p.{fmt}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError) as raised:
        read_population(str(path), MODEL, keep_invalid=True)
    assert [(d.code, d.message) for d in raised.value.diagnostics] == [
        ("population-illisible", f"{line} vide au milieu des structures")
    ]


@pytest.mark.parametrize(
    "written",
    [
        '"patientele": 4000, "patientele": 9000',
        '"patientele" : 4000, "patientele": 9000',
        '"patientele": 4000, "patientele": null',
        '"patientele": null, "patientele": 4000',
        '"patientele": 4000, "p\\u0061tientele": 9000',
        '"patientele": 4000, "zone": "a:b", "patientele": 9000',
    ],
)
def test_a_key_written_twice_on_a_json_line_is_reported_however_written(written, tmp_path):
    row = json.dumps({"id": "b", **{k: v for k, v in MSP.items() if k != "patientele"}})
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "a", **MSP}) + "\n" + row[:-1] + ", " + written + "}\n", encoding="utf-8")
    population = read_population(str(path), MODEL, keep_invalid=True)
    assert list(population.ids) == ["a"]
    assert "clé « patientele » écrite deux fois sur la ligne" in [p.message for p in population.problems]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_windows_line_ends(fmt, tmp_path):
    path = tmp_path / f"p.{fmt}"
    path.write_bytes(population_text(fmt, ROWS).replace("\n", "\r\n").encode("utf-8") + b"\r\n")
    population = read_population(str(path), MODEL)
    assert list(population.ids) == ["msp_a", "msp_b"] and population.columns["patientele"].value(1) == 3333


def test_json_lines_that_polars_cannot_read_are_read_exactly(tmp_path):
    """A column of integers then booleans makes polars give up: every line is then read by `json`."""
    rows = [{"id": f"s{i}", **MSP} for i in range(150)] + [{"id": "t", **MSP, "nb_protocoles": True}]
    path = tmp_path / "p.jsonl"
    path.write_text(population_text("jsonl", rows), encoding="utf-8")
    population = read_population(str(path), MODEL, keep_invalid=True)
    assert population.size == 150 and population.columns["patientele"].value(0) == 4000
    assert [p.message for p in population.problems] == ["« nb_protocoles » attend un nombre entier, pas « true »"]


def test_json_lines_numbers_are_exact_beyond_fifteen_digits(tmp_path):
    path = tmp_path / "p.jsonl"
    row = json.dumps({"id": "a", **MSP}).replace('"taux_rcp": 10', '"taux_rcp": 123456789012.123456789')
    path.write_text(row + "\n", encoding="utf-8")
    population = read_population(str(path), MODEL)
    assert population.columns["taux_rcp"].value(0) == D("1234567890.12123456789")


def test_json_lines_syntax_errors_name_the_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "a", **MSP}) + '\n{"id": "b", "patientele": }\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(TableError) as raised:
        read_population(str(path), MODEL)
    assert [d.message for d in raised.value.diagnostics] == [
        "ligne 2 : JSON illisible : valeur attendue",
        "ligne 3 : JSON illisible : ce n'est pas un objet « { … } »",
    ]


cells = st.one_of(texts, st.text(max_size=12), st.sampled_from(["", " ", "null", "true", "[1]", "{}", "\\", '"']))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=6), st.sampled_from(["csv", "jsonl"]))
def test_any_cell_is_read_or_reported_never_a_crash(tmp_path_factory, rows, fmt):
    """Whatever the cells of the numeric columns, reading gives values or French problems."""
    folder = tmp_path_factory.mktemp("t")
    path = folder / f"p.{fmt}"
    if fmt == "csv":

        def quoted(text):
            return '"' + text.replace('"', '""') + '"'

        body = "".join(f"s{i},{quoted(a)},6,vrai,vrai,{quoted(b)},10,metropole,faux\n" for i, (a, b) in enumerate(rows))
        path.write_text(",".join(["id", *MSP]) + "\n" + body, encoding="utf-8")
    else:
        path.write_text(
            "".join(
                json.dumps({"id": f"s{i}", **MSP, "patientele": a, "nb_protocoles": b}) + "\n"
                for i, (a, b) in enumerate(rows)
            ),
            encoding="utf-8",
        )
    try:
        population = read_population(str(path), MODEL, keep_invalid=True)
    except TableError as error:  # a file-level problem (a blank line…), said in French
        assert all(d.code.startswith("population") for d in error.diagnostics)
        return
    assert population.size + len({p.row for p in population.problems}) == len(rows)
    for row in range(population.size):
        assert population.exact_inputs(MODEL)(row)["patientele"] == population.columns["patientele"].value(row)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cells,
    st.one_of(json_numbers, st.just("1e999999999"), st.just("9" * 5000)),
    st.sampled_from(["yaml", "json", "toml"]),
)
def test_any_declared_value_is_read_or_reported_never_a_crash(tmp_path_factory, text, number, fmt):
    from interpreter.io.declarations import DeclarationError, read_declaration

    folder = tmp_path_factory.mktemp("d")
    for value, typed in ((text, False), (number, True)):
        if fmt == "yaml" and typed:
            continue
        path = write_declaration(folder, fmt, "taux_rcp", value, typed)
        try:
            read_declaration(str(path), MODEL)
        except DeclarationError as error:
            assert error.diagnostics


# The column readers against the scalar one on many more columns (`pytest -m slow`).


@pytest.mark.slow
@settings(max_examples=1_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(texts, min_size=1, max_size=12), st.sampled_from(NUMERIC))
def test_many_text_columns_agree_with_the_scalar_reader(raws, kind):
    test_text_columns_agree_with_the_scalar_reader.hypothesis.inner_test(raws, kind)


@pytest.mark.slow
@settings(max_examples=1_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.booleans(), st.one_of(json_numbers, texts)), min_size=1, max_size=12),
    st.sampled_from(NUMERIC),
)
def test_many_mixed_json_columns_agree_with_the_scalar_reader(cells, kind):
    test_mixed_json_columns_agree_with_the_scalar_reader.hypothesis.inner_test(cells, kind)
