"""Running the worked cases (`cas`) of a convention: every negotiated figure becomes a test."""

from __future__ import annotations

from dsl import ir
from dsl.model import Cas, Type
from dsl.printer import print_expr
from dsl.records import frozen
from dsl.source import Span
from interpreter.backends.scalar import Context_, Evaluation, Program, advance, evaluate
from interpreter.numbers import EvaluationError, reader_text

RESULT_TYPES = {
    "total": Type("montant"),
    "total_points": Type("nombre"),
    "eligible": Type("booleen"),
    "avance": Type("montant"),
}


@frozen
class Failure:
    """An assertion of a cas that does not hold."""

    assertion: str
    expected: str
    actual: str
    span: Span | None


@frozen
class CaseResult:
    """The outcome of one cas."""

    cas: Cas
    failures: tuple[Failure, ...]
    error: str | None = None  # the evaluation itself failed (a division by zero)
    evaluation: Evaluation | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


def cas_donnees(program: Program, cas: Cas) -> dict:
    """The runtime values of a cas's données (literals, checked by the checker)."""
    return {id: const.value for id, const in cas.donnees.items()}


def run_case(program: Program, cas: Cas) -> CaseResult:
    donnees = cas_donnees(program, cas)
    try:
        evaluation = evaluate(program, donnees, explain=False)
    except EvaluationError as error:
        return CaseResult(cas, (), str(error))
    try:
        result = _Result(evaluation, advance(program, donnees) if _reads_advance(cas) else None)
    except EvaluationError as error:
        return CaseResult(cas, (), str(error), evaluation)
    context = program.context(donnees, evaluation.met, result)
    failures = []
    for assertion in cas.attendu:
        failure = _check(program, assertion, context)
        if failure is not None:
            failures.append(failure)
    return CaseResult(cas, tuple(failures), None, evaluation)


class _Result:
    """What an `attendu` reads: the evaluation, and the advance (`avance`) when the cas asserts it."""

    def __init__(self, evaluation: Evaluation, avance):
        self.evaluation = evaluation
        self.avance = avance

    def __getattr__(self, name: str):
        return getattr(self.evaluation, name)


def _reads_advance(cas: Cas) -> bool:
    return any(isinstance(e, ir.ResultRef) and e.name == "avance" for a in cas.attendu for e in ir.walk(a))


def run_cases(program: Program) -> list[CaseResult]:
    return [run_case(program, cas) for cas in program.model.cas]


def _check(program: Program, assertion: ir.Expr, context: Context_) -> Failure | None:
    if program.evaluate_expr(assertion, context):
        return None
    text = print_expr(assertion.source)
    if isinstance(assertion, ir.Comparison):
        left = program.evaluate_expr(assertion.left, context)
        right = program.evaluate_expr(assertion.right, context)
        type_ = _result_type(program, assertion.left)
        expected = f"{SYMBOLS_WORDS.get(assertion.op, assertion.op)}{reader_text(right, type_)}"
        return Failure(text, expected, reader_text(left, type_), assertion.source.span)
    if isinstance(assertion, ir.Not):
        inner = print_expr(assertion.operand.source)
        return Failure(text, f"{inner} = faux", f"{inner} = vrai", assertion.source.span)
    return Failure(text, "vrai", "faux", assertion.source.span)


SYMBOLS_WORDS = {
    "=": "",
    "!=": "autre chose que ",
    "<": "moins de ",
    "<=": "au plus ",
    ">": "plus de ",
    ">=": "au moins ",
}


def _result_type(program: Program, expr: ir.Expr) -> Type | None:
    match expr:
        case ir.ResultRef(name=name) if name in RESULT_TYPES:
            return RESULT_TYPES[name]
        case ir.DonneeRef(id=id):
            return program.model.donnees[id].type
        case ir.LineRef(func="montant"):
            return Type("montant")
        case ir.Const(type=Type(kind="montant")):
            return Type("montant")
    return None
