"""Text that came from a user, a file or an identity provider, made safe for Streamlit's markdown.

Streamlit renders markdown in titles, headers, captions, alerts, metric and widget labels, expander
and tab labels: a use case titled ``![t](http://host/x.png)`` would make every reader's browser fetch
an outside image, ``[Recours](http://host/phish)`` would show a link on the official register and
``:green-badge[Validé CNIL]`` a fake badge. :func:`plain` escapes every ASCII punctuation mark with a
backslash (CommonMark's escape, which Streamlit honours in every markdown context), so such text
reads exactly as typed and never becomes a link, an image, a directive, HTML or formatting.

The rule (enforced by ``tests/security/test_markdown_injection.py``): any text that did not come
from the code goes through :func:`plain` before it reaches a Streamlit call that renders markdown,
or is shown with ``st.text`` / in a table.
"""

from __future__ import annotations

import re

# Anywhere in a line: what opens a link or an image ([ ]), emphasis (* ~ and a word-edge _), code (`),
# HTML (< >), maths ($), tables (|) and the escape itself; a colon before a letter or a slash (a
# directive such as :red[…], an emoji or icon shortcode, an autolink such as https://…).
_ANYWHERE = re.compile(r"([\\`*\[\]<>|~$])|(?<![A-Za-z0-9])(_)|(_)(?![A-Za-z0-9])|(:)(?=[A-Za-z/])|(?<=www)(\.)")
# At the start of a line (after spaces): headings, quotes, lists, thematic breaks, setext underlines.
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def _escape_line(line: str) -> str:
    line = _ANYWHERE.sub(lambda m: "\\" + next(g for g in m.groups() if g), line)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                           else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)


def plain(text: object, *, inline: bool = False) -> str:
    """``text`` escaped for markdown: shown as typed. ``None`` gives an empty string.

    Only what markdown or Streamlit would turn into something else is escaped, so messages read the
    same in the page source. Line breaks are kept as markdown hard breaks, or turned into spaces with
    ``inline`` (labels, titles: one line).
    """
    if text is None:
        return ""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if inline:
        return _escape_line(" ".join(line.strip() for line in lines))
    return "  \n".join(_escape_line(line) for line in lines)


def plain_list(items: object, sep: str = ", ") -> str:
    """Several user texts joined, each escaped (tags, names)."""
    return sep.join(plain(i, inline=True) for i in (items or []))  # type: ignore[attr-defined]
