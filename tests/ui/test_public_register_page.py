"""The public register page on the demo: what every role sees, what compliance publishes."""

from __future__ import annotations

from portal.services import build_services

PAGE = "app_pages/public_register.py"


def test_every_role_sees_the_published_entries_and_the_open_data_export(app_as, demo_url):
    svc = build_services(demo_url)
    published = {e.reference for e in svc.public_register.published()}
    svc.db.dispose()
    assert published, "the demo publishes the algorithms in evaluation or deployed"
    at = app_as("reader").switch_page(PAGE).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Fiches publiées"] == str(len(published))
    table = at.dataframe[0].value
    states = dict(zip(table["Référence"], table["État"], strict=True))
    assert {ref for ref, state in states.items() if state == "publiée"} == published
    assert states["UC-2026-013"] == "obligatoire dès l'expérimentation"  # housing: held before its pilot
    at.query_params["ref"] = sorted(published)[0]
    at = at.switch_page(PAGE).run()
    assert not [b for b in at.button if b.label in ("Publier la fiche", "Republier la fiche")]
    at.button(key="public_prepare_csv").click().run()
    assert not at.exception and at.get("download_button")
    at.button(key="public_prepare_eurocities_json").click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 2
    assert at.session_state["public_export_eurocities_json"].filename == "registre-algorithmes-eurocities-v0.3.1.json"


def test_compliance_publishes_an_entry_from_the_page(app_as, demo_url):
    svc = build_services(demo_url)
    target = next(e for e in svc.public_register.entries() if not e.published and not svc.public_register.missing(
        e.use_case_id) and e.reference != "UC-2026-013" and svc.register.get(e.use_case_id).stage.value != "idea")
    svc.db.dispose()
    at = app_as("compliance")
    at.query_params["ref"] = target.reference
    at = at.switch_page(PAGE).run()
    at.button(key=f"publish_{target.use_case_id}").click().run()
    assert not at.exception and not at.error
    svc = build_services(demo_url)
    assert svc.public_register.entry(target.use_case_id).published
    svc.db.dispose()


def test_a_signed_out_visitor_reads_the_published_register(app_as, demo_url):
    svc = build_services(demo_url)
    published = sorted(e.reference for e in svc.public_register.public_entries())
    svc.db.dispose()
    at = app_as(None)
    assert any("registre public" in (link.proto.label or "").lower() for link in at.get("page_link"))
    at = at.switch_page("app_pages/public_view.py").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert sorted(table["Référence"]) == published
    assert len(at.get("download_button")) == 4
    # nothing internal: no publish button, no « à republier », no agent names
    assert not [b for b in at.button if "Publier" in (b.label or "")]
    assert "Par" not in table.columns
    # a visitor narrows the list to one public policy domain
    svc = build_services(demo_url)
    by_domain = {e.reference: e.record.get("domain") for e in svc.public_register.public_entries()}
    svc.db.dispose()
    domain = sorted(d for d in by_domain.values() if d)[0]
    at.selectbox(key="public_view_domain").set_value(domain).run()
    shown = at.dataframe[0].value
    assert sorted(shown["Référence"]) == sorted(r for r, d in by_domain.items() if d == domain)
    assert set(shown["Domaine"]) == {domain}


def test_the_public_reports_an_error_and_compliance_closes_it_from_the_page(app_as, demo_url):
    svc = build_services(demo_url)
    reference = sorted(e.reference for e in svc.public_register.public_entries())[0]
    svc.db.dispose()
    at = app_as(None)
    at.query_params["ref"] = reference
    at = at.switch_page("app_pages/public_view.py").run()
    at.text_area[0].input("court")
    at.button[0].click().run()  # the form's « Envoyer »
    assert any("Champ « Message »" in e.value for e in at.error)
    at.text_area[0].input("La direction indiquée n'est plus la bonne depuis septembre.")
    at.text_input[0].input("usager@example.org")
    at.button[0].click().run()
    assert not at.error and any("est transmis" in s.value for s in at.success)
    compliance = app_as("compliance")
    compliance.query_params["ref"] = reference
    compliance = compliance.switch_page(PAGE).run()
    assert any("Signalements du public (1 à traiter)" in h.value for h in compliance.header)
    svc = build_services(demo_url)
    (report,) = svc.public_reports.reports(_compliance(svc))
    svc.db.dispose()
    assert report.contact == "usager@example.org" and report.reference == reference
    compliance.text_area(key=f"report_answer_{report.id}").input("Fiche corrigée et republiée le jour même.")
    compliance.button(key=f"report_close_{report.id}").click().run()
    assert not compliance.exception and not compliance.error
    assert any("Signalements du public (0 à traiter)" in h.value for h in compliance.header)


def _compliance(svc):  # type: ignore[no-untyped-def]
    """A compliance principal to read the queue with (the page's own reading is what is tested)."""
    from policies.vocabulary import Principal, Role

    return Principal(person_id=0, display_name="test", roles=frozenset({Role.COMPLIANCE}))


def test_compliance_checks_the_readability_of_an_entry_before_publishing(app_as, demo_url):
    svc = build_services(demo_url)
    target = next(e for e in svc.public_register.entries() if e.record.get("purpose"))
    svc.db.dispose()
    at = app_as("compliance")
    at.query_params["ref"] = target.reference
    at = at.switch_page(PAGE).run()
    at.button(key=f"readability_{target.use_case_id}").click().run(timeout=30)
    assert not at.exception and not at.error
    scores = next(d.value for d in at.dataframe if "score_difficulte" in d.value.columns)
    assert "Finalité de l'algorithme" in set(scores["id"])
    assert scores["score_difficulte"].between(0, 100).all()


def test_an_entry_says_which_standard_fields_its_sheet_leaves_empty(app_as, demo_url):
    at = app_as("reader")
    at.query_params["ref"] = "UC-2026-001"  # published, its « Transparence » section complete
    at = at.switch_page(PAGE).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Export Eurocities (version 0.3.1) : complet." in captions
    at.query_params["ref"] = "UC-2026-002"  # a pilot whose section is still empty
    at = at.switch_page(PAGE).run()
    eurocities = next(c.value for c in at.caption if c.value.startswith("Export Eurocities"))
    assert "champs encore vides" in eurocities and "proportionnalité" in eurocities and "retour arrière" in eurocities


def test_a_visitor_reads_an_entry_as_headings_and_text_under_the_collectivites_name(app_as, demo_url):
    from portal.demo.governance import COLLECTIVITE
    from portal.services.public_register import FIELDS

    svc = build_services(demo_url)
    entry = sorted(svc.public_register.public_entries(), key=lambda e: e.reference)[0]
    svc.db.dispose()
    at = app_as(None)
    at.query_params["ref"] = entry.reference
    at = at.switch_page("app_pages/public_view.py").run()
    assert not at.exception and not at.error
    texts = [m.value for m in at.markdown]
    assert COLLECTIVITE.replace("'", "&#x27;") in "\n".join(str(h.proto) for h in at.get("html"))  # above the title
    assert any(c.value.startswith(f"{COLLECTIVITE} — fiche publiée") for c in at.caption)
    assert len(at.dataframe) == 1  # the list of entries; the entry itself is no grid
    purpose = str(entry.record["purpose"]).strip()
    label = f"**{FIELDS['purpose']}**"
    assert label in texts
    assert texts[texts.index(label) + 1].replace("\\", "").startswith(purpose[:40].replace("\\", ""))


def test_the_counters_equal_the_full_computation_and_the_table_filters(app_as, demo_url):
    svc = build_services(demo_url)
    full = svc.public_register.entries()  # every entry built, as the page did before it was paged
    svc.db.dispose()
    at = app_as("compliance").switch_page(PAGE).run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Fiches publiées": str(sum(e.published for e in full)),
                       "Publication obligatoire non faite": str(sum(e.required and not e.published for e in full)),
                       "À republier": str(sum(e.stale for e in full))}
    table = at.dataframe[0].value
    assert list(table["Référence"]) == [e.reference for e in full]
    assert list(table["État"]) == [e.state for e in full]
    at.selectbox(key="public_state").set_value("publiée").run()
    assert list(at.dataframe[0].value["Référence"]) == [e.reference for e in full if e.state == "publiée"]
    at.selectbox(key="public_state").set_value(None).run()
    target = full[-1]
    at.text_input(key="public_search").input(target.title.upper()).run()
    assert list(at.dataframe[0].value["Référence"]) == [e.reference for e in full if target.title.lower()
                                                        in e.title.lower() or target.title.lower() in e.reference.lower()]
    at.text_input(key="public_search").input("aucun traitement de ce nom").run()
    assert not at.exception and at.dataframe[0].value.empty


def test_the_table_is_paged_and_an_entry_beyond_the_first_page_opens_by_its_reference(app_as, demo_url, monkeypatch):
    from portal.ui import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 5)  # the demo lists a dozen entries: pages of five
    svc = build_services(demo_url)
    references = [e.reference for e in svc.public_register.entries()]
    svc.db.dispose()
    assert len(references) > 5
    at = app_as("reader").switch_page(PAGE).run()
    assert list(at.dataframe[0].value["Référence"]) == references[:5]
    assert any(f"{len(references)} traitement(s), 1 à 5 affichés" in c.value for c in at.caption)
    at.number_input(key="public_page").set_value(2).run()
    assert list(at.dataframe[0].value["Référence"]) == references[5:10]
    at.query_params["ref"] = references[-1]  # on the last page, opened from a link
    at = at.switch_page(PAGE).run()
    assert not at.exception
    assert any(h.value.startswith(f"{references[-1]} — ") for h in at.header)


def test_a_visitor_pages_the_published_register_and_opens_an_entry_beyond_the_first_page(app_as, demo_url, monkeypatch):
    from portal.ui import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 2)  # the demo publishes a handful: pages of two
    svc = build_services(demo_url)
    references = [e.reference for e in svc.public_register.public_entries()]
    svc.db.dispose()
    assert len(references) > 2
    at = app_as(None).switch_page("app_pages/public_view.py").run()
    assert list(at.dataframe[0].value["Référence"]) == references[:2]
    at.number_input(key="public_view_page").set_value(2).run()
    assert list(at.dataframe[0].value["Référence"]) == references[2:4]
    at.query_params["ref"] = references[-1]
    at = at.switch_page("app_pages/public_view.py").run()
    assert not at.exception and any(h.value.startswith(f"{references[-1]} — ") for h in at.header)
