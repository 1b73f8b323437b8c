"""The register of Norway's municipalities and counties from 1.1.2017, with their history.

>>> from datetime import date
>>> reg = load_register()
>>> reg.get("1507", date(2023, 6, 1)).name
'Ålesund'
>>> reg.current_codes("1507")
['1508', '1580']

Built once per process (``load_register`` is cached) and indexed by code; what a code became at a
date is worked out once per structure period and remembered, so look-ups on web requests are
dictionary reads.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import logging
import re
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from fn17.errors import InvalidInputError, NotFoundError
from fn17.regions import _search
from fn17.regions._loader import DATA_DIR, RegisterData, read_register_data
from fn17.regions.models import (
    HORIZON,
    SPLIT_KINDS,
    TRANSITION_KINDS,
    CarriedValue,
    Change,
    KostraGroup,
    Region,
    fmt_day,
)

log = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)
_DIGITS = re.compile(r"^\d{1,4}$")

#: what a code became: successor code -> (share, ids of the split weights' sources on the way)
Resolved = tuple[tuple[str, float, frozenset[str]], ...]


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    word = " and " if lang == "en" else " og "
    return ", ".join(items[:-1]) + word + items[-1]


class Register:
    """Municipalities and counties valid from 1.1.2017 to today, and every change between them."""

    def __init__(self, data: RegisterData) -> None:
        self._data = data
        versions: dict[str, list[Region]] = defaultdict(list)
        for r in data.regions:
            versions[r.code].append(r)
        self._versions: dict[str, tuple[Region, ...]] = {
            c: tuple(sorted(v, key=lambda r: r.valid_from)) for c, v in versions.items()
        }
        self._changes = data.changes
        history: dict[str, list[Change]] = defaultdict(list)
        for ch in self._changes:
            for c in dict.fromkeys((*ch.from_codes, *ch.to_codes)):
                history[c].append(ch)
        self._history = {c: tuple(v) for c, v in history.items()}
        self._out: dict[str, tuple[Change, dict[str, float]]] = {}
        for ch in self._changes:
            if ch.kind not in TRANSITION_KINDS:
                continue
            for c in ch.from_codes:
                end = self._versions[c][-1].valid_to
                if end is None or end + _ONE_DAY != ch.date:
                    continue  # the code lives on (it absorbed the others)
                if ch.kind in SPLIT_KINDS:
                    self._out[c] = (ch, dict(ch.weights))
                elif c not in self._out:
                    self._out[c] = (ch, {ch.to_codes[0]: 1.0})
        bounds: set[date] = set()
        for r in data.regions:
            bounds.add(r.valid_from)
            if r.valid_to is not None:
                bounds.add(r.valid_to + _ONE_DAY)
        self._bounds = sorted(bounds)
        self._entries = tuple(_search.make_entry(r) for r in data.regions)
        self._valid_cache: dict[int, tuple[Region, ...]] = {}
        self._forward_cache: dict[tuple[str, int], Resolved] = {}
        self._kostra = data.kostra
        self._kostra_groups = {g.group: g for g in data.kostra_groups}
        today = date.today()
        for code in self._versions:  # precompute every chain for today's structure
            self._forward(code, today)

    # ------------------------------------------------------------------ basics
    @property
    def directory(self) -> Path:
        """The folder the data files were read from."""
        return self._data.directory

    def _epoch(self, at: date) -> int:
        return bisect.bisect_right(self._bounds, at)

    def _when(self, at: date | None) -> date:
        when = at or date.today()
        if when < HORIZON:
            raise InvalidInputError(
                f"Registeret dekker datoer fra {fmt_day(HORIZON)}; {fmt_day(when)} er for tidlig.",
                message_en=f"The register covers dates from {HORIZON.isoformat()}; {when.isoformat()} is too early.",
                hint=f"Oppgi en dato fra og med {fmt_day(HORIZON)}.",
                hint_en=f"Give a date on or after {HORIZON.isoformat()}.",
                details={"date": when.isoformat(), "horizon": HORIZON.isoformat()},
            )
        return when

    def _code(self, code: str) -> str:
        """Clean a code as users type it: spaces, a lost leading zero ("301"), SSB's "K-" prefix."""
        text = str(code).strip()
        text = re.sub(r"^[KkFf]-", "", text)
        if _DIGITS.match(text):
            if len(text) in (1, 3):
                text = "0" + text
            if text in self._versions:
                return text
            raise self._not_found(text)
        if any(ch.isalpha() for ch in text):
            raise self._not_found(text)
        raise InvalidInputError(
            f"«{code}» er ikke et kommunenummer (fire sifre, f.eks. 0301) eller fylkesnummer (to sifre, f.eks. 03).",
            message_en=f"“{code}” is not a municipality number (four digits, e.g. 0301) or county number (two digits, e.g. 03).",
            hint="Skriv nummeret med sifre, eller søk på navnet.",
            hint_en="Write the number in digits, or search by name.",
            details={"code": str(code)},
        )

    def _not_found(self, text: str) -> NotFoundError:
        suggestions: list[Region] = []
        if text.isdigit():
            for c in _search.near_codes(text, self._versions):
                suggestions.append(self._versions[c][-1])
        with contextlib.suppress(InvalidInputError):  # nothing searchable in the text: no name suggestions
            suggestions += self.search(text, limit=5)
        labels = list(dict.fromkeys(r.label for r in suggestions))[:5]
        hint_nb = f"Mente du {_join(labels, 'nb').replace(' og ', ' eller ')}?" if labels else "Søk på navnet med fn17 regions SØK."
        hint_en = f"Did you mean {_join(labels, 'en').replace(' and ', ' or ')}?" if labels else "Search by name instead."
        if text.isdigit():
            msg_nb = f"Kommune- eller fylkesnummeret {text} finnes ikke i registeret (kommuner og fylker fra {fmt_day(HORIZON)})."
            msg_en = f"{text} is not a municipality or county number in the register (from {HORIZON.isoformat()})."
        else:
            msg_nb = f"«{text}» er ikke et kommune- eller fylkesnummer."
            msg_en = f"“{text}” is not a municipality or county number."
        return NotFoundError(
            msg_nb,
            message_en=msg_en,
            hint=hint_nb,
            hint_en=hint_en,
            details={"code": text, "suggestions": [r.code for r in suggestions][:5]},
        )

    def _version_at(self, code: str, at: date) -> Region | None:
        for v in self._versions[code]:
            if v.valid_at(at):
                return v
        return None

    # ------------------------------------------------------------------ look-up
    def get(self, code: str, at: date | None = None) -> Region:
        """The region with ``code`` at ``at`` (today by default).

        An unknown code raises NotFoundError with near matches; a code outside its valid period
        raises InvalidInputError saying what happened to it and what to use instead.
        """
        c = self._code(code)
        when = self._when(at)
        found = self._version_at(c, when)
        if found is None:
            raise self._explain(c, when)
        return found

    def versions(self, code: str) -> list[Region]:
        """Every period of ``code`` (name changes start a new period), oldest first."""
        return list(self._versions[self._code(code)])

    def all_regions(self) -> list[Region]:
        """Every region period in the register."""
        return [r for versions in self._versions.values() for r in versions]

    def changes(self) -> list[Change]:
        """Every change, oldest first."""
        return list(self._changes)

    def history(self, code: str) -> list[Change]:
        """The changes that ``code`` took part in (as an old or a new code), oldest first."""
        return list(self._history.get(self._code(code), ()))

    def _kind_word(self, code: str, lang: str) -> str:
        kommune = self._versions[code][0].kind == "kommune"
        if lang == "en":
            return "Municipality number" if kommune else "County number"
        return "Kommunenummer" if kommune else "Fylkesnummer"

    def _labels(self, codes: list[str], at: date) -> list[str]:
        out = []
        for c in codes:
            v = self._version_at(c, at)
            out.append(v.label if v else c)
        return out

    def _explain(self, code: str, at: date) -> InvalidInputError:
        versions = self._versions[code]
        first, last = versions[0], versions[-1]
        if last.valid_to is not None and at > last.valid_to:
            day = last.valid_to + _ONE_DAY
            change, weights = self._out[code]
            succ = sorted(weights)
            nb_s, en_s = _join(self._labels(succ, day), "nb"), _join(self._labels(succ, day), "en")
            others = [c for c in change.from_codes if c != code and c not in succ]
            if change.kind in SPLIT_KINDS:
                what_nb, what_en = f"ble den delt i {nb_s}", f"it was split into {en_s}"
            elif change.kind == "renumber":
                what_nb, what_en = f"fikk den nytt nummer: {nb_s}", f"it was given a new number: {en_s}"
            elif others:
                o = self._labels(others, last.valid_to)
                what_nb = f"ble den slått sammen med {_join(o, 'nb')} til {nb_s}"
                what_en = f"it was merged with {_join(o, 'en')} into {en_s}"
            else:
                what_nb, what_en = f"ble den en del av {nb_s}", f"it became part of {en_s}"
            now = self.current_codes(code, at)
            now_nb = _join(self._labels(now, at), "nb").replace(" og ", " eller ")
            now_en = _join(self._labels(now, at), "en").replace(" and ", " or ")
            tail_nb = tail_en = ""
            if now != succ:
                tail_nb = f" {fmt_day(at)} tilsvarer det {_join(self._labels(now, at), 'nb')}."
                tail_en = f" On {at.isoformat()} that is {_join(self._labels(now, at), 'en')}."
            return InvalidInputError(
                f"{self._kind_word(code, 'nb')} {last.label} gjaldt til {fmt_day(last.valid_to)}. "
                f"{fmt_day(day)} {what_nb}.{tail_nb}",
                message_en=f"{self._kind_word(code, 'en')} {last.label} was valid until {fmt_day(last.valid_to)} "
                f"({last.valid_to.isoformat()}). On {fmt_day(day)} {what_en}.{tail_en}",
                hint=f"Bruk {now_nb}, eller en dato til og med {fmt_day(last.valid_to)}.",
                hint_en=f"Use {now_en}, or a date up to {fmt_day(last.valid_to)}.",
                details={"code": code, "valid_to": last.valid_to.isoformat(), "current_codes": now,
                         "change": change.kind, "date": at.isoformat()},
            )
        start = first.valid_from
        before = [c for ch in self._history.get(code, ()) if ch.date == start and code in ch.to_codes
                  and ch.kind in TRANSITION_KINDS for c in ch.from_codes if c != code]
        earlier = self._labels(sorted(set(before)), start - _ONE_DAY)
        pre_nb = f" Før det: {_join(earlier, 'nb')}." if earlier else ""
        pre_en = f" Before that: {_join(earlier, 'en')}." if earlier else ""
        use_nb = _join(earlier, "nb").replace(" og ", " eller ")
        use_en = _join(earlier, "en").replace(" and ", " or ")
        return InvalidInputError(
            f"{self._kind_word(code, 'nb')} {first.label} ble tatt i bruk {fmt_day(start)}.{pre_nb}",
            message_en=f"{self._kind_word(code, 'en')} {first.label} came into use on {fmt_day(start)} "
            f"({start.isoformat()}).{pre_en}",
            hint=(f"Bruk {use_nb} for datoer før {fmt_day(start)}." if earlier
                  else f"Oppgi en dato fra og med {fmt_day(start)}."),
            hint_en=(f"Use {use_en} for dates before {fmt_day(start)}." if earlier
                     else f"Give a date on or after {fmt_day(start)}."),
            details={"code": code, "valid_from": start.isoformat(), "predecessors": sorted(set(before)),
                     "date": at.isoformat()},
        )

    # ------------------------------------------------------------------ chains
    def _forward(self, code: str, at: date) -> Resolved:
        key = (code, self._epoch(at))
        cached = self._forward_cache.get(key)
        if cached is not None:
            return cached
        versions = self._versions[code]
        if any(v.valid_at(at) for v in versions):
            result: Resolved = ((code, 1.0, frozenset()),)
        elif at < versions[0].valid_from:
            first = versions[0]
            raise InvalidInputError(
                f"{self._kind_word(code, 'nb')} {first.label} ble tatt i bruk {fmt_day(first.valid_from)} "
                f"og kan ikke føres tilbake til {fmt_day(at)}.",
                message_en=f"{self._kind_word(code, 'en')} {first.label} came into use on {fmt_day(first.valid_from)} "
                f"and cannot be carried back to {at.isoformat()}.",
                hint=f"FN17 fører koder fram til nyere inndelinger, ikke tilbake. Velg en dato fra {fmt_day(first.valid_from)}.",
                hint_en=f"FN17 carries codes forward to newer structures, not back. Choose a date from {fmt_day(first.valid_from)}.",
                details={"code": code, "valid_from": first.valid_from.isoformat(), "date": at.isoformat()},
            )
        else:
            change, weights = self._out[code]
            acc: dict[str, float] = defaultdict(float)
            srcs: dict[str, frozenset[str]] = defaultdict(frozenset)
            own = frozenset({change.source}) if change.kind in SPLIT_KINDS else frozenset()
            for succ, w in weights.items():
                for c2, w2, s2 in self._forward(succ, at):
                    acc[c2] += w * w2
                    srcs[c2] = srcs[c2] | s2 | own
            result = tuple((c, acc[c], srcs[c]) for c in sorted(acc))
        self._forward_cache[key] = result
        return result

    def successors(self, old_code: str, at: date | None = None) -> dict[str, float]:
        """The codes valid at ``at`` that ``old_code`` became, each with its share (1.0 unless split)."""
        return {c: w for c, w, _ in self._forward(self._code(old_code), self._when(at))}

    def current_codes(self, old_code: str, at: date | None = None) -> list[str]:
        """The codes valid at ``at`` (today by default) that ``old_code`` became, following every
        change: ``current_codes("0101") == ["3101"]`` (0101 → 3001 in 2020 → 3101 in 2024)."""
        return sorted(self.successors(old_code, at))

    # ------------------------------------------------------------------ listings
    def _valid(self, at: date) -> tuple[Region, ...]:
        epoch = self._epoch(at)
        cached = self._valid_cache.get(epoch)
        if cached is None:
            cached = tuple(sorted((r for r in self._data.regions if r.valid_at(at)), key=lambda r: r.code))
            self._valid_cache[epoch] = cached
        return cached

    def municipalities(self, at: date | None = None) -> list[Region]:
        """The municipalities valid at ``at`` (today by default), by code."""
        return [r for r in self._valid(self._when(at)) if r.kind == "kommune"]

    def counties(self, at: date | None = None) -> list[Region]:
        """The counties valid at ``at`` (today by default), by code."""
        return [r for r in self._valid(self._when(at)) if r.kind == "fylke"]

    def county_of(self, code: str, at: date | None = None) -> Region:
        """The county that municipality ``code`` belonged to at ``at``."""
        region = self.get(code, at)
        if region.county_code is None:
            raise InvalidInputError(
                f"{region.label} er et fylke, ikke en kommune.",
                message_en=f"{region.label} is a county, not a municipality.",
                hint="Oppgi et kommunenummer (fire sifre).",
                hint_en="Give a municipality number (four digits).",
                details={"code": region.code},
            )
        return self.get(region.county_code, at)

    # ------------------------------------------------------------------ search
    def search(self, text: str, at: date | None = None, limit: int = 10) -> list[Region]:
        """Regions valid at ``at`` whose number or name (any period, any language) matches ``text``.

        Case and diacritics do not matter ("alesund", "Aalesund", "Ålesund"). A match on an old
        code or name returns what it became: "Haram" finds 1580 Haram, "Viken" finds 31, 32, 33.
        """
        if limit < 1:
            raise InvalidInputError("limit må være minst 1.", message_en="limit must be at least 1.",
                                    details={"limit": limit})
        when = self._when(at)
        raw = re.sub(r"^[KkFf]-", "", text.strip())
        digits = raw.isdigit()
        query = raw if digits else _search.fold(raw)
        if not query:
            raise InvalidInputError(
                "Søket er tomt.", message_en="The search is empty.",
                hint="Skriv et kommunenummer eller en del av et navn.", hint_en="Type a number or part of a name.",
            )
        best: dict[str, int] = {}

        def add(region: Region, points: int) -> None:
            try:
                targets = self._forward(region.code, when)
            except InvalidInputError:
                return  # the matched code came into use after ``at``
            for c, _, _ in targets:
                p = points if c == region.code else points - 1
                if p > best.get(c, 0):
                    best[c] = p

        for entry in self._entries:
            points = _search.score(entry, query, digits)
            if points:
                add(entry.region, points)
        if not digits and not best:  # close spellings only when nothing matched as typed
            for i, ratio in _search.fuzzy(self._entries, query).items():
                add(self._entries[i].region, int(40 * ratio))
        ranked = sorted(best, key=lambda c: (-best[c], len(c), c))[:limit]
        out = []
        for c in ranked:
            v = self._version_at(c, when)
            if v is not None:
                out.append(v)
        return out

    # ------------------------------------------------------------------ KOSTRA
    def kostra_group(self, code: str) -> str | None:
        """SSB's KOSTRA group (the grouping per 2020, kept with the 2024 numbers) of municipality
        ``code``, as "1"…"17". None where FN17 has not verified the group (``unknown`` in
        ``data/kostra.csv``) and for an old code that was merged or split, which has no group in
        this grouping. A renumbered code is followed to its new number."""
        c = self._code(code)
        if self._versions[c][0].kind != "kommune":
            raise InvalidInputError(
                f"KOSTRA-grupper gjelder kommuner; {self._versions[c][-1].label} er et fylke.",
                message_en=f"KOSTRA groups apply to municipalities; {self._versions[c][-1].label} is a county.",
                hint="Oppgi et kommunenummer (fire sifre).",
                hint_en="Give a municipality number (four digits).",
                details={"code": c},
            )
        while c not in self._kostra:
            step = self._out.get(c)
            if step is None or step[0].kind != "renumber":
                return None
            c = step[0].to_codes[0]
        return self._kostra[c]

    def kostra_groups(self) -> list[KostraGroup]:
        """The 17 KOSTRA groups with SSB's criteria and sizes."""
        return list(self._kostra_groups.values())

    def kostra_group_info(self, group: str) -> KostraGroup:
        try:
            return self._kostra_groups[str(group).lstrip("0") or "0"]
        except KeyError:
            raise NotFoundError(
                f"KOSTRA-gruppe «{group}» finnes ikke; gruppene er 1–17.",
                message_en=f"KOSTRA group “{group}” does not exist; the groups are 1–17.",
                details={"group": str(group)},
            ) from None

    # ------------------------------------------------------------------ series
    def carry_series(
        self,
        values: Mapping[tuple[str, str], float],
        to: date,
        rule_for_split: str = "weighted",
        rule_for_merge: str = "sum",
        population: Mapping[tuple[str, str], float] | None = None,
    ) -> list[CarriedValue]:
        """Carry a series keyed by (code, period) to the regions valid at ``to``; see
        :func:`fn17.regions.harmonise.carry_series`."""
        from fn17.regions.harmonise import carry_series

        return carry_series(self, values, to, rule_for_split=rule_for_split, rule_for_merge=rule_for_merge,
                            population=population)

    # used by harmonise
    def _resolve(self, code: str, at: date) -> Resolved:
        return self._forward(self._code(code), at)

    def _valid_codes(self, at: date) -> tuple[str, ...]:
        return tuple(r.code for r in self._valid(at))


@functools.lru_cache(maxsize=8)
def _load(directory: str) -> Register:
    started = time.perf_counter()
    register = Register(read_register_data(Path(directory)))
    log.info("region register loaded from %s in %.1f ms", directory, 1000 * (time.perf_counter() - started))
    return register


def load_register(path: str | Path | None = None) -> Register:
    """The register from the data files in ``path`` (a folder; FN17's own by default), loaded
    and validated once per process. A bad file raises DataFileError naming the file and row."""
    directory = Path(path) if path is not None else DATA_DIR
    return _load(str(directory.resolve()))
