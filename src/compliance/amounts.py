"""Amounts in whole kronor, as plan authors write them.

Accepted: an integer (``18174397``, ``18_174_397`` in YAML) or a string in
Swedish style: ``"18 174 397 kr"``, ``"18 174 397"``, ``"1,5 mkr"``,
``"71,8 miljoner kronor"``, ``"805 tkr"``. Rejected, with a reason: floats
(``1.5`` could be öre or a typo for thousands), negative amounts, amounts with
öre, booleans, anything else.

Money never becomes a float here: decimals are parsed with :class:`Decimal`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .i18n import BilingualError, say

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_]+")
_UNITS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"(mkr|miljoner(\s*kronor)?|milj\.?(\s*kr)?|mnkr)$"), 1_000_000),
    (re.compile(r"(tkr|tusen(\s*kronor)?)$"), 1_000),
    (re.compile(r"(kr|kronor|sek|:-)$"), 1),
]
_NUMBER = re.compile(r"^(\d+)(?:,(\d+))?$")


# Far above any grant (the whole 2022 agreement is 6 373 mkr) and far below what
# durable-rules' C engine compares exactly: past 2**63 its integers overflow and
# comparisons silently go wrong (measured: 10**30 > 10**26 did not hold), and
# sums of many amounts must stay exact too.
MAX_AMOUNT = 10**13  # a plan of 2 MiB holds < 100 000 amounts: sums stay below 2**53
MAX_DIGITS = 30  # digits in an amount string: past MAX_AMOUNT already, and never megabytes of them


class AmountError(BilingualError):
    """An amount that is not a whole, non-negative number of kronor (the reason in English and Swedish)."""

    def __init__(self, message: str, sv: str) -> None:
        super().__init__(say(sv, message))


def _shown(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def format_kr(value: int, lang: str = "sv") -> str:
    """``1266508`` → ``1 266 508 kr`` (sv) or ``SEK 1,266,508`` (en)."""
    sign = "−" if value < 0 else ""
    digits = f"{abs(value):,}"
    if lang == "en":
        return f"{sign}SEK {digits}"
    return f"{sign}{digits.replace(',', ' ')} kr"


def parse_amount(value: object) -> int:
    """Return whole kronor for an accepted amount; raise :class:`AmountError` otherwise."""
    if isinstance(value, bool):
        raise AmountError("an amount must be a number of kronor, not true/false",
                          "ett belopp ska vara ett antal kronor, inte true/false")
    if isinstance(value, int):
        if value < 0:
            raise AmountError(f"negative amount {value}; amounts are kronor received or spent",
                              f"negativt belopp {value}; belopp är kronor som tas emot eller används")
        return _bounded(value)
    if isinstance(value, float):
        raise AmountError(
            f"{_shown(value)} is a decimal number; write whole kronor as an integer "
            '(18174397) or a Swedish-style string ("18 174 397 kr", "1,5 mkr")',
            f"{_shown(value)} är ett decimaltal; skriv hela kronor som heltal (18174397) "
            'eller som text ("18 174 397 kr", "1,5 mkr")',
        )
    if not isinstance(value, str):
        raise AmountError(f"an amount must be a number of kronor, not {type(value).__name__}",
                          f"ett belopp ska vara ett antal kronor, inte {type(value).__name__}")
    text = value.strip().lower()
    if text.startswith(("-", "−")):
        raise AmountError(f"negative amount {_shown(value)}; amounts are kronor received or spent",
                          f"negativt belopp {_shown(value)}; belopp är kronor som tas emot eller används")
    factor = 1
    for pattern, unit in _UNITS:
        match = pattern.search(text)
        if match:
            factor = unit
            text = text[: match.start()]
            break
    text = _SPACES.sub("", text)
    match = _NUMBER.match(text)
    if match and len(text) > MAX_DIGITS:
        raise AmountError(f"{_shown(value)} has {len(text)} digits; no amount has more than {MAX_DIGITS}",
                          f"{_shown(value)} har {len(text)} siffror; inget belopp har fler än {MAX_DIGITS}")
    if not match:
        raise AmountError(
            f"cannot read {_shown(value)} as kronor; write e.g. 18174397, "
            '"18 174 397 kr" or "1,5 mkr"',
            f'kan inte läsa {_shown(value)} som kronor; skriv t.ex. 18174397, "18 174 397 kr" eller "1,5 mkr"',
        )
    try:
        amount = Decimal(match.group(1) + ("." + match.group(2) if match.group(2) else "")) * factor
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise AmountError(f"cannot read {_shown(value)} as kronor",
                          f"kan inte läsa {_shown(value)} som kronor") from None
    if amount != amount.to_integral_value():
        raise AmountError(f"{_shown(value)} is not a whole number of kronor (öre are not used)",
                          f"{_shown(value)} är inte ett helt antal kronor (ören används inte)")
    return _bounded(int(amount))


def _bounded(kronor: int) -> int:
    if kronor > MAX_AMOUNT:
        limit = f"{MAX_AMOUNT:,}".replace(",", " ")
        raise AmountError(f"{kronor} kr is more than {limit} kr; is a digit repeated?",
                          f"{kronor} kr är mer än {limit} kr; har en siffra upprepats?")
    return kronor
