"""Running the worked cases (`cas`) of a convention: every negotiated figure becomes a test."""

from __future__ import annotations

from attrs import frozen

from dsl import nodes as n
from dsl.model import Cas, Type
from dsl.printer import print_expr
from dsl.source import Span
from interpreter.compiler import Context, EvaluationError, Program
from interpreter.evaluate import Evaluation, evaluate
from interpreter.values import reader_text

RESULT_TYPES = {"total": Type("montant"), "total_points": Type("nombre"), "eligible": Type("booleen")}


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
    return {id: program.function(expr)(None) for id, expr in cas.donnees.items()}


def run_case(program: Program, cas: Cas) -> CaseResult:
    donnees = cas_donnees(program, cas)
    try:
        evaluation = evaluate(program, donnees, explain=False)
    except EvaluationError as error:
        return CaseResult(cas, (), str(error))
    context = Context(donnees, evaluation.met, evaluation)
    failures = []
    for assertion in cas.attendu:
        failure = _check(program, assertion, context)
        if failure is not None:
            failures.append(failure)
    return CaseResult(cas, tuple(failures), None, evaluation)


def run_cases(program: Program) -> list[CaseResult]:
    return [run_case(program, cas) for cas in program.model.cas]


def _check(program: Program, assertion: n.Expr, context: Context) -> Failure | None:
    if program.function(assertion)(context):
        return None
    text = print_expr(assertion)
    if isinstance(assertion, n.Compare):
        left = program.function(assertion.left)(context)
        right = program.function(assertion.right)(context)
        type_ = _result_type(program, assertion.left)
        expected = f"{SYMBOLS_WORDS.get(assertion.op, assertion.op)}{reader_text(right, type_)}"
        return Failure(text, expected, reader_text(left, type_), assertion.span)
    if isinstance(assertion, n.Not):
        inner = print_expr(assertion.operand)
        return Failure(text, f"{inner} = faux", f"{inner} = vrai", assertion.span)
    return Failure(text, "vrai", "faux", assertion.span)


SYMBOLS_WORDS = {"=": "", "!=": "autre chose que ", "<": "moins de ", "<=": "au plus ", ">": "plus de ", ">=": "au moins "}


def _result_type(program: Program, expr: n.Expr) -> Type | None:
    match expr:
        case n.Name(id=id) if id in RESULT_TYPES:
            return RESULT_TYPES[id]
        case n.Name(id=id) if id in program.model.donnees:
            return program.model.donnees[id].type
        case n.Call(func="montant"):
            return Type("montant")
        case n.Money():
            return Type("montant")
    return None
