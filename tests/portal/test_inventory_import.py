"""Importing an existing inventory: French spreadsheets, Eurocities registers, per-row French messages,
all or nothing, every row accounted for, audited with the file's checksum."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from policies.access import PermissionDenied
from portal.db.models import AuditEvent, UseCase
from portal.services import Services, build_services
from portal.services import eurocities as eu
from portal.services.errors import InvalidInput
from portal.services.inventory_import import ColumnMapping
from portal.services.people import SYSTEM
from portal.services.spreadsheet import to_csv_bytes

ROOT = Path(__file__).resolve().parents[2]
#: Eurocities attribute -> sheet field, for the « Transparence » section (keywords are the tags).
TRANSPARENCY_ATTRIBUTES = {a: f for a, f in eu.FROM_RECORD.items() if a != "keywords"}

FRENCH_CSV = (
    "Réf;Intitulé;Famille;Direction;Service;Fournisseur;Coût annuel;Date de début;Remarque interne\n"
    "A1;Chatbot de la piscine;Relation usagers;Direction des sports;Piscines;Bleu SAS;12 500,50;01/02/2026;à revoir\n"
    "A2;Tri automatique du courrier;relation usagers;Direction générale;Courrier;;1 200;;\n"
    "A3;Prévision des effectifs de cantine;Services opérationnels;Direction de l'éducation;Restauration;;;;urgent\n"
)


def _counts(svc: Services) -> tuple[int, int]:
    with svc.db.reader() as s:
        return (s.scalar(select(func.count()).select_from(UseCase)),
                s.scalar(select(func.count()).select_from(AuditEvent)))


def _import_events(svc: Services) -> list[dict]:
    with svc.db.reader() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "create", AuditEvent.entity == "use_case")
                         .order_by(AuditEvent.seq)).all()
    return [json.loads(r.payload) for r in rows]


@pytest.fixture
def svc(sqlite_url: str, tmp_path: Path):
    services = build_services(sqlite_url, data_dir=tmp_path / "data")
    yield services
    services.db.dispose()


def test_a_french_latin1_spreadsheet_imports_with_its_checksum_in_the_audit(svc):
    data = FRENCH_CSV.encode("latin-1")
    report = svc.inventory_import.run(SYSTEM, data, "inventaire.csv", "csv")
    assert [where for where, _ in report.created] == ["Ligne 2", "Ligne 3", "Ligne 4"]
    views = {v.title: v for v in svc.register.list()}
    pool = views["Chatbot de la piscine"]
    assert pool.family.value == "resident_relations" and pool.direction == "Direction des sports"
    assert pool.run_cost_per_year == 12500.5 and pool.start_date.isoformat() == "2026-02-01"
    assert pool.provider_name == "Bleu SAS"
    events = _import_events(svc)
    assert len(events) == 3
    first = events[0]["details"]["import"]
    assert first["sha256"] == hashlib.sha256(data).hexdigest() and first["file"] == "inventaire.csv"
    assert first["source_reference"] == "A1" and first["where"] == "Ligne 2"
    assert first["unmapped"] == {"Remarque interne": "à revoir"}  # nothing the file said is lost
    assert svc.audit.verify().ok


def test_utf8_bom_comma_separated_and_excel_files_import_too(svc):
    bom = ("\ufeff" + FRENCH_CSV.replace(";", ",").replace("12 500,50", '"12 500,50"')).encode("utf-8")
    preview = svc.inventory_import.preview(SYSTEM, bom, "inventaire.csv", "csv")
    assert not preview.problems() and len(preview.valid) == 3
    wb = Workbook()
    ws = wb.active
    for line in FRENCH_CSV.splitlines():
        ws.append(line.split(";"))
    buf = io.BytesIO()
    wb.save(buf)
    report = svc.inventory_import.run(SYSTEM, buf.getvalue(), "inventaire.xlsx", "xlsx")
    assert len(report.created) == 3


def test_all_or_nothing_meets_one_bad_row_and_writes_nothing(services: Services):
    """On SQLite and PostgreSQL: 40 good rows and one bad, nothing written, the bad row named."""
    lines = ["Intitulé;Famille;Direction"] + [f"Cas n° {i};Services opérationnels;Direction {i}" for i in range(40)]
    lines.insert(30, "Cas fautif;Famille inventée;Direction X")
    data = "\n".join(lines).encode()
    before = _counts(services)
    with pytest.raises(InvalidInput) as exc:
        services.inventory_import.run(SYSTEM, data, "inventaire.csv", "csv")
    assert exc.value.problems[0].startswith("Import « tout ou rien » : 1 ligne(s) sur 41 en erreur")
    assert any(p.startswith("Ligne 31 — Colonne « Famille » (Famille) : valeur « Famille inventée » non prévue")
               for p in exc.value.problems)
    assert _counts(services) == before
    # the valid rows only: 40 created, the bad one refused with its reason
    report = services.inventory_import.run(SYSTEM, data, "inventaire.csv", "csv", all_or_nothing=False)
    assert len(report.created) == 40 and [r.where for r in report.refused] == ["Ligne 31"]
    assert _counts(services)[0] == before[0] + 40


def test_malformed_files_get_french_messages_naming_row_and_column(svc):
    imp = svc.inventory_import
    # wrong encoding: a binary file
    with pytest.raises(InvalidInput) as exc:
        imp.preview(SYSTEM, b"\x00\x01\x02PNG\x00" * 50, "inventaire.csv", "csv")
    assert "binaire" in str(exc.value).lower() or "illisible" in str(exc.value).lower()
    # missing required columns
    preview = imp.preview(SYSTEM, b"Nom du projet;Budget\nA;1\n", "inventaire.csv", "csv")
    assert preview.file_problems and "« Titre »" in preview.file_problems[0] and "« Famille »" in preview.file_problems[0]
    with pytest.raises(InvalidInput):
        imp.run(SYSTEM, b"Nom du projet;Budget\nA;1\n", "inventaire.csv", "csv")
    # duplicate references, formulas, long texts in any language, a number that is not one
    long_title = "市民の問い合わせを自動で振り分ける" * 20
    arabic = "تحليل " * 1500
    rows = [
        "Référence;Intitulé;Famille;Direction;Problème;Coût de construction (€)",
        "R1;Cas un;operations;DSI;;1000",
        "R1;Cas deux;operations;DSI;;",
        "R3;=SOMME(B2:B9);operations;DSI;;",
        f"R4;{long_title};operations;DSI;;",
        f"R5;Analyse multilingue;operations;DSI;{arabic};",
        "R6;Cas six;operations;@SUM(1);;douze",
    ]
    preview = imp.preview(SYSTEM, "\n".join(rows).encode(), "inventaire.csv", "csv")
    problems = preview.problems()
    assert any(p.startswith("Ligne 3 — Colonne « Référence » : « R1 » figure déjà en ligne 2") for p in problems)
    assert any(p.startswith("Ligne 4 — Colonne « Intitulé » (Titre) : formule de tableur refusée") for p in problems)
    assert any(p.startswith("Ligne 5 — Colonne « Intitulé » (Titre) : trop long (200 caractères au plus)")
               and len(p) < 400 for p in problems)
    assert any(p.startswith("Ligne 7 — Colonne « Direction » (Direction) : formule de tableur refusée")
               for p in problems)
    assert any(p.startswith("Ligne 7 — Colonne « Coût de construction (€) »") and "nombre" in p for p in problems)
    assert [r.where for r in preview.valid] == ["Ligne 2", "Ligne 6"]  # the long Arabic text is accepted
    # a file over 20 MB
    big = ("Intitulé;Famille;Direction\n" + "x;operations;DSI\n" * 1_400_000).encode()
    assert len(big) > 20 * 1024 * 1024
    with pytest.raises(InvalidInput) as exc:
        imp.preview(SYSTEM, big, "inventaire.csv", "csv")
    assert "trop volumineux" in str(exc.value)


def test_an_excel_formula_without_value_is_refused_by_cell(svc):
    wb = Workbook()
    ws = wb.active
    ws.append(["Intitulé", "Famille", "Direction", "Coût annuel"])
    ws.append(["Cas", "operations", "DSI", "=2*B3"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InvalidInput) as exc:
        svc.inventory_import.run(SYSTEM, buf.getvalue(), "inventaire.xlsx", "xlsx")
    assert "D2" in str(exc.value)
    assert _counts(svc)[0] == 0


def test_the_mapping_is_guessed_edited_and_saved_for_next_time(svc, tmp_path):
    data = "Nom du projet;Pôle;Catégorie\nChatbot;Direction des sports;Relation usagers\n".encode()
    imp = svc.inventory_import
    guessed = imp.preview(SYSTEM, data, "a.csv", "csv")
    assert guessed.mapping_source == "devinée" and guessed.mapping.columns.get("direction") == "Pôle"
    assert guessed.file_problems  # « Nom du projet » is not a known title header
    edited = ColumnMapping({**guessed.mapping.columns, "title": "Nom du projet"}, {"service": "Accueil"})
    imp.save_mapping(SYSTEM, "csv", guessed.headers, edited)
    again = imp.preview(SYSTEM, data, "b.csv", "csv")
    assert again.mapping_source == "enregistrée" and again.mapping.columns["title"] == "Nom du projet"
    assert again.valid[0].data["service"] == "Accueil"  # the default fills what the file does not say
    assert (tmp_path / "data" / "import-mappings.json").is_file()
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "save_import_mapping")) == 1
    with pytest.raises(InvalidInput) as exc:
        ColumnMapping.from_json({"columns": {"titre_inconnu": "X"}})
    assert "champ « titre_inconnu » inconnu" in str(exc.value)


def test_likely_duplicates_are_flagged_and_can_be_skipped(svc):
    svc.register.create(SYSTEM, {"title": "Chatbot de la piscine municipale", "family": "resident_relations",
                                 "direction": "Direction des sports", "service": "Piscines"})
    report = svc.inventory_import.run(SYSTEM, FRENCH_CSV.encode(), "inventaire.csv", "csv", skip_duplicates=True)
    assert [r.where for r in report.skipped_duplicates] == ["Ligne 2"]
    assert "Chatbot de la piscine municipale" in report.skipped_duplicates[0].duplicates[0]
    assert len(report.created) == 2


def test_a_reader_may_not_import(svc):
    from policies.vocabulary import Principal, Role

    reader = Principal(person_id=99, display_name="Lecteur", roles=frozenset({Role.READER}))
    with pytest.raises(PermissionDenied):
        svc.inventory_import.preview(reader, FRENCH_CSV.encode(), "inventaire.csv", "csv")


# ---- Eurocities ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_exports(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("eurocities")
    shutil.copy(demo_template, work / "vigie.db")
    demo = build_services(f"sqlite:///{work / 'vigie.db'}", data_dir=work)
    out = {fmt: demo.public_register.export(SYSTEM, fmt).data for fmt in ("eurocities_csv", "eurocities_json")}
    out["use_cases"] = {v.title: v for v in demo.register.list()}
    demo.db.dispose()
    return out


@pytest.mark.parametrize("fmt", ["eurocities-csv", "eurocities-json"])
def test_eurocities_export_then_import_loses_nothing_the_standard_carries(svc, demo_exports, fmt):
    data = demo_exports[fmt.replace("-", "_")]
    registrations = json.loads(demo_exports["eurocities_json"])["registrations"]
    with pytest.raises(InvalidInput) as exc:  # the standard has no family: the person chooses one
        svc.inventory_import.run(SYSTEM, data, "registre", fmt)
    assert "famille par défaut" in str(exc.value)
    report = svc.inventory_import.run(SYSTEM, data, "registre", fmt, ColumnMapping(defaults={"family": "operations"}))
    assert len(report.created) == len(registrations) >= 5
    imported = {v.title: v for v in svc.register.list()}
    events = {e["after"]["title"]: e["details"]["import"] for e in _import_events(svc)}
    for reg in registrations:
        source, new = demo_exports["use_cases"][reg["name"]], imported[reg["name"]]
        for name in ("problem", "direction", "service", "public_concerned", "decisions_per_year", "automation",
                     "human_role", "domain", "tags", *TRANSPARENCY_ATTRIBUTES.values()):
            expected = getattr(source, name)
            if name == "decisions_per_year" and not expected:
                expected = None  # the export writes no count for zero decisions: the standard does not carry it
            assert getattr(new, name) == expected, (reg["name"], name)
        kept = events[reg["name"]]
        assert kept["source_reference"] == reg["uuid"]
        read = {"uuid", "name", "goal", "department", "domain", "decision_making_process", "keywords",
                *TRANSPARENCY_ATTRIBUTES}
        for attribute, value in reg.items():  # every other attribute the file carried is in the audit
            if value not in (None, "") and attribute not in read:
                assert str(kept["unmapped"][attribute]).replace("\r", "") == str(value).replace("\r", ""), attribute


def test_the_demo_transparency_sections_come_back_whole(svc, demo_exports):
    """The published demo sheets fill their « Transparence » section: every attribute it feeds is in the
    export, and an import gives the same section back."""
    registrations = json.loads(demo_exports["eurocities_json"])["registrations"]
    empty = json.loads(demo_exports["eurocities_json"])["empty_fields"]
    assert eu.NOT_FILLED == ()
    complete = [r for r in registrations if not empty[r["uuid"]]]
    assert len(complete) >= 5  # a complete sheet exports complete
    svc.inventory_import.run(SYSTEM, demo_exports["eurocities_json"], "registre", "eurocities-json",
                             ColumnMapping(defaults={"family": "operations"}))
    imported = {v.title: v for v in svc.register.list()}
    for reg in complete:
        source, new = demo_exports["use_cases"][reg["name"]], imported[reg["name"]]
        assert all(getattr(source, f) for f in TRANSPARENCY_ATTRIBUTES.values()), reg["name"]
        for attribute, name in TRANSPARENCY_ATTRIBUTES.items():
            assert reg[attribute] == getattr(source, name) == getattr(new, name), (reg["name"], attribute)


def _generated_register(n: int, seed: int = 19) -> tuple[bytes, set[int]]:
    """A Eurocities CSV of ``n`` entries, some with missing or unexpected values; the lines to refuse."""
    rng = random.Random(seed)
    domains = list(eu._DOMAIN.values())
    rows, bad = [], set()
    for i in range(n):
        row = dict.fromkeys(eu.ATTRIBUTES, "")
        row |= {"standard_version": "0.3.1", "uuid": f"id-{i:05d}", "name": f"Algorithme n° {i} du registre",
                "goal": "Aider les agents." * rng.randint(1, 5), "department": f"Direction {i % 37} — Service {i % 11}",
                "domain": rng.choice(domains), "status": rng.choice(["operational", "pilot", "en réflexion", ""]),
                "impact": f"public concerné : habitants; décisions par an : {rng.randint(0, 90000)}",
                "human_intervention": rng.choice(["Information seulement", "Recommandation", "n/a", ""]),
                "keywords": "mobilité, voirie", "internal_note": rng.choice(["", "vu en commission"])}
        kind = i % 50
        if kind == 7:
            row["name"] = ""  # missing
            bad.add(i)
        elif kind == 13:
            row["domain"] = "astrologie"  # unexpected enumeration
            bad.add(i)
        elif kind == 29:
            row["department"] = ""  # no direction, no default
            bad.add(i)
        elif kind == 41:
            row["name"] = "N" * 260  # too long
            bad.add(i)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*eu.ATTRIBUTES, "internal_note"])
    return to_csv_bytes(frame), bad


def test_a_generated_register_of_1200_entries_accounts_for_every_row(svc):
    data, bad = _generated_register(1200)
    report = svc.inventory_import.run(SYSTEM, data, "registre.csv", "eurocities-csv",
                                      ColumnMapping(defaults={"family": "decision_support"}), all_or_nothing=False)
    assert len(report.created) + len(report.refused) == 1200
    assert {r.line - 2 for r in report.refused} == bad
    assert all(r.problems and r.problems[0].startswith(f"Ligne {r.line} — ") for r in report.refused)
    assert _counts(svc)[0] == len(report.created) == 1200 - len(bad)
    assert len(report.lines()) >= 1200
    events = _import_events(svc)
    assert {e["details"]["import"]["sha256"] for e in events} == {hashlib.sha256(data).hexdigest()}
    assert sum(1 for e in events if "internal_note" in e["details"]["import"]["unmapped"]) > 0
    assert svc.audit.verify().ok


def test_cli_import_dry_run_then_for_real(sqlite_url, tmp_path):
    path = tmp_path / "inventaire.csv"
    path.write_bytes(FRENCH_CSV.encode("latin-1"))
    env = os.environ | {"VIGIE_DATABASE_URL": sqlite_url, "VIGIE_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def vigie(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "portal.cli", "import", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    done = vigie("--format", "csv", "--dry-run", str(path))
    assert done.returncode == 0, done.stderr
    assert "Ligne 2 : serait créée." in done.stdout and "essai : rien n'a été enregistré" in done.stdout
    mapping = tmp_path / "correspondance.json"
    mapping.write_text(json.dumps({"columns": {"title": "Intitulé", "family": "Famille", "direction": "Direction"},
                                   "defaults": {"service": "Accueil"}}), encoding="utf-8")
    done = vigie("--format", "csv", "--mapping", str(mapping), str(path))
    assert done.returncode == 0, done.stderr
    assert "3 cas d'usage créé(s)" in done.stdout
    svc = build_services(sqlite_url, data_dir=tmp_path)
    assert {v.service for v in svc.register.list()} == {"Accueil"}
    svc.db.dispose()
