"""The JavaScript module (`convcheck js`) gives what `convcheck eval --format json` gives, field by field:
eligibility, total, points, every line with its explanation — or the same diagnostics for a bad declaration.

Proven under Node on random conventions (the suite's generator, with majorations and minimums) and random
structures, on every example declaration and every cas of the bundled conventions, on 2,000 rows of the
example population (and under the avenant 3 scenario, whose `tirage` the module draws itself), and on bad
values of every type. Skipped, saying so, where Node is absent (`.ci/run` installs it)."""

from __future__ import annotations

import csv
import datetime
import json
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dsl.checker import check
from dsl.parser import parse_text
from interpreter import api
from interpreter.cases import cas_donnees
from interpreter.io.declarations import read_entries
from interpreter.io.numbers import NumberToken
from interpreter.report.evaluation import to_json
from tests import strategies as s
from tests.conftest import ROOT
from tests.conventions import DONNEES, conventions
from tests.javascript import comparable, expected, needs_node, run_module

pytestmark = needs_node

CONVENTIONS = ROOT / "conventions"
DECLARATIONS = ROOT / "examples" / "declarations"
POPULATION = ROOT / "examples" / "population" / "population.csv"
BUNDLED = ["aci-msp-2017", "aci-msp-avenant-1", "aci-msp-avenant-2-france-sante"]


def declared(value, donnee):
    """A runtime value as a JSON declaration writes it (a pourcentage in percent, numbers as JSON numbers)."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if donnee.type.kind == "pourcentage":
        value = value * 100
    return NumberToken(format(Decimal(value), "f"))


def declaration_of(values: dict, model, id: str | None = None) -> dict:
    found = {key: declared(value, model.donnees[key]) for key, value in values.items()}
    return found if id is None else {"id": id, **found}


def assert_same(tmp_path, convention, declarations: list[dict], others=frozenset()):
    """The module and the scalar backend say the same of every declaration."""
    found = run_module(tmp_path, convention.javascript().module, declarations, others=sorted(others) or None)
    assert len(found) == len(declarations)
    for declaration, outcome in zip(declarations, found, strict=True):
        assert comparable(outcome) == expected(convention, declaration, others), declaration


# ---- random conventions × random structures ----------------------------------------------------------------


def load_text(tmp_path_factory, text: str):
    folder = tmp_path_factory.mktemp("c")
    (folder / "c.conv").write_text(text, encoding="utf-8")
    try:
        return api.load(folder / "c.conv"), folder
    except api.ConvError as error:  # e.g. a paramètre that divides by zero: never a crash
        assert all(d.code == "parametre-incalculable" for d in error.diagnostics), str(error)
        assume(False)
        raise


def structures_for(text: str):
    model, diagnostics = check(parse_text(text).file)
    assert model is not None, diagnostics
    return st.lists(s.structures(model), min_size=1, max_size=12)


def with_defaults_left_out(declaration: dict, model, index: int) -> dict:
    """Some structures leave out the données that have a default: no key (one in three), or null (one in five)."""
    left = {id for id, d in model.donnees.items() if d.default is not None}
    if index % 3 == 0:
        return {key: value for key, value in declaration.items() if key not in left}
    return {key: None if key in left and index % 5 == 1 else value for key, value in declaration.items()}


def check_random(tmp_path_factory, text: str, structures: list[dict]):
    convention, folder = load_text(tmp_path_factory, text)
    model = convention.model
    assert_same(
        folder,
        convention,
        [
            with_defaults_left_out(declaration_of(values, model, f"s{i}"), model, i)
            for i, values in enumerate(structures)
        ],
    )


PINNED = (
    DONNEES.replace(
        "données {",
        """paramètres {
  valeur_point = 7 € / 3
  patientele_reference = 3
}
données {""",
    ).replace('"Taux"', '"Taux" par défaut 12.5 %')
    + """
prorata : effectif / 12
prérequis {
  critère c0 "Critère c0" {
    condition : (budget / heures > 0 €) ou ouverte
    montant : -(0 € * ecart)
  }
}
socle {
  critère c1 "Critère c1" {
    condition : atteint(c0) et zone dans (guadeloupe, reunion)
    points fixes : arrondi(heures / 3, 2)
    points variables : 1 / 3
  }
  critère c2 "Critère c2" {
    condition : vrai
    montant : 100 €
    prorata : 1
  }
}
majoration maj0 "Majoration maj0" {
  assiette : points
  taux : taux / 7
}
minimum min0 "Minimum min0" {
  montant : 1_000.015 € * taux
  prorata : effectif / 12
  condition : non ouverte
}
convention_fin
""".replace("convention_fin\n", "")
)
PINNED = 'convention hasard "Convention épinglée"\nversion : "1"\n' + PINNED


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
@example(data=None)  # the pinned convention below, always run
def test_the_module_equals_eval_on_random_conventions(tmp_path_factory, data):
    if data is None:
        structures = [
            {
                "patientele": Decimal(3),
                "effectif": Decimal(7),
                "ecart": Decimal(-5),
                "heures": Decimal(0),
                "budget": Decimal("-1.5"),
                "taux": Decimal("0.333"),
                "ouverte": False,
                "zone": "reunion",
                "ouverture": datetime.date(2020, 1, 1),
            },
            {
                "patientele": Decimal(0),
                "effectif": Decimal(0),
                "ecart": Decimal(5),
                "heures": Decimal("-999.99"),
                "budget": Decimal("1000000"),
                "taux": Decimal("1"),
                "ouverte": True,
                "zone": "metropole",
                "ouverture": datetime.date(1, 1, 1),
            },
        ]
        check_random(tmp_path_factory, PINNED, structures)
        return
    text = data.draw(conventions())
    check_random(tmp_path_factory, text, data.draw(structures_for(text)))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_the_module_equals_eval_on_many_random_conventions(tmp_path_factory, data):
    text = data.draw(conventions())
    check_random(tmp_path_factory, text, data.draw(structures_for(text)))


# ---- bad values: the same diagnostics ---------------------------------------------------------------------------


BAD_TEXT_LIST = [
    "",
    " ",
    "4.000",
    "1,234",
    "-12.500 €",
    "1.234,5",
    "1,234.5",
    "1.234.567",
    "7,5",
    "7.50",
    "0,125",
    "1 234,567",
    "1_234.5",
    "7 €",
    "75 %",
    "75 % ",
    "7 EUR",
    "7 eur",
    "1e3",
    ".5",
    "5.",
    "+3",
    "- 3",
    "1 23",
    "12 345 678",
    "9" * 16,
    "0." + "0" * 9 + "1",
    "1" * 40,
    "vrai",
    "Faux",
    "oui",
    "NON",
    "yes",
    "true",
    "2020-01-01",
    "20200101",
    "2020-W01-1",
    "2021W527",
    "2020-02-30",
    "0000-01-01",
    "2020-1-1",
    "metropole",
    "reunio",
    "guadeloupe",
    "zone",
    "12 %",
    "12 €",
    "\u00a012\u202f",
    "1\u202f000",
    "0x10",
    "٣",
    "１２",
    "045712275-",
    "2020W011",
    "2020-W53-1",
    "2021-W53-1",
    "2020W01",
    "9999-W52-7",
    "0001-W01-1",
    " 2020-01-01\x1c",
    "\ufeff2020-01-01",
    "\x85vrai\u3000",
]
BAD_TEXTS = st.sampled_from(BAD_TEXT_LIST)
BAD_VALUES = [
    *BAD_TEXT_LIST,
    True,
    False,
    None,
    [1, 2],
    {"a": 1},
    "",
    "x" * 50,
    "1" * 40 + ",5",
    *map(NumberToken, ["1e20", "1E+2", "-0", "0.1", "4.000", "1e-12", "123456789012345678", "2.5", "-7"]),
]
KEYS = ["patientele", "effectif", "ecart", "heures", "budget", "taux", "ouverte", "zone", "ouverture"]
SIMPLE = (
    'convention v "V"\nversion : "1"\nparamètres {\n  valeur_point = 7 €\n  patientele_reference = 4000\n}\n'
    + DONNEES
    + 'socle {\n  critère c "C" { condition : ouverte  montant : budget }\n}\n'
)
VALID = {
    "patientele": NumberToken("10"),
    "effectif": NumberToken("1"),
    "ecart": NumberToken("0"),
    "heures": "1",
    "budget": "7 €",
    "taux": "10 %",
    "ouverte": True,
    "zone": "metropole",
    "ouverture": "2020-01-01",
}


def test_bad_values_are_said_as_eval_says_them(tmp_path):
    """Every kind of bad value for every type, alone and mixed (drawn with a fixed seed), a missing donnée, an
    unknown key with « vouliez-vous dire »: the same codes, messages and help, in the same order."""
    path = tmp_path / "v.conv"
    path.write_text(SIMPLE, encoding="utf-8")
    convention = api.load(path)
    draw = random.Random(23)
    declarations = []
    for _ in range(300):
        declaration = {key: draw.choice(BAD_VALUES) if draw.random() < 0.4 else VALID[key] for key in KEYS}
        extra = draw.choice([{}, {"zonne": "metropole"}, {"heure": 1}, {"id": "é"}, {"id": ""}, {"qwerty": 1}])
        declarations.append({**declaration, **extra})
    declarations += [{key: value for key, value in VALID.items() if key != missing} for missing in KEYS]
    declarations += [{**VALID, key: value} for key in KEYS for value in BAD_VALUES]
    for _ in range(600):  # the number rule and the date rule, on texts made of their own characters
        numeric = "".join(draw.choice("0123456789012345.,_ \u00a0\u202f+-€%eEuUrR") for _ in range(draw.randint(1, 12)))
        day = "".join(draw.choice("0123456789-W") for _ in range(draw.choice([7, 8, 10, draw.randint(1, 12)])))
        declarations.append({**VALID, draw.choice(["budget", "taux", "heures", "effectif"]): numeric, "ouverture": day})
    assert_same(tmp_path, convention, declarations)


# ---- the bundled conventions ------------------------------------------------------------------------------------


def example_declarations() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(DECLARATIONS.glob("*.yaml")):
        _, entries = read_entries(str(path))
        found.append((path.stem, {key: entry.value for key, entry in entries.items()}))
    return found


@pytest.mark.parametrize("name", BUNDLED)
def test_every_example_declaration_and_every_cas(tmp_path, name):
    convention = api.load(CONVENTIONS / f"{name}.conv")
    model = convention.model
    declarations = [declaration for _, declaration in example_declarations()]
    declarations += [declaration_of(cas_donnees(convention.program, cas), model, cas.id) for cas in model.cas]
    assert_same(tmp_path, convention, declarations)
    ok = [d for d in declarations if "id" in d and expected(convention, d).get("resultat")]
    assert len(ok) >= len(model.cas)  # the cas at least are evaluated, not only refused


def population_rows(count: int, model) -> list[dict]:
    with POPULATION.open(encoding="utf-8") as file:
        rows = [row for _, row in zip(range(count), csv.DictReader(file), strict=False)]
    return [{key: value for key, value in row.items() if key in model.donnees or key == "id"} for row in rows]


@pytest.mark.parametrize("name", BUNDLED)
def test_two_thousand_rows_of_the_example_population(tmp_path, name):
    convention = api.load(CONVENTIONS / f"{name}.conv")
    rows = population_rows(2_000, convention.model)
    assert len(rows) == 2_000
    assert_same(tmp_path, convention, rows)


def test_a_scenario_and_its_draws(tmp_path):
    folder = ROOT / "examples" / "avenant-3"
    convention = api.load(folder / "aci-msp-avenant-3.conv", scenarios=[folder / "comite-usagers.conv"])
    rows = population_rows(300, convention.model)
    found = run_module(tmp_path, convention.javascript().module, rows)
    met = [o["resultat"]["criteres"] for o in found]
    drawn = sum(next(c for c in lines if c["id"] == "comite_usagers")["atteint"] for lines in met)
    assert 60 < drawn < 180  # about 40 % of the eligible and ineligible alike
    for row, outcome in zip(rows, found, strict=True):
        assert comparable(outcome) == expected(convention, row)
    header = [line for line in convention.javascript().module.splitlines() if line.startswith("//")]
    assert any("Hypothèse" in line and "nb_reunions_comite_usagers = si tirage(40 %)" in line for line in header)


def test_what_a_line_would_bring(tmp_path):
    """`gains`: a critère made unmet by one donnée brings back what the declaration with it met gives."""
    convention = api.load(CONVENTIONS / "aci-msp-avenant-1.conv")
    _, entries = read_entries(str(DECLARATIONS / "msp-reference-ipa-avenant-1.yaml"))
    reference = {key: entry.value for key, entry in entries.items()}
    without = {**reference, "ipa": "faux", "coordination_externe": "faux"}
    found = run_module(tmp_path, convention.javascript().module, [without], gains=True)[0]
    before = Decimal(found["resultat"]["total"])
    lines = {line["id"]: Decimal(line["montant"]) for line in found["gains"]["lignes"]}
    assert lines and list(lines.values()) == sorted(lines.values(), reverse=True)
    restored = Decimal(expected(convention, {**without, "coordination_externe": "vrai"})["resultat"]["total"])
    unmet = [c["id"] for c in found["resultat"]["criteres"] if not c["atteint"]]
    assert "coordination_externe" in unmet and lines["coordination_externe"] == restored - before
    blocked = run_module(tmp_path, convention.javascript().module, [{**reference, "coordination": "faux"}], gains=True)[
        0
    ]["gains"]
    assert blocked["prerequis"] == ["fonction_coordination"]
    assert Decimal(blocked["deblocage"]) == Decimal(expected(convention, reference)["resultat"]["total"])


def test_the_donnees_are_described_for_a_form(tmp_path):
    convention = api.load(CONVENTIONS / "aci-msp-avenant-2-france-sante.conv")
    script = convention.javascript().module + "\nconsole.log(JSON.stringify(donnees));\n"
    from tests.javascript import NODE

    path = tmp_path / "d.mjs"
    path.write_text(script, encoding="utf-8")
    import json
    import subprocess

    described = json.loads(subprocess.run([NODE, str(path)], capture_output=True, text=True, check=True).stdout)
    by_id = {d["id"]: d for d in described}
    assert list(by_id) == list(convention.model.donnees)
    assert by_id["part_medecins_sas"] == {
        "id": "part_medecins_sas",
        "libelle": convention.model.donnees["part_medecins_sas"].label,
        "type": "pourcentage",
        "unite": "%",
        "min": "0",
        "max": "100",
        "choix": None,
        "defaut": None,
    }
    assert by_id["fermeture_conges"]["choix"] == list(convention.model.donnees["fermeture_conges"].type.choices)


SCENARIO = """scénario s "Un scénario qui peut échouer"
données {
  effectif = 100 / patientele
}
"""


def test_a_scenario_line_that_fails_is_said_as_eval_says_it(tmp_path):
    (tmp_path / "v.conv").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "s.conv").write_text(SCENARIO, encoding="utf-8")
    convention = api.load(tmp_path / "v.conv", scenarios=[tmp_path / "s.conv"])
    without = {key: value for key, value in VALID.items() if key != "effectif"}
    declarations = [{**without, "patientele": NumberToken(n)} for n in ("0", "1", "3", "4", "100")]
    found = run_module(tmp_path, convention.javascript().module, declarations)
    assert [o.get("erreur", {}).get("code") for o in found] == ["evaluation-impossible"] * 3 + [None, None]
    for declaration, outcome in zip(declarations, found, strict=True):
        assert comparable(outcome) == expected(convention, declaration)


def test_declaration_files_are_read_as_eval_reads_them(tmp_path):
    """The simulator's import (the module's `lireDeclaration`): every example declaration, in YAML and in JSON,
    gives what `convcheck eval FILE` gives; a file the reader refuses is said, never guessed."""
    convention = api.load(CONVENTIONS / "aci-msp-avenant-1.conv")
    files = sorted(DECLARATIONS.glob("*.yaml"))
    for path in files:
        _, entries = read_entries(str(path))
        values = {key: entry.value for key, entry in entries.items()}
        (tmp_path / f"{path.stem}.json").write_text(json.dumps(values, ensure_ascii=False, indent=1), encoding="utf-8")
    (tmp_path / "nombres.json").write_text(
        '{"id": "n", "patientele": 4000.0, "taux_c2s": 8.50, "ipa": true}', encoding="utf-8"
    )
    jsons = sorted(tmp_path.glob("*.json"))
    found = run_module(tmp_path, convention.javascript().module, [*files, *jsons])
    for path, outcome in zip([*files, *jsons], found, strict=True):
        try:
            want = {"resultat": to_json(convention.evaluate(path), convention.program, convention.declaration(path)[0])}
        except api.ConvError as error:
            want = {
                "erreur": {
                    "code": error.diagnostics[0].code,
                    "diagnostics": [[d.code, d.message, d.suggestion] for d in error.diagnostics],
                }
            }
        assert comparable(outcome) == want, path.name
    broken = tmp_path / "casse.json"
    broken.write_text('{"a": 1, "a": 2}', encoding="utf-8")
    rich = tmp_path / "riche.yaml"
    rich.write_text("a:\n  - 1\n", encoding="utf-8")
    said = [o["illisible"] for o in run_module(tmp_path, convention.javascript().module, [broken, rich])]
    assert said[0] == "« a » est déclarée deux fois" and "JSON" in said[1]


def test_deeply_nested_expressions_are_hoisted_into_functions(tmp_path):
    """Past `MAX_NESTING` levels a sub-expression becomes a function of its own (as in the scalar backend)."""
    nested = "effectif"
    for i in range(60):  # 90 levels of IR: within the checker's 200
        nested = f"({nested} + {i % 3})" if i % 2 else f"max({nested}, {i})"
    text = SIMPLE.replace("montant : budget }", f"montant : 1 € * ({nested}) }}")
    path = tmp_path / "n.conv"
    path.write_text(text, encoding="utf-8")
    convention = api.load(path)
    module = convention.javascript().module
    assert "function h0(d, p, m, s)" in module
    assert_same(tmp_path, convention, [VALID, {**VALID, "effectif": NumberToken("50")}])


def test_a_brique_brings_what_its_unmet_criteres_together_bring(tmp_path):
    """A brique blocked by a critère is offered with it (`avec`): the gain is what meeting that critère brings."""
    from interpreter.report.simulator import reference_values

    convention = api.load(CONVENTIONS / "aci-msp-avenant-2-france-sante.conv")
    reference = reference_values(convention)
    found = run_module(tmp_path, convention.javascript().module, [{**reference, "rendez_vous_48h": False}], gains=True)[
        0
    ]
    blocked = [b["id"] for b in found["resultat"]["briques"] if not b["debloquee"]]
    lines = {line["id"]: line for line in found["gains"]["lignes"]}
    offered = [id for id in blocked if "fs_rendez_vous_48h" in lines.get(id, {}).get("avec", [])]
    assert offered, (blocked, lines)
    before = Decimal(found["resultat"]["total"])
    after = Decimal(expected(convention, reference)["resultat"]["total"])
    assert sum(Decimal(lines[id]["montant"]) for id in offered) >= after - before > 0


OBJECT_NAMES = """convention objet "Des noms que tout objet JavaScript a déjà"
version : "1"
paramètres {
  valeur_point = 7 €
  patientele_reference = 4000
  hasownproperty_ = 2
}
données {
  constructor : entier entre 0 et 10 "Constructeur"
  __proto__ : booléen "Prototype"
  tostring : montant "Montant"
}
socle {
  critère valueof "V" { condition : __proto__  montant : tostring * hasownproperty_ }
  critère constructor "C" { condition : constructor >= 1  points fixes : constructor }
}
brique hasownproperty "H" {
  condition : vrai
  montant : 5 €
  critère __proto__ "P" { condition : atteint(constructor) }
}
"""


def test_names_every_javascript_object_has_are_data_like_any_other(tmp_path):
    """`__proto__`, `constructor`… are valid ids: the module keeps them as keys, never as an object's own
    machinery (an unknown key `hasOwnProperty` or `toString` is reported, as by eval)."""
    path = tmp_path / "o.conv"
    path.write_text(OBJECT_NAMES, encoding="utf-8")
    convention = api.load(path)
    valid = {"constructor": NumberToken("3"), "__proto__": True, "tostring": "12.5 €"}
    declarations = [
        valid,
        {**valid, "constructor": NumberToken("0")},
        {**valid, "hasOwnProperty": 1, "toString": 2},
        {key: value for key, value in valid.items() if key != "__proto__"},
        {**valid, "__proto__": "x"},
    ]
    assert_same(tmp_path, convention, declarations)


def test_the_rules_of_one_exercise(tmp_path):
    """`convcheck js --exercice AAAA`: the module computes with that exercise's rules, as `eval --exercice`."""
    import re as regex

    text = (ROOT / "docs" / "langage.md").read_text(encoding="utf-8")
    block = next(b for b in regex.findall(r"```conv\n(.*?)```", text, flags=regex.S) if "exercice 2022 {" in b)
    path = tmp_path / "exercice.conv"
    path.write_text(block, encoding="utf-8")
    declaration = {"horaires": True, "plan_crise": False, "nb_protocoles": NumberToken("2")}
    general, of_2022 = api.load(path), api.load(path, exercice=2022)
    assert_same(tmp_path, of_2022, [declaration])
    assert_same(tmp_path, general, [declaration])
    module = of_2022.javascript().module
    assert "règles de l'exercice 2022" in module.splitlines()[0]
    assert run_module(tmp_path, module, [declaration])[0]["resultat"]["total"] == "7000.00"
    assert run_module(tmp_path, general.javascript().module, [declaration])[0]["resultat"]["eligible"] is False
