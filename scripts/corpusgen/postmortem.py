"""A postmortem file: front-matter from the incident's facts, and a body of 3 to 8 KB.

The body has every required section; optional paragraphs are then added in random order
until a size drawn for the document is reached, so postmortem sizes spread like real ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from corpusgen.choices import Choices
from corpusgen.frontmatter import document, number
from corpusgen.model import Incident, Service
from corpusgen.text import fill, hm, long_date, minutes_between, timestamp, uncap
from corpusgen.vocabulary import Vocabulary

#: Bounds of a postmortem body in bytes (3 KiB to 8 KB, whichever way a reader counts).
BODY_MIN = 3100
BODY_MAX = 7900
SECTIONS = (
    "Summary",
    "Impact",
    "Timeline",
    "Contributing factors",
    "What went well",
    "What went wrong",
    "Where we got lucky",
    "Supporting information",
    "Action items",
)


def render_postmortem(
    inc: Incident, by_id: dict[str, Service], vocab: Vocabulary, choices: Choices
) -> str:
    """The whole file; ``choices`` is the corpus' stream, from which this document derives."""
    front = front_matter(inc, by_id, vocab, choices.derive("incident", inc.number, "status-page"))
    return document(front, render_body(inc, vocab, choices.derive("incident", inc.number, "body")))


def front_matter(
    inc: Incident, by_id: dict[str, Service], vocab: Vocabulary, choices: Choices
) -> dict[str, Any]:
    """The postmortem's fields in the order the schema lists them; optional ones only if set."""
    s = inc.slots
    prose = vocab.postmortem.summary
    summary = prose.front_matter if inc.resolved is not None else prose.front_matter_open
    roles: dict[str, Any] = {"incident_commander": inc.commander}
    optional_roles = (
        ("scribe", inc.scribe),
        ("communications_lead", inc.comms),
        ("subject_matter_experts", inc.smes),
    )
    roles.update((key, value) for key, value in optional_roles if value)
    data: dict[str, Any] = {
        "id": inc.id,
        "title": inc.title,
        "status": inc.status,
        "severity": inc.severity,
        "services": inc.services,
        "started_at": inc.started,
        "detected_at": inc.detected,
        "acknowledged_at": inc.acknowledged,
        "mitigated_at": inc.mitigated,
        "resolved_at": inc.resolved,
        "detection": inc.detection,
        "alerts": inc.alerts,
        "roles": roles,
        "impact": {"summary": fill(summary, s), "users_affected_pct": number(inc.users_pct)},
        "runbooks": inc.runbooks,
        "related": inc.related,
        "recurrence_of": inc.recurrence_of,
        "tags": inc.tags,
        "action_items": [
            {
                key: value
                for key, value in (
                    ("title", item.title),
                    ("owner", item.owner),
                    ("due", item.due),
                    ("status", item.status),
                    ("kind", item.kind),
                    ("completed_on", item.completed_on),
                    ("tracker", item.tracker),
                )
                if value is not None
            }
            for item in inc.actions
        ],
        "status_page": status_page(inc, by_id, vocab, choices),
    }
    return {key: value for key, value in data.items() if value not in (None, [])}


def status_page(
    inc: Incident, by_id: dict[str, Service], vocab: Vocabulary, choices: Choices
) -> dict[str, Any]:
    """Components and updates; a message never repeats the one just before it."""
    comps = [c for s in inc.services for c in by_id[s].components][:3]
    updates = []
    previous = ""
    for moment, status in inc.updates:
        previous = choices.pick([m for m in vocab.status_page[status] if m != previous])
        updates.append({"at": moment, "status": status, "message": fill(previous, inc.slots)})
    return {
        "title": fill(vocab.symptoms[inc.symptom].status_title, inc.slots),
        "impact": inc.level.status_page_impact,
        "components": {comp: choices.pick(inc.level.component_states) for comp in comps},
        "updates": updates,
    }


class Body:
    """A postmortem body as ordered sections of paragraphs and bullets, with its size."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, str]]] = {name: [] for name in SECTIONS}
        self.size = 0

    def cost(self, section: str, block: str) -> int:
        heading = 0 if self.parts[section] else len(section) + 5
        return heading + len(block) + 2

    def add(self, section: str, block: str, order: int = 1000) -> None:
        """``order`` places a block within its section (bullets of a fixed sequence)."""
        self.size += self.cost(section, block)
        self.parts[section].append((order, block))

    def render(self) -> str:
        out: list[str] = []
        for name in SECTIONS:
            blocks = [b for _, b in sorted(self.parts[name], key=lambda item: item[0])]
            if not blocks:
                continue
            out.append(f"## {name}\n")
            text = ""
            for index, block in enumerate(blocks):
                joined_list = (
                    block.startswith("- ") and index and blocks[index - 1].startswith("- ")
                )
                text += ("\n" if joined_list else ("\n\n" if index else "")) + block
            out.append(text + "\n")
        return "\n".join(out)


def timeline_rows(inc: Incident, vocab: Vocabulary, choices: Choices) -> list[tuple[datetime, str]]:
    """What happened when, from the first sign to resolution, in time order."""
    prose = vocab.postmortem.timeline
    s = {**inc.slots, "alert": inc.alerts[0] if inc.alerts else ""}
    trig = inc.trigger
    rows = [
        (
            inc.started - timedelta(minutes=choices.between(1, 9)),
            fill(choices.pick(trig.prelude), s),
        ),
        (inc.started, fill(prose.started, s)),
        (inc.detected, fill(prose.detected[inc.detection], s)),
        (inc.acknowledged, fill(prose.acknowledged, s)),
    ]
    limit = inc.mitigated or inc.updates[-1][0]
    window = max(1, minutes_between(inc.acknowledged, limit))
    rows.append((inc.acknowledged + timedelta(minutes=max(1, window // 6)), fill(prose.command, s)))
    for step, text in enumerate(trig.diagnosis):
        moment = inc.acknowledged + timedelta(minutes=max(1, window * (step + 2) // 5))
        rows.append((moment, fill(text, s)))
    for index, (moment, status) in enumerate(inc.updates):
        if status != "resolved":
            label = prose.first_update if index == 0 else prose.update
            rows.append((moment, fill(label, {**s, "status": status})))
    if inc.mitigated is not None:
        step_at = inc.mitigated - timedelta(minutes=min(window // 5, 8))
        rows.append((step_at, fill(choices.pick(trig.mitigation), s)))
        rows.append((inc.mitigated, fill(prose.mitigated, s)))
    if inc.resolved is not None:
        rows.append((inc.resolved, fill(prose.resolved, s)))
    rows.sort(key=lambda row: row[0])
    return rows


def timeline_table(rows: list[tuple[datetime, str]]) -> str:
    """A Markdown table; with dates when the incident crossed midnight."""
    multi_day = rows[0][0].date() != rows[-1][0].date()
    lines = ["| Time (UTC) | Event |", "|---|---|"]
    for moment, text in rows:
        when = moment.strftime("%Y-%m-%d %H:%M") if multi_day else hm(moment)
        lines.append(f"| {when} | {text} |")
    return "\n".join(lines)


def render_body(inc: Incident, vocab: Vocabulary, choices: Choices) -> str:
    """Mandatory sections first, then optional material until the drawn size is reached."""
    prose = vocab.postmortem
    s = dict(inc.slots)
    trig = inc.trigger
    mitigation = fill(choices.pick(trig.mitigation), s)
    s["mitigation"] = mitigation
    s["mitigation_lower"] = uncap(mitigation)
    target = choices.between(BODY_MIN + 250, BODY_MAX - 350)
    body = Body()

    opener = fill(choices.pick(prose.summary.openers), s)
    body.add("Summary", f"{opener} {fill(choices.pick(trig.causes), s)}")
    if inc.resolved is not None:
        body.add("Summary", fill(choices.pick(prose.summary.closers), s))
    else:
        body.add("Summary", fill(prose.summary.still_open, s))
    if inc.recurrence_of:
        link = f"[[{inc.recurrence_of}]]"
        body.add("Summary", fill(prose.summary.recurrence, {**s, "recurrence_link": link}))
    elif inc.related:
        links = ", ".join(f"[[{r}]]" for r in inc.related)
        body.add("Summary", fill(prose.summary.similar, {**s, "related_links": links}))

    bullets = choices.shuffled(enumerate(prose.impact.bullets))
    for order, template in bullets[:3]:
        body.add("Impact", "- " + fill(template, s), order)
    body.add("Timeline", timeline_table(timeline_rows(inc, vocab, choices)))
    factors = choices.shuffled(trig.factors)
    for factor in factors[:2]:
        body.add("Contributing factors", f"**{factor.lead}** {fill(factor.text, s)}")
    well = choices.shuffled([*prose.went_well, *(prose.went_well_runbook if inc.runbooks else ())])
    for template in well[:2]:
        body.add("What went well", "- " + fill(template, s))
    actions = prose.action_items
    done = sum(1 for a in inc.actions if a.status == "done")
    done_text = actions.done if done else actions.none_done
    s["done_text"] = fill(done_text, {**s, "done": str(done), "total": str(len(inc.actions))})
    body.add("Action items", fill(choices.pick(actions.paragraphs), s))

    optional: list[tuple[str, str, int]] = []
    optional += [("Impact", "- " + fill(t, s), order) for order, t in bullets[3:]]
    generic = choices.shuffled(prose.contributing_factors.generic)
    optional += [
        ("Contributing factors", f"**{f.lead}** {fill(f.text, s)}", 1000)
        for f in [*factors[2:], *generic[:3]]
    ]
    logs = [
        fill(line, {**s, "ts": timestamp(inc.started + timedelta(seconds=41 * k))})
        for k, line in enumerate(trig.logs)
    ]
    logs_intro = prose.contributing_factors.logs
    optional.append(
        ("Contributing factors", f"{logs_intro}\n\n```text\n" + "\n".join(logs) + "\n```", 1000)
    )
    optional += [("What went well", "- " + fill(t, s), 1000) for t in well[2:5]]
    wrong = [*trig.wrong, *choices.sample(prose.went_wrong, 3)]
    optional += [("What went wrong", "- " + fill(t, s), 1000) for t in wrong]
    optional += [
        ("Where we got lucky", "- " + fill(t, s), 1000) for t in choices.sample(prose.lucky, 2)
    ]
    optional += [
        ("Supporting information", fill(t, s), 1000) for t in choices.sample(prose.supporting, 2)
    ]
    optional += [("Summary", fill(t, s), 1000) for t in choices.sample(prose.summary.extras, 2)]
    intro = fill(prose.contributing_factors.command, s)
    command = fill(trig.command, s)
    optional.append(("Contributing factors", f"{intro}\n\n```bash\n{command}\n```", 1000))
    waiting = [a for a in inc.actions if a.status in ("open", "in-progress")]
    for item in waiting[:2]:
        reason = choices.pick(actions.open_reasons)
        state = item.status.replace("-", " ")
        line = fill(
            actions.waiting,
            {
                **s,
                "title": item.title,
                "state": state,
                "due_long": long_date(item.due),
                "reason": reason,
            },
        )
        optional.append(("Action items", line, 2000))
    kinds = ", ".join(sorted({a.kind for a in inc.actions}))
    optional.append(
        ("Impact", fill(prose.impact.communication, {**s, "action_kinds": kinds}), 2000)
    )
    for section, block, order in choices.shuffled(optional):
        if body.size >= target:
            break
        if body.size + body.cost(section, block) <= BODY_MAX - 150:
            body.add(section, block, order)
    spare = iter(prose.supporting)
    while body.size < BODY_MIN + 100:
        body.add("Supporting information", fill(next(spare), s))
    return body.render()
