"""Reading and checking knowledge/roleplay/*.yaml: the role-play client and the junior's questions.

Three files, each optional only as a whole (a base without a `roleplay/` folder has no
role-play): `client.yaml` (persona lines, answers per capacity choice, optimistic claims and
the slips that betray them), `scenarios.yaml` (openings per tactic, objectives, sectors,
markets, reach) and `questions.yaml` (how juniors ask each move: the recogniser's examples).
Every problem names its file, line and field, like the rest of the loader. The checks that
tie this data to the rest of the base: every capacity field and choice has phrasings (a new
field in capacity.yaml only needs new lines here), and so does every situation.yaml field the
client is asked besides the `situation` move's own (see `REVEALED_WITH`), every topic and
objective named exists with the right level, and no question example teaches two moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from .errors import Problem
from .models import LANGS, CapacityField, Topic
from .reader import Doc, join
from .roleplay_models import (
    FIXED_MOVES,
    PERSONA_KEYS,
    REACH_PLACEHOLDERS,
    REVEALED_WITH,
    SITUATION_BLOCK,
    LangLines,
    Market,
    Reach,
    RolePlayData,
    Sector,
    TopicScript,
)
from .schema import get, placeholders
from .text import normalise

FOLDER = "roleplay"
FILES = ("client.yaml", "scenarios.yaml", "questions.yaml")
MIN_QUESTIONS = 20
"""Examples per move and language: the issue's floor, and what a held-out split needs."""
MIN_LINES = 2
"""Client lines per list: at least two, so a replay does not say the same thing."""
NONE_OBJECTIVE = "none"


def roleplay_files(root: Path, problems: list[Problem]) -> dict[str, Path]:
    """`roleplay/<name>.yaml` -> path, when the folder exists; a missing file is a problem."""
    folder = root / FOLDER
    if not folder.is_dir():
        return {}
    found = {f"{FOLDER}/{p.name}": p for p in sorted(folder.glob("*.yaml"))}
    for name in FILES:
        if f"{FOLDER}/{name}" not in found:
            problems.append(Problem(f"{FOLDER}/{name}", 0, "", "required role-play file is missing"))
    return found


def parse_roleplay(docs: Mapping[str, tuple[Doc, Any]], topics: Mapping[str, Topic], advised: set[str],
                   capacity: tuple[CapacityField, ...] | None) -> RolePlayData | None:
    """The role-play data, or None (no roleplay/ folder, or problems recorded in the docs)."""
    names = sorted(n for n in docs if n.startswith(f"{FOLDER}/"))
    if not names:
        return None
    for name in names:
        if name.removeprefix(f"{FOLDER}/") not in FILES:
            docs[name][0].error("", f"unknown role-play file (expected one of: {', '.join(FILES)})")
    trees = {name: docs[f"{FOLDER}/{name}"] for name in FILES if f"{FOLDER}/{name}" in docs}
    if len(trees) < len(FILES) or any(tree is None for _, tree in trees.values()):
        return None  # a missing or unreadable file is already reported
    # the client's capacity is what a junior asks about field by field; the situation (market,
    # B2B, regulated...) is the scenario's own `situation` move; the other situation fields the
    # rules read are told with another answer (REVEALED_WITH) or asked on their own, like capacity
    fields = {f.id: f for f in capacity if f.kind == "capacity"} if capacity is not None else None
    situation = {f.id: f for f in capacity or () if f.kind == "situation" and f.id not in SITUATION_BLOCK}
    alone = {k: f for k, f in situation.items() if k not in REVEALED_WITH}
    told = {k: f for k, f in situation.items() if k in REVEALED_WITH}
    asked = {**fields, **alone} if fields is not None else None
    client = _client(*trees["client.yaml"], fields, {**asked, **told} if asked is not None else None)
    scenarios = _scenarios(*trees["scenarios.yaml"], topics, advised)
    moves = FIXED_MOVES + tuple(asked or ())
    questions, cues = _questions(*trees["questions.yaml"], moves, asked)
    if any(doc.problems for doc, _ in trees.values()) or client is None or scenarios is None or questions is None:
        return None
    return RolePlayData(moves=moves, questions=questions, cues=cues, **client, **scenarios)


def _lines(doc: Doc, value: Any, path: str, min_len: int = MIN_LINES) -> LangLines | None:
    found = doc.per_lang(value, path, min_len, "lines")
    return found if found is not None and len(found) == len(LANGS) else None


# --- client.yaml ------------------------------------------------------------------------

def _client(doc: Doc, raw: Any, fields: dict[str, CapacityField] | None,
            answered: dict[str, CapacityField] | None) -> dict[str, Any] | None:
    """`fields`: the capacity fields (claims and slips); `answered`: every field the client answers."""
    data = doc.mapping(raw, "", ("persona", "answers", "optimistic", "slips"))
    if data is None:
        return None
    persona: dict[str, LangLines] = {}
    persona_raw: dict[Any, Any] = get(data, "", "persona", doc.mapping, PERSONA_KEYS) or {}
    for key in PERSONA_KEYS:
        if key in persona_raw and (lines := _lines(doc, persona_raw[key], join("persona", key))) is not None:
            persona[key] = lines
    answers = _per_choice(doc, data, "answers", answered, complete=True)
    optimistic = _per_choice(doc, data, "optimistic", fields, complete=False, min_len=1)
    slips: dict[str, LangLines] = {}
    slips_raw = get(data, "", "slips", doc.dict_of)
    for name, value in (slips_raw or {}).items():
        path = join("slips", name)
        if fields is not None and name not in fields:
            doc.error(path, f"unknown capacity field '{name}' (known: {', '.join(fields)})")
        elif (lines := _lines(doc, value, path)) is not None:
            slips[str(name)] = lines
    if fields is not None and slips_raw is not None:
        for name in fields:
            if name not in slips_raw:
                doc.error("slips", f"no slips for capacity field '{name}' (add slips.{name}.fr and .en)")
    if answers is None or optimistic is None:
        return None
    return {"persona": persona, "answers": answers, "optimistic": optimistic, "slips": slips}


def _per_choice(doc: Doc, data: Any, key: str, fields: dict[str, CapacityField] | None, *, complete: bool,
                min_len: int = MIN_LINES) -> dict[str, dict[str, LangLines]] | None:
    """`key: {field: {choice: {fr: [...], en: [...]}}}`; `complete` demands every field and choice."""
    raw = get(data, "", key, doc.dict_of)
    if raw is None:
        return None
    out: dict[str, dict[str, LangLines]] = {}
    for name, choices in raw.items():
        path = join(key, name)
        field = fields.get(str(name)) if fields is not None else None
        if fields is not None and field is None:
            what = "capacity field" if all(f.kind == "capacity" for f in fields.values()) else "field"
            doc.error(path, f"unknown {what} '{name}' (known: {', '.join(fields)})")
            continue
        known = [c.id for c in field.choices] if field is not None else None
        out[str(name)] = {}
        given = doc.dict_of(choices, path)
        if given is None:
            continue
        for choice, value in given.items():
            at = join(path, choice)
            if known is not None and choice not in known:
                doc.error(at, f"unknown choice '{choice}' for {name} (known: {', '.join(known)})")
            elif (lines := _lines(doc, value, at, min_len)) is not None:
                out[str(name)][str(choice)] = lines
        if complete and known is not None:
            for choice in known:
                if choice not in given and not (name in REVEALED_WITH and choice == "none"):
                    doc.error(path, f"no phrasings for choice '{choice}' (every choice of {name} needs some)")
    if complete and fields is not None:
        for name, field in fields.items():
            if name not in raw:
                what = "capacity field" if field.kind == "capacity" else "situation field"
                doc.error(key, f"no phrasings for {what} '{name}' (add {key}.{name}.<choice>.fr and .en)")
    return out


# --- scenarios.yaml ---------------------------------------------------------------------

def _scenarios(doc: Doc, raw: Any, topics: Mapping[str, Topic], advised: set[str]) -> dict[str, Any] | None:
    data = doc.mapping(raw, "", ("topics", "objectives", "sectors", "markets", "reach"))
    if data is None:
        return None
    scripts: dict[str, TopicScript] = {}
    for topic_id, value in (get(data, "", "topics", doc.dict_of) or {}).items():
        path = join("topics", topic_id)
        topic = topics.get(str(topic_id))
        if topic is None:
            doc.error(path, f"unknown topic '{topic_id}'")
        elif topic.level != "tactic":
            doc.error(path, f"'{topic_id}' is not a tactic: a role-play client asks for a tool")
        elif topic_id not in advised:
            doc.error(path, f"'{topic_id}' has no advice rules to score the role-play against")
        body = doc.mapping(value, path, ("openings", "meaning"))
        if body is None or topic is None:
            continue
        read = partial(_lines, doc)
        openings, meaning = get(body, path, "openings", read), get(body, path, "meaning", read)
        if openings is not None and meaning is not None:
            scripts[str(topic_id)] = TopicScript(str(topic_id), openings, meaning)
    if "topics" in data and not data["topics"]:
        doc.error("topics", "no topic: a role-play needs at least one tactic to ask for")
    objectives: dict[str, LangLines] = {}
    for key, value in (get(data, "", "objectives", doc.dict_of) or {}).items():
        path = join("objectives", key)
        if key != NONE_OBJECTIVE and (key not in topics or topics[key].level != "objective"):
            doc.error(path, f"'{key}' is not an objective of the base (nor '{NONE_OBJECTIVE}')")
        elif (lines := _lines(doc, value, path)) is not None:
            objectives[str(key)] = lines
    if "objectives" in data and NONE_OBJECTIVE not in (data.get("objectives") or {}):
        doc.error("objectives", f"missing '{NONE_OBJECTIVE}': the client with no objective "
                                "(\"the competitor has one\")")
    sectors = _items(doc, data, "sectors", _sector)
    markets = _items(doc, data, "markets", _market)
    reach = _items(doc, data, "reach", _reach)
    if sectors is None or markets is None or reach is None:
        return None
    known_reach = [r.id for r in reach]
    for i, sector in enumerate(sectors):
        for j, reach_id in enumerate(sector.reach):
            if reach_id not in known_reach:
                doc.error(f"sectors[{i}].reach[{j}]", f"unknown reach '{reach_id}' (known: {', '.join(known_reach)})")
    return {"topics": scripts, "objectives": objectives, "sectors": tuple(sectors), "markets": tuple(markets),
            "reach": tuple(reach)}


def _items(doc: Doc, data: Any, key: str, read: Any) -> list[Any] | None:
    """A non-empty list of mappings with unique `id`s, each read by `read(doc, item, path)`."""
    items = get(data, "", key, doc.seq, 1, key)
    if items is None:
        return None
    out: list[Any] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(items):
        path = f"{key}[{i}]"
        parsed = read(doc, item, path)
        if parsed is None:
            continue
        if parsed.id in seen:
            doc.error(join(path, "id"), f"duplicate id '{parsed.id}' (also {seen[parsed.id]})")
            continue
        seen[parsed.id] = path
        out.append(parsed)
    return out


def _sector(doc: Doc, raw: Any, path: str) -> Sector | None:
    data = doc.mapping(raw, path, ("id", "name", "clientele", "regulated", "lines"), ("reach",))
    if data is None:
        return None
    parts = (get(data, path, "id", doc.ident), get(data, path, "name", doc.text),
             get(data, path, "clientele", doc.choice, ("b2b", "b2c"), "clientele"),
             get(data, path, "regulated", doc.ident), get(data, path, "lines", partial(_lines, doc)))
    reach = get(data, path, "reach", doc.strings, 1, "reach ids", ids=True) if "reach" in data else ()
    if any(p is None for p in parts) or reach is None:
        return None
    return Sector(*parts, reach=reach)  # type: ignore[arg-type, misc]


def _market(doc: Doc, raw: Any, path: str) -> Market | None:
    data = doc.mapping(raw, path, ("id", "name", "places", "across"))
    if data is None:
        return None
    parts = (get(data, path, "id", doc.ident), get(data, path, "name", doc.text),
             get(data, path, "places", doc.strings, 1, "places"), get(data, path, "across", doc.text))
    if any(p is None for p in parts):
        return None
    return Market(*parts)  # type: ignore[arg-type]


def _reach(doc: Doc, raw: Any, path: str) -> Reach | None:
    data = doc.mapping(raw, path, ("id", "name", "lines"))
    if data is None:
        return None
    parts = (get(data, path, "id", doc.ident), get(data, path, "name", doc.text),
             get(data, path, "lines", partial(_lines, doc)))
    if any(p is None for p in parts):
        return None
    lines: LangLines = parts[2]  # type: ignore[assignment]
    ok = True
    for lang, texts in lines.items():
        for i, text in enumerate(texts):
            at = f"{path}.lines.{lang}[{i}]"
            try:
                unknown = placeholders(text) - set(REACH_PLACEHOLDERS)
            except ValueError as exc:
                doc.error(at, f"invalid placeholder syntax ({exc})")
                ok = False
                continue
            if unknown:
                allowed = ", ".join(REACH_PLACEHOLDERS)
                doc.error(at, f"unknown placeholder {{{sorted(unknown)[0]}}} (allowed: {allowed})")
                ok = False
    return Reach(*parts) if ok else None  # type: ignore[arg-type]


# --- questions.yaml ---------------------------------------------------------------------

def _questions(doc: Doc, raw: Any, moves: tuple[str, ...], fields: dict[str, CapacityField] | None
               ) -> tuple[dict[str, LangLines] | None, dict[str, LangLines]]:
    data = doc.mapping(raw, "", ("examples",), ("cues",))
    cues = _cues(doc, data, moves)
    examples = get(data, "", "examples", doc.dict_of)
    if examples is None:
        return None, cues
    for clash in sorted(set(fields or ()) & set(FIXED_MOVES)):
        doc.error("examples", f"capacity field id '{clash}' is also a fixed role-play move: rename the field")
    out: dict[str, LangLines] = {}
    seen: dict[tuple[str, str], str] = {}
    """(language, normalised example) -> where it first appears."""
    for move, value in examples.items():
        path = join("examples", move)
        if move not in moves:
            doc.error(path, f"unknown move '{move}' (known: {', '.join(moves)})")
            continue
        found = doc.per_lang(value, path, MIN_QUESTIONS, "examples")
        if found is None:
            continue
        out[str(move)] = found
        for lang, texts in found.items():
            for i, text in enumerate(texts):
                key, at = (lang, normalise(text)), f"{path}.{lang}[{i}]"
                if key in seen:
                    doc.error(at, f"example {text!r} is also {seen[key]}: an example may teach one move only")
                else:
                    seen[key] = at
    for move in moves:
        if move not in examples:
            what = "move"
            if fields and move in fields:
                what = "capacity field" if fields[move].kind == "capacity" else "situation field"
            doc.error("examples", f"no examples for {what} '{move}' (add examples.{move}.fr and .en, "
                                  f"{MIN_QUESTIONS} each)")
    return out, cues


def _cues(doc: Doc, data: Any, moves: tuple[str, ...]) -> dict[str, LangLines]:
    """`cues: {move: {fr: [...], en: [...]}}`, optional per move; written normalised (no accents, lowercase)."""
    out: dict[str, LangLines] = {}
    for move, value in (get(data, "", "cues", doc.dict_of) or {}).items():
        path = join("cues", move)
        if move not in moves:
            doc.error(path, f"unknown move '{move}' (known: {', '.join(moves)})")
            continue
        found = _lines(doc, value, path, 1)
        if found is None:
            continue
        for lang, words in found.items():
            for i, word in enumerate(words):
                if normalise(word) != word or word.strip("*") != word.rstrip("*") or not word.rstrip("*"):
                    doc.error(f"{path}.{lang}[{i}]", f"cue {word!r} must be written normalised (lowercase, no "
                                                     f"accents, single spaces), with at most a trailing *")
        out[str(move)] = found
    return out
