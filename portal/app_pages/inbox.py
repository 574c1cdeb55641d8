"""The person's notifications: what needs them, a link to the object, mark as done; their preferences;
for administrators, the deliveries that fail."""

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import Action
from portal.services.notifications import MODES
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_date
from portal.ui.inbox import target
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()
notifications = svc.notifications
notifications.sync()  # what happened since the last `vigie notify due` shows at once (nothing is sent here)

st.title("Notifications")
flash()
show_done = st.toggle("Afficher aussi les notifications traitées", key="inbox_show_done")
items = notifications.inbox(me, include_done=show_done)
unread = notifications.unread_count(me)
c1, c2 = st.columns(2)
c1.metric("Non lues", unread)
c2.metric("À traiter", sum(not i.done for i in items))
if unread and st.button("Tout marquer comme lu", key="inbox_read_all") and attempt(
        lambda: notifications.mark_all_read(me), success="Notifications marquées comme lues."):
    st.rerun()

if not items:
    st.success("Aucune notification en attente.")
for item in items:
    with st.container(border=True):
        badge = ":red-badge[Urgent]" if item.urgency == "urgent" else ":blue-badge[" + plain(item.label_fr, inline=True) + "]"
        state = " :gray-badge[Traitée]" if item.done else ("" if item.read else " :orange-badge[Non lue]")
        st.markdown(f"{badge}{state} **{plain(item.title, inline=True)}**")
        st.markdown(plain(item.body))
        st.caption(fmt_date(item.created_at))
        left, right, _ = st.columns([1, 2, 3])
        if left.button("Ouvrir", key=f"inbox_open_{item.id}", icon=":material/open_in_new:"):
            page, params = target(item.link)
            st.switch_page(page, query_params=params)
        if not item.done and right.button("Marquer comme traitée", key=f"inbox_done_{item.id}",
                                          icon=":material/done:") and attempt(
                lambda i=item.id: notifications.mark_done(me, i), success="Notification traitée."):
            st.rerun()

with st.expander("Mes préférences de courriel"):
    pref = notifications.preference(me)
    with st.form("inbox_preferences"):
        modes = list(MODES)
        mode = st.radio("Fréquence des courriels", modes, index=modes.index(pref.mode), format_func=MODES.__getitem__)
        email_on = st.checkbox("Recevoir les notifications par courriel", value=pref.email_enabled)
        st.caption("Une contestation d'un usager et les retards signalés à la direction générale partent sans "
                   "attendre le récapitulatif. La boîte de réception du portail reçoit tout, quel que soit ce choix.")
        if st.form_submit_button("Enregistrer", type="primary") and attempt(
                lambda: notifications.set_preference(me, mode=mode, email_enabled=email_on),
                success="Préférences enregistrées."):
            st.rerun()

if can(me, Action.MANAGE_PEOPLE):
    with st.expander("Envois (administration)", expanded=False):
        report = notifications.status(me)
        st.caption(("Courriel configuré" if report.email_configured else "Courriel non configuré (VIGIE_SMTP_HOST)")
                   + " · " + ("webhook configuré" if report.webhook_configured else "webhook non configuré")
                   + f" · journal d'audit lu jusqu'à l'événement n° {report.cursor}")
        if report.counts:
            st.dataframe(pd.DataFrame([{"Canal": c, "État": s, "Nombre": n} for (c, s), n in sorted(report.counts.items())]),
                         hide_index=True)
        if not report.failing:
            st.success("Aucun envoi en échec.")
        shown = report.failing[:20]
        if len(report.failing) > len(shown):
            st.caption(f"{len(report.failing)} envois en échec ou en attente d'un nouvel essai ; les 20 plus récents "
                       "ci-dessous (tous : `vigie notify status`).")
        for d in shown:
            when = "abandonné" if d.status == "failed" else f"prochain essai le {fmt_date(d.next_attempt_at)}"
            st.warning(f"Envoi n° {d.id} ({d.channel}, {d.attempts} essai(s), {when}) : {plain(d.last_error or '', inline=True)}")
            if d.status == "failed" and st.button("Réessayer", key=f"inbox_retry_{d.id}") and attempt(
                    lambda i=d.id: notifications.retry(me, i), success="Envoi remis dans la file."):
                st.rerun()
