"""The pages' part of ``vigie bench --actions``: the sheet run through Streamlit's AppTest on the demo
database, as a person saves, switches use case and opens tabs. Run by ``portal.bench`` in a process of
its own (``python -m portal.ui.bench_pages DB LOGIN REF OTHER REPEAT``); prints its rows as JSON."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from portal.bench import Row, measured


def _page_actions(path: Path, login: str, ref: str, other: str, repeat: int) -> list[Row]:
    """The sheet page through Streamlit's AppTest, signed in with the demo sign-in as ``login``."""
    from streamlit.testing.v1 import AppTest

    entry = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")

    def sheet(case: str, tab: str | None = None) -> AppTest:
        at = AppTest.from_file(entry, default_timeout=120).run()
        at.radio[0].set_value(login)
        at.button[0].click().run()  # « Se connecter »
        at.query_params["ref"] = case
        if tab:
            at.query_params["tab"] = tab
        return at.switch_page("app_pages/sheet.py").run()

    rows = _form_saves(path, sheet, ref, repeat)
    at = sheet(ref)
    refs = [ref, other]

    def switch() -> None:
        refs.reverse()
        at.selectbox[0].set_value(refs[0]).run()

    seconds, floor, n = measured(path, switch, repeat)
    rows.append(Row(f"changer de cas d'usage sur la fiche (page entière, {n} requêtes)", seconds,
                    "les mêmes requêtes SQL seules", floor))
    at = sheet(ref)
    labels = [t.label for t in at.tabs]  # the sheet's tabs, as the person reads them

    def open_tab(label: str) -> None:
        at.session_state["sheet_tab"] = label  # a click on the tab
        at.run()

    for i, label in enumerate(labels):
        seconds, floor, n = measured(path, lambda label=label: open_tab(label), repeat,
                                      prepare=lambda i=i: open_tab(labels[i - 1]))
        rows.append(Row(f"ouvrir l'onglet « {label} » de la fiche ({n} requêtes)", seconds,
                        "les mêmes requêtes SQL seules", floor))
    return rows



def _submit(at: object, form_id: str) -> None:
    button = next(b for b in at.button if b.proto.form_id == form_id and b.label == "Enregistrer")  # type: ignore[attr-defined]
    button.click().run()


def _form_saves(path: Path, sheet: Callable[..., object], ref: str, repeat: int) -> list[Row]:
    """The same saves through the sheet's forms: the click, the service, and the page drawn again."""
    from portal.ui.deps import services

    uc = services().register.get_by_reference(ref)
    uc_id, risk_id = uc.id, uc.risks[0].id
    case_at, risk_at = sheet(ref, "apercu"), sheet(ref, "risques")

    def save_case() -> None:
        case_at.text_area(key=f"edit_{uc_id}_human_role").set_value(f"Relecture {time.perf_counter_ns()}")  # type: ignore[attr-defined]
        _submit(case_at, f"edit_{uc_id}")

    def save_risk() -> None:
        risk_at.text_area(key=f"risk_{risk_id}_mitigation").set_value(f"Contrôle {time.perf_counter_ns()}")  # type: ignore[attr-defined]
        _submit(risk_at, f"edit_risk_{risk_id}")

    rows = []
    for name, action in (("enregistrer une fiche depuis la page (clic, service, page redessinée)", save_case),
                         ("enregistrer un risque depuis la page (clic, service, page redessinée)", save_risk)):
        seconds, floor, n = measured(path, action, repeat)
        rows.append(Row(f"{name}, {n} requêtes", seconds, "les mêmes requêtes SQL seules", floor))
    return rows


def main(argv: list[str]) -> int:
    path, login, ref, other, repeat = Path(argv[0]), argv[1], argv[2], argv[3], int(argv[4])
    rows = _page_actions(path, login, ref, other, repeat)
    print(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
