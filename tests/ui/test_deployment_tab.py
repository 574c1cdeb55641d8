"""AppTest of the sheet's « Déploiement et achat » tab on the demo: waves with their monitoring results and
decisions, the rollback plan, the supplier's documents, and what each role may do."""

from __future__ import annotations

import pytest

from portal.services import build_services

SHEET = "app_pages/sheet.py"
ROUTING, HOUSING = "UC-2026-005", "UC-2026-013"


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [e.value for e in at.error]
    parts += [c.value for c in at.caption] + [s.value for s in at.success] + [i.value for i in at.info]
    parts += [x.label for x in at.expander] + [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


def _open(app_as, role, ref):  # type: ignore[no-untyped-def]
    at = app_as(role)
    at.query_params["ref"] = ref
    at.query_params["tab"] = "deploiement"
    at = at.switch_page(SHEET).run()
    assert not at.exception, at.exception
    return at


def test_the_tab_shows_the_waves_their_results_and_the_rollback(app_as):
    at = _open(app_as, "director", ROUTING)
    text = _texts(at)
    assert "Déploiement par vagues" in text and "Plan de retour arrière" in text
    assert "Vague n° 3 — Moitié des demandes en ligne : revenue en arrière" in text
    assert "Revenir en arrière sur cette vague" in text and "Résultats du suivi pour cette vague" in text
    assert "Taux de reprise par les agents" in str([t.value for t in at.table])
    assert [e.value for e in at.error] == []
    assert at.button  # the director decides the planned wave and may roll the use case back
    assert any(b.label == "Revenir en arrière" for b in at.button)


def test_the_director_decides_the_planned_wave_from_the_tab(app_as, demo_url):
    at = _open(app_as, "director", ROUTING)
    svc = build_services(demo_url)
    wave = svc.deployment.plan(svc.register.get_by_reference(ROUTING).id).waves[3]
    svc.db.dispose()
    key = f"wave_decide_{wave.id}"
    assert at.radio(key=f"{key}_decision").value is None  # nothing preselected
    at.radio(key=f"{key}_decision").set_value("go")
    at = next(b for b in at.button if b.label == "Enregistrer la décision" and key in str(b.form_id)).click().run()
    assert "critères de la vague n° 3 non atteints" in _texts(at)  # the go must be motivated
    at.radio(key=f"{key}_decision").set_value("no_go")
    at.text_area(key=f"{key}_reasons").set_value("Attendre le réapprentissage sur les demandes de 2024.")
    at = next(b for b in at.button if b.label == "Enregistrer la décision" and key in str(b.form_id)).click().run()
    assert not at.exception
    assert "Vague n° 4 — Toutes les demandes en ligne : non lancée" in _texts(at)


@pytest.mark.parametrize("role", ["reader", "admin"])
def test_readers_see_without_acting(app_as, role):
    at = _open(app_as, role, ROUTING)
    assert "Vague n° 1" in _texts(at)
    assert not [b for b in at.button if b.label in ("Enregistrer la décision", "Revenir en arrière",
                                                    "Ajouter la vague", "Enregistrer le plan")]


def test_the_housing_sheet_lists_the_supplier_documents(app_as):
    at = _open(app_as, "compliance", HOUSING)
    text = _texts(at)
    assert "Achat et délégation" in text and "Tous sont au dossier" in text
    assert "MP-2025-HAB-017" in text and "SHA-256" in text
    assert [e.value for e in at.error] == []


def test_a_planned_wave_is_corrected_from_the_tab(app_as, demo_url):
    at = _open(app_as, "director", ROUTING)
    svc = build_services(demo_url)
    wave = svc.deployment.plan(svc.register.get_by_reference(ROUTING).id).waves[3]
    svc.db.dispose()
    key = f"wave_edit_{wave.id}_{wave.version}"
    assert at.text_input(key=f"{key}_share").value == "100,0"
    at.text_input(key=f"{key}_label").set_value("Toutes les demandes en ligne et par courriel")
    at = next(b for b in at.button if b.label == "Enregistrer la vague" and key in str(b.form_id)).click().run()
    assert not at.exception
    assert "Vague n° 4 — Toutes les demandes en ligne et par courriel : prévue" in _texts(at)
