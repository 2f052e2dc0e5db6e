"""The words the spaCy extractor reads: cues beyond the vocabulary's, and the closed
classes of words (saying, prospect, hedges, negation, role and group nouns, titles...)
that the modules of ``parse`` share. Data only: nothing here reads a parse."""

from __future__ import annotations

#: Verbs and nouns of the CAMEO verb classes the vocabulary's cues lack, by type.
EXTRA_CUES: dict[str, list[str]] = {
    "met": ["meet", "meeting", "summit", "receive", "host talks"],
    "released": ["free", "release"],
    "imprisoned": ["jail", "detain", "imprison", "sentence"],
    "negotiates-with": ["negotiate", "talk", "dialogue", "negotiation"],
    "visited": ["visit", "travel to", "fly to", "arrive in", "arrive at"],
    "consulted": ["call", "phone", "speak with", "speak to", "talk to", "talk with"],
    "appeals-to": ["urge", "appeal to", "call on", "press"],
    "criticizes": ["criticize", "condemn", "denounce", "blame"],
    "accuses": ["accuse"],
    "threatens": ["threaten", "warn"],
    "sanctions": ["sanction"],
    "demands": ["demand"],
    "rejects": ["reject", "refuse", "rebuff"],
    "cooperates-with": ["praise", "welcome", "endorse", "sign"],
    "aids": ["help", "supply", "provide"],
    "envoy-of": ["envoy", "negotiator", "emissary"],
    "leads": ["rule", "leader", "president", "prime minister", "premier", "chancellor", "king"],
    "official-of": ["counterpart", "minister", "secretary", "official", "ambassador",
                    "spokesperson", "spokesman", "spokeswoman", "diplomat"],
    "escorted": ["escort", "accompany"],
    "advises": ["advise", "advice", "adviser", "advisor"],
}  # fmt: skip

#: Endings a cue's ``*`` may stand for: "negotiat*" is negotiate, negotiation,
#: negotiator; never "hostage" for "host*".
ENDINGS = {
    "", "e", "es", "ed", "ing", "s", "ion", "ions", "ation", "ations", "or", "ors", "er",
    "ers", "ment", "ments", "y", "ies", "ied", "ity", "ive", "al", "ist", "ists", "ship",
}  # fmt: skip
#: Verbs of saying: a clause they govern is reported by their subject.
SAYING = {
    "say", "tell", "report", "claim", "announce", "state", "add", "note", "confirm",
    "write", "insist", "argue", "allege", "declare", "reveal", "disclose", "assert",
    "acknowledge", "explain", "describe",
}  # fmt: skip
#: Heads that make what they govern a prospect: "is expected to meet", "plans to".
PROSPECT = {
    "expect", "plan", "intend", "hope", "want", "need", "aim", "seek", "propose", "try",
    "wish", "prepare", "ready", "keen", "willing", "set", "due", "consider", "offer",
    "agree", "promise", "threaten", "able", "possible", "potential", "future", "proposed",
    "planned", "possibility", "prospect", "chance", "option", "idea", "if", "unless",
}  # fmt: skip
MODALS = {"would", "could", "may", "might", "can", "will", "should", "must", "shall", "'ll",
           "’ll", "ca", "wo"}  # fmt: skip
FUTURE = {"will", "shall", "'ll", "’ll", "wo"}
HEDGES = {"likely", "probably", "possibly", "perhaps", "apparently", "reportedly",
           "allegedly", "seemingly", "presumably", "appear", "seem", "unclear"}  # fmt: skip
NEGATIVE = {"not", "n't", "n’t", "never", "no", "neither", "nor", "without", "nobody",
             "none", "nothing"}  # fmt: skip
#: Nouns that stand for a government or a people's representatives.
GROUP_NOUNS = {
    "official", "government", "administration", "authority", "leadership", "negotiator",
    "delegation", "diplomat", "force", "troop", "ministry", "regime", "side", "team",
    "counterpart", "envoy", "representative", "people", "military", "army", "embassy",
    "cabinet", "president", "leader", "minister", "prime", "state",
}  # fmt: skip
#: Nouns for a person a text names once and then refers to by role.
ROLE_NOUNS = {
    "leader", "president", "envoy", "minister", "autocrat", "diplomat", "premier",
    "chancellor", "negotiator", "official", "secretary", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "dictator", "strongman", "opposition", "activist",
    "blogger", "journalist", "prisoner", "deputy", "counterpart", "emissary", "king",
    "general", "commander", "chief", "head", "mediator",
}  # fmt: skip
#: Verbs that carry an event noun's actor: "Minsk began its dialogue with".
LIGHT_VERBS = {
    "hold", "have", "begin", "start", "make", "conduct", "resume", "launch", "host",
    "open", "continue", "pursue", "seek", "mark", "announce", "impose", "lift", "ease",
    "maintain", "keep", "extend", "secure", "win", "give", "pay", "undertake", "reopen",
    "send", "close",
}  # fmt: skip
#: Verbs that call their object something: "describe him as a connoisseur".
CALLING = {
    "describe", "call", "see", "regard", "consider", "name", "appoint", "portray", "depict",
    "view", "present", "cast", "label", "brand", "treat", "recognize", "recognise", "elect",
}  # fmt: skip
COPULAS = {"be", "become", "remain", "serve", "act"}
#: Words that make an event an election: what one runs for office in.
ELECTION_WORDS = {"election", "elections", "vote", "referendum", "ballot", "primary", "poll"}
#: Nouns of what one gives another: "advice from X" is X's, to whoever takes it.
GIVEN_NOUNS = {
    "advice", "counsel", "guidance", "help", "support", "aid", "assistance", "invitation",
    "request", "offer", "pressure", "demand", "warning", "threat", "criticism", "proposal",
}  # fmt: skip
#: Verbs whose object is the subject of the infinitive after it: "urged X to leave".
OBJECT_CONTROL = {
    "count", "rely", "call", "urge", "ask", "press", "push", "persuade", "convince",
    "encourage", "invite", "expect", "want", "need", "allow", "tell", "order", "force",
}  # fmt: skip
#: Words for a part of a group: "more than half were nationals of X".
PROPORTIONS = {"half", "most", "majority", "minority", "some", "many", "third", "quarter",
               "several", "few", "dozen"}  # fmt: skip
#: Words that pick members out of a group: "the first of the G", "one of the G".
PARTITIVES = {"one", "first", "second", "third", "last", "another"}
#: Prepositions that introduce the target of a verb without an object, by type kind.
TARGET_PREPS = {"with", "to", "on", "against", "into", "for", "from", "toward", "towards"}
PLACE_PREPS = {"in", "at", "inside", "near"}
PLACE_NOUNS = {
    "border", "airport", "embassy", "palace", "residence", "crossing", "checkpoint",
    "center", "centre", "prison", "headquarters", "port", "harbour", "harbor", "summit",
    "base", "compound", "camp", "conference", "capital", "city", "village",
}  # fmt: skip
NER_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "country",
    "NORP": "country",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "event",
}
#: Words spaCy may tag as an organisation inside a title ("Secretary of State").
NOT_NAMES = {"state", "department", "ministry", "office", "foreign ministry", "cabinet"}
#: Nouns for what someone says or asks: "rejected the demands of X" is about X.
SPEECH_NOUNS = {
    "demand", "request", "proposal", "offer", "call", "appeal", "plan", "claim", "statement",
    "position", "ultimatum", "plea", "initiative", "overture", "bid", "condition",
}  # fmt: skip
#: Verbs whose object is sought, not done: "negotiated their release".
SEEKING = {"negotiate", "discuss", "seek", "demand", "request", "push", "urge", "want"}
#: Nouns for people a group of whom holds a country's citizenship.
PEOPLE_NOUNS = {
    "citizen", "national", "soldier", "guard", "prisoner", "hostage", "journalist", "worker",
    "student", "fisherman", "sailor", "civilian", "man", "woman", "people", "detainee",
    "conscript", "pilot", "tourist", "activist", "volunteer", "captive", "crew", "resident",
}  # fmt: skip
#: Nouns for a state's officials.
OFFICIAL_NOUNS = {"official", "diplomat", "minister", "officer", "ambassador", "envoy"}
#: Kin nouns that name the child: "X's children" are X's, not X's parents.
CHILD_NOUNS = {"child", "children", "son", "daughter", "grandchild", "grandson", "granddaughter"}
PLURAL_PRONOUNS = {"they", "them", "their", "theirs"}
#: "the two men", "the two countries": the kind of entity each plural noun stands for.
KIND_OF_PAIR = {
    **dict.fromkeys(("man", "men", "woman", "women", "leader", "minister", "envoy",
                     "diplomat", "official", "negotiator", "prisoner", "citizen",
                     "president", "politician", "hostage", "foreign minister"), "person"),
    **dict.fromkeys(("country", "nation", "side", "government", "state", "neighbor",
                     "neighbour", "capital", "party"), "country"),
}  # fmt: skip
PRONOUNS = {"he": "person", "him": "person", "his": "person", "she": "person",
             "her": "person", "hers": "person"}  # fmt: skip
#: Verbs that join two entities without being a relation of their own.
NOT_RELATIONS = {
    "be", "have", "do", "say", "tell", "report", "become", "remain", "seem", "appear",
    "make", "take", "give", "get", "show", "want", "need", "see", "know", "think", "let",
    "include", "mark", "call", "describe", "like", "find", "value", "follow", "use", "try",
    "leave", "keep", "put", "go", "come", "play", "move", "expect", "consider", "satisfy",
    "succeed", "fail", "bring", "squeeze", "emerge", "offer", "engage", "receive", "send",
}  # fmt: skip


#: Titles before a name, never a name of their own.
TITLES = {"president", "gen", "general", "mr", "mrs", "ms", "dr", "sir", "king", "queen",
           "prime", "minister", "foreign", "secretary", "senator", "sen", "rep", "prince",
           "ambassador", "envoy", "chancellor", "deputy", "special", "the", "st"}  # fmt: skip
