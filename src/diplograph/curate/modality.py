"""How sure a clause is (data/README.md's certainty), and its tense: negation, modals
and prospects (hypothetical), hedges, reporters ("X said that", "according to X")."""

from __future__ import annotations

from . import syntax
from .lexicon import (
    FUTURE,
    HEDGES,
    MODALS,
    NEGATIVE,
    OBJECT_CONTROL,
    PROSPECT,
    SAYING,
)


def negated(tok, own: bool = False) -> bool:
    """A "not", "no", "never" on ``tok`` or a word it depends on (``own``: on it only)."""
    for t in syntax.chain(tok)[:1] if own else syntax.chain(tok):
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ in ("det", "advmod") and c.lower_ in NEGATIVE):
                return True
            if c.dep_ == "nsubj" and c.lower_ in ("no", "nobody", "none", "nothing"):
                return True
            if c.dep_ == "nsubj" and any(g.lower_ == "no" for g in c.children):
                return True  # "No one is planning to"
        if t.dep_ == "pobj" and t.head.lower_ == "without":
            return True
    return False


def certainty(tok, own: bool = False) -> tuple[str, object]:
    """(certainty, the token naming who reported it or None), from ``tok`` and the words
    it depends on (``own``: its own modifiers only, for a noun's relation)."""
    sure, reporter, _ = certainty_words(tok, own)
    return sure, reporter


def certainty_words(tok, own: bool = False) -> tuple[str, object, list]:
    """``certainty``'s answer and the words that make a fact hedged or hypothetical
    ("likely", "would", "is expected to"), which its quote keeps."""
    hypothetical, hedged, future_ = [], [], []
    reporter = None
    path = syntax.chain(tok)[:1] if own else syntax.chain(tok)
    for k, t in enumerate(path):
        lemma = t.lemma_.lower()
        # "At a meeting with Y, X said ...": the setting of a saying is not what was said
        setting = k > 0 and path[k - 1].dep_ in ("prep", "advcl", "npadvmod")
        for c in t.children:
            if c.dep_ in ("aux", "auxpass") and c.lower_ in FUTURE:
                future_.append(c)  # "will": a prospect, unless a hedge says how likely
            elif c.dep_ in ("aux", "auxpass") and c.lower_ in MODALS:
                hypothetical.append(c)
            if c.dep_ == "advmod" and c.lower_ in HEDGES:
                hedged.append(c)
            if c.dep_ == "mark" and c.lower_ in ("if", "unless"):
                hypothetical.append(c)
            if c.dep_ == "amod" and c.lower_ in PROSPECT:
                hypothetical.append(c)  # "the possible release of"
            if c.dep_ == "prep" and c.lower_ == "according":
                for to in c.children:
                    reporter = reporter or next((p for p in to.children if p.dep_ == "pobj"), None)
            if (
                c.dep_ == "acomp"
                and c.lower_ in ("likely", "possible", "probable")
                and t is not tok
            ):
                hedged.append(c)
        if t is not tok and lemma in PROSPECT and t.pos_ in ("VERB", "ADJ", "NOUN"):
            hypothetical.append(t)
        elif t is not tok and lemma in OBJECT_CONTROL and syntax.infinitive(path[k - 1]):
            hypothetical.append(t)  # "counting on X to intervene": not done yet
        if t is not tok and lemma in ("appear", "seem"):
            hedged.append(t)
        said = lemma in SAYING and t.pos_ == "VERB" and not setting
        if t is not tok and said and reporter is None:
            reporter = next((c for c in t.children if c.dep_ == "nsubj"), None)
        if t.lower_ in ("likely", "probably", "reportedly"):
            hedged.append(t)
    if hypothetical or (future_ and not hedged):
        return "hypothetical", reporter, hypothetical + future_
    if reporter is not None:
        return "reported", reporter, []
    if hedged:
        return "hedged", None, hedged
    return "stated", None, []


def future(tok) -> bool:
    for t in syntax.chain(tok):
        if any(c.dep_ == "aux" and c.lower_ in ("will", "'ll", "’ll", "shall") for c in t.children):
            return True
        if t.pos_ == "VERB":
            break
    return False


def pluperfect(tok) -> bool:
    """ "had begun": a flashback, not the story's clock."""
    return any(
        c.dep_ == "aux" and c.lower_ == "had"
        for t in syntax.chain(tok)
        if t.pos_ in ("VERB", "AUX")
        for c in t.children
    )


def tense(tok) -> str | None:
    """The tense of ``tok``'s clause; a gerund or infinitive without an auxiliary takes
    the tense of the verb it hangs from ("By releasing X, Y showed")."""
    verbs = [t for t in syntax.chain(tok) if t.pos_ in ("VERB", "AUX")]
    if not verbs:
        return None
    verb = verbs[0]
    for v in verbs:
        aux = any(c.dep_ in ("aux", "auxpass") and c.tag_ != "TO" for c in v.children)
        if v.tag_ in ("VBD", "VBZ", "VBP") or aux or v.dep_ in ("relcl", "acl"):
            verb = v
            break
    tags = {verb.tag_, *(c.tag_ for c in verb.children if c.dep_ in ("aux", "auxpass"))}
    if tags & {"VBD"} or (verb.tag_ == "VBN" and not tags & {"VBZ", "VBP"}):
        return "past"
    if tags & {"VBZ", "VBP"} or (verb.tag_ == "VBG" and tags & {"VBZ", "VBP"}):
        if any(c.lower_ in ("has", "have") for c in verb.children if c.dep_ == "aux"):
            return "present"
        return "present"
    return None
