"""The look of a French public service (close to the State design system, DSFR) and what Streamlit
leaves out for accessibility: the page's language, visible focus, the collectivité's name and logo.

The colours themselves are Streamlit's theme (``.streamlit/config.toml``); this adds the little CSS
the theme cannot say. See decision record 0074.
"""

from __future__ import annotations

import streamlit as st

from portal.ui.deps import settings

#: DSFR's focus ring (blue « focus » 525), 2 px with a 2 px gap, on every focusable element.
CSS = """
<style>
:root { --vigie-focus: #0A76F6; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
[role="button"]:focus-visible, [role="tab"]:focus-visible, [role="radio"]:focus-visible,
[role="checkbox"]:focus-visible, [role="combobox"]:focus-visible, [role="option"]:focus-visible,
[role="switch"]:focus-visible, [role="slider"]:focus-visible, [tabindex]:focus-visible, summary:focus-visible {
  outline: 2px solid var(--vigie-focus) !important;
  outline-offset: 2px !important;
}
/* Widgets that show focus on an inner box: ring the box too. */
[data-baseweb="select"]:focus-within > div, [data-baseweb="input"]:focus-within,
[data-baseweb="textarea"]:focus-within, [data-baseweb="base-input"]:focus-within {
  outline: 2px solid var(--vigie-focus) !important;
  outline-offset: 2px !important;
}
/* Code in a caption: the caption's own colours (its grey on a grey box falls under 4.5:1). */
[data-testid="stCaptionContainer"] code { color: inherit; background-color: transparent; padding: 0; }
/* The header strip of the collectivité. */
.vigie-organization { font-weight: 700; color: #161616; margin: 0; }
/* The navigation's section labels (nav.sidebar_links). */
.vigie-nav-section { font-weight: 700; font-size: 0.875rem; color: #3A3A3A; margin: 0.75rem 0 0 0; }
/* Streamlit's « Link to heading » anchors: English, and one more Tab stop per heading. */
[data-testid="stHeaderActionElements"] { display: none; }
/* Metric values are short words as often as figures (« Hors champ (pas un système d'IA) »,
   « non requise »): wrap them in a smaller size rather than cut them with an ellipsis. */
[data-testid="stMetricValue"] { font-size: 1.75rem; }
[data-testid="stMetricValue"] > div { white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.2; }
/* The element that only carries the language script takes no room. */
.st-key-vigie_lang, div:has(> .vigie-lang) { display: none; }
/* Streamlit's file drop zone speaks English (« Upload », « 20MB per file • CSV »): its words are hidden
   and French ones drawn in their place (uploader_css adds the size limit). */
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"],
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] span[data-has-shortcut]::after {
  content: "Choisir un fichier";
}
</style>
"""


def uploader_css(max_mb: int) -> str:
    """The drop zone's instruction in French, with the portal's size limit (``server.maxUploadSize``)."""
    return (f'<style>[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: "ou déposez-le ici '
            f'— {max_mb} Mo au plus"; font-size: 0.875rem; }}</style>')

#: Streamlit does not declare the page's language: set it on the document (WCAG 3.1.1, RGAA 8.3), and
#: say its skip link in French.
LANG_SCRIPT = """<span class="vigie-lang"></span><script>
(() => {
  document.documentElement.lang = "fr";
  const skip = document.querySelector('[data-testid="stSkipToContent"]');
  if (skip) { skip.textContent = "Aller au contenu"; }
  // the drop zone's button shows French words drawn by CSS, which assistive technologies do not read:
  // name it for them too, on every drop zone React draws (one observer for the page's life)
  const name = () => document.querySelectorAll('[data-testid="stFileUploaderDropzone"] button').forEach(b => {
    if (b.getAttribute("aria-label") !== "Choisir un fichier") { b.setAttribute("aria-label", "Choisir un fichier"); }
  });
  name();
  if (!window.vigieUploaderNames) {
    window.vigieUploaderNames = new MutationObserver(name);
    window.vigieUploaderNames.observe(document.body, {childList: true, subtree: true});
  }
})();
</script>"""


def apply() -> None:
    """Every page run: the CSS, the page's language, and the collectivité's logo when one is set."""
    st.html(CSS + uploader_css(int(st.get_option("server.maxUploadSize"))))
    st.html(LANG_SCRIPT, unsafe_allow_javascript=True)
    logo = settings().organization_logo
    if logo is not None:
        st.logo(str(logo), size="large")


def _organisation_name() -> str:
    """The collectivité's name as its administrator set it (Administration page), or empty."""
    from portal.ui.deps import services

    org = services().organisation.get()
    return org.name if org is not None else ""


def page_title(title: str) -> None:
    """The browser tab says where the user is: « Registre — Vigie — Ville de … » (WCAG 2.4.2, RGAA 8.6)."""
    name = _organisation_name()
    st.set_page_config(page_title=" — ".join(p for p in (title, "Vigie", name) if p))


def organization() -> str:
    """The collectivité's name as its administrator set it, or « la collectivité »."""
    return _organisation_name() or "la collectivité"


def header() -> None:
    """The collectivité's name above a page's title, when one is set."""
    name = _organisation_name()
    if name:
        st.html(f'<p class="vigie-organization">{_escape(name)}</p>')


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
