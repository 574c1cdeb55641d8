"""The accessibility statement (déclaration d'accessibilité, RGAA 4.1) shown on the public register.

``KNOWN_ISSUES`` is what the automated check (tests/e2e/test_accessibility.py, axe-core) still finds
below the « serious » level, described for the public: the test fails when it finds a rule that is not
listed here, so the statement never says less than the check does. See decision record 0074.
"""

from __future__ import annotations

import streamlit as st

from portal.ui.deps import settings
from portal.ui.look import organization

#: The level reached, in the RGAA's words.
LEVEL = "partiellement conforme"
#: When the statement was drawn up, and how.
ESTABLISHED = "3 décembre 2026"

#: axe-core rule id -> what it means for a reader, in French.
KNOWN_ISSUES: dict[str, str] = {
    "presentation-role-conflict": "Page « Importer un inventaire » : la zone de dépôt de fichier de Streamlit porte un "
                                  "rôle de présentation sur un élément qui a aussi des attributs ARIA (règle axe "
                                  "« presentation-role-conflict », mineure).",
}

#: What no automated check sees, known from use.
OTHER_ISSUES = (
    "Les tableaux interactifs (liste des fiches, classements) sont dessinés par le composant de grille de "
    "Streamlit : leur lecture par un lecteur d'écran est limitée. Chaque fiche s'ouvre aussi en tableau "
    "simple, et les mêmes données sont téléchargeables en CSV et JSON (« Données ouvertes »).",
    "Les graphiques sont accompagnés d'un texte ou d'un tableau qui en donne les valeurs ; leurs infobulles "
    "ne s'ouvrent qu'à la souris.",
    "Dans les formulaires, un message d'erreur s'affiche sous le formulaire et nomme le champ par son "
    "libellé, sans lien programmatique avec ce champ.",
    "Quelques libellés propres à Streamlit restent en anglais : le lien d'évitement vers le contenu est traduit, "
    "mais pas les boutons des barres d'outils des tableaux et des graphiques (« Download as CSV », "
    "« Show data »…).",
    "La police Marianne n'est pas embarquée : le texte s'affiche en Arial ou dans la police sans empattement du "
    "système.",
)


def statement() -> None:
    """The statement, at the foot of the public page: a heading, the text in an expander."""
    org = organization()
    contact = settings().accessibility_contact
    st.header("Accessibilité")
    st.markdown(f"Accessibilité : **{LEVEL}** avec le RGAA 4.1.")
    with st.expander("Lire la déclaration d'accessibilité", icon=":material/accessibility_new:"):
        st.markdown(
            f"{org[0].upper() + org[1:]} s'engage à rendre ses services numériques accessibles, conformément à "
            "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration s'applique au registre "
            "public des algorithmes publié avec le portail Vigie."
        )
        st.markdown("### État de conformité")
        st.markdown(f"Ce registre est **{LEVEL}** avec le référentiel général d'amélioration de l'accessibilité "
                    "(RGAA), version 4.1, en raison des non-conformités énumérées ci-dessous.")
        st.markdown("### Résultats des tests")
        st.markdown("Chaque page du portail est contrôlée automatiquement (axe-core, critères WCAG 2.1 niveaux A "
                    "et AA) à chaque version : aucune anomalie grave ou critique. Aucun audit complet par un "
                    "expert n'a encore été réalisé ; le taux de conformité au RGAA n'est donc pas établi.")
        st.markdown("### Contenus non accessibles")
        st.markdown("\n".join(f"- {text}" for text in (*KNOWN_ISSUES.values(), *OTHER_ISSUES)))
        st.markdown("### Établissement de cette déclaration")
        st.markdown(f"Établie le {ESTABLISHED}. Technologies utilisées : HTML, CSS, JavaScript (Streamlit). "
                    "Contrôle automatisé dans Chromium avec axe-core ; parcours au clavier seul vérifié "
                    "(connexion, fiche d'un cas d'usage, saisie d'un risque).")
        st.markdown("### Retour d'information et contact")
        where = f"écrivez à **{contact}**" if contact else "utilisez le formulaire « Signaler une erreur » d'une fiche"
        st.markdown(f"Si vous n'arrivez pas à accéder à un contenu ou à un service, {where} pour être orienté "
                    "vers une alternative accessible ou obtenir le contenu sous une autre forme.")
        st.markdown("### Voies de recours")
        st.markdown(
            "Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un "
            "service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le "
            "**Défenseur des droits** :\n"
            "- par le formulaire en ligne du Défenseur des droits ;\n"
            "- en contactant le délégué du Défenseur des droits dans votre région ;\n"
            "- par courrier postal, gratuit, sans timbre : Défenseur des droits, Libre réponse 71120, "
            "75342 Paris CEDEX 07."
        )
