from datetime import date, datetime

import pytest

from fn17.i18n import catalogue, fmt_date, fmt_datetime, fmt_number, fmt_percent, t


def test_catalogues_have_the_same_keys() -> None:
    nb, nn, en = catalogue("nb"), catalogue("nn"), catalogue("en")
    assert set(nb) == set(nn) == set(en), {
        "only in nb": sorted(set(nb) - set(en)),
        "only in en": sorted(set(en) - set(nb)),
        "missing in nn": sorted(set(nb) - set(nn)),
    }


def test_nynorsk_is_not_a_copy_of_bokmaal() -> None:
    nb, nn = catalogue("nb"), catalogue("nn")
    assert sum(nb[k] != nn[k] for k in nb) > len(nb) // 4


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (12345.6, "nb", 1, "12\u00a0345,6"),
        (12345.6, "nn", 1, "12\u00a0345,6"),
        (12345.6, "en", 1, "12,345.6"),
        (5488984, "nb", None, "5\u00a0488\u00a0984"),
        (-3.25, "nb", 2, "−3,25"),
        (0.5, "nb", None, "0,50"),
        (None, "nb", None, "–"),
        (float("nan"), "en", 1, "–"),
    ],
)
def test_numbers(value: float | None, lang: str, decimals: int | None, expected: str) -> None:
    assert fmt_number(value, lang, decimals) == expected  # type: ignore[arg-type]


def test_percent_and_dates() -> None:
    assert fmt_percent(67.6) == "67,6\u00a0%"
    assert fmt_date(date(2026, 11, 26)) == "26.11.2026"
    assert fmt_date(date(2024, 1, 1), "en") == "1 Jan 2024"
    assert fmt_datetime(datetime(2026, 11, 26, 9, 5)) == "26.11.2026 09:05"


def test_t_fills_values_and_falls_back() -> None:
    assert t("home.targets", "nb", n=12) == "12 delmål"
    assert t("search.hits", "en", n=2, q="Haram") == "2 results for “Haram”"
    assert t("no.such.key", "nn") == "no.such.key"
