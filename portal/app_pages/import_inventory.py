"""Import the inventory a collectivité already keeps: file, column mapping, preview, then import."""

import pandas as pd
import streamlit as st

from policies.vocabulary import Family
from portal.services.inventory_import import FORMAT_LABELS, FORMATS, LABELS, REQUIRED, ColumnMapping
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()
importer = svc.inventory_import
NONE = "(aucune)"

st.title("Importer un inventaire")
st.caption("Un tableur (CSV ou Excel, séparateur « ; » ou « , », virgule décimale, Latin-1 ou UTF-8) ou un "
           "registre au standard Eurocities v0.3.1 (CSV ou JSON). Les colonnes sont reconnues d'après leurs "
           "en-têtes ; corrigez la correspondance si besoin, vérifiez l'aperçu, puis importez. Chaque cas d'usage "
           "créé démarre à l'étape « Idée » et son import est tracé avec l'empreinte du fichier.")
flash()
last = st.session_state.pop("inv_last_report", None)
if last:
    with st.expander("Compte rendu du dernier import", expanded=True):
        st.markdown("\n".join(f"- {plain(line, inline=True)}" for line in last))

fmt = st.selectbox("Format du fichier", sorted(FORMATS, key=lambda f: f != "csv"), format_func=FORMAT_LABELS.get,
                   key="inv_format")
upload = st.file_uploader("Fichier", type=["csv", "txt", "xlsx", "json"], key="inv_upload")
if upload is not None and upload.file_id != st.session_state.get("inv_imported_id"):
    st.session_state["inv_file"] = (upload.name, upload.getvalue())
    st.session_state["inv_file_id"] = upload.file_id
if st.session_state.get("inv_file_format") != fmt:
    st.session_state["inv_file_format"] = fmt
    st.session_state.pop("inv_mapping", None)
current = st.session_state.get("inv_file")
if current is None:
    st.info("Choisissez un fichier pour voir la correspondance des colonnes et l'aperçu.")
    st.stop()

name, data = current
mapping: ColumnMapping | None = st.session_state.get("inv_mapping")
preview = attempt(lambda: importer.preview(me, data, name, fmt, mapping))
if preview is None:
    st.stop()

st.header("Correspondance des colonnes")
st.caption(f"Correspondance {preview.mapping_source} ; en-têtes du fichier : {', '.join(preview.headers)}.")
eurocities = fmt.startswith("eurocities")
with st.form("inv_mapping_form"):
    columns: dict[str, str] = {}
    if eurocities:
        st.caption("Les attributs du standard Eurocities vont dans les champs de la fiche (name → titre, goal → "
                   "problème, department → direction et service, domain, impact, decision_making_process, "
                   "human_intervention, keywords) ; les autres sont gardés dans le journal d'audit.")
    else:
        options = [NONE, *preview.headers]
        cols = st.columns(3)
        for i, field in enumerate(LABELS):
            chosen = preview.mapping.columns.get(field)
            label = LABELS[field] + (" *" if field in REQUIRED else "")
            with cols[i % 3]:
                pick = st.selectbox(label, options, index=options.index(chosen) if chosen in options else 0,
                                    key=f"inv_col_{field}")
            if pick != NONE:
                columns[field] = pick
    st.markdown("**Valeurs par défaut** (pour ce que le fichier ne dit pas)")
    families = [NONE, *(f.value for f in Family)]
    default_family = preview.mapping.defaults.get("family")
    family = st.selectbox("Famille", families, key="inv_default_family",
                          index=families.index(default_family) if default_family in families else 0,
                          format_func=lambda v: v if v == NONE else Family(v).label)
    direction = st.text_input("Direction", value=preview.mapping.defaults.get("direction", ""),
                              key="inv_default_direction")
    service = st.text_input("Service", value=preview.mapping.defaults.get("service", ""), key="inv_default_service")
    applied = st.form_submit_button("Appliquer la correspondance")
if applied:
    defaults = {k: v for k, v in {"family": family if family != NONE else "", "direction": direction.strip(),
                                  "service": service.strip()}.items() if v}
    st.session_state["inv_mapping"] = ColumnMapping(columns if not eurocities else {}, defaults)
    st.rerun()
if st.button("Enregistrer cette correspondance pour les prochains fichiers", key="inv_save_mapping"):
    attempt(lambda: importer.save_mapping(me, fmt, preview.headers, preview.mapping),
            success="Correspondance enregistrée : elle sera proposée pour les fichiers aux mêmes en-têtes.")

st.header("Aperçu")
if preview.file_problems:
    st.error("Le fichier ne peut pas être importé tel quel :\n\n"
             + "\n".join(f"- {plain(p, inline=True)}" for p in preview.file_problems))
    st.stop()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Lignes lues", len(preview.rows))
c2.metric("Prêtes", len(preview.valid))
c3.metric("À corriger", len(preview.invalid))
c4.metric("Doublons probables", len(preview.flagged))
st.dataframe(preview.table(), hide_index=True)
if preview.invalid:
    with st.expander(f"Problèmes ligne par ligne ({sum(len(r.problems) for r in preview.invalid)})", expanded=True):
        st.markdown("\n".join(f"- {plain(p, inline=True)}" for r in preview.invalid for p in r.problems))
if preview.flagged:
    with st.expander(f"Doublons probables ({len(preview.flagged)})"):
        st.caption("Un cas d'usage proche existe déjà (titre semblable, même service ou fournisseur) : "
                   "ouvrez sa fiche depuis le registre et décidez.")
        st.dataframe(pd.DataFrame([{"Ligne": r.where, "Titre": r.data.get("title", ""),
                                    "Proche de": " ; ".join(r.duplicates)} for r in preview.flagged]),
                     hide_index=True)
        refs = sorted({d.split(" — ")[0] for r in preview.flagged for d in r.duplicates if d.startswith("UC-")})
        for ref in refs:
            st.page_link("app_pages/sheet.py", label=f"Ouvrir la fiche {ref}", icon=":material/description:",
                         query_params={"ref": ref})
if preview.ignored_columns:
    st.caption("Colonnes sans champ dans la fiche (gardées dans le journal d'audit de chaque cas créé) : "
               + ", ".join(preview.ignored_columns) + ".")

mode = st.radio("Mode d'import", ["all", "valid"], key="inv_mode", horizontal=True,
                format_func={"all": "Tout ou rien", "valid": "Seulement les lignes valides"}.get)
skip = st.checkbox("Écarter les doublons probables", key="inv_skip_duplicates")
if st.button("Importer", type="primary", key="inv_run", disabled=not preview.valid):
    report = attempt(lambda: importer.run(me, data, name, fmt, preview.mapping, all_or_nothing=mode == "all",
                                          skip_duplicates=skip))
    if report is not None:
        st.session_state.pop("inv_file", None)
        st.session_state.pop("inv_mapping", None)
        st.session_state["inv_imported_id"] = st.session_state.pop("inv_file_id", None)
        st.session_state["_flash"] = report.message()
        st.session_state["inv_last_report"] = report.lines()
        st.rerun()
