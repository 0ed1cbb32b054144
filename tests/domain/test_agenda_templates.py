"""The agenda templates: the steps of each and the time they plan."""

from helpers import planned_minutes
from pblapp.domain import agenda


def test_the_pbl_cycle_fills_two_hours_in_the_steps_of_the_sources():
    assert sum(planned_minutes("pbl-cycle")) == 120
    assert [k for k, _ in agenda.TEMPLATES["pbl-cycle"]][0] == "report-back"
    assert [k for k, _ in agenda.TEMPLATES["pbl-cycle"]][-1] == "evaluation"
    assert len(agenda.TEMPLATES["seven-jump"]) == 7
    assert [k for k, _ in agenda.TEMPLATES["focus-group"]] == [
        "opening",
        "introductory",
        "transition",
        "key-questions",
        "ending",
    ]
    assert agenda.TEMPLATES["free"] == ()
