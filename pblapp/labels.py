"""Every label of the domain in Swedish and English, for Flask-Babel: question types and
their definitions, group kinds, agenda templates and steps, meeting statuses, phases,
reactions, the self-evaluation's items and the case stories' codes. The keys are the stable
ones of ``pblapp.domain.vocabulary``; the texts are lazy, so each follows its reader's
language."""

from flask_babel import lazy_gettext

QUESTION_TYPE_LABELS = {
    "encyclopedic": lazy_gettext("Encyclopedic"),
    "meaning": lazy_gettext("Meaning-oriented"),
    "relational": lazy_gettext("Relational"),
    "value": lazy_gettext("Value-oriented"),
    "solution": lazy_gettext("Solution-oriented"),
    "untagged": lazy_gettext("Untagged"),
}

QUESTION_TYPE_HINTS = {
    "encyclopedic": lazy_gettext("Facts, definitions, how a rule works."),
    "meaning": lazy_gettext("Why? The purpose or reason behind something."),
    "relational": lazy_gettext("How things relate; what it means for whom."),
    "value": lazy_gettext("Is it good or bad, right or wrong?"),
    "solution": lazy_gettext("What can we do?"),
}

# The codebook's definitions (codebook.csv), after PRODUCT.md's "the question asks ...".
QUESTION_TYPE_DEFINITIONS = {
    "encyclopedic": lazy_gettext("The question asks for facts, definitions or how a rule works."),
    "meaning": lazy_gettext("The question asks why: the purpose or reason behind something."),
    "relational": lazy_gettext(
        "The question asks how things relate: the consequences for whom, and the room for action."
    ),
    "value": lazy_gettext("The question asks whether something is good or bad, right or wrong."),
    "solution": lazy_gettext("The question asks what we can do."),
}

# Case stories (fallberättelser): the codes of pblapp.domain.cases.
CASE_OUTCOME_LABELS = {
    "successful": lazy_gettext("Successful"),
    "failed": lazy_gettext("Failed"),
    "mixed": lazy_gettext("Mixed"),
    "unclear": lazy_gettext("Unclear"),
}
CASE_PERSPECTIVE_LABELS = {
    "client": lazy_gettext("The client's"),
    "professional": lazy_gettext("The professional's"),
}

GROUP_KIND_LABELS = {
    "pbl": lazy_gettext("Base group (PBL)"),
    "focus": lazy_gettext("Focus group"),
    "reference": lazy_gettext("Reference group"),
}

AGENDA_LABELS = {
    "pbl-cycle": lazy_gettext("PBL cycle"),
    "seven-jump": lazy_gettext("Seven jump"),
    "focus-group": lazy_gettext("Focus group question route"),
    "free": lazy_gettext("Free"),
}

AGENDA_STEP_LABELS = {
    "report-back": lazy_gettext("Report back on last meeting's questions"),
    "starting-point": lazy_gettext("Starting point"),
    "what-do-we-see": lazy_gettext("What do we see?"),
    "problem-formulation": lazy_gettext("Problem formulation"),
    "know-need-to-know": lazy_gettext("What do we know, what do we need to know?"),
    "learning-goals": lazy_gettext("Learning goals and questions for next time"),
    "evaluation": lazy_gettext("Evaluation of content, process and group"),
    "clarify-terms": lazy_gettext("Clarify terms"),
    "define-problem": lazy_gettext("Define the problem"),
    "brainstorm": lazy_gettext("Brainstorm"),
    "structure": lazy_gettext("Structure"),
    "learning-objectives": lazy_gettext("Learning objectives"),
    "self-study": lazy_gettext("Self-study"),
    "report-back-synthesise": lazy_gettext("Report back and synthesise"),
    "opening": lazy_gettext("Opening question"),
    "introductory": lazy_gettext("Introductory questions"),
    "transition": lazy_gettext("Transition questions"),
    "key-questions": lazy_gettext("Key questions"),
    "ending": lazy_gettext("Ending questions"),
}


STATUS_LABELS = {
    "planned": lazy_gettext("Planned"),
    "live": lazy_gettext("Live"),
    "closed": lazy_gettext("Closed"),
}


PHASE_LABELS = {
    "forming": lazy_gettext("Forming"),
    "storming": lazy_gettext("Storming"),
    "norming": lazy_gettext("Norming"),
    "performing": lazy_gettext("Performing"),
    "adjourning": lazy_gettext("Adjourning"),
}

REACTION_LABELS = {
    "agree": lazy_gettext("Agree"),
    "disagree": lazy_gettext("Disagree"),
    "build_on": lazy_gettext("Build on"),
}

# The self-evaluation's items (pblapp.domain.selfeval): statements rated 1 (do not agree
# at all) to 5 (fully agree), and one question answered in words.
SELF_EVALUATION_ITEMS = {
    "safe_to_disagree": lazy_gettext("It felt safe to disagree and to say what I think."),
    "roles_clear": lazy_gettext("It was clear how we work and who does what."),
    "towards_goal": lazy_gettext("Today the group came closer to its goal."),
    "own_learning": lazy_gettext("I took responsibility for my own learning."),
    "active_part": lazy_gettext("I took an active part in the group's work."),
    "assessed_work": lazy_gettext("We looked at how we ourselves and the group worked."),
    "fixed_problems": lazy_gettext("We put right what did not work in how we work."),
    "change": lazy_gettext("What should we change in how we work?"),
}
