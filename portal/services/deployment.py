"""Deployment in waves: the rollback plan, the waves and their go/no-go decisions.

A wave's go, no-go or rollback is recorded like a gate decision (decision record 0085): the authority is
the deployment gate's for the use case's impact level (``policies.gates.authority_for``), a person who is
not that authority records it on its behalf with the act or the meeting, and the decision is immutable
(database triggers). A rollback plan is required before any wave's go. Returning the whole use case to its
previous stage (« Revenir en arrière ») goes through the governance gate service
(:meth:`GovernanceService.roll_back`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies.access import PermissionDenied, can, require
from policies.gates import authority_for, can_decide, holds_authority, on_behalf_problem
from policies.rulebook import POLICY_VERSION, load_rules
from policies.vocabulary import ACTIVE_STAGES, Action, Authority, Principal, Stage
from portal.db.models import DeploymentWave, RollbackPlan, UseCase, WaveDecision
from portal.repositories import deployment as repo
from portal.repositories import governance as governance_repo
from portal.repositories import monitoring as monitoring_repo
from portal.services import audit, editing
from portal.services.deployment_views import (
    BOUNDS,
    DECISIONS,
    METRICS,
    PERCENT_METRICS,
    SCOPES,
    DeploymentPlanView,
    RollbackPlanView,
    WaveView,
    decision_view,
    readings,
)
from portal.services.errors import InvalidInput, NotFound, StaleEdit

STALE_WAVE = "Cette vague a été modifiée par quelqu'un d'autre : rechargez la fiche."
STALE_PLAN = "Le plan de retour arrière a été modifié par quelqu'un d'autre : rechargez la fiche."


class DeploymentService(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    # ---- reads ---------------------------------------------------------------------------------
    def plan(self, use_case_id: int) -> DeploymentPlanView:
        """The rollback plan, the waves with their readings and decisions, who decides."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            plan = repo.rollback_plan(s, uc.id)
            outcomes = monitoring_repo.outcomes_of(s, uc.id)
            return DeploymentPlanView(
                use_case_id=uc.id, stage=Stage(uc.stage), authority=self._authority(s, uc.id),
                rollback_plan=_plan_view(plan) if plan else None, waves=self._wave_views(s, uc.id),
                periods=sorted({o.period for o in outcomes}),
            )

    def _wave_views(self, s: Session, use_case_id: int) -> list[WaveView]:
        waves = repo.waves(s, use_case_id)
        runs = monitoring_repo.runs_of(s, use_case_id)
        outcomes = monitoring_repo.outcomes_of(s, use_case_id)
        decisions: dict[int, list[Any]] = {}
        for d in repo.wave_decisions(s, use_case_id):
            decisions.setdefault(d.wave_id, []).append(decision_view(d))
        return [WaveView(
            id=w.id, use_case_id=w.use_case_id, number=w.number, label=w.label, scope_kind=w.scope_kind,
            scope=w.scope, share=w.share, start_date=w.start_date, criteria=list(w.criteria or []),
            periods=list(w.periods or []), version=w.version, readings=readings(w, waves, runs, outcomes),
            decisions=decisions.get(w.id, []),
        ) for w in waves]

    @staticmethod
    def _authority(s: Session, use_case_id: int) -> Authority:
        cl = governance_repo.latest_classification(s, use_case_id)
        return authority_for(Stage.DEPLOYED, cl.impact_level if cl else None)

    def can_decide(self, principal: Principal, plan: DeploymentPlanView) -> bool:
        return can(principal, Action.DECIDE_WAVE) and can_decide(principal.roles, plan.authority)

    @staticmethod
    def on_behalf(principal: Principal, plan: DeploymentPlanView) -> bool:
        return not holds_authority(principal.roles, plan.authority)

    # ---- rollback plan ---------------------------------------------------------------------------
    def save_rollback_plan(self, principal: Principal, use_case_id: int, expected_version: int | None,
                           fields: dict[str, Any], *, today: dt.date | None = None) -> RollbackPlanView:
        """Create or edit the plan: how to return to the previous way of working, who decides, in how long."""
        with self._reader() as s:  # permission before validation
            self._owned_use_case(s, principal, use_case_id, Action.PLAN_DEPLOYMENT)
        clean = _plan_fields(fields, today or dt.date.today())
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.PLAN_DEPLOYMENT)
            plan = repo.rollback_plan(s, uc.id)
            if plan is None:
                if expected_version:
                    raise StaleEdit(STALE_PLAN)
                plan = RollbackPlan(use_case_id=uc.id, updated_by_name=principal.display_name, **clean)
                s.add(plan)
                s.flush()
                audit.append(s, principal, "create", "rollback_plan", plan.id, use_case_id=uc.id, after=clean)
                return _plan_view(plan)
            if expected_version is not None and plan.version != expected_version:
                raise StaleEdit(STALE_PLAN)
            before = {k: getattr(plan, k) for k in clean}
            for k, v in clean.items():
                setattr(plan, k, v)
            plan.updated_by_name = principal.display_name
            s.flush()
            b, a = audit.diff(before, clean)
            if a:
                audit.append(s, principal, "update", "rollback_plan", plan.id, use_case_id=uc.id, before=b, after=a)
            return _plan_view(plan)

    # ---- waves -----------------------------------------------------------------------------------
    def add_wave(self, principal: Principal, use_case_id: int, fields: dict[str, Any]) -> WaveView:
        with self._reader() as s:  # permission before validation
            self._owned_use_case(s, principal, use_case_id, Action.PLAN_DEPLOYMENT)
        clean = _wave_fields(fields)
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.PLAN_DEPLOYMENT)
            _require_plannable(uc)
            wave = DeploymentWave(use_case_id=uc.id, number=repo.next_wave_number(s, uc.id),
                                  created_by_name=principal.display_name, **clean)
            s.add(wave)
            s.flush()
            audit.append(s, principal, "create", "deployment_wave", wave.id, use_case_id=uc.id,
                         after={"number": wave.number} | clean)
            return self._view_of(s, wave)

    def update_wave(self, principal: Principal, wave_id: int, expected_version: int,
                    fields: dict[str, Any]) -> WaveView:
        with self._reader() as s:  # permission before validation
            self._wave_target(s, principal, wave_id, Action.PLAN_DEPLOYMENT)
        clean = _wave_fields(fields)
        with editing.edit(self._writer, principal, Action.PLAN_DEPLOYMENT, load=lambda s: repo.wave(s, wave_id),
                          not_found=f"Vague n° {wave_id} introuvable.",
                          use_case=lambda s, w: self._use_case(s, w.use_case_id), stale=STALE_WAVE) as e:
            s, wave = e.session, e.row
            e.check_version(expected_version)
            if any(d.wave_id == wave.id for d in repo.wave_decisions(s, wave.use_case_id)):
                raise InvalidInput([f"La vague n° {wave.number} est déjà décidée : elle ne se modifie plus ; "
                                    "ajoutez une nouvelle vague."])
            before = {k: getattr(wave, k) for k in clean}
            for k, v in clean.items():
                setattr(wave, k, v)
            s.flush()
            e.record_change("update", "deployment_wave", wave.id, before, clean, extra_after={"number": wave.number})
            return self._view_of(s, wave)

    def _view_of(self, s: Session, wave: DeploymentWave) -> WaveView:
        return next(v for v in self._wave_views(s, wave.use_case_id) if v.id == wave.id)

    def _wave_target(self, s: Session, principal: Principal, wave_id: int,
                     action: Action) -> tuple[DeploymentWave, UseCase]:
        wave = repo.wave(s, wave_id)
        if wave is None:
            raise NotFound(f"Vague n° {wave_id} introuvable.")
        return wave, self._owned_use_case(s, principal, wave.use_case_id, action)

    # ---- decisions ---------------------------------------------------------------------------------
    def decide_wave(self, principal: Principal, wave_id: int, expected_version: int, decision: str | None, *,
                    reasons: str = "", act_number: str | None = None, act_date: dt.date | None = None,
                    session_date: dt.date | None = None, decided_on: dt.date | None = None,
                    today: dt.date | None = None) -> WaveView:
        """Record a wave's go, no-go or rollback (see the module docstring); immutable once written."""
        require(principal, Action.DECIDE_WAVE)  # permission before validation
        if decision not in DECISIONS:
            choices = ", ".join(f"« {v} »" for v in DECISIONS.values())
            raise InvalidInput([f"Champ « Décision » : choisissez une décision ({choices})."])
        today = today or dt.date.today()
        decided_on = decided_on or session_date or today
        reasons, act_number = (reasons or "").strip(), (act_number or "").strip() or None
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # one decider at a time: a wave gets one go/no-go
            wave = repo.wave(s, wave_id)
            if wave is None:
                raise NotFound(f"Vague n° {wave_id} introuvable.")
            if wave.version != expected_version:
                raise StaleEdit(STALE_WAVE)
            uc = self._use_case(s, wave.use_case_id)
            authority = (Authority(load_rules("gates")["suspension_authority"]) if decision == "roll_back"
                         else self._authority(s, uc.id))
            if not can_decide(principal.roles, authority):
                roles = ", ".join(sorted(r.label for r in principal.roles))
                raise PermissionDenied(f"Action refusée : cette décision relève de l'autorité « {authority.label} » ; "
                                       f"le rôle {roles} ne permet pas de l'enregistrer.")
            views = self._wave_views(s, uc.id)
            this = next(v for v in views if v.id == wave.id)
            previous = [v for v in views if v.number < wave.number]
            problems = _decision_problems(uc, this, previous[-1] if previous else None, decision, reasons,
                                          has_plan=repo.rollback_plan(s, uc.id) is not None)
            problems += _date_problems(decided_on, session_date, today)
            on_behalf = not holds_authority(principal.roles, authority)
            problems += _act_problems(decision, authority, on_behalf, act_number, act_date, session_date)
            if problems:
                raise InvalidInput(problems)
            # a go or no-go reads the previous wave's results; a rollback this wave's own
            read = this.readings if decision == "roll_back" else (previous[-1].readings if previous else [])
            row = WaveDecision(
                wave_id=wave.id, use_case_id=uc.id, decision=decision, reasons=reasons, authority=authority.value,
                on_behalf=on_behalf, decided_on=decided_on, act_number=act_number, act_date=act_date,
                session_date=session_date, readings=[r.as_record() for r in read], policy_version=POLICY_VERSION,
                decided_by_id=principal.person_id, decided_by_name=principal.display_name,
            )
            s.add(row)
            s.flush()
            audit.append(s, principal, "decide", "deployment_wave", wave.id, use_case_id=uc.id,
                         details={"number": wave.number, "decision": decision, "reasons": reasons,
                                  "authority": authority.value, "act_number": act_number, "act_date": act_date,
                                  "session_date": session_date, "decided_on": decided_on,
                                  "on_behalf_of": authority.value if on_behalf else None,
                                  "readings": row.readings, "policy_version": POLICY_VERSION})
            return self._view_of(s, wave)


def _plan_view(plan: RollbackPlan) -> RollbackPlanView:
    return RollbackPlanView(id=plan.id, procedure=plan.procedure, decider=plan.decider, delay_days=plan.delay_days,
                            tested_on=plan.tested_on, updated_by_name=plan.updated_by_name,
                            updated_at=plan.updated_at, version=plan.version)


def _text(fields: dict[str, Any], key: str) -> str:
    return str(fields.get(key) or "").strip()


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ".").replace("\u202f", "").replace("\xa0", "").replace(" ", ""))
    except ValueError:
        raise ValueError(value) from None
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _plan_fields(fields: dict[str, Any], today: dt.date) -> dict[str, Any]:
    problems = []
    procedure, decider = _text(fields, "procedure"), _text(fields, "decider")
    if not procedure:
        problems.append("Champ « Comment revenir à l'ancienne façon de travailler » : obligatoire.")
    if not decider:
        problems.append("Champ « Qui décide du retour » : obligatoire.")
    elif len(decider) > 300:
        problems.append("Champ « Qui décide du retour » : 300 caractères au plus.")
    delay: int | None = None
    try:
        number = _number(fields.get("delay_days"))
        if number is None or number < 0 or number != int(number):
            raise ValueError(number)
        delay = int(number)
    except ValueError:
        problems.append(f"Champ « Délai de retour (jours) » : nombre entier de jours attendu, 0 ou plus "
                        f"(reçu : « {fields.get('delay_days') if fields.get('delay_days') is not None else ''} »).")
    tested_on = fields.get("tested_on") or None
    if tested_on is not None and not isinstance(tested_on, dt.date):
        problems.append("Champ « Retour en arrière essayé le » : date attendue.")
    elif tested_on is not None and tested_on > today:
        problems.append("Champ « Retour en arrière essayé le » : ne peut pas être dans le futur.")
    if problems:
        raise InvalidInput(problems)
    return {"procedure": procedure, "decider": decider, "delay_days": delay, "tested_on": tested_on}


def _wave_fields(fields: dict[str, Any]) -> dict[str, Any]:
    problems = []
    label, scope_kind, scope = _text(fields, "label"), _text(fields, "scope_kind"), _text(fields, "scope") or None
    if not label:
        problems.append("Champ « Nom de la vague » : obligatoire.")
    elif len(label) > 200:
        problems.append("Champ « Nom de la vague » : 200 caractères au plus.")
    share = None
    if scope_kind not in SCOPES:
        problems.append(f"Champ « Périmètre » : choisissez {', '.join(SCOPES.values()).lower()}.")
    elif scope_kind in ("territory", "service") and not scope:
        problems.append(f"Champ « {'Territoire' if scope_kind == 'territory' else 'Service'} » : obligatoire "
                        "pour ce périmètre.")
    elif scope_kind.startswith("share_"):
        try:
            share = _number(fields.get("share"))
            if share is None or not 0 < share <= 100:
                raise ValueError(share)
        except ValueError:
            problems.append(f"Champ « Part (%) » : nombre entre 0 et 100 attendu (reçu : « {fields.get('share')} »).")
    start = fields.get("start_date")
    if not isinstance(start, dt.date):
        problems.append("Champ « Début de la vague » : date obligatoire.")
    criteria = _criteria(fields.get("criteria") or [], problems)
    periods = [str(p).strip() for p in fields.get("periods") or [] if str(p).strip()]
    if problems:
        raise InvalidInput(problems)
    return {"label": label, "scope_kind": scope_kind, "scope": scope, "share": share, "start_date": start,
            "criteria": criteria, "periods": periods}


def _criteria(raw: list[dict[str, Any]], problems: list[str]) -> list[dict[str, Any]]:
    out = []
    for i, crit in enumerate(raw, start=1):
        metric, bound = crit.get("metric"), crit.get("bound") or METRICS.get(str(crit.get("metric")), ("", "", ""))[2]
        where = f"Critère {i}"
        if metric not in METRICS:
            problems.append(f"{where}, champ « Mesure » : valeur non prévue « {metric} ».")
            continue
        where = f"Critère « {METRICS[metric][0]} »"
        if bound not in BOUNDS:
            problems.append(f"{where}, champ « Sens » : « au moins » ou « au plus » attendu.")
            continue
        try:
            threshold = _number(crit.get("threshold"))
            if threshold is None or (metric in PERCENT_METRICS and not 0 <= threshold <= 100):
                raise ValueError(threshold)
        except ValueError:
            expected = "pourcentage entre 0 et 100" if metric in PERCENT_METRICS else "nombre"
            problems.append(f"{where}, champ « Seuil » : {expected} attendu (reçu : « {crit.get('threshold')} »).")
            continue
        out.append({"metric": metric, "bound": bound, "threshold": threshold})
    if len({c["metric"] for c in out}) != len(out):
        problems.append("Critères de réussite : une même mesure figure deux fois.")
    return out


def _require_plannable(uc: UseCase) -> None:
    if Stage(uc.stage) not in ACTIVE_STAGES:
        raise InvalidInput([f"Le déploiement par vagues se prépare en expérimentation, en évaluation ou une fois "
                            f"déployé (étape actuelle : {Stage(uc.stage).label})."])


def _decision_problems(uc: UseCase, wave: WaveView, previous: WaveView | None, decision: str, reasons: str, *,
                       has_plan: bool) -> list[str]:
    """What keeps this decision from being recorded on this wave, in French."""
    kinds = [d.decision for d in wave.decisions]
    if decision == "roll_back":
        if wave.status != "go":
            return [f"Seule une vague lancée peut revenir en arrière (vague n° {wave.number} : "
                    f"{wave.status_fr.lower()})."] + ([] if reasons else ["Champ « Motifs » : obligatoire pour un "
                                                                          "retour en arrière."])
        return [] if reasons else ["Champ « Motifs » : obligatoire pour un retour en arrière."]
    if kinds:
        return [f"La vague n° {wave.number} a déjà sa décision ({wave.decisions[0].decision_fr.lower()}) ; une "
                "décision ne se modifie pas."]
    problems = []
    if decision == "no_go" and not reasons:
        problems.append("Champ « Motifs » : obligatoire pour ne pas lancer une vague.")
    if decision == "go":
        if uc.stage != Stage.DEPLOYED.value:
            problems.append(f"Le cas d'usage n'est pas déployé (étape actuelle : {Stage(uc.stage).label}) : une vague "
                            "se lance après la décision de déploiement.")
        if not has_plan:
            problems.append("Plan de retour arrière manquant : décrivez comment revenir à l'ancienne façon de "
                            "travailler, qui décide et en combien de temps, avant de lancer une vague.")
        if previous is not None and previous.status == "planned":
            problems.append(f"La vague n° {previous.number} n'est pas encore décidée : les vagues se lancent dans "
                            "l'ordre.")
        unmet = [r.label for r in (previous.readings if previous else []) if r.met is False]
        if unmet and not reasons:
            problems.append(f"Champ « Motifs » : critères de la vague n° {previous.number if previous else ''} non "
                            f"atteints ({' ; '.join(unmet)}) ; motivez le lancement.")
    return problems


def _date_problems(decided_on: dt.date, session_date: dt.date | None, today: dt.date) -> list[str]:
    problems = []
    if decided_on > today:
        problems.append("Champ « Date de la décision » : ne peut pas être dans le futur.")
    if session_date is not None and session_date > today:
        problems.append("Champ « Décision prise en séance le » : ne peut pas être dans le futur.")
    return problems


def _act_problems(decision: str, authority: Authority, on_behalf: bool, act_number: str | None,
                  act_date: dt.date | None, session_date: dt.date | None) -> list[str]:
    """The act or meeting a decision recorded for another authority names (as for gate decisions)."""
    reference_required = authority.value in load_rules("gates")["reference_required"]
    if decision == "go" and reference_required:
        if not (act_number and act_date):
            return [f"La décision de l'autorité « {authority.label} » doit être enregistrée avec son numéro et sa "
                    "date (champs « Numéro de l'acte » et « Date de l'acte »)."]
        return []
    if on_behalf:
        problem = on_behalf_problem(authority, reference=act_number, reference_date=act_date,
                                    session_date=session_date)
        return [problem] if problem else []
    return []
