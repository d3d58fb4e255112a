from hypothesis import given
from hypothesis import strategies as st

from helpline.tickets.choices import Level, Priority
from helpline.tickets.priority import priority_for

levels = st.sampled_from(list(Level))
RANK = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2}
PRIORITY_RANK = {Priority.P1: 0, Priority.P2: 1, Priority.P3: 2, Priority.P4: 3}


def test_matrix_corners():
    assert priority_for("high", "high") == Priority.P1
    assert priority_for("low", "low") == Priority.P4
    assert priority_for("medium", "medium") == Priority.P3
    assert priority_for("high", "low") == Priority.P3


@given(levels, levels)
def test_matrix_is_symmetric(impact, urgency):
    assert priority_for(impact, urgency) == priority_for(urgency, impact)


@given(levels, levels, levels)
def test_raising_impact_never_lowers_priority(impact, urgency, higher):
    if RANK[higher] <= RANK[impact]:
        assert (
            PRIORITY_RANK[priority_for(higher, urgency)]
            <= PRIORITY_RANK[priority_for(impact, urgency)]
        )


@given(levels, levels)
def test_raising_urgency_never_lowers_priority(impact, urgency):
    for higher in Level:
        if RANK[higher] <= RANK[urgency]:
            assert (
                PRIORITY_RANK[priority_for(impact, higher)]
                <= PRIORITY_RANK[priority_for(impact, urgency)]
            )
