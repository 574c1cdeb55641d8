"""« Achat et délégation » on the sheet: the contract and the supplier's documents the AI Act makes the
collectivité rely on, kept as evidence with their SHA-256."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from policies.access import can
from policies.suppliers import RENEWALS, SUPPLIER_DOCUMENTS
from policies.vocabulary import Action, Principal
from portal.services.errors import NotFound
from portal.services.evidence_types import EXTENSIONS
from portal.services.procurement import ProcurementView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date
from portal.ui.session import forget_version, remembered_version
from portal.ui.text import plain

if TYPE_CHECKING:
    from portal.services import Services
    from portal.services.schemas import UseCaseView


def render(svc: Services, me: Principal, uc: UseCaseView) -> None:
    view = svc.procurement.view(uc.id)
    manager = can(me, Action.MANAGE_PROCUREMENT, owner_ids=[uc.lead_id])
    st.header("Achat et délégation")
    if not view.bought:
        st.caption("Système développé en interne (fiche, « Fournisseur ») : contrat et documents du fournisseur "
                   "facultatifs.")
    elif view.gates_check_documents:
        (st.warning if view.missing else st.success)(
            "Système à haut risque acheté ou délégué : les passages en expérimentation et en déploiement vérifient "
            "les documents du fournisseur. " + (f"Manquants : {' ; '.join(view.missing)}." if view.missing
                                               else "Tous sont au dossier."))
    _contract(svc, me, uc, view, manager)
    _documents(svc, me, uc, view, manager)


def _contract(svc: Services, me: Principal, uc: UseCaseView, view: ProcurementView, manager: bool) -> None:
    st.subheader("Contrat")
    c = view.contract
    if c is None:
        st.info("Aucun contrat renseigné.")
    else:
        end = fmt_date(c.end_date) if c.end_date else "sans terme"
        notice = f", préavis de {c.notice_days} jours" if c.notice_days is not None else ""
        st.markdown(f"**{plain(c.reference, inline=True)}** — {plain(c.supplier, inline=True)} · du "
                    f"{fmt_date(c.start_date)} au {end} · {c.renewal_fr}{notice}")
        if c.notes:
            st.caption(plain(c.notes, inline=True))
    if not manager:
        return
    vkey = f"contract_version_{uc.id}"
    expected = remembered_version(vkey, c.version) if c else None
    with st.expander("Renseigner le contrat" if c is None else "Modifier le contrat", icon=":material/edit:"), \
            st.form(f"contract_{uc.id}"):
        c1, c2 = st.columns(2)
        reference = c1.text_input("Référence du contrat *", value=c.reference if c else "", key=f"ct_ref_{uc.id}")
        supplier = c2.text_input("Fournisseur ou délégataire *", value=c.supplier if c else (uc.provider_name or ""),
                                 key=f"ct_supplier_{uc.id}")
        c1, c2, c3, c4 = st.columns(4)
        start = c1.date_input("Début du contrat *", value=c.start_date if c else None, format="DD/MM/YYYY",
                              key=f"ct_start_{uc.id}")
        end = c2.date_input("Fin du contrat", value=c.end_date if c else None, format="DD/MM/YYYY",
                            key=f"ct_end_{uc.id}")
        renewals = list(RENEWALS)
        renewal = c3.selectbox("Reconduction", renewals, index=renewals.index(c.renewal) if c else 0,
                               format_func=RENEWALS.__getitem__, key=f"ct_renewal_{uc.id}")
        notice = c4.text_input("Préavis (jours)", value=str(c.notice_days) if c and c.notice_days is not None else "",
                               key=f"ct_notice_{uc.id}")
        notes = st.text_area("Notes", value=c.notes or "" if c else "", key=f"ct_notes_{uc.id}")
        if st.form_submit_button("Enregistrer le contrat", type="primary"):
            saved = attempt(lambda: svc.procurement.save_contract(me, uc.id, expected, {
                "reference": reference, "supplier": supplier, "start_date": start, "end_date": end,
                "renewal": renewal, "notice_days": notice, "notes": notes}),
                success="Contrat enregistré.", on_stale=lambda: forget_version(vkey))
            if saved is not None:
                st.session_state[vkey] = saved.version
                st.rerun()


def _documents(svc: Services, me: Principal, uc: UseCaseView, view: ProcurementView, manager: bool) -> None:
    st.subheader("Documents du fournisseur")
    on_file = {d.kind for d in view.documents}
    st.table(pd.DataFrame([{"Document": name, "Article": article,
                            "Au dossier": "oui" if kind in on_file else "non"}
                           for kind, (name, article) in SUPPLIER_DOCUMENTS.items()]))
    for d in view.documents:
        label = d.filename if d.source == "file" else d.url
        ref = f" — réf. {plain(d.reference, inline=True)}" if d.reference else ""
        st.caption(f"{d.kind_fr} : {plain(label or '', inline=True)}{ref} — SHA-256 {d.sha256[:16]}… — "
                   f"{plain(d.added_by_name, inline=True)}, {fmt_date(d.added_at)}")
        if d.source == "file":
            try:
                name, data, intact = svc.procurement.document_file(d.id)
            except NotFound as exc:
                st.error(str(exc))
                continue
            if not intact:
                st.error(f"Le fichier du document n° {d.id} ne correspond plus à son empreinte SHA-256.")
            st.download_button(f"Télécharger {name}", data, file_name=name, key=f"supplier_doc_dl_{d.id}",
                               on_click="ignore")
    if not manager:
        return
    with st.expander("Joindre un document du fournisseur", icon=":material/attach_file:"), \
            st.form(f"supplier_doc_{uc.id}", clear_on_submit=True):
        kind = st.selectbox("Document *", list(SUPPLIER_DOCUMENTS),
                            format_func=lambda k: SUPPLIER_DOCUMENTS[k][0], key=f"sd_kind_{uc.id}")
        upload = st.file_uploader("Fichier (PDF, bureautique, image, texte, CSV, zip)", type=list(EXTENSIONS),
                                  key=f"sd_file_{uc.id}")
        link = st.text_input("ou lien", placeholder="https://…", key=f"sd_link_{uc.id}")
        c1, c2 = st.columns(2)
        reference = c1.text_input("Référence (numéro d'enregistrement, version…)", key=f"sd_ref_{uc.id}")
        note = c2.text_input("Note", key=f"sd_note_{uc.id}")
        if st.form_submit_button("Joindre"):
            if upload is not None:
                done = attempt(lambda: svc.procurement.add_document_file(
                    me, uc.id, kind, upload.name, upload.getvalue(), reference=reference, note=note),
                    success="Document joint.")
            else:
                done = attempt(lambda: svc.procurement.add_document_link(me, uc.id, kind, link, reference=reference,
                                                                         note=note), success="Lien joint.")
            if done:
                st.rerun()
