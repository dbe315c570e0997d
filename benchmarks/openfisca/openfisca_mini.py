"""The mini convention (mini.conv) written for OpenFisca, as its users write one: float variables
(float32, OpenFisca's default), parameters by period, one variable per critère, amounts rounded to
the cent with numpy.

Run by `benchmarks/versus_openfisca.py` with a Python where `openfisca-core` is installed:

    python openfisca_mini.py POPULATION.npz TOTALS.npz

Reads the population's arrays, builds the simulation, times the computation of `total`, and writes
the totals in cents (rounded from OpenFisca's floats) and the times (s) to TOTALS.npz.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.model_api import max_, min_, where
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Structure = build_entity(key="structure", plural="structures", label="Structure de santé", is_person=True)
YEAR = "2024"
SINCE = "2017-01-01"


def _input(name: str, kind: type) -> type:
    return type(
        name, (Variable,), {"value_type": kind, "entity": Structure, "definition_period": DateUnit.YEAR, "label": name}
    )


INPUTS = [
    _input("patientele", int),
    _input("si_labellise", bool),
    _input("horaires_etendus", bool),
    _input("nb_protocoles", int),
    _input("nb_reunions", int),
    _input("part_sas", float),
]


def _computed(name: str, formula) -> type:
    return type(
        name,
        (Variable,),
        {
            "value_type": float,
            "entity": Structure,
            "definition_period": DateUnit.YEAR,
            "label": name,
            "formula": formula,
        },
    )


def ratio(structure, period, parameters):
    p = parameters(period).mini
    return min_(structure("patientele", period) / p.patientele_reference, p.plafond_ratio_patientele)


def euros(points, parameters, period):
    return np.round(points * parameters(period).mini.valeur_point, 2)


def systeme_information(structure, period, parameters):
    points = 500 + 200 * structure("ratio", period)
    return where(structure("si_labellise", period), euros(points, parameters, period), 0)


def horaires(structure, period, parameters):
    return where(structure("horaires_etendus", period), euros(800, parameters, period), 0)


def protocoles(structure, period, parameters):
    n = structure("nb_protocoles", period)
    return where(n >= 1, euros(100 * min_(n, 8), parameters, period), 0)


def rcp(structure, period, parameters):
    return where(
        structure("nb_reunions", period) >= 6, euros(1_000 * structure("ratio", period), parameters, period), 0
    )


def sas(structure, period, parameters):
    return where(structure("part_sas", period) >= 0.5, euros(200 * structure("ratio", period), parameters, period), 0)


def total(structure, period, parameters):
    eligible = structure("si_labellise", period) * structure("horaires_etendus", period)
    lines = sum(structure(name, period) for name in ("systeme_information", "horaires", "protocoles", "rcp", "sas"))
    return where(eligible, max_(lines, 0), 0)


COMPUTED = [_computed(f.__name__, f) for f in (ratio, systeme_information, horaires, protocoles, rcp, sas, total)]


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Structure])
    for variable in INPUTS + COMPUTED:
        tbs.add_variable(variable)
    values = {"valeur_point": 7, "patientele_reference": 4_000, "plafond_ratio_patientele": 2}
    tbs.parameters = ParameterNode(
        "", data={"mini": {name: {"values": {SINCE: {"value": value}}} for name, value in values.items()}}
    )
    return tbs


def main() -> None:
    population, output = sys.argv[1], sys.argv[2]
    arrays = dict(np.load(population))
    tbs = system()
    start = time.perf_counter()
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("structure", np.arange(len(arrays["patientele"])))
    simulation = builder.build(tbs)
    for variable in INPUTS:
        simulation.set_input(variable.__name__, YEAR, arrays[variable.__name__])
    loaded = time.perf_counter()
    result = simulation.calculate("total", YEAR)
    computed = time.perf_counter()
    cents = np.rint(result.astype(np.float64) * 100).astype(np.int64)
    np.savez(output, cents=cents, load=loaded - start, compute=computed - loaded, dtype=str(result.dtype))


if __name__ == "__main__":
    main()
