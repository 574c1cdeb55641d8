"""One settings object, read once from the environment (``VIGIE_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypedDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environments in which the demo sign-in (pick a person, no password) is allowed.
DEMO_ENVS = frozenset({"demo", "local", "test"})
KNOWN_ENVS = DEMO_ENVS | {"production"}


class SettingsError(RuntimeError):
    """A setting has a value Vigie cannot run with."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    env: str
    data_dir: Path
    max_upload_mb: int
    session_max_age_hours: float
    #: Minutes without any page run after which a session ends; 0 turns the limit off.
    session_idle_minutes: float = 30.0
    #: The published register is readable without signing in (VIGIE_PUBLIC_REGISTER=off hides it).
    public_register: bool = True
    #: Public reports accepted per rolling hour, all entries together (0: no limit).
    public_reports_per_hour: int = 30
    #: Public reports accepted per rolling hour on one entry (0: no limit).
    public_reports_per_entry: int = 5
    # identity
    group_role_map: str = ""
    group_claim: str = "groups"
    oidc_userinfo: str = "off"
    # the collectivité: its name and logo in the portal's header, the contact of its accessibility statement
    organization_logo: Path | None = None
    accessibility_contact: str = ""
    # notifications: e-mail and webhook channels, and the portal's address for links
    notify: NotifySettings = field(default_factory=lambda: NotifySettings())

    @property
    def demo_login_allowed(self) -> bool:
        return self.env in DEMO_ENVS

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'vigie.db'}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``environ`` (default: the process environment)."""
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("VIGIE_ENV", "demo").strip().lower()
    if env not in KNOWN_ENVS:
        raise SettingsError(f"VIGIE_ENV={env!r} inconnu ; valeurs possibles : {', '.join(sorted(KNOWN_ENVS))}")
    data_dir = Path(env_vars.get("VIGIE_DATA_DIR", str(PROJECT_ROOT / "var"))).resolve()
    url = env_vars.get("VIGIE_DATABASE_URL", "").strip() or default_database_url(data_dir)
    try:
        max_upload = int(env_vars.get("VIGIE_MAX_UPLOAD_MB", "20"))
        max_age = float(env_vars.get("VIGIE_SESSION_MAX_AGE_HOURS", "12"))
        idle = float(env_vars.get("VIGIE_SESSION_IDLE_MINUTES", "30"))
        reports_per_hour = int(env_vars.get("VIGIE_PUBLIC_REPORTS_PER_HOUR", "30"))
        reports_per_entry = int(env_vars.get("VIGIE_PUBLIC_REPORTS_PER_ENTRY", "5"))
    except ValueError as exc:
        raise SettingsError(f"Réglage numérique invalide : {exc}") from exc
    public = env_vars.get("VIGIE_PUBLIC_REGISTER", "on").strip().lower()
    if public not in ("on", "off"):
        raise SettingsError(f"VIGIE_PUBLIC_REGISTER={public!r} : valeurs possibles on, off.")
    if reports_per_hour < 0:
        raise SettingsError("VIGIE_PUBLIC_REPORTS_PER_HOUR doit être positif ou nul (0 : pas de limite), "
                            f"reçu {reports_per_hour}.")
    if reports_per_entry < 0:
        raise SettingsError("VIGIE_PUBLIC_REPORTS_PER_ENTRY doit être positif ou nul (0 : pas de limite), "
                            f"reçu {reports_per_entry}.")
    if idle < 0:
        raise SettingsError(f"VIGIE_SESSION_IDLE_MINUTES doit être positif ou nul (0 : pas de limite), reçu {idle:g}.")
    return Settings(
        database_url=url,
        env=env,
        data_dir=data_dir,
        max_upload_mb=max_upload,
        session_max_age_hours=max_age,
        session_idle_minutes=idle,
        public_register=public == "on",
        public_reports_per_hour=reports_per_hour,
        public_reports_per_entry=reports_per_entry,
        **_identity_settings(env_vars),
        **_organization_settings(env_vars),
        notify=load_notify_settings(env_vars),
    )


# identity
USERINFO_MODES = ("off", "json", "jwt")


def _identity_settings(env_vars: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    """VIGIE_GROUP_ROLE_MAP (``groupe=rôle,…``), VIGIE_GROUP_CLAIM, VIGIE_OIDC_USERINFO (off|json|jwt)."""
    userinfo = env_vars.get("VIGIE_OIDC_USERINFO", "off").strip().lower() or "off"
    if userinfo not in USERINFO_MODES:
        raise SettingsError(f"VIGIE_OIDC_USERINFO={userinfo!r} inconnu ; valeurs possibles : {', '.join(USERINFO_MODES)}")
    return {
        "group_role_map": env_vars.get("VIGIE_GROUP_ROLE_MAP", "").strip(),
        "group_claim": env_vars.get("VIGIE_GROUP_CLAIM", "groups").strip() or "groups",
        "oidc_userinfo": userinfo,
    }


# the collectivité (its name and facts are set on the Administration page; its logo is a file)
class _Organization(TypedDict):
    organization_logo: Path | None
    accessibility_contact: str


def _organization_settings(env_vars: os._Environ[str] | dict[str, str]) -> _Organization:
    """VIGIE_ORGANIZATION_LOGO (a PNG, JPEG or SVG file), VIGIE_ACCESSIBILITY_CONTACT."""
    logo_value = env_vars.get("VIGIE_ORGANIZATION_LOGO", "").strip()
    logo = None
    if logo_value:
        logo = Path(logo_value).expanduser().resolve()
        if logo.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
            raise SettingsError(f"VIGIE_ORGANIZATION_LOGO={logo_value!r} : fichier PNG, JPEG ou SVG attendu.")
        if not logo.is_file():
            raise SettingsError(f"VIGIE_ORGANIZATION_LOGO={logo_value!r} : fichier introuvable.")
    return {"organization_logo": logo,
            "accessibility_contact": env_vars.get("VIGIE_ACCESSIBILITY_CONTACT", "").strip()}


# notifications
SMTP_SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class NotifySettings:
    """Where e-mails and webhook posts go. Credentials and the webhook address (it often holds a token)
    come from VIGIE_SMTP_* / VIGIE_NOTIFY_WEBHOOK_URL or from the secrets file ([smtp], [notifications])."""

    base_url: str = "http://localhost:8501"
    smtp_host: str = ""  # empty: no e-mail is sent (the inbox still fills)
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "vigie@localhost"
    smtp_timeout: float = 30.0
    smtp_cafile: str = ""  # a CA bundle for a relay signed by the collectivité's own authority
    webhook_url: str = ""

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)


def secrets_file(env_vars: os._Environ[str] | dict[str, str]) -> Path:
    return Path(env_vars.get("VIGIE_SECRETS_FILE", "").strip() or PROJECT_ROOT / ".streamlit" / "secrets.toml")


def load_notify_settings(env_vars: os._Environ[str] | dict[str, str]) -> NotifySettings:
    import tomllib

    path = secrets_file(env_vars)
    try:
        secrets = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"Fichier de secrets {path} illisible : {exc}") from exc
    smtp, notif = secrets.get("smtp", {}), secrets.get("notifications", {})

    def pick(var: str, section: dict[str, object], key: str, default: str) -> str:
        return (env_vars.get(var, "").strip() or str(section.get(key, "") or "").strip()) or default

    security = pick("VIGIE_SMTP_SECURITY", smtp, "security", "starttls").lower()
    if security not in SMTP_SECURITY:
        raise SettingsError(f"VIGIE_SMTP_SECURITY={security!r} inconnu ; valeurs possibles : {', '.join(SMTP_SECURITY)}")
    try:
        port = int(pick("VIGIE_SMTP_PORT", smtp, "port", "465" if security == "tls" else "587"))
    except ValueError as exc:
        raise SettingsError(f"VIGIE_SMTP_PORT : nombre attendu ({exc})") from exc
    return NotifySettings(
        base_url=pick("VIGIE_BASE_URL", notif, "base_url", "http://localhost:8501").rstrip("/"),
        smtp_host=pick("VIGIE_SMTP_HOST", smtp, "host", ""), smtp_port=port, smtp_security=security,
        smtp_user=pick("VIGIE_SMTP_USER", smtp, "user", ""), smtp_password=pick("VIGIE_SMTP_PASSWORD", smtp, "password", ""),
        smtp_from=pick("VIGIE_SMTP_FROM", smtp, "from", "vigie@localhost"),
        smtp_cafile=pick("VIGIE_SMTP_CAFILE", smtp, "cafile", ""),
        webhook_url=pick("VIGIE_NOTIFY_WEBHOOK_URL", notif, "webhook_url", ""),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()
