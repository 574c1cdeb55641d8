"""Portfolio pages through AppTest on the demo: the director plans, compares, saves and exports."""

from __future__ import annotations

from portal.db.models import SavedScenario, ScoringWeightsVersion, UseCaseScore
from portal.services import build_services
from tests.rows import count_rows

PRIO, SCEN, WEIGHTS, SHEET = ("app_pages/prioritisation.py", "app_pages/scenarios.py", "app_pages/weights.py",
                              "app_pages/sheet.py")


def test_director_sees_the_ranked_portfolio_and_its_figures(app_as, demo_url):
    at = app_as("director").switch_page(PRIO).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    svc = build_services(demo_url)
    ranked = svc.portfolio.ranked()
    svc.db.dispose()
    assert metrics["Cas d'usage actifs"] == str(len(ranked))
    assert metrics["Expérimentations en retard"] == "1"
    table = at.dataframe[0].value
    assert list(table["Référence"]) == list(ranked["reference"])
    assert any("en retard" in w.value for w in at.warning)


def test_director_runs_two_scenarios_side_by_side_and_saves_one(app_as, demo_url):
    at = app_as("director").switch_page(SCEN).run()
    at.number_input(key="sc_budget").set_value(120000)
    at.button[0].click().run()  # form submit
    assert not at.exception and not at.error
    at.text_input(key="sc_name").set_value("Budget serré")
    at.number_input(key="sc_budget").set_value(60000)
    at.button[0].click().run()
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert labels.count("Cas retenus") == 2
    assert any(s.value == "Comparaison" for s in at.header)
    at.button(key="save_1").click().run()
    assert not at.exception
    assert count_rows(demo_url, SavedScenario) == 1
    at.button(key="prepare_pf_xlsx").click().run()
    assert not at.exception and not at.error


def test_infeasible_scenario_shows_a_french_message(app_as, demo_url):
    at = app_as("director").switch_page(SCEN).run()
    at.number_input(key="sc_budget").set_value(1000)
    svc = build_services(demo_url)
    big = next(u.reference for u in svc.register.list() if u.title.startswith("Maintenance prédictive"))
    deployed = next(u.reference for u in svc.register.list() if u.stage.value == "deployed")
    svc.db.dispose()
    at.multiselect(key="sc_must").set_value([big])
    at.button[0].click().run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Scénario impossible" in text and big in text and "au-delà du budget disponible" in text
    at.multiselect(key="sc_must").set_value([deployed])  # its stage is no obstacle; the budget is
    at.button[0].click().run()
    errors = " ".join(e.value for e in at.error)
    assert deployed in errors and "au-delà du budget disponible" in errors and "hors des étapes" not in errors


def svc_ranked(url: str):  # type: ignore[no-untyped-def]
    svc = build_services(url)
    ranked = svc.portfolio.ranked()
    svc.db.dispose()
    return ranked


def test_the_form_excludes_or_imposes_any_use_case_whatever_its_stage(app_as, demo_url):
    ranked = svc_ranked(demo_url)
    deployed = list(ranked.loc[ranked["stage"] == "Déployé", "reference"])
    banned = next(r.reference for r in ranked.itertuples() if not r.eligible)
    at = app_as("director").switch_page(SCEN).run()
    assert set(at.multiselect(key="sc_excluded").options) >= {f"{r} — {t} ({st})" for r, t, st in
                                                              zip(ranked["reference"], ranked["title"],
                                                                  ranked["stage"], strict=True)}
    at.multiselect(key="sc_excluded").set_value([deployed[0], banned])
    at.multiselect(key="sc_must").set_value([deployed[1]])
    at.button[0].click().run()
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    assert deployed[1] in list(shown["Référence"]) and deployed[0] not in list(shown["Référence"])
    captions = " ".join(c.value for c in at.caption)
    assert f"ajouté aux candidats : {deployed[1]}" in captions
    assert deployed[0] in captions and banned in captions and "hors des candidats" in captions


def test_admin_creates_a_weights_version(app_as, demo_url):
    at = app_as("admin").switch_page(WEIGHTS).run()
    assert not at.exception
    at.text_input(key="w_version").set_value("2026.2")
    at.text_input(key="w_note").set_value("Plus de poids au service rendu")
    at.number_input(key="w_service_to_residents").set_value(0.5)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert count_rows(demo_url, ScoringWeightsVersion) == 1


def test_lead_scores_own_use_case_from_the_sheet(app_as, demo_url):
    svc = build_services(demo_url)
    uc = next(u for u in svc.register.list() if u.title.startswith("Prévision des flux"))
    svc.db.dispose()
    at = app_as("project_lead")
    at.query_params["ref"] = uc.reference
    at.query_params["tab"] = "priorite"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    assert not at.exception
    at.selectbox(key=f"score_{uc.id}_reuse").set_value(5)
    at.button(key=f"FormSubmitter:score_{uc.id}-Enregistrer les notes").click().run()
    assert not at.exception and not at.error
    svc = build_services(demo_url)
    assert svc.portfolio.score_inputs(uc.id).values["reuse"] == 5
    svc.db.dispose()
    assert count_rows(demo_url, UseCaseScore) == 18


def test_lead_deletes_a_mistaken_benefit_measure_from_the_sheet(app_as, demo_url, person_id):
    from portal.db.models import BenefitMeasure

    svc = build_services(demo_url)
    lead = person_id("project_lead")
    mine = [v for v in svc.register.list() if v.lead_id == lead and not svc.portfolio.benefits(v.id).empty]
    svc.db.dispose()
    assert mine, "the demo has benefit measures on a use case the demo project lead leads"
    uc = mine[0]
    before = count_rows(demo_url, BenefitMeasure)
    at = app_as("project_lead")
    at.query_params["ref"] = uc.reference
    at.query_params["tab"] = "priorite"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    at.button(key=f"ben_del_btn_{uc.id}").click().run()
    assert not at.exception and not at.error
    assert count_rows(demo_url, BenefitMeasure) == before - 1


def test_lead_corrects_a_benefit_measure_in_place_from_the_sheet(app_as, demo_url, person_id):
    svc = build_services(demo_url)
    lead = person_id("project_lead")
    mine = [v for v in svc.register.list() if v.lead_id == lead and not svc.portfolio.benefits(v.id).empty]
    uc = mine[0]
    measure_id = int(svc.portfolio.benefits(uc.id)["id"].iloc[0])
    before = svc.portfolio.benefit_measure(measure_id)
    svc.db.dispose()
    at = app_as("project_lead")
    at.query_params["ref"] = uc.reference
    at.query_params["tab"] = "priorite"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    at.selectbox(key=f"ben_pick_{uc.id}").set_value(measure_id).run()
    k = f"ben_fix_{measure_id}"
    assert at.number_input(key=f"{k}_m").value == before["measured"]
    at.number_input(key=f"{k}_m").set_value(before["measured"] + 1)
    at.text_area(key=f"{k}_note").input("Erreur de saisie corrigée")
    at.button(key=f"FormSubmitter:{k}-Enregistrer la correction").click().run()
    assert not at.exception and not at.error
    assert any("Mesure corrigée" in s.value for s in at.success)
    svc = build_services(demo_url)
    after = svc.portfolio.benefit_measure(measure_id)
    svc.db.dispose()
    assert after["measured"] == before["measured"] + 1 and after["note"] == "Erreur de saisie corrigée"


TABS = ("Classement", "Matrice valeur × faisabilité", "Répartition", "Feuille de route", "Budget", "Bénéfices",
        "Besoins, agents et usagers")


def test_the_ranked_table_pages_through_the_whole_portfolio(app_as, demo_url, monkeypatch):
    import portal.ui.paging

    monkeypatch.setattr(portal.ui.paging, "PAGE_SIZE", 5)  # the demo's active use cases: four pages
    ranked = svc_ranked(demo_url)
    at = app_as("director").switch_page(PRIO).run()
    assert not at.exception
    assert list(at.dataframe[0].value["Référence"]) == list(ranked["reference"][:5])
    assert any(f"{len(ranked)} cas d'usage, 1 à 5 affichés" in c.value for c in at.caption)
    at.number_input(key="ranked_page").set_value(2).run()
    assert not at.exception
    assert list(at.dataframe[0].value["Référence"]) == list(ranked["reference"][5:10])
    assert at.dataframe[0].value["Rang"].iloc[0] == "6"  # the true rank in the whole portfolio
    assert any("6 à 10 affichés" in c.value for c in at.caption)


def test_each_tab_of_the_prioritisation_is_drawn_when_open(app_as):
    at = app_as("director").switch_page(PRIO).run()
    drawn = {}
    for label in TABS:
        at.session_state["prioritisation_tabs"] = label
        at.run()
        assert not at.exception, label
        drawn[label] = [e.value for e in at.caption]
    assert any("Sans date de fin" in c for c in drawn["Feuille de route"])
    assert not any("Sans date de fin" in c for c in drawn["Classement"])  # the roadmap is not drawn meanwhile
    assert any("Gain mesuré" in c for c in drawn["Bénéfices"])


def test_scenario_pickers_offer_the_top_of_the_ranking_and_take_a_typed_reference(app_as, demo_url, monkeypatch):
    import portal.ui.portfolio

    monkeypatch.setattr(portal.ui.portfolio, "PICKER_LIMIT", 3)  # as if the demo held thousands of use cases
    ranked = svc_ranked(demo_url)
    eligible = list(ranked.loc[ranked["eligible"], "reference"])
    at = app_as("director").switch_page(SCEN).run()
    assert not at.exception
    must = at.multiselect(key="sc_must")
    assert [o.split(" — ")[0] for o in must.options] == eligible[:3]
    assert any("premiers cas d'usage du classement" in c.value for c in at.caption)
    far = eligible[-1]  # not offered: typed, in lower case
    at.number_input(key="sc_budget").set_value(10_000_000)
    at.multiselect(key="sc_must").set_value([far.lower()])
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert far in list(at.dataframe[0].value["Référence"])
    at.multiselect(key="sc_must").set_value(["UC-0000-000"])
    at.button[0].click().run()
    assert "UC-0000-000 est inconnu" in " ".join(e.value for e in at.error)
