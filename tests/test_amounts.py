import pytest

from compliance.amounts import AmountError, format_kr, parse_amount


@pytest.mark.parametrize(
    ("given", "kronor"),
    [
        (18174397, 18174397),
        (0, 0),
        ("18 174 397 kr", 18174397),
        ("18\u00a0174\u00a0397 kr", 18174397),
        ("18 174 397", 18174397),
        ("1,5 mkr", 1500000),
        ("71,8 miljoner kronor", 71800000),
        ("805 tkr", 805000),
        ("600 000 kr", 600000),
        ("2 422 000 000 kronor", 2422000000),
    ],
)
def test_accepted_amounts(given, kronor):
    assert parse_amount(given) == kronor


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (1.5, "decimal number"),
        (-5, "negative"),
        ("-5 kr", "negative"),
        ("12,50 kr", "öre"),
        ("1,2345675 mkr", "whole number of kronor"),
        (True, "true/false"),
        ("about a million", "cannot read"),
        (None, "not NoneType"),
        (10**13 + 1, "is a digit repeated"),
        ("2 000 000 000 mkr", "is a digit repeated"),
    ],
)
def test_rejected_amounts(given, reason):
    with pytest.raises(AmountError, match=reason):
        parse_amount(given)


def test_format_kr():
    assert format_kr(1266508) == "1 266 508 kr"
    assert format_kr(1266508, "en") == "SEK 1,266,508"
    assert format_kr(-33492) == "−33 492 kr"
