"""The home screen's counts: what needs doing, per role, each a query of the case list.

Every count is the case list's own count of the query it opens (:func:`count_matching`),
run as the actor: it covers exactly the cases the list would show them, so a count can
never say more than the list (a supervisor's cover only the reports they submitted, and
they are offered no count made of what they do not see). A count is not audited (a list,
not a read of a case).

What each role starts the day with:

- IA (investigators and administrators): the open cases assigned to them and the
  deadlines among them, those whose findings a reviewer returned to them, and (the IA
  commander) the findings awaiting their sign-off; then all open cases: overdue, due
  within a week, reporter updates due, immediate action (and overdue), held for a
  retaliation review, unassigned; and
  the cases with their own tasks due within a week (or overdue) and with anyone's task
  overdue (issue 22: IA's tasks). Those counts open the case list, as every count does
  (a count of cases lists exactly the cases it counted); the tasks themselves are listed
  on the "My tasks" screen, as the count's tooltip says.
- Supervisors: the reports they submitted, by status, and the overdue ones.
- Command staff: the open cases by status, the findings awaiting the Chief's sign-off
  (the review chain), and the Chief's immediate action: awaiting the Chief, overdue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ia_desk.casefile.listing import (
    DUE_SOON_DAYS,
    WORK_CACHE,
    CaseQuery,
    count_matching,
)
from ia_desk.cases.review import chain
from ia_desk.db.models import CASE_STATUSES
from ia_desk.security.actor import Actor
from ia_desk.security.roles import allowed, sees_identities

# Plain words for the statuses (the labels module holds the badge words; the home
# screen's counts read as sentences).
_STATUS_WORDS = {
    "received": ("Received, not assigned", "Waiting for an investigator to be assigned."),
    "assigned": ("Assigned, not started", "An investigator is assigned; the work has not begun."),
    "investigating": ("Being investigated", "The investigation is under way."),
    "findings": ("Awaiting sign-off", "Findings are recorded; the case waits for sign-off."),
    "closed": ("Closed", "The case is closed."),
}


@dataclass(frozen=True)
class HomeCount:
    """One count of the home screen: its words, how many, and the list it opens."""

    key: str  # stable, for tests and the command line's --json
    group: str  # the heading it is shown under
    label: str
    meaning: str  # the tooltip: what exactly is counted
    count: int
    query: CaseQuery

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "group": self.group, "label": self.label, "count": self.count}


def _items(actor: Actor, steps: tuple[str, ...]) -> list[tuple[str, str, str, str, CaseQuery]]:
    """(key, group, label, meaning, query) of each count the actor's role is offered."""
    items: list[tuple[str, str, str, str, CaseQuery]] = []
    soon = f"due within {DUE_SOON_DAYS} days"
    if sees_identities(actor):  # IA
        mine = "Assigned to me"
        items += [
            (
                "mine.open",
                mine,
                "My open cases",
                "Open cases assigned to you.",
                CaseQuery(assigned_to_me=True, open_only=True),
            ),
            (
                "mine.overdue",
                mine,
                "Overdue",
                "Your open cases past their deadline.",
                CaseQuery(assigned_to_me=True, work="overdue"),
            ),
            (
                "mine.due_soon",
                mine,
                soon.capitalize(),
                f"Your open cases whose deadline falls within {DUE_SOON_DAYS} days.",
                CaseQuery(assigned_to_me=True, work="due_soon"),
            ),
            (
                "mine.reporter_update_due",
                mine,
                "Reporter updates due",
                "Your open cases whose reporter is owed an update.",
                CaseQuery(assigned_to_me=True, work="reporter_update_due"),
            ),
        ]
        items.append(
            (
                "mine.returned",
                mine,
                "Findings returned to me",
                "Your cases whose findings a reviewer returned with comments: under "
                "investigation again.",
                CaseQuery(work="returned_to_me"),
            )
        )
        if allowed(actor, "review.commander") and "commander" in steps:
            items.append(
                (
                    "review.awaiting_me",
                    mine,
                    "Awaiting my sign-off",
                    "Cases whose findings wait for the IA commander's sign-off (the first "
                    "step of the review chain).",
                    CaseQuery(work="awaiting_my_review"),
                )
            )
        if allowed(actor, "task.read"):
            items.append(
                (
                    "mine.tasks_due",
                    mine,
                    "Cases with my tasks due",
                    f"Open cases with a task for you not done and due within {DUE_SOON_DAYS} "
                    "days, or overdue. The tasks themselves are listed on My tasks.",
                    CaseQuery(work="my_tasks_due"),
                )
            )
        every = "All open cases"
        items += [
            (
                "all.overdue",
                every,
                "Overdue",
                "Open cases past their deadline (not paused).",
                CaseQuery(work="overdue"),
            ),
            (
                "all.due_soon",
                every,
                soon.capitalize(),
                f"Open cases whose deadline falls within {DUE_SOON_DAYS} days.",
                CaseQuery(work="due_soon"),
            ),
            (
                "all.reporter_update_due",
                every,
                "Reporter updates due",
                "Open for the update period without an update to the reporter.",
                CaseQuery(work="reporter_update_due"),
            ),
            (
                "all.immediate_action",
                every,
                "Immediate action",
                "Open cases that call for the Chief's immediate action (3.21 §V.B).",
                CaseQuery(work="immediate_action"),
            ),
            (
                "all.immediate_action_overdue",
                every,
                "Immediate action overdue",
                "Nothing recorded as done within the hours the department allows.",
                CaseQuery(work="immediate_action_overdue"),
            ),
            (
                "all.retaliation_hold",
                every,
                "Held for retaliation review",
                "A good-faith reporter is a subject; the review is not yet recorded (3.21 §V.C).",
                CaseQuery(work="retaliation_hold"),
            ),
            *(
                [
                    (
                        "all.tasks_overdue",
                        every,
                        "Cases with overdue tasks",
                        "Open cases with a task (anyone's) not done and due before today.",
                        CaseQuery(work="tasks_overdue"),
                    )
                ]
                if allowed(actor, "task.read")
                else []
            ),
            (
                "all.unassigned",
                every,
                "Not yet assigned",
                "Received cases waiting for an investigator.",
                CaseQuery(status="received"),
            ),
        ]
    elif allowed(actor, "case.read"):  # command staff
        by_status = "Open cases by status"
        for status in CASE_STATUSES:
            if status == "closed":
                continue
            label, meaning = _STATUS_WORDS[status]
            items.append((f"status.{status}", by_status, label, meaning, CaseQuery(status=status)))
        if allowed(actor, "review.chief") and "chief" in steps:
            items.append(
                (
                    "review.awaiting_me",
                    "The review chain",
                    "Awaiting the Chief's sign-off",
                    "Cases whose findings the IA commander signed off and that wait for the "
                    "Chief's sign-off before they close.",
                    CaseQuery(work="awaiting_my_review"),
                )
            )
        chief = "The Chief's immediate action"
        items += [
            (
                "chief.awaiting",
                chief,
                "Awaiting the Chief",
                "Immediate action is called for and nothing is recorded as done yet.",
                CaseQuery(work="awaiting_chief"),
            ),
            (
                "chief.overdue",
                chief,
                "Immediate action overdue",
                "Nothing recorded as done within the hours the department allows.",
                CaseQuery(work="immediate_action_overdue"),
            ),
            (
                "all.overdue",
                "Deadlines",
                "Overdue cases",
                "Open cases past their deadline (not paused).",
                CaseQuery(work="overdue"),
            ),
        ]
    else:  # a supervisor: the reports they submitted
        mine = "My submitted reports"
        items.append(
            ("reports.all", mine, "All my reports", "Every report you submitted.", CaseQuery())
        )
        for status in CASE_STATUSES:
            label, meaning = _STATUS_WORDS[status]
            items.append((f"reports.{status}", mine, label, meaning, CaseQuery(status=status)))
        items.append(
            (
                "reports.overdue",
                mine,
                "Overdue",
                "Your reports whose case is past its deadline.",
                CaseQuery(work="overdue"),
            )
        )
    return items


def home_counts(session: Session, actor: Actor) -> list[HomeCount]:
    """The counts of the actor's home screen, in the order shown, read in one snapshot
    (the caller's session). Each is the case list's count of its query, as the actor."""
    session.info[WORK_CACHE] = {}
    try:
        return [
            HomeCount(key, group, label, meaning, count_matching(session, actor, q), q)
            for key, group, label, meaning, q in _items(actor, chain(session))
        ]
    finally:
        session.info.pop(WORK_CACHE, None)
