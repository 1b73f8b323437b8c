"""SSB's classification database KLASS (``https://data.ssb.no/api/klass/v1/``).

FN17 reads three classifications, always as JSON (``Accept: application/json``):

* 131 — municipalities (``Standard for kommuneinndeling``),
* 104 — counties (``Standard for fylkesinndeling``),
* 112 — KOSTRA groups of municipalities; which group a municipality is in comes from
  the correspondence 112 → 131 (``correspondsAt``).

Endpoints: ``classifications/{id}/codesAt?date=YYYY-MM-DD`` (codes in force on a
date), ``classifications/{id}/changes?from=…&to=…`` (codes that started, ended or
were replaced between two dates; ``to`` is exclusive in KLASS) and
``classifications/{id}/correspondsAt?targetClassificationId=…&date=…``.

:func:`compare_with_register` is how FN17 notices a reform: it lists what KLASS
knows on a date and FN17's region register does not (new codes), what the register
still has and KLASS has ended, and names that differ — each with the KLASS change
that explains it — so the register's data files can be updated.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

from fn17.errors import InvalidInputError, SourceError
from fn17.sources.http import HttpSource

logger = logging.getLogger(__name__)

__all__ = [
    "COUNTIES",
    "KLASS_BASE",
    "KOSTRA_GROUPS",
    "MUNICIPALITIES",
    "KlassChange",
    "KlassClient",
    "KlassCode",
    "KostraDiff",
    "RegisterDiff",
    "Renamed",
    "compare_kostra_groups",
    "compare_with_register",
    "diff_codes",
]

KLASS_BASE = "https://data.ssb.no/api/klass/v1/"
MUNICIPALITIES, COUNTIES, KOSTRA_GROUPS = 131, 104, 112
Kind = Literal["kommune", "fylke"]
_CLASSIFICATION: Mapping[str, int] = {"kommune": MUNICIPALITIES, "fylke": COUNTIES}
#: Codes in KLASS that are not municipalities or counties in FN17's sense: "unknown" (9999/99),
#: Svalbard (21xx/21) and Jan Mayen (22xx/22).
_NOT_REGIONS = re.compile(r"^(99|21|22)(\d\d)?$")
_JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class KlassCode:
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True)
class KlassChange:
    """One line of KLASS's change list: no ``old_code`` = a new code, no ``new_code`` = an ended one."""

    old_code: str | None
    old_name: str | None
    new_code: str | None
    new_name: str | None
    occurred: date

    def describe(self) -> str:
        old = f"{self.old_code} {self.old_name}" if self.old_code else "–"
        new = f"{self.new_code} {self.new_name}" if self.new_code else "–"
        return f"{self.occurred.isoformat()}: {old} → {new}"


@dataclass(frozen=True)
class Renamed:
    code: str
    register_name: str
    klass_name: str


@dataclass(frozen=True)
class RegisterDiff:
    """What KLASS says on ``at`` that FN17's register does not (and the KLASS changes behind it)."""

    kind: Kind
    at: date
    new: tuple[KlassCode, ...]
    ended: tuple[tuple[str, str], ...]
    renamed: tuple[Renamed, ...]
    changes: tuple[KlassChange, ...] = ()

    @property
    def up_to_date(self) -> bool:
        return not (self.new or self.ended or self.renamed)

    def explain(self, code: str) -> list[KlassChange]:
        """The KLASS changes that mention ``code``."""
        return [c for c in self.changes if code in (c.old_code, c.new_code)]

    def lines(self, lang: str = "nb") -> list[str]:
        """A plain-text report, one line per difference."""
        en = lang == "en"
        day = self.at.strftime("%d.%m.%Y")
        if self.up_to_date:
            return [f"The register agrees with KLASS on {day}." if en else f"Registeret stemmer med KLASS per {day}."]
        out = []
        for c in self.new:
            why = "; ".join(x.describe() for x in self.explain(c.code))
            out.append(
                (f"new in KLASS: {c.code} {c.name}" if en else f"ny i KLASS: {c.code} {c.name}")
                + (f" ({why})" if why else "")
            )
        for code, name in self.ended:
            why = "; ".join(x.describe() for x in self.explain(code))
            out.append(
                (f"ended in KLASS: {code} {name}" if en else f"avsluttet i KLASS: {code} {name}")
                + (f" ({why})" if why else "")
            )
        for r in self.renamed:
            out.append(
                f"renamed: {r.code} {r.register_name} → {r.klass_name}"
                if en
                else f"nytt navn: {r.code} {r.register_name} → {r.klass_name}"
            )
        return out


@dataclass(frozen=True)
class KostraDiff:
    """KOSTRA groups on which KLASS and the register disagree: code → (register's, KLASS's)."""

    at: date
    different: Mapping[str, tuple[str | None, str]]
    unknown_in_register: tuple[str, ...]


class RegisterLike(Protocol):
    """The part of :class:`fn17.regions.Register` this module uses."""

    def municipalities(self, at: date | None = None) -> list[Any]: ...

    def counties(self, at: date | None = None) -> list[Any]: ...

    def kostra_group(self, code: str) -> str | None: ...


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        text = unicodedata.normalize("NFC", text).replace("\u2013", "-").replace("\u2014", "-")
        return " ".join(text.split()).casefold()

    return norm(a) == norm(b)


class KlassClient:
    """Codes, changes and correspondences from KLASS, through the shared :class:`HttpSource`."""

    def __init__(self, http: HttpSource, *, base_url: str = KLASS_BASE) -> None:
        self.http = http
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def _get(self, path: str, params: list[tuple[str, str]], what: str, what_en: str, key: str) -> list[Any]:
        url = self.base_url + path
        doc = self.http.get(url, params=params, headers=_JSON).json()
        items = doc.get(key) if isinstance(doc, Mapping) else None
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise SourceError(
                f"KLASS svarte med noe uventet for {what} ({url}): fant ikke listen «{key}».",
                message_en=f"KLASS answered with something unexpected for {what_en} ({url}): no list '{key}'.",
                hint="KLASS kan ha endret format; prøv igjen senere, og meld fra hvis det gjentar seg.",
                hint_en="KLASS may have changed its format; try again later and report it if it persists.",
                details={"url": url},
            )
        return items

    def codes_at(self, classification: int, at: date, *, lang: str = "nb") -> list[KlassCode]:
        """Every code of ``classification`` in force on ``at``."""
        items = self._get(
            f"classifications/{classification}/codesAt",
            [("date", at.isoformat()), ("language", lang)],
            f"klassifikasjon {classification} per {at.isoformat()}",
            f"classification {classification} on {at.isoformat()}",
            "codes",
        )
        return [
            KlassCode(
                code=str(i.get("code", "")),
                name=str(i.get("name", "")),
                short_name=str(i.get("shortName") or ""),
                level=str(i.get("level") or ""),
                parent_code=str(i["parentCode"]) if i.get("parentCode") else None,
                valid_from=_date(i.get("validFrom")),
                valid_to=_date(i.get("validTo")),
            )
            for i in items
            if i.get("code")
        ]

    def changes(self, classification: int, from_: date, to: date, *, lang: str = "nb") -> list[KlassChange]:
        """Changes with ``from_ <= date <= to`` (FN17 asks KLASS, whose ``to`` is exclusive, for ``to + 1 day``)."""
        if to < from_:
            raise InvalidInputError(
                f"Tidsrommet {from_.isoformat()}–{to.isoformat()} går baklengs.",
                message_en=f"The period {from_.isoformat()}–{to.isoformat()} runs backwards.",
            )
        items = self._get(
            f"classifications/{classification}/changes",
            [("from", from_.isoformat()), ("to", (to + timedelta(days=1)).isoformat()), ("language", lang)],
            f"endringer i klassifikasjon {classification}",
            f"changes in classification {classification}",
            "codeChanges",
        )
        out = []
        for i in items:
            occurred = _date(i.get("changeOccurred"))
            if occurred is None:
                continue
            out.append(
                KlassChange(
                    old_code=str(i["oldCode"]) if i.get("oldCode") else None,
                    old_name=str(i["oldName"]) if i.get("oldName") else None,
                    new_code=str(i["newCode"]) if i.get("newCode") else None,
                    new_name=str(i["newName"]) if i.get("newName") else None,
                    occurred=occurred,
                )
            )
        return sorted(out, key=lambda c: (c.occurred, c.old_code or "", c.new_code or ""))

    def corresponds_at(self, source: int, target: int, at: date) -> list[tuple[str, str, str, str]]:
        """(source code, source name, target code, target name) of the correspondence in force on ``at``."""
        items = self._get(
            f"classifications/{source}/correspondsAt",
            [("targetClassificationId", str(target)), ("date", at.isoformat())],
            f"korrespondansen {source} → {target}",
            f"the correspondence {source} → {target}",
            "correspondenceItems",
        )
        return [
            (
                str(i.get("sourceCode", "")),
                str(i.get("sourceName", "")),
                str(i.get("targetCode", "")),
                str(i.get("targetName", "")),
            )
            for i in items
        ]

    def kostra_groups_at(self, at: date) -> dict[str, str]:
        """Municipality code → KOSTRA group code (``"EKG13"``) on ``at``."""
        return {muni: group for group, _, muni, _ in self.corresponds_at(KOSTRA_GROUPS, MUNICIPALITIES, at) if muni}


def diff_codes(
    klass_codes: Iterable[KlassCode],
    register: Mapping[str, str],
    *,
    kind: Kind,
    at: date,
    changes: Iterable[KlassChange] = (),
) -> RegisterDiff:
    """Compare KLASS's codes on ``at`` with the register's (code → official name) on the same day."""
    klass = {c.code: c for c in klass_codes if not _NOT_REGIONS.match(c.code)}
    new = tuple(sorted((c for code, c in klass.items() if code not in register), key=lambda c: c.code))
    ended = tuple(sorted((code, name) for code, name in register.items() if code not in klass))
    renamed = tuple(
        Renamed(code, register[code], c.name)
        for code, c in sorted(klass.items())
        if code in register and not _same_name(register[code], c.name)
    )
    return RegisterDiff(kind=kind, at=at, new=new, ended=ended, renamed=renamed, changes=tuple(changes))


def compare_with_register(
    client: KlassClient,
    register: RegisterLike,
    at: date,
    *,
    kind: Kind = "kommune",
    since: date | None = None,
) -> RegisterDiff:
    """KLASS against FN17's register on ``at``; KLASS's changes from ``since`` (default: one year
    before ``at``) to ``at`` are attached so each difference comes with its reason."""
    classification = _CLASSIFICATION[kind]
    codes = client.codes_at(classification, at)
    regions = register.municipalities(at) if kind == "kommune" else register.counties(at)
    mine = {r.code: r.name for r in regions}
    changes = client.changes(classification, since or at - timedelta(days=365), at)
    diff = diff_codes(codes, mine, kind=kind, at=at, changes=changes)
    logger.info(
        "KLASS %d on %s: %d new, %d ended, %d renamed compared with the register",
        classification,
        at,
        len(diff.new),
        len(diff.ended),
        len(diff.renamed),
    )
    return diff


def compare_kostra_groups(client: KlassClient, register: RegisterLike, at: date) -> KostraDiff:
    """KOSTRA groups in KLASS (``EKG13``) against the register's (``13``) for the municipalities on ``at``."""
    klass_groups = client.kostra_groups_at(at)
    different: dict[str, tuple[str | None, str]] = {}
    unknown: list[str] = []
    for region in register.municipalities(at):
        theirs = klass_groups.get(region.code)
        if theirs is None:
            continue
        number = re.sub(r"^\D+", "", theirs).lstrip("0") or "0"
        mine = register.kostra_group(region.code)
        if mine is None:
            unknown.append(region.code)
            different[region.code] = (None, number)
        elif mine != number:
            different[region.code] = (mine, number)
    return KostraDiff(at=at, different=different, unknown_in_register=tuple(unknown))
