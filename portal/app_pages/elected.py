"""The elected officials' view, read-only: decisions awaiting the executive or the council, what each
deployed use case costs and brings, and what residents get."""

import pandas as pd
import streamlit as st

from portal.ui.deps import services
from portal.ui.formats import fmt_date, fmt_money, fmt_number
from portal.ui.people_use import measures_frame
from portal.ui.session import principal

principal()
svc = services()
view = svc.elected.view()

st.title("Vue des élus")
st.caption("Lecture seule. Les décisions qui reviennent à l'exécutif ou au conseil, ce que coûtent et rapportent "
           "les cas d'usage en service, et ce qu'en constatent les usagers.")

st.header("Décisions attendues de l'exécutif ou du conseil")
if view.awaiting:
    st.dataframe(pd.DataFrame([{
        "Référence": a.reference, "Intitulé": a.title, "Passage demandé": f"{a.from_stage.label} → {a.to_stage.label}",
        "Autorité": a.authority.label, "Motif": a.motive, "Demandé par": a.requested_by,
        "Demandé le": fmt_date(a.requested_at)} for a in view.awaiting]), hide_index=True)
else:
    st.info("Aucune décision n'attend l'exécutif ni une délibération.")

st.header("Cas d'usage déployés : coûts et bénéfices")
if view.deployed:
    st.dataframe(pd.DataFrame([{
        "Référence": d.reference, "Intitulé": d.title, "Direction": d.direction,
        "Coût de réalisation": fmt_money(d.build_cost), "Fonctionnement par an": fmt_money(d.run_cost_per_year),
        "Dépensé à ce jour": fmt_money(d.spent), "Besoins des services servis": d.needs_served,
        "Bénéfice mesuré par l'administration": " ; ".join(
            f"{b.indicator} : {fmt_number(b.baseline)} → {fmt_number(b.measured)} {b.unit}".strip()
            for b in d.benefits) or "—"} for d in view.deployed]), hide_index=True)
else:
    st.info("Aucun cas d'usage déployé.")

st.header("Ce que constatent les usagers")
if view.residents:
    st.dataframe(measures_frame(view.residents), hide_index=True)
    st.caption("Dernière mesure de chaque indicateur, comparée à sa valeur avant le cas d'usage.")
else:
    st.info("Aucune mesure côté usagers pour les cas déployés.")
