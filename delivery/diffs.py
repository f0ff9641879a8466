"""What changed between a returned update and its resubmission, word by word (difflib).

Works on the plain-text snapshots stored with each submission, so the reviewer compares exactly
what was sent. Segments are plain strings: the template escapes them like any other text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from delivery.models import Transition

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    segments: list[tuple[str, str]]  # ("equal" | "insert" | "delete", text)


@dataclass(frozen=True)
class Resubmission:
    returned: Transition
    before: Transition
    after: Transition
    fields: list[FieldDiff]

    @property
    def has_changes(self) -> bool:
        return any(field.changed for field in self.fields)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    segments = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(old_tokens[i1:i2])))
            continue
        if op in {"delete", "replace"}:
            segments.append(("delete", "".join(old_tokens[i1:i2])))
        if op in {"insert", "replace"}:
            segments.append(("insert", "".join(new_tokens[j1:j2])))
    return segments


def _kpi_text(snapshot: dict) -> str:
    return "\n".join(
        f"{kpi['label']}: " + ", ".join(f"{q} {v}" for q, v in kpi["values"].items())
        for kpi in snapshot.get("kpis", [])
    )


def _quotation_text(snapshot: dict) -> str:
    return "\n".join(
        f"“{q['text']}” ({q['attribution'] or 'anonymous'}, {q['kind']})"
        for q in snapshot.get("quotations", [])
    )


_FIELDS = (
    ("Title", lambda s: s.get("title", "")),
    ("Update", lambda s: s.get("body", "")),
    ("Key facts", lambda s: s.get("key_facts", "")),
    ("KPI lines", _kpi_text),
    ("Quotations", _quotation_text),
)


def snapshot_diff(old: dict, new: dict) -> list[FieldDiff]:
    fields = []
    for label, text_of in _FIELDS:
        before, after = text_of(old or {}), text_of(new or {})
        if not before and not after:
            continue
        fields.append(FieldDiff(label, before != after, word_diff(before, after)))
    return fields


def resubmission(transitions: list[Transition]) -> Resubmission | None:
    """The last return and the submissions either side of it, if the update was resubmitted."""
    positions = [i for i, t in enumerate(transitions) if t.action == Transition.Action.RETURNED]
    if not positions:
        return None
    last_return = positions[-1]
    before = [t for t in transitions[:last_return] if t.action == Transition.Action.SUBMITTED]
    after = [t for t in transitions[last_return + 1:] if t.action == Transition.Action.SUBMITTED]
    if not before or not after:
        return None
    return Resubmission(
        returned=transitions[last_return],
        before=before[-1],
        after=after[-1],
        fields=snapshot_diff(before[-1].snapshot, after[-1].snapshot),
    )
