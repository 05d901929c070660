"""The channel an export says a conversation took place on, from the vendor's own value.

Readers pass the field their export carries (Zendesk ``via.channel``, Intercom
``source.type``, LivePerson ``info.source``, Genesys ``mediaType``/``messageType``,
Freshdesk ``source`` numbers); a value that names no channel we know gives None, and the
configured channel (``--channel``, ``channel =`` in servicecoach.toml) applies, else chat.
"""

from __future__ import annotations

from typing import Any

_BY_NAME = {
    # e-mail
    "email": "email", "e-mail": "email", "mail": "email", "outbound_email": "email",
    "forwarded_email": "email",
    # social networks, public posts and their direct messages
    "twitter": "social", "twitter_dm": "social", "x": "social", "facebook": "social",
    "facebook_post": "social", "facebook_messenger": "social", "instagram": "social",
    "instagram_dm": "social", "weibo": "social", "social": "social", "line": "social",
    # voice
    "voice": "voice", "call": "voice", "phone": "voice", "phone_call": "voice",
    "phone_switch": "voice", "callback": "voice", "telephony": "voice",
    # chat and messaging (one-to-one, private: a chat's conventions)
    "chat": "chat", "web": "chat", "messaging": "chat", "native_messaging": "chat",
    "web_widget": "chat", "mobile_sdk": "chat", "conversation": "chat", "webmessaging": "chat",
    "app": "chat", "shark": "chat", "sms": "chat", "whatsapp": "chat", "messenger": "chat",
    "google_rcs": "chat", "abc": "chat", "message": "chat",
}
"""Vendor values (lower case) and the channel they mean."""

FRESHDESK_TICKET_SOURCES = {1: "email", 3: "voice", 5: "social", 6: "social", 7: "chat",
                            10: "email", 13: "chat"}
"""Freshdesk ticket ``source``: 1 e-mail, 3 phone, 5 Twitter, 6 Facebook, 7 chat, 10 outbound
e-mail, 13 WhatsApp (2 portal, 4 forum, 9 feedback widget... say nothing of the channel)."""
FRESHDESK_CONVERSATION_SOURCES = {1: "email", 5: "social", 7: "social", 8: "email", 9: "voice"}
"""Freshdesk conversation ``source``: 1 e-mail, 5 tweet, 7 Facebook post, 8 forwarded e-mail,
9 phone (0 reply and 2 note follow the ticket)."""


def channel_named(*values: Any) -> str | None:
    """The channel the first value that names one means (``"twitter"`` -> ``"social"``),
    or None when none does."""
    for value in values:
        if isinstance(value, str):
            channel = _BY_NAME.get(value.strip().lower())
            if channel is not None:
                return channel
    return None


def freshdesk_channel(ticket: dict[str, Any], entries: list[dict[str, Any]]) -> str | None:
    """The channel of a Freshdesk ticket: its ``source``, else its conversations'."""
    channel = FRESHDESK_TICKET_SOURCES.get(_number(ticket.get("source")))
    if channel is not None:
        return channel
    for entry in entries:
        channel = FRESHDESK_CONVERSATION_SOURCES.get(_number(entry.get("source")))
        if channel is not None:
            return channel
    return None


def _number(value: Any) -> int:
    """An export's integer code, or -1 for anything else (a string, a bool, null)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
