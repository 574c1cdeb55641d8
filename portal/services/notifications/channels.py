"""How a message leaves: SMTP (STARTTLS, TLS or plain on a trusted relay) and a JSON webhook.

A send raises :class:`SendError`; ``permanent`` says whether trying again can help (an SMTP 5xx
reply, an HTTP 4xx answer) or not.
"""

from __future__ import annotations

import hashlib
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from portal.settings import NotifySettings


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def message_id(idempotency_key: str) -> str:
    """The same Message-ID for every try of one delivery, so a receiving server can drop a repeat."""
    return f"<{hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]}@vigie.notifications>"


def build_email(config: NotifySettings, *, to: str, to_name: str, subject: str, body: str, key: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr(("Vigie", config.smtp_from))
    msg["To"] = formataddr((to_name, to))
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(key)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no automatic replies to it
    msg.set_content(body, charset="utf-8")
    return msg


def _context(config: NotifySettings) -> ssl.SSLContext:
    """Certificates always verified: the system's authorities, or the file VIGIE_SMTP_CAFILE names."""
    return ssl.create_default_context(cafile=config.smtp_cafile or None)


def send_email(config: NotifySettings, msg: EmailMessage) -> None:
    try:
        if config.smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout,
                                                    context=_context(config))
        else:
            client = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout)
        with client:
            if config.smtp_security == "starttls":
                client.starttls(context=_context(config))
            if config.smtp_user:
                client.login(config.smtp_user, config.smtp_password)
            client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendError(f"destinataire refusé par le serveur ({codes})",
                        permanent=all(c >= 500 for c in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendError(f"serveur SMTP : {exc.smtp_code} {text}", permanent=exc.smtp_code >= 500
                        and not isinstance(exc, smtplib.SMTPAuthenticationError)) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"serveur SMTP injoignable ou en erreur : {exc}") from exc


def post_webhook(url: str, payload: dict[str, Any], *, key: str, timeout: float = 15.0) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise SendError("webhook : adresse http:// ou https:// attendue", permanent=True)
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key, "User-Agent": "Vigie"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"webhook : réponse HTTP {exc.code}",
                        permanent=400 <= exc.code < 500 and exc.code not in (408, 429)) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"webhook injoignable : {exc}") from exc
