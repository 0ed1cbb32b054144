"""The operations: every SQL statement of the app, one module per area.

Each operation that changes something runs in one :meth:`pblapp.db.Database.change`: it
writes its rows and appends its events in the same transaction. None of them publishes or
writes files; the subscribers in ``pblapp.effects`` do that from the committed events.

The modules import each other explicitly, with no cycles; ``lookup`` (what a user may see)
is at the bottom. No Flask here: the web layer checks who asks (``pblapp.domain.access``) and
passes the user's id in. docs/architecture.md lists every module.
"""

from pblapp.ops import (
    accounts,
    agenda,
    audit,
    cases,
    consent,
    decisions,
    deletion,
    followups,
    groups,
    identities,
    lookup,
    meetings,
    moderation,
    participation,
    phases,
    privacy,
    reactions,
    records,
    removal,
    retention,
    screen,
    screen_link,
    selfeval,
)

__all__ = [
    "accounts",
    "agenda",
    "audit",
    "cases",
    "consent",
    "decisions",
    "deletion",
    "followups",
    "groups",
    "identities",
    "lookup",
    "meetings",
    "moderation",
    "participation",
    "phases",
    "privacy",
    "reactions",
    "records",
    "removal",
    "retention",
    "screen",
    "screen_link",
    "selfeval",
]
