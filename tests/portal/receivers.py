"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP
server (http.server in a thread), each able to refuse the next N messages."""

from __future__ import annotations

import email
import json
import socket
import threading
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpInbox:
    """aiosmtpd handler: stores accepted messages; ``refuse`` > 0 answers 451 to that many DATA."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.refused = 0
        self.code = "451 4.3.0 Service momentanément indisponible"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return self.code
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def subjects(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.to(address)]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = SmtpInbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class _Hook(BaseHTTPRequestHandler):
    server: WebhookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.server.refuse > 0:
            self.server.refuse -= 1
            self.server.refused += 1
            self.send_response(503)
            self.end_headers()
            return
        self.server.posts.append({"json": json.loads(body.decode("utf-8")),
                                  "key": self.headers.get("Idempotency-Key"),
                                  "type": self.headers.get("Content-Type")})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class WebhookServer(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Hook)
        self.posts: list[dict[str, Any]] = []
        self.refuse = 0
        self.refused = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/vigie"

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
