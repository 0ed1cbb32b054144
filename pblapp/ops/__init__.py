"""The operations: every SQL statement of the app, one module per area.

Each operation that changes something runs in one :meth:`pblapp.db.Database.change`: it
writes its rows and appends its events in the same transaction. None of them publishes or
writes files; the subscribers in ``pblapp.effects`` do that from the committed events.

The modules import each other explicitly, lower ones first: ``lookup`` (what a user may
see), then ``accounts``, ``groups``, ``agenda``, ``followups``, ``decisions``, ``screen``,
``meetings``, ``participation`` and ``records``. No Flask here: the web layer checks who asks
(``pblapp.domain.access``) and passes the user's id in.
"""

from pblapp.ops import (
    accounts,
    agenda,
    audit,
    cases,
    identities,
    privacy,
    decisions,
    followups,
    groups,
    lookup,
    meetings,
    participation,
    records,
    screen,
)

__all__ = [
    "audit",
    "identities",
    "privacy",
    "cases",
    "lookup",
    "accounts",
    "groups",
    "agenda",
    "followups",
    "decisions",
    "screen",
    "meetings",
    "participation",
    "records",
]
