"""The group archive's ``README.txt``: a data dictionary that names every file of the
archive and every column of its tables, so that the archive explains itself without the
app's documentation.

The column meanings here are the short form of docs/data-formats.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Each column's meaning; columns with a name made from a code or key use a pattern
# (``org_share_<CODE>``, ``se_<item>``, ``share_<type>``), matched by prefix.
COLUMNS: dict[str, str] = {
    # log.csv and log.xlsx
    "group_id": "the group's id in the app",
    "group_name": "the group's name",
    "meeting_number": "the meeting's number in its group: 1, 2, 3 ...",
    "meeting_date": "the day the meeting started (else its planned day), local date",
    "contribution_id": "the contribution's id, unique in the app",
    "seq": "the contribution's number in its meeting, in the order received",
    "created_at": "when the server stored it, UTC (ISO 8601, milliseconds, Z)",
    "pseudonym": "the participant: P01, P02 ... stable across the group's meetings",
    "organization": "the participant's organisation code (for a case story: the narrator's)",
    "question_type": "the question type now (encyclopedic, meaning, relational, value, "
    "solution); empty if untagged",
    "text": "the contribution (or the case story) as typed",
    "hidden": "true if the facilitator hid it from the screen",
    "carry_forward": "true if marked 'take to the next meeting'",
    "original_question_type": "the question type the participant posted it with; empty if untagged",
    "retag_count": "how many times the facilitator changed its question type",
    "agenda_step": "the agenda step current when it was posted: the step's title, else its "
    "name in the group's language; empty before the agenda started",
    "merged_into": "the contribution_id it was merged into as a duplicate; empty if none",
    "created_at_local": "created_at in local time, ISO 8601 with the UTC offset",
    "status": "visible; pending (waiting for the facilitator's approval, never shown) or "
    "rejected (never shown)",
    "flags": "what the privacy guard found in the text: personnummer, phone, email, name "
    "(;-separated); empty if nothing",
    "flags_cleared": "true if the facilitator checked the flags; while false the flagged "
    "parts of text are masked as ••••",
    # participants.csv
    "joined_at": "when the participant joined this meeting, UTC",
    "consent_version": "the version (hash) of the consent text they agreed to; the text is "
    "consent/<version>.txt; empty if not recorded",
    "withdrawn": "true for a participant who withdrew: that row has no meeting and no data",
    # meetings.csv
    "suggested_phase": "the group's phase suggested by the app (forming, storming, norming, "
    "performing, adjourning)",
    "decided_phase": "the phase the facilitator decided; empty if none",
    "series_position": "meeting number / planned meetings",
    "posts": "visible contributions, merged duplicates counted once",
    "share_": "share of the posts of that question type, 0-1",
    "mix_shift": "how far the question-type mix moved from the previous meeting, 0-1",
    "solution_shift": "change of share_solution from the previous meeting",
    "participation_gini": "Gini coefficient of posts per participant present",
    "org_share_": "share of the posts by that organisation",
    "agree_rate": "share of all reactions that were 'agree'",
    "disagreement_rate": "share of all reactions that were 'disagree'",
    "build_on_rate": "share of all reactions that were 'build on'",
    "reactions_per_post": "reactions per visible post",
    "carried_answered_share": "of the questions carried into the meeting, the share answered",
    "agenda_overrun": "time used over time planned for the steps that started, minus 1",
    "se_n": "participants who answered the self-evaluation",
    "se_": "mean of that self-evaluation statement (1-5); empty while fewer than 3 answered",
    # cases.csv
    "case_id": "the case story's id",
    "source": "'contribution' (marked on a post) or 'typed' (written after the meeting)",
    "outcome": "successful, failed, mixed or unclear; empty if not coded",
    "perspective": "client or professional; empty if not coded",
    "problem": "the basic problem, as coded",
    "decisive_factor": "the decisive factor, as coded",
    "updated_at": "when the case story was last changed, UTC",
    # cases-summary.csv
    "successful": "case stories coded successful",
    "failed": "case stories coded failed",
    "mixed": "case stories coded mixed",
    "unclear": "case stories coded unclear",
    "uncoded": "case stories with no outcome yet",
    "total": "all case stories of the organisation",
    # codebook.csv
    "key": "the question type's key, as in log.csv",
    "label_sv": "its name in Swedish",
    "label_en": "its name in English",
    "definition_sv": "what a question of the type asks, in Swedish",
    "definition_en": "what a question of the type asks, in English",
    "example_sv": "an example question from the source studies (Swedish)",
    # content-analysis.csv and .xlsx, Swedish headers and English ones
    "möte": "meeting: the meeting_number",
    "meeting": "the meeting_number",
    "inlägg": "contribution: the contribution_id",
    "contribution": "the contribution_id",
    "organisation": "organization: the author's organisation code",
    "meningsenhet": "meaning unit: the contribution's text",
    "meaning unit": "the contribution's text",
    "kondenserad meningsenhet": "condensed meaning unit: empty, for the analyst",
    "condensed meaning unit": "empty, for the analyst",
    "underliggande mening": "underlying meaning: empty, for the analyst",
    "underlying meaning": "empty, for the analyst",
    "kod": "code: the question type's label as a first code, for the analyst to change",
    "code": "the question type's label as a first code, for the analyst to change",
    "kategori": "category: empty, for the analyst",
    "category": "empty, for the analyst",
}

# log.jsonl is one JSON object per line, not a table: its fields.
JSONL_FIELDS: dict[str, str] = {
    "seq": "the event's number in the app's log; events are in this order",
    "at": "when it happened, UTC",
    "group_id": "the group",
    "meeting_id": "the meeting, or null for an event of the group",
    "type": "what happened: contribution.added, contribution.updated, participant.joined, "
    "case.added ... (every type and its data: pblapp's docs/data-formats.md)",
    "actor": "a pseudonym, 'facilitator', 'researcher' or 'system'",
    "data": "the event's details",
}

FILES: dict[str, str] = {
    "README.txt": "this file",
    "log.csv": "one row per contribution of every meeting, hidden ones included (RFC 4180, "
    "UTF-8, CRLF). The exact text, for R and pandas: nothing is changed to suit a "
    "spreadsheet. In Excel, open log.xlsx instead",
    "log.xlsx": "the same rows and columns as log.csv, for Excel: every text is a text cell, "
    "never a formula",
    "log.jsonl": "the event log: one JSON object per line, in order",
    "participants.csv": "one row per pseudonym and meeting attended",
    "meetings.csv": "one row per meeting: the group's phase and the indicators behind it",
    "cases.csv": "one row per case story (fallberättelse) with its coding",
    "cases-summary.csv": "case stories counted by the narrator's organisation and outcome",
    "content-analysis.csv": "a content-analysis sheet: each visible contribution as a meaning "
    "unit, ready to condense, code and categorise",
    "content-analysis.xlsx": "the same sheet for Excel",
    "codebook.csv": "the five question types: names and definitions in Swedish and English",
    "export.qdpx": "a REFI-QDA project of the group for NVivo, ATLAS.ti, MAXQDA or QualCoder",
}
MINUTES_TEXT = (
    "the minutes of meeting <n> in the group's language: Markdown (.md), a printable page "
    "(.html) and Word (.docx). Minutes are for people; use the logs for analysis."
)
CONSENT_TEXT = (
    "a consent text participants agreed to, named by its version (participants.csv, "
    "consent_version)"
)


def column_meaning(name: str) -> str:
    """What a column holds, from :data:`COLUMNS` (patterns by prefix)."""
    if name in COLUMNS:
        return COLUMNS[name]
    for prefix in ("org_share_", "share_", "se_"):
        if name.startswith(prefix):
            return COLUMNS[prefix] + f" ({name[len(prefix) :]})"
    return ""


def file_meaning(path: str) -> str:
    if path in FILES:
        return FILES[path]
    if path.startswith("minutes/"):
        return MINUTES_TEXT
    if path.startswith("consent/"):
        return CONSENT_TEXT
    return ""


def readme(
    header: Mapping[str, str],
    paths: Sequence[str],
    columns: Mapping[str, Sequence[str]],
) -> str:
    """``README.txt``: ``header`` lines (``name: value``), then every file of ``paths``
    with its meaning, and for each table of ``columns`` (path → its header row) every
    column with its meaning. Lines end in CRLF, for Notepad."""
    lines = ["pblapp research archive", "=======================", ""]
    lines += [f"{name}: {value}" for name, value in header.items()]
    lines += [
        "",
        "Participants appear only by pseudonym. Participants who withdrew are left out of",
        "every file: their contributions, reactions, self-evaluation answers and attendance.",
        "Times ending in Z are UTC; local dates and times are in the time zone above.",
        "",
        "Files",
        "-----",
        "",
    ]
    for path in paths:
        lines.append(f"{path}")
        lines.append(f"    {file_meaning(path)}")
        if path in columns:
            width = max(len(name) for name in columns[path])
            lines.append("    columns:")
            lines += [
                f"      {name.ljust(width)}  {column_meaning(name)}" for name in columns[path]
            ]
        if path == "log.jsonl":
            lines.append("    fields of each line:")
            lines += [f"      {name.ljust(10)}  {text}" for name, text in JSONL_FIELDS.items()]
        lines.append("")
    return "\r\n".join(lines)
