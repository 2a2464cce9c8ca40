"""Fee formulas: safe arithmetic over the form's number fields, in exact Decimal Rupiah."""

import io
import tokenize
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simpleeval import SimpleEval

FUNCTIONS = {"D": Decimal, "min": min, "max": max, "round": round}


def _decimal_literals(formula: str) -> str:
    """Rewrite number literals as D("...") so arithmetic stays exact (no binary floats in money)."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(formula).readline):
            if tok.type == tokenize.NUMBER:
                out.append((tokenize.NAME, f'D("{tok.string}")'))
            else:
                out.append((tok.type, tok.string))
    except (tokenize.TokenError, IndentationError) as exc:
        raise ValidationError(_("The fee formula is not a valid expression.")) from exc
    return tokenize.untokenize(out).strip()


def fee_evaluate(formula: str, values: dict) -> Decimal:
    """Evaluate `formula` with the given number values; the result is rounded to whole sen."""
    names = {key: Decimal(str(value)) for key, value in values.items() if value not in (None, "")}
    evaluator = SimpleEval(names=names, functions=FUNCTIONS)
    try:
        result = evaluator.eval(_decimal_literals(formula))
        amount = Decimal(result).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(_("The fee cannot be computed: %(error)s") % {"error": exc}) from exc
    if amount < 0:
        raise ValidationError(_("The fee cannot be negative."))
    return amount


def fee_formula_validate(formula: str, number_fields: list[str]) -> None:
    """Check a formula against the permit type's number fields before it is saved."""
    if not formula.strip():
        return
    try:
        fee_evaluate(formula, dict.fromkeys(number_fields, 1))
    except (ValidationError, InvalidOperation) as exc:
        detail = " ".join(getattr(exc, "messages", [str(exc)]))
        raise ValidationError(_("Fee formula “%(f)s”: %(e)s") % {"f": formula, "e": detail}) from exc
