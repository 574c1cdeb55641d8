"""The demo portfolio's governance story, told through the real services.

Every demo use case reaches its stage through a classification, its obligations and gate decisions
recorded by the demo's compliance officer and general director, in the order a collectivité would
take them (dates relative to the seeding day). Three stories show the gates at work:

* social-housing prioritisation (Annex III point 5(a), high risk) is held at the pilot gate: its
  DPIA and fundamental-rights impact assessment are not done, the request waits with them listed;
* behavioural scoring of aid recipients (Art. 5(1)(c), social scoring) is refused at the first gate;
* the water delegates' performance follow-up is deployed but its periodic review is overdue.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from policies.vocabulary import FORWARD_PATH, ImpactLevel, Principal, Stage, risk_level
from portal.demo.data import COLLECTIVITE

if TYPE_CHECKING:
    from portal.services import Services

CONTACT = "Délégué à la protection des données, 1 place de la Loire, 41000 Blois — dpo@agglo-val-de-loire.example"
RULES_URL = "https://www.agglo-val-de-loire.example/algorithmes-publics"
COMPLIANCE, DIRECTOR = "nadia.benali", "claire.martin"


def _ai(*, supply: str = "in_house", gpai: bool = False, chatbot: bool = False, generates: bool = False,
        annex3: tuple[str, ...] = (), profiling: bool = False, derogation: str = "none", persons: bool = False,
        workplace: bool = False, social_scoring: bool = False, public_text: bool = False) -> dict[str, Any]:
    a: dict[str, Any] = {
        "is_ai_system": True, "supply": supply, "uses_gpai": gpai, "proh_manipulation": False,
        "proh_vulnerabilities": False, "proh_social_scoring": social_scoring, "proh_crime_prediction": False,
        "biometric": False, "generates_content": generates, "annex1_product": False, "annex3": list(annex3),
        "interacts_with_people": chatbot, "fraud_risk_scoring": False, "critical_infrastructure": False,
    }
    if supply == "third_party":
        a |= {"own_name_or_brand": False, "substantial_modification": False, "purpose_changed": False}
    if generates:
        a |= {"proh_intimate_images": False, "proh_csam": False, "deepfake": False,
              "public_interest_text": public_text}
        if public_text:
            a["editorial_review"] = True
    if annex3:
        a |= {"profiling": profiling, "decisions_about_persons": persons, "workplace_use": workplace}
        if not profiling:
            a["derogation"] = derogation
    return a


def _crpa(individual: bool = False, main: bool = False) -> dict[str, Any]:
    return {"algorithmic_processing": True, "individual_decision": individual, "main_processing": main,
            "rules_url": RULES_URL}


#: The collectivité's own facts, set once (as an administrator does on the Administration page).
ORGANISATION = {"name": COLLECTIVITE, "population": 118000, "staff_fte": 1450, "contact": CONTACT,
                "dpo_name": "Délégué à la protection des données de l'agglomération",
                "dpo_contact": "dpo@agglo-val-de-loire.example", "is_territorial_collectivity": True}


_MITIGATED = {"human_review": True, "recourse": True, "bias_tests": True, "monitoring": True, "documentation": True,
              "consultation": True, "fallback": True}
LOW = {"people_affected": "lt_100", "decision_role": "information", "rights_effect": "none",
       "reversibility": "easy", "effect_duration": "brief", "vulnerable_people": False, "data_sensitivity": "none",
       "data_matching": False, "opacity": "interpretable", "public_facing": False, "staff_effect": "none",
       **_MITIGATED}
MEDIUM = {"people_affected": "lt_100k", "decision_role": "recommendation", "rights_effect": "moderate",
          "reversibility": "appeal", "effect_duration": "medium", "vulnerable_people": False,
          "data_sensitivity": "personal", "data_matching": True, "opacity": "interpretable", "public_facing": False,
          "staff_effect": "some", "human_review": True, "recourse": True, "monitoring": True}
HIGH = {"people_affected": "lt_10k", "decision_role": "recommendation", "rights_effect": "high",
        "reversibility": "hard", "effect_duration": "long", "vulnerable_people": True,
        "data_sensitivity": "sensitive", "data_matching": True, "opacity": "interpretable", "public_facing": False,
        "staff_effect": "some", "human_review": True, "recourse": True}
SCORING = {**HIGH, "decision_role": "decision_reviewed", "opacity": "opaque", "reversibility": "irreversible",
           "human_review": False, "recourse": False}

_DPIA_HIGH = {"dpia_c1": True, "dpia_c4": True, "dpia_c5": True, "dpia_c6": True, "dpia_c7": True, "dpia_c8": True,
              "dpia_c9": True, "individual_decision": True, "significant_effect": True, "solely_automated": False,
              "human_action_documented": True, "administrative_decision": True, "administrative_appeal": False,
              "explainable": True, "mention_on_decision": True}
_DPIA_LOW = {"dpia_c8": True}

#: Title keyword -> (AI Act, RGPD, CRPA, impact) answers; use cases absent here stay unclassified.
PROFILES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "Projection démographique": (_ai(), {}, _crpa(), LOW),
    "pistes cyclables": (_ai(), {}, _crpa(), LOW),
    "consommation énergétique": (_ai(), {}, _crpa(), LOW),
    "Assistant conversationnel": (_ai(supply="third_party", gpai=True, chatbot=True, generates=True),
                                  {"dpia_c5": True, "dpia_c8": True}, _crpa(), MEDIUM),
    "Routage automatique": (_ai(supply="third_party"), _DPIA_LOW, _crpa(), MEDIUM),
    "français facile": (_ai(supply="third_party", gpai=True, generates=True, public_text=True), {}, _crpa(), LOW),
    "interventions techniques": (_ai(), _DPIA_LOW, _crpa(), LOW),
    "Maintenance prédictive": (_ai(), {}, _crpa(), LOW),
    "clauses sensibles": (_ai(supply="third_party", gpai=True, generates=True), {}, _crpa(), LOW),
    "performance des délégataires": (_ai(), {}, _crpa(), MEDIUM),
    "logement social": (_ai(supply="third_party", annex3=("5a",), profiling=True, persons=True),
                        _DPIA_HIGH, _crpa(individual=True, main=True), HIGH),
    "Notation comportementale": (_ai(supply="third_party", social_scoring=True), _DPIA_HIGH,
                                 _crpa(individual=True, main=True), SCORING),
    "aides sociales facultatives": (_ai(supply="third_party", annex3=("5a",), profiling=True, persons=True),
                                    _DPIA_HIGH, _crpa(individual=True, main=True), HIGH),
    "dépenses de fonctionnement": (_ai(), {}, _crpa(), LOW),
    "Traduction automatique": (_ai(supply="third_party", generates=True), {"dpia_c8": True}, _crpa(), LOW),
    "dépôts sauvages": (_ai(supply="third_party"), {"dpia_c3": True}, _crpa(), MEDIUM),
}


def _profile(title: str) -> tuple[dict[str, Any], ...] | None:
    return next((p for key, p in PROFILES.items() if key.lower() in title.lower()), None)


class _Story:
    def __init__(self, services: Services, ids: dict[str, int], today: dt.date) -> None:
        self.svc, self.gov, self.today = services, services.governance, today
        self.people = {k: services.people.principal(v) for k, v in ids.items()}
        self.compliance: Principal = self.people[COMPLIANCE]  # type: ignore[assignment]
        self.director: Principal = self.people[DIRECTOR]  # type: ignore[assignment]
        self.ids = ids
        self.acts = 0

    def day(self, offset: int) -> dt.date:
        return min(self.today, self.today + dt.timedelta(days=offset))

    def settle(self, use_case_id: int, obligation_ids: set[str] | None, on: dt.date, *, evidence: bool = True) -> None:
        """Mark obligations done (all applicable ones when ``obligation_ids`` is None), with a proof."""
        for ob in self.gov.obligations(use_case_id):
            if ob.settled or (obligation_ids is not None and ob.obligation_id not in obligation_ids):
                continue
            self.gov.update_obligation(self.compliance, ob.id, ob.version, status="done",
                                       owner_id=self.ids[COMPLIANCE], due_date=on)
            if evidence and ob.obligation_id in ("OBL-RGPD-DPIA", "OBL-AIA-FRIA", "OBL-GOV-MONITORING-PLAN",
                                                 "OBL-RGPD-RECORD", "OBL-GOV-EVALUATION"):
                self.gov.add_evidence_link(self.compliance, ob.id,
                                           f"https://ged.agglo-val-de-loire.example/conformite/{ob.obligation_id}"
                                           f"/uc{use_case_id}", note="Document validé, version signée en GED")

    def step(self, uc: Any, to: Stage, lead: Principal, on: dt.date, attestations: dict[str, bool] | None = None,
             motive: str = "") -> None:
        req = self.gov.request_gate(lead, uc.id, to, motive=motive or f"Demande de passage à l'étape {to.label}.",
                                    attestations=attestations, today=self.today)
        decider = self.compliance if self.gov.can_decide(self.compliance, req) else self.director
        act: dict[str, Any] = {}
        level = req.impact_level
        if to is Stage.DEPLOYED and level in (ImpactLevel.III, ImpactLevel.IV):
            self.acts += 1
            act = {"act_number": f"DEL-{on.year}-{40 + self.acts:03d}", "act_date": on}
        elif self.gov.on_behalf(decider, req):
            act = {"session_date": on}  # recorded after the committee's meeting
        self.gov.decide(decider, req.id, "approve", reasons="Conditions du passage réunies.", decided_on=on,
                        today=self.today, **act)


def govern_demo(services: Services, ids: dict[str, int], specs: list[dict[str, Any]], today: dt.date) -> None:
    """Classify the demo use cases and walk each to its stage through the gates (see the module docstring)."""
    story = _Story(services, ids, today)
    gov = services.governance
    by_title = {uc.title: uc for uc in services.register.list()}
    for spec in specs:
        uc = by_title[spec["title"]]
        lead = story.people[spec["lead"]]
        assert lead is not None
        answers = _profile(uc.title)
        target = Stage(spec["stage"])
        if answers is None:
            continue
        ai, rgpd, crpa_answers, impact = answers
        if "aides sociales facultatives" in uc.title:
            # classified by its project lead: waits for the compliance officer's validation, and
            # the request for the framing stage waits for a decision
            gov.classify(lead, uc.id, ai_act=ai, rgpd=rgpd, crpa=crpa_answers, impact=impact)
            gov.request_gate(lead, uc.id, Stage.FRAMING, motive="Cadrer l'expérimentation avec le CCAS.",
                             today=today)
            continue
        gov.classify(story.compliance, uc.id, ai_act=ai, rgpd=rgpd, crpa=crpa_answers, impact=impact)
        if "Notation comportementale" in uc.title:
            req = gov.request_gate(lead, uc.id, Stage.FRAMING, motive="Étudier la proposition de l'éditeur.",
                                   today=today)
            gov.decide(story.compliance, req.id, "refuse", today=today, session_date=today,
                       reasons="Notation sociale : pratique interdite par l'article 5, paragraphe 1, point c) du "
                               "règlement européen sur l'IA. Le cas d'usage ne peut pas être poursuivi.")
            continue
        _walk(story, uc, spec, lead, target)


def _walk(story: _Story, uc: Any, spec: dict[str, Any], lead: Principal, target: Stage) -> None:
    gov, svc = story.gov, story.svc
    start = spec["start"] if spec["start"] is not None else -60
    end = spec["end"]
    stop_at = {Stage.SUSPENDED: Stage.PILOT, Stage.RETIRED: Stage.EVALUATION}.get(target, target)
    path = FORWARD_PATH[1: FORWARD_PATH.index(stop_at) + 1]
    housing = "logement social" in uc.title
    temporary_end = None
    for stage in path:
        if stage is Stage.FRAMING:
            story.step(uc, stage, lead, story.day(start - 60))
        elif stage is Stage.PILOT:
            view = svc.register.get(uc.id)
            if view.end_date is None:  # deployed long ago: the pilot's end date, cleared after deployment
                temporary_end = story.day(start + 150)
                svc.register.update(lead, uc.id, view.version, view.editable_fields() | {"end_date": temporary_end})
            _mitigate(story, uc, lead)
            story.settle(uc.id, {"OBL-RGPD-DPIA", "OBL-AIA-FRIA"}, story.day(start - 10))
            story.step(uc, stage, lead, story.day(start))
        elif stage is Stage.EVALUATION:
            pilot_end = temporary_end or (story.today + dt.timedelta(days=end) if end is not None else story.today)
            # the evaluation report under way, owned by the project lead, is what opens the evaluation stage
            (report,) = [o for o in gov.obligations(uc.id) if o.obligation_id == "OBL-GOV-EVALUATION"]
            gov.update_obligation(story.compliance, report.id, report.version, status="in_progress",
                                  owner_id=lead.person_id, due_date=story.today + dt.timedelta(days=45))
            story.step(uc, stage, lead, min(story.today, pilot_end))
        elif stage is Stage.DEPLOYED:
            pilot_end = temporary_end or story.today
            on = story.day((pilot_end - story.today).days + 45)
            story.settle(uc.id, None, on)
            story.step(uc, stage, lead, on, {"agents_trained": True})
    if housing:
        _hold_housing(story, uc, lead)
        return
    _end_walk(story, uc, lead, target, temporary_end)


def _end_walk(story: _Story, uc: Any, lead: Principal, target: Stage, temporary_end: dt.date | None) -> None:
    """After the stages: clear the pilot's temporary end date, then suspend, withdraw, leave
    obligations open or record a review, as the target asks."""
    gov, svc = story.gov, story.svc
    if temporary_end is not None:
        view = svc.register.get(uc.id)
        svc.register.update(lead, uc.id, view.version, view.editable_fields() | {"end_date": None})
    if target is Stage.SUSPENDED:
        gov.suspend(story.director, uc.id, "Transcriptions conservées par le fournisseur hors de l'Union "
                    "européenne : suspension en attendant un fournisseur conforme (RGPD, chapitre V).",
                    today=story.today)
    elif target is Stage.RETIRED:
        gov.withdraw(story.director, uc.id, "Évaluation défavorable : perception de vidéosurveillance "
                     "algorithmique et gain insuffisant ; l'expérimentation n'est pas reconduite.",
                     today=story.today)
    elif target in (Stage.PILOT, Stage.EVALUATION):
        _open_obligations(story, uc)
    elif target is Stage.DEPLOYED and "Projection démographique" in uc.title:
        gov.record_review(story.director, uc.id, reviewed_on=story.day(-60), outcome="continue",
                          notes="Projections confrontées au recensement 2025 : écart conforme à la cible.",
                          today=story.today)


def _open_obligations(story: _Story, uc: Any) -> None:
    """Pilots in progress: a few obligations under way, one of them late."""
    for i, ob in enumerate(o for o in story.gov.obligations(uc.id)
                           if not o.settled and o.obligation_id != "OBL-GOV-EVALUATION"):
        if i > 1:
            break
        due = story.today + dt.timedelta(days=-12 if i == 0 and "conversationnel" in uc.title else 30)
        story.gov.update_obligation(story.compliance, ob.id, ob.version, status="in_progress",
                                    owner_id=story.ids[COMPLIANCE], due_date=due)


MITIGATIONS = {
    "bias": "Tests d'équité par quartier et par composition familiale avant l'expérimentation",
    "privacy": "Avertissement à l'usager, masquage automatique des données sensibles, purge sous 30 jours",
}


def _mitigate(story: _Story, uc: Any, lead: Principal) -> None:
    """The project lead writes a mitigation for every high or critical risk before asking for a pilot."""
    for risk in story.svc.register.get(uc.id).risks:
        if risk.mitigation or risk_level(risk.likelihood, risk.severity) not in ("high", "critical"):
            continue
        data = {k: v for k, v in risk.model_dump(mode="json").items()
                if k in ("category", "description", "likelihood", "severity", "owner_id", "status",
                         "residual_likelihood", "residual_severity")}
        mitigation = MITIGATIONS.get(risk.category.value, "Mesure d'atténuation validée avec la conformité")
        if risk.category.value == "privacy" and "logement" in uc.title:
            mitigation = "Analyse d'impact (AIPD) engagée avec le DPO ; accès restreint aux données de santé"
        story.svc.register.update_risk(lead, risk.id, risk.version, data | {"mitigation": mitigation,
                                                                             "status": "mitigating"})


def _hold_housing(story: _Story, uc: Any, lead: Principal) -> None:
    """Social housing: risks mitigated, pilot requested, held until the DPIA and the FRIA are done."""
    gov = story.gov
    _mitigate(story, uc, lead)
    for ob in gov.obligations(uc.id):
        if ob.obligation_id in ("OBL-RGPD-DPIA", "OBL-AIA-FRIA"):
            gov.update_obligation(story.compliance, ob.id, ob.version, status="in_progress",
                                  owner_id=story.ids[COMPLIANCE], due_date=story.today - dt.timedelta(days=10))
    gov.request_gate(lead, uc.id, Stage.PILOT, today=story.today,
                     motive="Expérimenter la priorisation avec la commission d'attribution pendant six mois.")
