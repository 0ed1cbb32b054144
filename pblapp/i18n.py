"""Languages: Swedish by default, English on request, and the texts pages and files need.

``?lang=sv|en`` shows one page in that language and changes nothing else. The language
switch (``/language/<lang>?next=<page>``) is what remembers a choice, in a cookie.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, g, redirect, request, url_for
from flask_babel import Babel, get_locale, gettext

from pblapp.domain import agenda, selfeval
from pblapp.domain import phases as phase_suggestion
from pblapp.labels import (  # noqa: F401  (many modules read the labels through here)
    AGENDA_LABELS,
    AGENDA_STEP_LABELS,
    CASE_OUTCOME_LABELS,
    CASE_PERSPECTIVE_LABELS,
    GROUP_KIND_LABELS,
    PHASE_LABELS,
    QUESTION_TYPE_DEFINITIONS,
    QUESTION_TYPE_HINTS,
    QUESTION_TYPE_LABELS,
    REACTION_LABELS,
    SELF_EVALUATION_ITEMS,
    STATUS_LABELS,
)

LANGUAGES = ("sv", "en")
LANG_COOKIE = "pblapp_lang"


def step_title(step: dict) -> str:
    """A step's own title if the facilitator gave one, else its label in the UI language."""
    return agenda.step_title(step, AGENDA_STEP_LABELS)


def self_evaluation_items() -> list[dict]:
    """The items as the phones and the API show them, in the current language."""
    return [
        {"key": key, "text": str(SELF_EVALUATION_ITEMS[key]), "kind": selfeval.item_kind(key)}
        for key in selfeval.ITEM_KEYS
    ]


def evidence_in_words(evidence: list) -> list[str]:
    """A phase suggestion's evidence (``[key, params]`` pairs) as sentences in the current
    language."""
    return phase_suggestion.evidence_sentences(
        [(key, params) for key, params in evidence],
        evidence_texts(),
        {key: str(label) for key, label in QUESTION_TYPE_LABELS.items()},
    )


def current_language() -> str:
    return str(get_locale() or "sv")


def minutes_labels() -> dict:
    """Everything the minutes say besides what people typed, in the current language."""
    return {
        "minutes": gettext("Minutes"),
        # The two kinds of record: minnesanteckningar, or a protokoll with § and signatures.
        "record_titles": {"notes": gettext("Notes"), "protocol": gettext("Minutes")},
        "chair": gettext("Chair"),
        "secretary": gettext("Secretary"),
        "adjusters": gettext("Adjusters"),
        "adjusted": gettext("Adjusted"),
        "signatures": gettext("Signatures"),
        "summary": gettext("Decisions and action items"),
        "summary_columns": (gettext("What"), gettext("Who"), gettext("When"), gettext("Status")),
        "kind_decision": gettext("Decision"),
        "decided": gettext("decided"),
        "agenda_items": gettext("Agenda items"),
        "appendix": gettext("Appendix: posts"),
        # The Word file's footer and its action-item table.
        "page_of": gettext("Page {page} of {pages}"),
        "action_columns": (gettext("What"), gettext("Who"), gettext("When"), gettext("Status")),
        "group": gettext("Group"),
        "meeting": gettext("Meeting"),
        "of": gettext("of"),
        "date": gettext("Date"),
        "time": gettext("Time"),
        "place": gettext("Place"),
        "facilitator": gettext("Facilitator"),
        "attendance": gettext("Attendance"),
        "total": gettext("Total"),
        # "FK, Försäkringskassan: 2 (P01, P02 (arrived late 10:15)); absent: P03"
        "arrived_late": gettext("arrived late"),
        "absent": gettext("absent"),
        "agenda": gettext("Agenda"),
        "step_used": gettext("planned {planned} min, used {used} min"),
        "step_not_started": gettext("planned {planned} min, not started"),
        "starting_point": gettext("Starting point"),
        "starting_point_image": gettext("Starting point image"),
        "contributions": gettext("Contributions by question type"),
        "before_agenda": gettext("Before the agenda started"),
        "duplicate": gettext("duplicate"),
        "decisions": gettext("Decisions"),
        "action_items": gettext("Action items"),
        "due": gettext("by"),
        "action_status": {"open": gettext("open"), "done": gettext("done")},
        "carried": gettext("Questions for the next meeting"),
        "question_status": {
            "open": gettext("open"),
            "answered": gettext("answered"),
            "deferred": gettext("deferred"),
        },
        "owner": gettext("owner"),
        "from_meeting": gettext("from meeting {n}"),
        "answered_questions": gettext("Answered questions"),
        "answered_at": gettext("answered at meeting {n}"),
        "next_meeting": gettext("Next meeting"),
        "phase": gettext("The group's phase"),
        "phase_decided": gettext("decided by the facilitator"),
        "phase_suggested": gettext("suggested by the app, not yet confirmed"),
        "phase_suggestion_was": gettext("the app suggested {phase}"),
        "phase_note": gettext("Note"),
        "phase_evidence": gettext("Evidence"),
        "phases": {key: str(label) for key, label in PHASE_LABELS.items()},
        "self_evaluation": gettext("Self-evaluation"),
        "self_evaluation_n": gettext("{n} answered; scale 1 (do not agree) to 5 (fully agree)"),
        "self_evaluation_too_few": gettext(
            "{n} answered; the summary is shown once at least 3 have answered."
        ),
        "self_evaluation_items": {k: str(v) for k, v in SELF_EVALUATION_ITEMS.items()},
        "mean": gettext("mean"),
        "none": gettext("None"),
        "qtypes": {key: str(label) for key, label in QUESTION_TYPE_LABELS.items()},
        "steps": {key: str(label) for key, label in AGENDA_STEP_LABELS.items()},
    }


def error_message(error) -> str:
    """A refusal's message in the UI language where we have one, else the English one."""
    return error_messages().get(error.code, error.message)


def error_messages() -> dict:
    """What the phone shows for the error codes a participant can meet."""
    return {
        "consent_required": gettext("You must consent before you can take part."),
        "invalid_record_kind": gettext("Choose notes or minutes as the kind of record."),
        "invalid_minutes_names": gettext("Names in the minutes is on or off."),
        "invalid_adjusters": gettext("Give one or two adjusters by name."),
        "display_name_empty": gettext("Write your name or a pseudonym."),
        "display_name_too_long": gettext("At most 60 characters."),
        "invalid_organization": gettext("Choose one of the group's organizations."),
        "unknown_join_code": gettext("No meeting has this code."),
        "meeting_closed": gettext("This meeting has ended."),
        "csrf": gettext("The form expired; please try again."),
        # The facilitator's forms.
        "name_empty": gettext("Give a name."),
        "name_too_long": gettext("A name has at most 120 characters."),
        "invalid_planned_meetings": gettext("Planned meetings is a number from 1 to 100."),
        "invalid_organizations": gettext("Give at least one organization, at most 30."),
        "invalid_organization_code": gettext(
            "An organization code is letters, digits, '-' or '_' only."
        ),
        "duplicate_organization": gettext("Each organization code may appear once."),
        "consent_text_too_long": gettext("The consent text has at most 5000 characters."),
        "goals_too_long": gettext("The goals have at most 20000 characters."),
        "title_too_long": gettext("The title is too long."),
        "place_too_long": gettext("A place has at most 200 characters."),
        "invalid_scheduled_at": gettext("Give a valid date and time."),
        "invalid_timezone": gettext("Choose a time zone from the list."),
        "invalid_next_meeting_at": gettext("Give a valid date and time."),
        "invalid_transition": gettext("The meeting cannot do that in its present state."),
        "unsupported_image": gettext("Upload a PNG, JPEG or WebP image."),
        "image_too_large": gettext("An image may be at most 5 MB."),
        "password_too_short": gettext("A password has at least 10 characters."),
        "password_blank": gettext("A password cannot be only spaces."),
        "password_too_long": gettext("A password has at most 1024 characters."),
        "password_too_common": gettext(
            "This password is too common or too easy to guess. "
            "A few words that do not belong together make a good one."
        ),
        "wrong_password": gettext("The current password is not right."),
        "password_unchanged": gettext("The new password is the one you have now."),
        "label_too_long": gettext("A token's name has at most 80 characters."),
        "user_exists": gettext("That name is taken."),
        "invalid_name": gettext("A user name is 1 to 80 characters."),
        "text_empty": gettext("Write something first."),
        "text_too_long": gettext("At most 2000 characters."),
        "meeting_not_live": gettext("The meeting is not live right now."),
        "invalid_qtype": gettext("Choose a question type from the list."),
        "not_found": gettext("That post is not there any more."),
        "contribution_deleted": gettext("You have deleted this post."),
        "invalid_author_display": gettext("Show the author as a name, a pseudonym or not at all."),
        "offline": gettext("Offline – your post will be sent when you are back online."),
        # The console's live panels.
        "no_answer": gettext("The server did not answer. Check the connection and try again."),
        "title_empty": gettext("Give the new step a title."),
        "invalid_steps": gettext("An agenda has at most 30 steps."),
        "invalid_planned_minutes": gettext("A step's time is 0 to 480 minutes."),
        "step_is_current": gettext("The current step cannot be removed; go to another first."),
        "step_has_begun": gettext(
            "A step that has begun stays in the record; rename it or set its time to 0."
        ),
        "agenda_empty": gettext("The agenda has no steps yet."),
        "agenda_changed_elsewhere": gettext(
            "The agenda was changed elsewhere meanwhile; your edits were not saved. "
            "The editor shows the agenda as it is now."
        ),
        "step_not_found": gettext("That step is no longer on the agenda."),
        "question_quotes_a_post": gettext(
            "This question quotes a participant's post; its words stay as they are."
        ),
        "agenda_done": gettext("Every step of the agenda has been done."),
        "invalid_owner": gettext("Owner: a participant (P03) or one of the group's organizations."),
        "who_empty": gettext("Write who does it."),
        "what_empty": gettext("Write what is to be done."),
        "invalid_due": gettext("Give a valid date."),
        "forbidden": gettext("Only a facilitator may do that."),
        "target_is_merged": gettext(
            "That contribution is already a duplicate of another; merge into that one instead."
        ),
        "merge_into_itself": gettext("A contribution cannot be merged into itself."),
        "contribution_not_found": gettext("There is no such contribution in this meeting."),
        "nothing_to_change": gettext("There was nothing to change."),
        "internal_error": gettext("Something went wrong on the server; try again."),
        "unknown_event": gettext("The server does not know this command; reload the page."),
        # Reactions, the self-evaluation and the group's phase.
        "contribution_merged": gettext(
            "That post was merged into another one; react to that one instead."
        ),
        "meeting_not_started": gettext("The meeting has not started yet."),
        "own_contribution": gettext("You cannot react to your own post."),
        "contribution_hidden": gettext("The facilitator has hidden this post."),
        "invalid_kind": gettext("Choose one of the reactions."),
        "self_evaluation_not_open": gettext("The self-evaluation is not open."),
        "unknown_item": gettext("The self-evaluation has changed; reload the page."),
        "invalid_scale_value": gettext("Choose a number from 1 to 5."),
        "answers_empty": gettext("Answer at least one question."),
        "change_too_long": gettext("At most 2000 characters."),
        "invalid_phase": gettext("Choose one of the phases."),
        # Case stories.
        "case_exists": gettext(
            "This post is a case story already; code it in the list on the group's page."
        ),
        "case_not_found": gettext("There is no such case story in this group."),
        "case_text_is_a_post": gettext("A case story marked on a post keeps the post's words."),
        "contribution_or_text": gettext("Mark a post or write a story, not both."),
        "invalid_outcome": gettext("Choose one of the outcomes."),
        "invalid_perspective": gettext("Choose one of the perspectives."),
        "problem_too_long": gettext("At most 500 characters."),
        "decisive_factor_too_long": gettext("At most 500 characters."),
        "invalid_contribution_id": gettext("Give the id of a contribution (a number)."),
        "invalid_meeting_id": gettext("Choose one of the group's meetings."),
        "meeting_not_found": gettext("There is no such meeting in this group."),
        "author_withdrawn": gettext("The author has withdrawn from the research."),
        "note_too_long": gettext("A note has at most 2000 characters."),
        # Research access: the group page's grant form.
        "user_not_found": gettext("There is no user with that name."),
        "not_a_researcher": gettext("Only researcher accounts can be given access."),
        "invalid_username": gettext("Write the researcher's user name."),
        "grant_not_found": gettext("That user has no access to this group."),
        "not_owner": gettext("Only the group's owner may do that."),
        # Consent, withdrawal, redaction and retention.
        "participant_withdrawn": gettext(
            "You have withdrawn from this group's research, so you cannot post here."
        ),
        "consent_outdated": gettext("The consent text has changed; read it again."),
        "invalid_retention_days": gettext("Retention is a number of days from 0 to 36500."),
        "invalid_withdrawal_policy": gettext("Choose what happens when someone withdraws."),
        "replacement_empty": gettext("Write what the post should say instead."),
        "replacement_too_long": gettext("A replacement has at most 200 characters."),
        # Removing a participant from a meeting, and the limits on joining.
        "participant_removed": gettext("The facilitator has removed you from this meeting."),
        "participant_not_found": gettext("Nobody with this pseudonym joined the meeting."),
        "invalid_pseudonym": gettext("That is not a participant's pseudonym."),
        "join_rate_limited": gettext(
            "Too many tries from this network at once. Wait a minute and try again."
        ),
        # The privacy guard and pre-moderation.
        "post_not_visible": gettext(
            "The post waits for approval or was rejected; approve it before hiding it."
        ),
        "post_not_pending": gettext(
            "Only a post waiting for approval can be rejected; hide a shown post instead."
        ),
        "reason_too_long": gettext("A reason has at most 200 characters."),
        "reason_without_rejection": gettext("A reason goes with a rejection."),
        "nothing_flagged": gettext("Nothing in this post was flagged."),
        "target_not_visible": gettext(
            "That post waits for approval or was rejected; approve it before merging into it."
        ),
        # A full disk: the phone keeps the post and sends it again later.
        "storage_full": gettext(
            "The server cannot save right now; your post will be sent when it can."
        ),
    }


def error_page_text(status: int) -> tuple[str, str]:
    """Heading and sentence of the error page for an HTTP status, in the UI language."""
    if status == 404:
        return gettext("Not found"), gettext(
            "There is no such page, or your account has no access to it."
        )
    if status in (403, 405):
        return gettext("Not allowed"), gettext("Your account may not do this.")
    if status == 400:
        return gettext("Something was wrong with the request"), gettext(
            "The form may have expired. Go back, reload the page and try again."
        )
    if status == 413:
        return gettext("Too large"), gettext("What was sent is larger than the server accepts.")
    return gettext("Something went wrong"), gettext(
        "The server could not do this. Try again; if it happens again, tell the facilitator."
    )


def _local_page(target: str) -> str:
    """``target`` if it is a path on this site, else the start page: never another host
    (``//host`` and ``/\\host`` are read as one by browsers)."""
    if any(ch.isspace() or not ch.isprintable() for ch in target):
        return "/"  # browsers drop tabs and newlines, which could join "/" and "/host"
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return "/"
    return target


def _select_locale() -> str:
    chosen = getattr(g, "chosen_language", None)
    if chosen:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    return cookie if cookie in LANGUAGES else "sv"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale)

    @app.before_request
    def choose_language():
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            g.chosen_language = lang

    @app.get("/language/<lang>")
    def switch_language(lang: str):
        """The language switch: remember ``lang`` and go back to the page it was on."""
        response = redirect(_local_page(request.args.get("next", "")))
        if lang in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response

    @app.template_filter("tojson_labels")
    def labels_as_strings(labels: dict) -> dict:
        return {key: str(value) for key, value in labels.items()}

    def in_language(lang: str) -> str:
        """The switch to ``lang``, coming back to this page with its query (``lang`` left out:
        the stored choice speaks from then on)."""
        args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
        page = request.path + ("?" + urlencode(args) if args else "")
        return url_for("switch_language", lang=lang, next=page)

    @app.context_processor
    def language_context():
        return {
            "languages": LANGUAGES,
            "in_language": in_language,
            "current_language": current_language(),
            "qtype_labels": QUESTION_TYPE_LABELS,
            "qtype_hints": QUESTION_TYPE_HINTS,
            "kind_labels": GROUP_KIND_LABELS,
            "agenda_labels": AGENDA_LABELS,
            "status_labels": STATUS_LABELS,
            "step_labels": AGENDA_STEP_LABELS,
            "error_message": error_message,
            "step_title": step_title,
            "phase_labels": PHASE_LABELS,
            "reaction_labels": REACTION_LABELS,
            "self_evaluation_items": self_evaluation_items,
        }


def evidence_texts() -> dict[str, str]:
    """The sentence for each evidence key of a phase suggestion (``pblapp.domain.phases``),
    in the current language, with ``{placeholders}`` for its params; and the language's
    decimal mark, for the self-evaluation means."""
    # Imported here so that this function stays the only thing it adds to the module.
    from babel.numbers import get_decimal_symbol

    # The English never puts "%" before a letter: Babel would take "% of" for a printf
    # placeholder and refuse the Swedish translation at compile time.
    return {
        "share_of_type": gettext("{qtype} questions: {percent} %"),
        "share_of_two_types": gettext("{qtype} or {qtype2} questions: {percent} %"),
        "first_meeting": gettext("the group's first meeting"),
        "no_disagreement": gettext("no disagreements"),
        "roles_unclear": gettext("ways of working and roles still unclear (mean {mean} of 5)"),
        "disagreement_share": gettext("reactions that disagreed: {percent} %"),
        "unsafe_to_disagree": gettext("it felt less safe to disagree (mean {mean} of 5)"),
        "uneven_participation": gettext("uneven participation (Gini index {gini})"),
        "agenda_overrun": gettext("the agenda ran over time by {percent} %"),
        "build_on_share": gettext("reactions that built on others' posts: {percent} %"),
        "balanced_participation": gettext("balanced participation (Gini index {gini})"),
        "roles_clear": gettext("clear ways of working and roles (mean {mean} of 5)"),
        "after_storming": gettext("fewer disagreements after a conflict phase"),
        "carried_answered": gettext("questions from earlier meetings answered: {percent} %"),
        "solution_rising": gettext(
            "solution-oriented questions rose by {points} percentage points"
        ),
        "towards_goal": gettext("the group came closer to its goal (mean {mean} of 5)"),
        "meeting_of": gettext("meeting {n} of {of}"),
        "last_meeting": gettext("the last planned meeting ({n} of {of})"),
        "assessed_work": gettext("the group assessed its own work (mean {mean} of 5)"),
        "same_phase_as_before": gettext("the same phase as at the previous meeting"),
        "meeting_n": gettext("meeting {n}"),
        "post_count": gettext("contributions: {n}"),
        "few_signals": gettext("few clear signs of any phase"),
        "decimal_mark": get_decimal_symbol(get_locale() or "en"),
    }
