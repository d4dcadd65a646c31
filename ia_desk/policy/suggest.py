"""Suggesting the clauses a narrative most likely breaches, ranked, with the reason.

Offline and light: BM25 over each rule clause's title and text, enriched with curated
vocabulary of what people actually write (``resources/suggest/vocabulary.json``:
"cruiser", "body cam", "rap sheet", "selfie in uniform"…). Curated phrases found in
the narrative add to a clause's score; a misspelt word is matched to the nearest known
word. Only clauses that state a rule are candidates, within the policies that bind the
subject's department (police: vpd-3.21 first, then city-sn; city: city-sn).

The user always decides: suggestions are offered, never applied.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ia_desk.errors import InputError
from ia_desk.policy.catalogue import POLICY_ORDER, shipped_files
from ia_desk.policy.citation import judge
from ia_desk.resources import resource

STOP_WORDS = """a an and are as at be been but by for from had has have he her his i if in into
is it its me my of on or our she so that the their them they this to was we were what when
which who will with you your about after all also any because before being both can could
did do does down during each few further here him how just more most no nor not now off once
only other out over own same should some such than then there these those through too under
until up very where while why would yes yet posted post posts posting postd employee employees
officer officers department vicksburg police city shall may"""
STOP = frozenset(STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    word = word.replace("’", "'").replace("'s", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ied", "ies") else base
    return word


def words(text: str) -> list[str]:
    """Lower-cased, stemmed words without stop words."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP]


def words_as_written(text: str) -> list[tuple[str, str]]:
    """(stem, the word as written) pairs, stop words left out."""
    return [(stem(w), w) for w in _WORD.findall(text.lower()) if w not in STOP]


@dataclass
class _Doc:
    clause: str
    title: str
    policy: str
    tf: dict[str, float] = field(default_factory=dict)
    length: float = 0.0
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (normalised, as written)


@dataclass(frozen=True)
class Suggestion:
    clause: str
    score: float
    title: str
    why: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "score": round(self.score, 3),
            "title": self.title,
            "why": self.why,
        }


class Suggester:
    K1 = 1.2
    B = 0.75
    WEIGHTS = {"title": 2.0, "text": 1.0, "vocab": 3.0}
    PHRASE_BOOST = 2.2

    def __init__(self, clauses: list[dict[str, Any]], vocabulary: dict[str, list[str]]) -> None:
        self.docs: list[_Doc] = []
        for c in clauses:
            if not judge(c["id"], c["kind"], bool(c["rule"]), c["text"]).citable:
                continue
            doc = _Doc(c["id"], c["title"], c["id"].split("/")[0])
            for part, text in (("title", c["title"]), ("text", c["text"])):
                for w in words(text):
                    doc.tf[w] = doc.tf.get(w, 0.0) + self.WEIGHTS[part]
            for entry in vocabulary.get(c["id"], []):
                ws = words(entry)
                for w in ws:
                    doc.tf[w] = doc.tf.get(w, 0.0) + self.WEIGHTS["vocab"]
                if len(ws) > 1:
                    doc.phrases.append((" ".join(ws), entry))
                elif ws:
                    doc.phrases.append((ws[0], entry))
            doc.length = sum(doc.tf.values())
            self.docs.append(doc)
        self.avg_len = sum(d.length for d in self.docs) / max(len(self.docs), 1)
        df: dict[str, int] = {}
        for d in self.docs:
            for w in d.tf:
                df[w] = df.get(w, 0) + 1
        n = len(self.docs)
        self.idf = {w: math.log((n - k + 0.5) / (k + 0.5) + 1.0) for w, k in df.items()}
        self.known = sorted(self.idf)
        self._corrections: dict[str, str | None] = {}

    def _correct(self, word: str) -> str | None:
        if word in self.idf:
            return word
        if word not in self._corrections:
            close = None
            if len(word) >= 5 and not any(ch.isdigit() for ch in word):
                found = difflib.get_close_matches(word, self.known, n=1, cutoff=0.86)
                close = found[0] if found else None
            if len(self._corrections) > 20_000:
                self._corrections.clear()
            self._corrections[word] = close
        return self._corrections[word]

    def rank(self, narrative: str, policies: list[str], top: int = 5) -> list[Suggestion]:
        pairs = words_as_written(narrative)
        raw = [w for w, _ in pairs]
        query: dict[str, float] = {}
        shown: dict[str, str] = {}
        for w, written in pairs:
            c = self._correct(w)
            if c is not None:
                query[c] = query.get(c, 0.0) + 1.0
                shown.setdefault(c, written if w == c else f"{written} (≈{c})")
        # Phrases are matched on the corrected words, so "body cma" still finds "body cam".
        joined = " " + " ".join(self._correct(w) or w for w in raw) + " "
        results = []
        for d in self.docs:
            if d.policy not in policies:
                continue
            score = 0.0
            why: list[str] = []
            norm = self.K1 * (1 - self.B + self.B * d.length / self.avg_len)
            for w, qtf in query.items():
                tf = d.tf.get(w)
                if not tf:
                    continue
                score += self.idf[w] * tf * (self.K1 + 1) / (tf + norm) * min(qtf, 2.0)
                why.append(shown[w])
            for phrase, written in d.phrases:
                if " " in phrase and f" {phrase} " in joined:
                    score += self.PHRASE_BOOST * (1 + phrase.count(" "))
                    why.insert(0, f'"{written}"')
            if score <= 0:
                continue
            # Policies in order of precedence for the department: the first one wins ties.
            score *= 1.0 - 0.12 * policies.index(d.policy)
            results.append(Suggestion(d.clause, score, d.title, list(dict.fromkeys(why))[:8]))
        results.sort(key=lambda s: (-s.score, s.clause))
        return results[: max(top, 0)]


@cache
def default_suggester() -> Suggester:
    """Built once from the newest shipped version of each policy and the vocabulary."""
    newest: dict[str, dict[str, Any]] = {}
    for f in shipped_files():
        data = f.data
        current = newest.get(data["policy"])
        if current is None or (data.get("effective_from") or "") > (
            current.get("effective_from") or ""
        ):
            newest[data["policy"]] = data
    clauses = [c for data in newest.values() for c in data["clauses"]]
    vocab = json.loads(resource("suggest", "vocabulary.json").read_text(encoding="utf-8"))
    vocab.pop("_about", None)
    return Suggester(clauses, vocab)


def suggest(
    narrative: str, department: str = "police", policy: str | None = None, top: int = 5
) -> list[Suggestion]:
    """Ranked clause suggestions for a narrative (no database needed)."""

    if department not in POLICY_ORDER:
        raise InputError("department: must be police or city.", field="department")
    policies = POLICY_ORDER[department]
    if policy is not None:
        if policy not in policies:
            raise InputError(
                f"--policy: {policy} does not bind a {department} employee "
                f"(choose from {', '.join(policies)}).",
                field="policy",
            )
        policies = [policy]
    if not isinstance(top, int) or not 1 <= top <= 50:
        raise InputError("--top: a whole number from 1 to 50.", field="top")
    return default_suggester().rank(narrative or "", policies, top)
