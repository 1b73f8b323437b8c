"""Local targets, measures, partners, the audit log and optimistic locking, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from fn17.actions import audit, measures, partners, records, targets
from fn17.actions.actor import ANONYMOUS
from fn17.errors import AuthenticationError, ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from fn17.services import actions as svc
from fn17.store import actions_tables
from fn17.store.tables import metadata
from fn17.store.tables import targets as targets_table
from fn17.workspace import Workspace
from test_actions_support import People, people_fixture, store_fixture  # noqa: F401  (fixtures)

WASTE = "husholdningsavfall_per_innbygger"


def target_form(**over: Any) -> dict[str, Any]:
    base = {"title": "Mindre husholdningsavfall", "description": "Ned mot 350 kg per innbygger.", "sdg_targets": "12.5, 12.3",
            "indicator_id_1": WASTE, "target_value_1": "350", "target_year_1": "2030",
            "plan_name": "Kommuneplanens samfunnsdel 2020–2032", "plan_reference": "kap. 4.2", "adopted_year": "2020",
            "published": "ja"}
    base.update(over)
    return base


def test_migration_creates_exactly_the_action_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    mine = set(actions_tables.__all__)
    relevant = [d for d in diffs if any(name in repr(d) for name in mine)]
    assert relevant == []
    with engine.connect() as conn:
        names = set(conn.dialect.get_table_names(conn))
    assert mine <= names


def test_local_target_writes_a_local_scoring_target_beside_the_default(store: Workspace, people: People) -> None:
    engine = store.engine
    with engine.begin() as conn:
        conn.execute(targets_table.insert().values(indicator_id=WASTE, region_code="", kind="default", optimum=300.0,
                                                   target_value=300.0, target_year=2030, active=True))
    tid = svc.save_target(store, people.editor, "1508", target_form(), None)
    with engine.connect() as conn:
        rows = conn.execute(select(targets_table).where(targets_table.c.indicator_id == WASTE).order_by(targets_table.c.kind)).mappings().all()
    assert [(r["kind"], r["region_code"], r["target_value"]) for r in rows] == [("default", "", 300.0), ("local", "1508", 350.0)]
    assert rows[1]["reference"] == f"local_target:{tid}" and rows[1]["target_year"] == 2030

    lt = targets.get_target(engine, people.editor, "1508", tid)
    assert lt.sdg_targets == ["12.3", "12.5"] and lt.goals == [12] and lt.adopted_year == 2020
    # unpublishing takes the value out of the scoring again; the default stays
    svc.save_target(store, people.editor, "1508", target_form(published="", version=str(lt.version)), tid)
    with engine.connect() as conn:
        kinds = conn.execute(select(targets_table.c.kind).where(targets_table.c.indicator_id == WASTE)).scalars().all()
    assert kinds == ["default"]


def test_local_target_validation_names_every_problem(store: Workspace, people: People) -> None:
    with pytest.raises(InvalidInputError) as info:
        svc.save_target(store, people.editor, "1508", target_form(title="", sdg_targets="12.99, 3.4", indicator_id_1="finnes_ikke",
                                                                  indicator_id_2="befolkningstetthet", target_value_2="100",
                                                                  adopted_year="20x0"), None)
    fields = {p["field"] for p in info.value.details["problems"]}
    assert fields == {"title", "sdg_targets", "indicator_id_1", "indicator_id_2", "adopted_year"}
    messages = " | ".join(p["message"] for p in info.value.details["problems"])
    assert "«12.99» er ikke et SDG-delmål" in messages
    assert "finnes ikke i indikatorkatalogen" in messages
    assert "kontekstindikator" in messages
    assert "was not saved" in info.value.message_en
    with store.engine.connect() as conn:
        assert conn.execute(select(actions_tables.local_targets)).first() is None


def test_one_local_target_value_per_indicator_and_region(store: Workspace, people: People) -> None:
    first = svc.save_target(store, people.editor, "1508", target_form(), None)
    with pytest.raises(InvalidInputError) as info:
        svc.save_target(store, people.editor, "1508", target_form(title="Et annet mål"), None)
    assert f"(nummer {first})" in info.value.details["problems"][0]["message"]
    # another region may use the same indicator
    svc.save_target(store, people.other_editor, "0301", target_form(title="Oslo: mindre avfall"), None)


def test_second_concurrent_save_gets_a_conflict(store: Workspace, people: People) -> None:
    """Two editors load version 1; the one who saves second is told, and nothing of theirs is written."""
    tid = svc.save_target(store, people.editor, "1508", target_form(), None)
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}
    admin = people.admin

    def save(name: str, actor: Any, title: str) -> None:
        barrier.wait()
        try:
            svc.save_target(store, actor, "1508", target_form(title=title, version="1"), tid)
            results[name] = "ok"
        except ConflictError as err:
            results[name] = err

    threads = [threading.Thread(target=save, args=("a", people.editor, "Tittel A")),
               threading.Thread(target=save, args=("b", admin, "Tittel B"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    outcomes = sorted(results.values(), key=lambda v: isinstance(v, ConflictError))
    assert outcomes[0] == "ok" and isinstance(outcomes[1], ConflictError)
    err = outcomes[1]
    assert "Endringen din er ikke lagret" in err.message and "Your change was not saved" in err.message_en
    assert "versjon 2" in err.message and err.http_status == 409
    final = targets.get_target(store.engine, people.editor, "1508", tid)
    winner = "Tittel A" if results["a"] == "ok" else "Tittel B"
    assert final.title == winner and final.version == 2


def test_stale_version_is_a_conflict_that_names_who_saved(store: Workspace, people: People) -> None:
    pid = svc.save_partner(store, people.editor, "1508", {"name": "Ålesund Frivilligsentral", "kind": "frivillig"}, None)
    svc.save_partner(store, people.admin, "1508", {"name": "Ålesund frivilligsentral", "kind": "frivillig", "version": "1"}, pid)
    with pytest.raises(ConflictError) as info:
        svc.save_partner(store, people.editor, "1508", {"name": "Frivilligsentralen", "kind": "frivillig", "version": "1"}, pid)
    assert "admin" in info.value.message and "versjon 2" in info.value.message
    assert partners.get_partner(store.engine, people.editor, "1508", pid).name == "Ålesund frivilligsentral"
    # deleting with a stale version is refused too
    with pytest.raises(ConflictError):
        partners.delete_partner(store.engine, people.editor, "1508", pid, 1)


def test_measures_partners_and_who_works_with_us_on_goal_12(store: Workspace, people: People) -> None:
    tid = svc.save_target(store, people.editor, "1508", target_form(), None)
    gc = svc.save_partner(store, people.editor, "1508", {"name": "Tafjord Kraft", "kind": "privat", "org_number": "923 934 138",
                                                         "global_compact": "ja", "published": "ja"}, None)
    m1 = svc.save_measure(store, people.editor, "1508", {
        "title": "Kildesortering i alle skoler", "responsible_unit": "Oppvekst", "start_year": "2024", "end_year": "2026",
        "budget_nok": "1 250 000", "status": "pågår", "local_target_ids": [str(tid)], "partner_ids": [str(gc)], "published": "ja",
        "new_partner_name": "NTNU i Ålesund", "new_partner_kind": "forskning"}, None)
    svc.save_measure(store, people.editor, "1508", {"title": "Gang- og sykkelvei", "sdg_goals": ["11"], "status": "planlagt",
                                                    "published": "ja", "new_partner_name": "Statens vegvesen", "new_partner_kind": "offentlig"},
                     None)
    m = measures.get_measure(store.engine, people.editor, "1508", m1)
    assert m.budget_nok == 1_250_000.0 and m.status == "ongoing" and m.goals == [12]
    assert [p.name for p in m.partners] == ["NTNU i Ålesund", "Tafjord Kraft"]
    page = svc.partners_page(store, ANONYMOUS, "1508", "nb", 12)
    assert [p.name for p in page.items] == ["NTNU i Ålesund", "Tafjord Kraft"]
    assert all([x.title for x in p.measures] == ["Kildesortering i alle skoler"] for p in page.items)
    assert page.goal_name == "Sikre bærekraftige forbruks- og produksjonsmønstre"
    assert [p.name for p in svc.partners_page(store, ANONYMOUS, "1508", "nb", 11).items] == ["Statens vegvesen"]
    assert svc.partners_page(store, ANONYMOUS, "1508", "nb", 6).items == []


def test_measure_validation(store: Workspace, people: People) -> None:
    with pytest.raises(InvalidInputError) as info:
        svc.save_measure(store, people.editor, "1508", {"title": "X", "start_year": "2027", "end_year": "2025", "budget_nok": "-5",
                                                        "status": "kanskje", "sdg_goals": ["18"], "partner_ids": ["999"],
                                                        "local_target_ids": ["abc"], "new_partner_name": "Y", "new_partner_kind": "ukjent"},
                         None)
    fields = sorted(p["field"] for p in info.value.details["problems"])
    assert fields == ["budget_nok", "end_year", "local_target_ids", "new_partner_kind", "partner_ids", "sdg_goals", "status"]
    with pytest.raises(InvalidInputError) as info:
        svc.save_partner(store, people.editor, "1508", {"name": "Z", "kind": "privat", "org_number": "123456789", "website": "z.no"}, None)
    assert {p["field"] for p in info.value.details["problems"]} == {"org_number", "website"}


def test_links_to_another_regions_records_are_refused(store: Workspace, people: People) -> None:
    oslo_partner = svc.save_partner(store, people.other_editor, "0301", {"name": "Oslo kommune", "kind": "offentlig"}, None)
    with pytest.raises(InvalidInputError) as info:
        svc.save_measure(store, people.editor, "1508", {"title": "Lånt partner", "partner_ids": [str(oslo_partner)]}, None)
    assert "finnes ikke for 1508" in info.value.details["problems"][0]["message"]
    # and a record of another region cannot be read or changed through this region
    with pytest.raises(NotFoundError):
        partners.get_partner(store.engine, people.admin, "1508", oslo_partner)
    with pytest.raises(NotFoundError):
        svc.save_partner(store, people.admin, "1508", {"name": "Kapret", "kind": "privat", "version": "1"}, oslo_partner)


def test_drafts_are_private_to_the_regions_roles(store: Workspace, people: People) -> None:
    draft = svc.save_target(store, people.editor, "1508", target_form(published=""), None)
    svc.save_measure(store, people.editor, "1508", {"title": "Hemmelig tiltak", "local_target_ids": [str(draft)]}, None)
    for outsider in (ANONYMOUS, people.other_editor):
        assert targets.list_targets(store.engine, outsider, "1508") == []
        assert measures.list_measures(store.engine, outsider, "1508") == []
        with pytest.raises(NotFoundError):
            targets.get_target(store.engine, outsider, "1508", draft)
        assert svc.overview(store, outsider, "1508").n_local_targets == 0
    for insider in (people.editor, people.viewer, people.admin):
        assert [t.id for t in targets.list_targets(store.engine, insider, "1508")] == [draft]


@pytest.mark.parametrize("who", ["anonymous", "viewer", "other_editor"])
def test_changes_without_the_role_are_refused_and_logged(store: Workspace, people: People, who: str) -> None:
    actor = {"anonymous": ANONYMOUS, "viewer": people.viewer, "other_editor": people.other_editor}[who]
    expected = AuthenticationError if who == "anonymous" else PermissionDeniedError
    with pytest.raises(expected) as info:
        svc.save_measure(store, actor, "1508", {"title": "Inntrenger"}, None)
    assert info.value.http_status == (401 if who == "anonymous" else 403)
    denied = audit.entries(store.engine, region_code="1508", action="denied")
    assert len(denied) == 1 and denied[0].entity == "measure" and denied[0].username == actor.username
    assert measures.list_measures(store.engine, people.admin, "1508") == []


def test_every_change_is_in_the_audit_log_with_before_and_after(store: Workspace, people: People) -> None:
    tid = svc.save_target(store, people.editor, "1508", target_form(), None)
    svc.save_target(store, people.admin, "1508", target_form(target_value_1="340", version="1"), tid)
    targets.delete_target(store.engine, people.editor, "1508", tid, 2)
    log = audit.entries(store.engine, region_code="1508", entity="local_target")
    assert [(e.action, e.username) for e in log] == [("delete", "redaktor"), ("update", "admin"), ("create", "redaktor")]
    update = log[1]
    assert update.before is not None and update.after is not None
    assert update.before["indicators"] == [{"indicator_id": WASTE, "target_value": 350.0, "target_year": 2030}]
    assert update.after["indicators"] == [{"indicator_id": WASTE, "target_value": 340.0, "target_year": 2030}]
    assert update.after["scoring_targets"][0]["target_value"] == 340.0
    assert "indicators" in update.changed_fields and update.before["version"] == 1 and update.after["version"] == 2
    assert log[0].before is not None and log[0].before["title"] == "Mindre husholdningsavfall" and log[0].after is None


def test_unknown_or_old_region_codes_say_what_to_use(store: Workspace, people: People) -> None:
    with pytest.raises(InvalidInputError) as info:
        svc.region_head(store, people.admin, "1507")
    assert "1507" in info.value.message and "1508" in info.value.message
    with pytest.raises(NotFoundError):
        svc.region_head(store, people.admin, "9999")
    with pytest.raises(InvalidInputError):
        svc.region_head(store, people.admin, "15x8")


def test_record_helpers_report_missing_records(store: Workspace, people: People) -> None:
    with store.engine.connect() as conn, pytest.raises(NotFoundError) as info:
        records.fetch(conn, actions_tables.measures, measures.KIND, 12345, "1508")
    assert "tiltaket med nummer 12345" in info.value.message
