"""The public register of algorithms for everyone, without signing in (CRPA L312-1-3).

Only published snapshots are shown; the open-data files download here too, unaudited (public data).
"""

import pandas as pd
import streamlit as st

from portal.services.organisation import UNNAMED
from portal.services.public_register import EXPORT_FILES, FIELDS
from portal.services.public_reports import KINDS_FR
from portal.ui.accessibility import statement
from portal.ui.auth import demo_banner
from portal.ui.deps import services, settings
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date
from portal.ui.look import header
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.text import plain
from portal.ui.transparency import entry_definitions

svc = services()
if settings().demo_login_allowed:
    demo_banner()
header()
organisation = svc.organisation.display_name()
st.title("Registre public des algorithmes")
st.caption("Les traitements algorithmiques que la collectivité utilise pour fonder des décisions ou éclairer son "
           "action, décrits selon l'inventaire recommandé par Etalab (code des relations entre le public et "
           "l'administration, art. L312-1-3). Pour toute question sur un traitement, écrivez au contact indiqué "
           "dans sa fiche.")

domains = svc.public_register.public_domains()  # the list's columns are read without the full records
if not svc.public_register.public_listing():
    st.info("Aucune fiche n'est publiée pour l'instant.")
    statement()
    st.stop()

wanted_domain = None
if domains:
    wanted_domain = st.selectbox("Domaine d'action publique", [None, *domains],
                                 format_func=lambda d: "Tous les domaines" if d is None else d, key="public_view_domain")
entries = svc.public_register.public_listing(wanted_domain)
# one page of rows: a métropole publishes thousands of entries
offset = PAGE_SIZE * page_number(len(entries), "public_view_page", PAGE_SIZE)
page = entries[offset:offset + PAGE_SIZE]
table = pd.DataFrame([{
    "Référence": e.reference, "Algorithme": e.name, "Domaine": e.domain, "Service": e.service,
    "Niveau d'automatisation": e.automation, "Mise à jour": fmt_date(e.published_at),
} for e in page])
st.caption(f"{shown(offset, len(page), len(entries), 'fiche(s) publiée(s)')} — cliquez sur une ligne pour lire "
           "la fiche.")
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK,
                     key="public_view_table", height=min(640, 38 + 35 * len(table)),
                     column_order=["Référence", "Algorithme", "Domaine", "Mise à jour"],  # the rest is in the entry
                     column_config={"Référence": st.column_config.TextColumn(width="small"),
                                    "Algorithme": st.column_config.TextColumn(width="large"),
                                    "Domaine": st.column_config.TextColumn(width="medium"),
                                    "Mise à jour": st.column_config.TextColumn(width="small")})
row = picked_row(event)
wanted = st.query_params.get("ref")
# the full published record is read for the one entry opened only
reference = page[row].reference if row is not None and row < len(page) else wanted
entry = svc.public_register.public_entry(reference) if reference else None
if entry is not None:
    st.header(f"{entry.reference} — {plain(entry.name, inline=True)}")
    st.caption(("" if organisation == UNNAMED else f"{plain(organisation, inline=True)} — ")
               + f"fiche publiée pour la première fois le {fmt_date(entry.first_published_at)}, "
               f"mise à jour le {fmt_date(entry.published_at)}.")
    with st.container(border=True):
        entry_definitions(entry.record, FIELDS)
    with st.expander("Signaler une erreur, poser une question ou contester", icon=":material/feedback:"):
        with st.form(f"report_{entry.reference}", clear_on_submit=True):
            kind = st.radio("Objet", list(KINDS_FR), format_func=KINDS_FR.__getitem__)
            message = st.text_area("Message", max_chars=4000,
                                   placeholder="Ce qui est inexact, ce que vous voulez savoir, ou pourquoi vous "
                                               "contestez (10 caractères au moins).")
            contact = st.text_input("Adresse électronique (facultatif)",
                                    help="Seulement pour vous répondre ; elle n'est ni publiée ni réutilisée.")
            if st.form_submit_button("Envoyer", type="primary"):
                report_id = attempt(lambda: svc.public_reports.submit(
                    {"reference": entry.reference, "kind": kind, "message": message, "contact": contact}))
                if report_id is not None:
                    st.success(f"Merci : votre message n° {report_id} est transmis au service chargé de la "
                               "conformité" + (", qui vous répondra." if contact.strip() else "."))

st.divider()
st.header("Données ouvertes")
st.caption("Les mêmes fiches en CSV (rubriques en français, séparateur « ; »), en JSON, ou au standard de "
           "transparence algorithmique d'Eurocities (v0.3.1).")
cols = st.columns(4)
for col, (fmt, label) in zip(cols, (("csv", "CSV"), ("json", "JSON"), ("eurocities_json", "Eurocities (JSON)"),
                                    ("eurocities_csv", "Eurocities (CSV)")), strict=True):
    # built on click, not on every page run
    filename, mime = EXPORT_FILES[fmt]
    col.download_button(label, lambda fmt=fmt: svc.public_register.public_export(fmt).data, file_name=filename,
                        mime=mime, key=f"public_view_{fmt}", on_click="ignore", icon=":material/download:",
                        help=filename)

st.divider()
statement()
