"""A stand-in for one portal process, run as a real subprocess by test_several_processes.py.

``python -m tests.portal.portal_process URL`` reads commands on stdin, one per line, and answers one
line each: ``count`` (use cases it sees now), ``create TITLE`` (a use case, audited), ``burst N TAG``
(N creations in a row, each its own transaction and audit event), ``quit``. It keeps its engine and
pooled connections between commands, as a long-running Streamlit server does.
"""

from __future__ import annotations

import sys

from portal.services import build_services
from portal.services.people import SYSTEM

DATA = {"family": "operations", "direction": "Direction des processus"}


def main(url: str) -> None:
    svc = build_services(url)
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, rest = line.strip().partition(" ")
        if command == "count":
            print(svc.register.count(), flush=True)
        elif command == "create":
            print(svc.register.create(SYSTEM, DATA | {"title": rest}).reference, flush=True)
        elif command == "burst":
            n, tag = rest.split(" ", 1)
            refs = [svc.register.create(SYSTEM, DATA | {"title": f"{tag} {i}"}).reference for i in range(int(n))]
            print(",".join(refs), flush=True)
        elif command == "quit":
            break
    svc.db.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
