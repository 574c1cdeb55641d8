"""Notifications and reminders: an inbox per person, e-mails (immediate or daily digest)
and a webhook, derived from the audit trail and the due dates without changing the other services."""

from portal.services.notifications.service import (
    MODES,
    DeliveryReport,
    DeliveryView,
    NotificationService,
    NotificationView,
    PreferenceView,
    StatusReport,
    SyncReport,
)

__all__ = ["MODES", "DeliveryReport", "DeliveryView", "NotificationService", "NotificationView", "PreferenceView",
           "StatusReport", "SyncReport"]
