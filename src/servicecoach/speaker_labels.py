"""Speaker labels that name a role, not a person ("User", "Support", "spk_0", "Agent 2"):
never taken for the agent's or the customer's name."""

from __future__ import annotations

import re

_GENERIC = re.compile(
    r"^(?:the )?(?:user|users|support|support team|agent|customer|client|caller|callee|bot|"
    r"chatbot|virtual agent|ivr|system|operator|rep|representative|assistant|ai|human|"
    r"speaker|spk|person|participant|host|guest|visitor|member|staff|csr|advisor|adviser|"
    r"moderator|unknown|anonymous|me|you|customer service|customer care|helpdesk|help desk)"
    r"[\s_#-]*\d*$",
    re.IGNORECASE)


def is_generic_label(label: str) -> bool:
    """True when a speaker label names a role or a position, not a person."""
    return bool(_GENERIC.match(label.strip()))
