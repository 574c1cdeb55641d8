"""No English or internal word on any page: every page, and every tab of a few sheets, run as each role on
the demo portfolio; every text a person reads is checked with :func:`tests.words.unwanted_words`.

One demo database and one AppTest session per role serve the whole walk (it is read-only), so the walk
costs one run per page and role."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from portal.demo.data import DEMO_ISSUER
from portal.services import build_services
from portal.settings import get_settings
from portal.ui.auth import SESSION_KEY
from portal.ui.places import SHEET_TABS
from tests.ui.conftest import ENTRYPOINT, ROLE_LOGIN, open_session, open_tab
from tests.words import unwanted_words

ROLES = ["director", "project_lead", "compliance", "admin", "reader"]
PAGES = ["home", "inbox", "register", "new_use_case", "import_inventory", "prioritisation", "scenarios",
         "monitoring", "analysis", "compliance", "questionnaire", "public_register", "audit", "admin", "weights"]
#: Sheets in different states: an analysis and its comparison, monitoring alerts, a published entry,
#: a held gate, an idea with an empty sheet.
SHEETS = ["UC-2026-001", "UC-2026-002", "UC-2026-005", "UC-2026-009", "UC-2026-014"]

#: Proto fields that carry no text a person reads (ids, icons, page paths, styles, raw data).
SKIPPED_FIELDS = {"id", "formId", "icon", "page", "pageScriptHash", "type", "css", "spec", "data", "arrowData",
                  "arrowTable", "arrowDataFrame", "datasets", "key", "url", "src", "useContainerWidth", "vegaLiteChart",
                  "columns", "fragmentId", "widthConfig", "heightConfig", "textAlignmentConfig", "editingMode",
                  "selectionMode", "columnOrder", "dataframeId", "layoutConfig", "styles", "elementType",
                  "deltaPath", "activeScriptHash", "mimeType", "uploadUrl", "deleteUrl", "theme",
                  "stepNumber", "valueChanged", "setValue", "defaultValue", "isStretch", "query_params",
                  "queryString", "gap", "allowHtml", "rawValue", "type_", "numberFormat", "formatter"}
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"<(style|script)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
#: Fields read only by the browser for some elements (a date input's bounds and value are not shown as such).
SKIPPED_BY_KIND = {"date_input": {"min", "max", "default", "value"},
                   **{kind: {"format"} for kind in ("error", "warning", "info", "success", "exception")}}


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in SKIPPED_FIELDS:
                yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, path)
    elif isinstance(value, str) and not value.startswith(":material/"):
        yield path, _TAG.sub(" ", _CODE.sub(" ", value)) if path.endswith("body") else value


#: Columns that list the names of the person's own data (the columns of a monitored file).
DATA_NAMES = {"colonne", "colonnes"}


def _frame_texts(frame: pd.DataFrame, proto: Any) -> Iterator[tuple[str, str]]:
    """Headers and cells as drawn: a column's label and date format from its ``column_config``, an empty
    cell as the table's placeholder (Streamlit's own is « None »)."""
    config = json.loads(proto.columns or "{}") if "columns" in proto.DESCRIPTOR.fields_by_name else {}
    drawn = "placeholder" in proto.DESCRIPTOR.fields_by_name and proto.HasField("placeholder")
    placeholder = proto.placeholder if drawn else "None"
    for column in frame.columns:
        conf = config.get(str(column)) or {}
        yield "en-tête de colonne", str(conf.get("label") or column)
        cells = frame[column]
        if cells.isna().any():
            yield f"colonne « {column} »", placeholder
        if (conf.get("type_config") or {}).get("format"):  # drawn in the format the page chose
            continue
        for cell in cells.dropna().astype(str).unique():
            yield f"colonne « {column} »", f"« {cell} »" if str(column).lower() in DATA_NAMES else cell


def rendered_texts(node: Any) -> Iterator[tuple[str, str]]:
    """(element, text) for every text the page shows: markdown, titles, captions, labels, help, options,
    placeholders, metric labels, tab, expander and button labels, table headers and cells."""
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", type(node).__name__)
    if kind in ("dataframe", "table") and proto is not None:
        yield from ((f"{kind} : {where}", text) for where, text in _frame_texts(node.value, proto))
    elif proto is not None and hasattr(proto, "DESCRIPTOR"):
        for where, text in _strings(MessageToDict(proto)):
            if where.split(".")[0] not in SKIPPED_BY_KIND.get(kind, set()):
                yield f"{kind}.{where}", text
    for child in getattr(node, "children", {}).values():
        yield from rendered_texts(child)


def findings(at: AppTest) -> list[str]:
    out = []
    for where, text in rendered_texts(at._tree):
        for word in unwanted_words(text):
            out.append(f"{where} : « {word} » dans « {text[:120]} »")
    return sorted(set(out))


@pytest.fixture(scope="module")
def walk_db(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[str]:
    target = tmp_path_factory.mktemp("words") / "vigie.db"
    shutil.copy(demo_template, target)
    url = f"sqlite:///{target}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIGIE_DATABASE_URL", url)
        mp.setenv("VIGIE_ENV", "test")
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def sessions(walk_db: str) -> dict[str, AppTest]:
    """One signed-in AppTest per role, run once; the walk switches pages on it."""
    svc = build_services(walk_db)
    ids = {p.subject: p.id for p in svc.people.list() if p.issuer == DEMO_ISSUER}
    svc.db.dispose()
    out = {}
    for role in ROLES:
        at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
        at.session_state[SESSION_KEY] = open_session(walk_db, ids[ROLE_LOGIN[role]])
        out[role] = at.run()
    return out


def _allowed(at: AppTest, page: str) -> bool:
    links = {str(link.proto.page) for link in at.sidebar.get("page_link")}
    return any(link.endswith(f"{page}.py") or link == page for link in links)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_an_english_or_internal_word(sessions, role):
    at = sessions[role]
    found = [f"portefeuille : {f}" for f in findings(at)]
    for page in PAGES:
        if page == "home" or not _allowed(at, page):
            continue
        at.query_params.clear()
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        found += [f"{page} : {f}" for f in findings(at)]
    assert not found, f"rôle {role} :\n" + "\n".join(found)


@pytest.mark.parametrize("role", ROLES)
def test_no_sheet_tab_shows_an_english_or_internal_word(sessions, role):
    at = sessions[role]
    found = []
    for ref in SHEETS:
        for slug in SHEET_TABS:
            open_tab(at, ref, slug)
            assert not at.exception, (ref, slug, at.exception)
            found += [f"fiche {ref}, onglet {slug} : {f}" for f in findings(at)]
    assert not found, f"rôle {role} :\n" + "\n".join(found)


def test_the_public_register_shows_no_english_or_internal_word(walk_db):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    at.switch_page("app_pages/public_view.py").run()
    assert not at.exception
    assert findings(at) == []


#: The tabs of the prioritisation page: it draws only the open one, so each is opened in a run of its own.
PRIORITISATION_TABS = ("Classement", "Matrice valeur × faisabilité", "Répartition", "Feuille de route", "Budget",
                       "Bénéfices", "Besoins, agents et usagers")


@pytest.mark.parametrize("role", ["director", "project_lead"])
def test_no_prioritisation_tab_shows_an_english_or_internal_word(sessions, role):
    at = sessions[role]
    found = []
    for label in PRIORITISATION_TABS:
        at.query_params.clear()
        at.session_state["prioritisation_tabs"] = label
        at.switch_page("app_pages/prioritisation.py").run()
        assert not at.exception, (label, at.exception)
        found += [f"priorisation, onglet {label} : {f}" for f in findings(at)]
    assert not found, f"rôle {role} :\n" + "\n".join(found)
