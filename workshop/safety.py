"""Disclosure detection: which kinds of danger an open-text answer speaks of, in English and Spanish.

An answer is read the way a person would read it, whatever it was typed to hide: look-alike letters from
other scripts become the Latin letter they imitate (Unicode's confusables, `confusable_homoglyphs`),
other scripts and small capitals are transliterated (`anyascii`), invisible characters, NULs and line
separators inside a word are dropped, spaced-out letters ("k i l l") are joined (a whole spaced-out
sentence is split back into words), digits standing for letters ("k1ll") read as letters. A second
reading takes a capital inside a lower-case word for the small letter it imitates ("kiII"), and joins a
word split by a line break, tab or space ("ki ll") where only the joined word is a word. Each word is
then compared by its lemma (`simplemma`) and by its Snowball stem (`snowballstemmer`) with curated
phrases per category and language, kept as data in `workshop/safety_phrases/<language>/` (a module adds
its own with `safety_words:`). The phrases, not single words, carry the meaning: "he hit me" is a
disclosure, "we hit a wall" is not. When no phrase matches, a second reader trained on labelled answers
(`workshop.safety_model`) looks at the same words, so wording no phrase names may still be caught.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from workshop.safety_model import MODEL_FILE, ORDINARY, features, model

PHRASES = Path(__file__).parent / "safety_phrases"
Category = Literal[
    "physical-harm",
    "threats",
    "fear",
    "control-isolation",
    "money-control",
    "sexual-coercion",
    "self-harm",
    "weapons",
    "stalking",
    "module-words",
]
CATEGORIES: tuple[Category, ...] = get_args(Category)
GAP = 3  # "..." in a phrase: up to this many other words in between
_STEMMER_NAMES = {"en": "english", "es": "spanish"}
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_SENTENCE_END = re.compile(r"(?:[!?;:\n]|\.(?!\d))+")  # ".22" and "2.5" are not sentence ends
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Short forms typed on phones, with or without the apostrophe, read as the words they stand for.
_SHORT_FORMS = {
    "en": {
        "im": "i am", "i'm": "i am", "ive": "i have", "i've": "i have", "i'd": "i would", "i'll": "i will",
        "dont": "do not", "don't": "do not", "doesnt": "does not", "doesn't": "does not",
        "didnt": "did not", "didn't": "did not", "cant": "can not", "can't": "can not", "cannot": "can not",
        "wont": "will not", "won't": "will not", "isnt": "is not", "isn't": "is not", "arent": "are not",
        "aren't": "are not", "wasnt": "was not", "wasn't": "was not", "havent": "have not",
        "haven't": "have not", "hasnt": "has not", "hasn't": "has not", "couldnt": "could not",
        "couldn't": "could not", "wouldnt": "would not", "wouldn't": "would not", "shouldnt": "should not",
        "shouldn't": "should not", "hes": "he is", "he's": "he is", "shes": "she is", "she's": "she is",
        "he'll": "he will", "she'll": "she will", "shell": "she will", "they'll": "they will",
        "theyll": "they will", "you'll": "you will", "youll": "you will", "he'd": "he would",
        "she'd": "she would", "theyre": "they are", "they're": "they are", "youre": "you are",
        "you're": "you are", "what's": "what is", "it's": "it is", "there's": "there is",
        "that's": "that is", "who's": "who is", "gonna": "going to", "wanna": "want to",
        "gotta": "have to", "bc": "because", "we're": "we are", "we'll": "we will", "we've": "we have",
        "cuz": "because", "coz": "because", "u": "you", "ur": "your", "bf": "boyfriend", "gf": "girlfriend",
        "hubby": "husband", "mum": "mom", "hed": "he would", "shed": "she would", "cos": "because",
        "theyd": "they would", "thats": "that is", "whats": "what is", "tho": "though", "til": "until",
        "till": "until", "missus": "wife", "mrs": "wife", "wifey": "wife", "fella": "boyfriend",
        "bloke": "boyfriend", "boyf": "boyfriend", "girlf": "girlfriend", "idk": "i do not know",
        "dunno": "do not know", "ngl": "not going to lie", "rn": "right now", "tbh": "to be honest",
        "smth": "something", "ppl": "people", "nite": "night", "thx": "thanks",
    },
    "es": {
        "q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque", "x": "por", "tb": "también",
        "tmb": "también", "d": "de", "dl": "del", "toy": "estoy", "ta": "está", "pa": "para", "xk": "porque",
        "ke": "que", "dnd": "donde", "kien": "quien", "qien": "quien", "nd": "nada", "msj": "mensaje",
        "xa": "para", "nose": "no sé", "nse": "no sé", "nc": "no sé", "tmp": "tampoco", "xfa": "por favor",
    },
}  # fmt: skip
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][\s.\-_*/·]{1,2}){2,}[^\W\d_](?![^\W\d_])")
_MIXED = re.compile(r"\S*[^\W\d_]\S*")


@dataclass(frozen=True)
class Word:
    """One word as the detector compares it: by lemma or by stem, whichever the two share."""

    lemma: str
    stem: str


# One word of a phrase: its alternatives, each a run of words ("do_things"), each word a set of keys
# ("l:lemma", "s:stem"); None for a gap.
Step = tuple[tuple[frozenset[str], ...], ...] | None


@dataclass(frozen=True)
class Phrase:
    category: str
    steps: tuple[Step, ...]
    source: str
    unless: tuple[tuple[frozenset[str], ...], ...] = ()  # words that, anywhere in the sentence, undo it
    # For each word of the phrase, the keys one of which the sentence must hold: a cheap first look.
    needs: tuple[frozenset[str], ...] = ()

    def could_be_in(self, present: frozenset[str]) -> bool:
        return all(keys & present for keys in self.needs)

    def found_in(self, words: list[frozenset[str]]) -> bool:
        if self.unless and any(_matches((self.unless,), words, start) for start in range(len(words))):
            return False
        return any(_matches(self.steps, words, start) for start in range(len(words)))


# Reading the text ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """A character from another script as the Latin letter it looks like, else transliterated."""
    from anyascii import anyascii
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True) or []
    for entry in found:
        for glyph in entry.get("homoglyphs", []):
            if glyph["c"].isascii() and glyph["c"].isalpha():
                return str(glyph["c"]).lower()
    return str(anyascii(char)).lower()


def _is_latin_letter(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


def _plain_latin(char: str) -> str:
    """A Latin letter as typed: accented letters kept, small capitals and other forms as the letter."""
    base = unicodedata.normalize("NFKD", char)[0]
    return char if char.isascii() or base.isascii() else _latin(char)


def reading(text: str) -> str:
    """The text as the detector reads it (accents kept: the Spanish lemmatizer needs them)."""
    kept = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if char in "\n\t":
            kept.append(char)
        elif category in ("Cf", "Cc", "Zl", "Zp", "Mn") or char in "\u115f\u1160\u3164\uffa0\u2800\u034f":
            continue  # invisible, or a NUL or line separator slipped inside a word: read through it
        elif category.startswith("Z"):
            kept.append(" ")
        elif category.startswith("L"):
            kept.append(_plain_latin(char) if _is_latin_letter(char) else _latin(char))
        else:
            kept.append(char)
    text = "".join(kept).casefold().replace("\u2019", "'").replace("\u2018", "'")
    # Letters spaced out to hide a word: "k i l l", "s-u-i-c-i-d-e"; a whole sentence back into words.
    text = _SPACED_LETTERS.sub(lambda m: _spaced_words(re.sub(r"[\s.\-_*/·]", "", m.group())), text)
    # Digits and signs standing for letters inside a word: "k1ll", "h!t", "$uicide".
    text = _MIXED.sub(_letters_for_signs, text)
    # Drawn-out letters: "hiiiit" reads "hit" (three or more of one letter are never English or Spanish).
    return re.sub(r"([^\W\d_])\1{2,}", r"\1", text)


# Single letters that are words, the only ones a spaced-out sentence may be split into.
_ONE_LETTER_WORDS = frozenset("aiyoeu")


def _spaced_words(letters: str) -> str:
    """Spaced-out letters as words: "iwanttodie" reads "i want to die"; a word stays one word."""
    import simplemma

    if len(letters) < 6 or any(simplemma.is_known(letters, lang) for lang in _STEMMER_NAMES):
        return letters
    best: list[tuple[int, str] | None] = [(0, "")] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 16), end):
            before, piece = best[start], letters[start:end]
            if before is None or not _is_word(piece):
                continue
            if best[end] is None or before[0] + 1 < best[end][0]:  # type: ignore[index]
                best[end] = (before[0] + 1, f"{before[1]} {piece}".strip())
    found = best[-1]
    return found[1] if found is not None else letters


@functools.lru_cache(maxsize=65536)
def _is_word(piece: str) -> bool:
    import simplemma

    if len(piece) == 1:
        return piece in _ONE_LETTER_WORDS
    return any(simplemma.is_known(piece, lang) for lang in _STEMMER_NAMES) or piece in _phrase_words()


@functools.lru_cache(maxsize=1)
def _phrase_words() -> frozenset[str]:
    """Every word the phrase files name as written ("matarme"), in either language."""
    words: set[str] = set()
    for folder in PHRASES.iterdir():
        for path in folder.glob("*.txt"):
            text = re.sub(r"#.*", "", path.read_text(encoding="utf-8"))
            words.update(w for w in re.split(r"[^a-záéíóúüñ]+", text.casefold()) if len(w) > 2)
    return frozenset(words)


def _look_alike_letters(text: str) -> str:
    """Capital letters inside a lower-case word as the small Latin letter they imitate: "kiII" is "kill"."""
    from confusable_homoglyphs import confusables

    def small(match: re.Match[str]) -> str:
        letters = []
        for char in match.group(1):
            alike = [g["c"] for g in confusables.confusables_data.get(char, []) if g["c"].islower()]
            letters.append(next((c for c in alike if c.isascii() and c.isalpha()), char))
        return "".join(letters)

    return re.sub(r"(?<=[a-z])([A-Z]+)(?![a-z]*[A-Z])", small, text)


# Words of one or two letters that a line break or a space may really stand between.
_SHORT_WORDS = {
    "en": frozenset({
        "a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my",
        "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "us", "we",
    }),
    "es": frozenset({
        "a", "e", "o", "u", "y", "al", "da", "de", "di", "el", "en", "es", "fe", "ha", "he", "la", "le", "lo",
        "me", "mi", "ni", "no", "se", "si", "su", "te", "tu", "un", "va", "ve", "ya", "yo",
    }),
}  # fmt: skip


# A short word or a phone short form ("pa", "q") is typed on purpose: "pa la" is not "pala" split in two.
_TYPED_ON_PURPOSE = {
    language: _SHORT_WORDS[language] | frozenset(_SHORT_FORMS[language]) for language in _SHORT_WORDS
}


def _joined_across_breaks(text: str, language: str) -> str:
    """A word split by a line break, tab or space joined again, where only the joined word is a word."""
    import simplemma

    vocabulary = _vocabulary(language)

    short = _TYPED_ON_PURPOSE.get(language, frozenset())
    parts = re.split(r"([ \t\n])", text)  # words (with their punctuation) and the breaks between them
    at = 2
    while at < len(parts):
        first, second = parts[at - 2], parts[at]
        glued = first + second
        split_on_purpose = any(
            not simplemma.is_known(part, language) or (len(part) <= 2 and part not in short)
            for part in (first, second)
        )
        if (
            first.isalpha()
            and second.isalpha()
            and split_on_purpose
            and simplemma.is_known(glued, language)
            and _keys(glued, language) & vocabulary
        ):
            parts[at - 2 : at + 1] = [glued]
        else:
            at += 2
    return "".join(parts)


@functools.lru_cache(maxsize=8)
def _vocabulary(language: str) -> frozenset[str]:
    """The lemma and stem keys of every word the built-in phrases name (pronouns aside)."""
    return frozenset(
        key
        for phrase in built_in_phrases(language)
        for step in phrase.steps
        if step is not None
        for run in step
        for keys in run
        for key in keys
        if key[:2] in ("l:", "s:")
    )


def readings(text: str, language: str) -> list[str]:
    """The ways to read a text: as typed, and with look-alike capitals and split words mended."""
    first = reading(text)
    second = _joined_across_breaks(reading(_look_alike_letters(text)), language)
    return [first] if second == first else [first, second]


def _letters_for_signs(match: re.Match[str]) -> str:
    token = match.group()
    core = token.strip(".,!?;:'\"()")
    if any(c.isalpha() for c in core) and any(c in "013457@$!" for c in core):
        return token.replace(core, core.translate(_LEET))
    return token


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def _word(token: str, language: str) -> Word:
    import simplemma
    import snowballstemmer

    lemma = _unaccented(simplemma.lemmatize(token, lang=language).casefold())
    stem = snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english")).stemWord(_unaccented(token))
    return Word(lemma, stem)


# Pronouns are compared as written: a lemmatizer makes "me" into "i", and "me" is not "i" in a phrase.
_PRONOUNS = frozenset({
    "i", "me", "my", "mine", "myself", "you", "your", "yours", "he", "him", "his", "she", "her", "hers",
    "we", "us", "our", "they", "them", "their", "it", "yo", "mi", "mis", "tu", "tus", "te", "se", "nos",
    "le", "la", "lo", "les", "los", "las", "su", "sus", "el", "ella", "ellos", "ellas",
})  # fmt: skip


def _keys(token: str, language: str) -> frozenset[str]:
    word = _word(token, language)
    plain = _unaccented(token)
    if plain in _PRONOUNS:
        return frozenset({f"w:{plain}"})
    keys = {f"l:{word.lemma}", f"s:{word.stem}", f"w:{plain}"}
    if language == "es" and (accented := _with_its_accent(token)):
        keys.add(f"l:{_word(accented, language).lemma}")
    return frozenset(keys)


_ACUTE = str.maketrans("aeiou", "áéíóú")


@functools.lru_cache(maxsize=65536)
def _with_its_accent(token: str) -> str | None:
    """A Spanish word typed without its accent as written with it ("mordio" is "mordió"), if it is a word."""
    import simplemma

    if len(token) < 4 or not token.isascii() or simplemma.is_known(token, "es"):
        return None
    for at in range(len(token) - 1, max(len(token) - 5, 0), -1):
        if token[at] in "aeiou":
            accented = token[:at] + token[at].translate(_ACUTE) + token[at + 1 :]
            if simplemma.is_known(accented, "es"):
                return accented
    return None


def sentences(text: str, language: str) -> list[list[frozenset[str]]]:
    """Each sentence of each reading of a text as the keys of its words (lemma, stem and the word itself)."""
    return [
        [_keys(token, language) for token in _tokens(sentence, language)]
        for read in readings(text, language)
        for sentence in _SENTENCE_END.split(read)
    ]


def _tokens(sentence: str, language: str) -> list[str]:
    short = _SHORT_FORMS.get(language, {})
    words: list[str] = []
    found = _TOKEN.findall(sentence)
    for at, token in enumerate(found):
        if token == "hell" and language == "en" and at + 1 < len(found) and _could_be_he_will(found, at):
            words += ["he", "will"]  # "hell get angry": he'll, typed without the apostrophe
        elif token in short:
            words += short[token].split()
        elif token.endswith("'s") and token[:-2] in short:
            words += [*short[token[:-2]].split(), "s"]  # "mum's" reads as "mom's" does
        else:
            words += _WORD.findall(token)
    return words


def _could_be_he_will(found: list[str], at: int) -> bool:
    before = found[at - 1] if at else ""
    after = found[at + 1]
    return before not in (
        "the", "to", "a", "of", "like", "as", "in", "from", "through", "bloody", "life", "my", "your",
        "living", "pure", "absolute", "sheer", "total",
    ) and after not in ("of", "and", "to", "for")  # fmt: skip


# The phrases --------------------------------------------------------------------------------------


def _step(alternatives: str, language: str, sets: dict[str, str]) -> Step:
    if alternatives == "...":
        return None
    words: list[str] = []
    for alternative in alternatives.split("|"):
        if alternative.startswith("@"):
            if alternative[1:] not in sets:
                known = ", ".join(f"@{name}" for name in sorted(sets)) or "none"
                raise ValueError(f"no word set called {alternative} (the sets: {known})")
            words.extend(sets[alternative[1:]].split("|"))
        else:
            words.append(alternative)
    runs = {_run(word, language) for word in words}
    return tuple(run for run in runs if run)


def _run(word: str, language: str) -> tuple[frozenset[str], ...]:
    """The keys of one alternative; "=word" matches that exact word only ("=matarme", not "mata")."""
    exact = word.startswith("=")
    tokens = _tokens(reading(word.lstrip("=").replace("_", " ")), language)
    if exact:
        return tuple(frozenset({f"w:{_unaccented(token)}"}) for token in tokens)
    return tuple(_keys(token, language) for token in tokens)


def parse_phrases(text: str, language: str, origin: str, sets: dict[str, str] | None = None) -> list[Phrase]:
    """Phrases from a phrase file: `[category]` headings, `@name = a|b` word sets, one phrase a line.

    `sets` carries word sets from file to file (a language's `_sets.txt` is read first).
    """
    phrases: list[Phrase] = []
    sets = {} if sets is None else sets
    category = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if _word_set(line, sets):
            continue
        if line.startswith("[") and line.endswith("]"):
            category = line[1:-1].strip()
        else:
            if category not in CATEGORIES:
                raise ValueError(f"{origin}:{number}: a phrase before a known [category] heading")
            parts = line.split()
            try:
                steps = tuple(_step(part, language, sets) for part in parts if not part.startswith("!"))
            except ValueError as error:
                raise ValueError(f"{origin}:{number}: {error}") from None
            # Exclusions compare words and lemmas, never stems: a stem shared by chance ("feelings",
            # "feel") must not silence a disclosure.
            unless = tuple(
                tuple(frozenset(k for k in keys if not k.startswith("s:")) for keys in run)
                for part in parts
                if part.startswith("!")
                for run in _step(part[1:], language, sets) or ()
            )
            needs = tuple(
                frozenset(key for run in step for key in run[0]) for step in steps if step is not None
            )
            phrases.append(Phrase(category, steps, f"{origin}:{number}", unless, needs))
    return phrases


def _word_set(line: str, sets: dict[str, str]) -> bool:
    """Keep a `@name = a|b` line's word set in `sets`; False when the line is not one."""
    if not re.match(r"^@\w+\s*=", line):
        return False
    name, words = (part.strip() for part in line[1:].split("=", 1))
    sets[name] = "|".join(_expand(words, sets))
    return True


def _expand(words: str, sets: dict[str, str]) -> list[str]:
    expanded = []
    for word in words.split("|"):
        word = word.strip()
        expanded.extend(sets[word[1:]].split("|") if word.startswith("@") else [word])
    return expanded


@functools.lru_cache(maxsize=8)
def built_in_phrases(language: str) -> tuple[Phrase, ...]:
    """A language's phrase files: `<language>/_sets.txt` first, then one file per category."""
    folder = PHRASES / language
    if not folder.is_dir():
        folder, language = PHRASES / "en", "en"
    sets: dict[str, str] = {}
    phrases: list[Phrase] = []
    for path in sorted(folder.glob("*.txt")):  # "_sets.txt" sorts first
        origin = f"{language}/{path.name}"
        phrases += parse_phrases(path.read_text(encoding="utf-8"), language, origin, sets)
    return tuple(phrases)


@functools.lru_cache(maxsize=64)
def module_phrases(words: tuple[str, ...], language: str) -> tuple[Phrase, ...]:
    """A module's own `safety_words`, each a phrase written as in the phrase files.

    Words match by lemma or stem, in order; "...", "a|b", "!word" and the language's word sets ("@partner"
    in English, "@pareja" in Spanish) work as they do in `safety_phrases/`.
    """
    phrases: list[Phrase] = []
    for word in words:
        try:
            phrases += module_phrase(word, language)
        except ValueError:
            continue  # `workshop validate` names it; a session still flags with the module's other words
    return tuple(phrases)


def module_phrase(word: str, language: str) -> list[Phrase]:
    """One of a module's `safety_words` as a phrase; ValueError names a word set that does not exist."""
    text = "[module-words]\n" + _one_line(word)
    return parse_phrases(text, language, "safety_words", dict(word_sets(language)))


def check_module_word(word: str, language: str) -> None:
    """ValueError when one of a module's `safety_words` names a word set the language lacks.

    Reads only the `@name = ...` lines: no lemmatizer dictionary is loaded and no phrase is built, so
    checking a module (the console lists every module by its title) stays cheap.
    """
    sets = word_sets(language)
    for part in _one_line(word).split():
        for alternative in part.removeprefix("!").split("|"):
            if alternative.startswith("@") and alternative[1:] not in sets:
                known = ", ".join(f"@{name}" for name in sorted(sets)) or "none"
                raise ValueError(f"no word set called {alternative} (the sets: {known})")


def _one_line(word: str) -> str:
    """A module's safety word as one phrase line: a line break or "#" inside it must not start another."""
    return " ".join(word.replace("#", " ").split())


@functools.lru_cache(maxsize=8)
def word_sets(language: str) -> dict[str, str]:
    """A language's word sets ("@partner"), as `built_in_phrases` collects them, without its phrases."""
    folder = PHRASES / language
    if not folder.is_dir():
        folder = PHRASES / "en"
    sets: dict[str, str] = {}
    for path in sorted(folder.glob("*.txt")):  # "_sets.txt" sorts first, as in `built_in_phrases`
        for raw in path.read_text(encoding="utf-8").splitlines():
            _word_set(raw.split("#", 1)[0].strip(), sets)
    return sets


def _matches(steps: tuple[Step, ...], words: list[frozenset[str]], at: int) -> bool:
    if not steps:
        return True
    step, rest = steps[0], steps[1:]
    if step is None:
        return any(_matches(rest, words, at + skip) for skip in range(GAP + 1) if at + skip <= len(words))
    return any(
        at + len(run) <= len(words)
        and all(keys & words[at + i] for i, keys in enumerate(run))
        and _matches(rest, words, at + len(run))
        for run in step
    )


def flags(text: str, language: str = "en", extra_words: Iterable[str] = ()) -> list[str]:
    """The categories of danger an answer speaks of, in CATEGORIES order; empty when none."""
    return list(_flags(text, language, tuple(extra_words)))


_READING = threading.Lock()


@functools.lru_cache(maxsize=4096)  # the console reads its queue several times a second
def _flags(text: str, language: str, extra_words: tuple[str, ...]) -> tuple[str, ...]:
    with _READING:  # the console's read-ahead thread may be loading the dictionaries: wait, never load twice
        return _flags_read(text, _language(language), extra_words)


def _flags_read(text: str, language: str, extra_words: tuple[str, ...]) -> tuple[str, ...]:
    read = sentences(text, language)
    found = _phrased(read, language, extra_words)
    if not (found - {"module-words"}) and (second := model(PHRASES / language)) is not None:
        # No phrase matched: the learned second reader may still know the wording (safety_model.py).
        guess = second.category(features(read))
        found |= {guess} if guess else set()
    return tuple(category for category in CATEGORIES if category in found)


def phrase_flags(text: str, language: str = "en") -> list[str]:
    """The categories the phrases alone find, without the second reader: what it is trained beside."""
    language = _language(language)
    found = _phrased(sentences(text, language), language, ())
    return [category for category in CATEGORIES if category in found]


def _language(language: str) -> str:
    return language.split("-")[0] if language.split("-")[0] in _STEMMER_NAMES else "en"


def _phrased(read: list[list[frozenset[str]]], language: str, extra_words: tuple[str, ...]) -> set[str]:
    phrases = built_in_phrases(language) + module_phrases(extra_words, language)
    found: set[str] = set()
    for words in read:
        present = frozenset(key for word in words for key in word)
        for phrase in phrases:
            if phrase.category in found or not phrase.could_be_in(present):
                continue
            if phrase.found_in(words):
                found.add(phrase.category)
    return found


def why(text: str, language: str = "en") -> list[str]:
    """The phrases that matched, with their file and line, and the second reader's confidence that the
    answer is not ordinary: for trainers tuning a phrase file."""
    language = _language(language)
    read = sentences(text, language)
    found = [
        phrase.source for words in read for phrase in built_in_phrases(language) if phrase.found_in(words)
    ]
    if (second := model(PHRASES / language)) is not None:
        chances = second.chances(features(read))
        likeliest = max((name for name in chances if name != ORDINARY), key=chances.__getitem__)
        found.append(
            f"{language}/{MODEL_FILE}: not ordinary {1 - chances[ORDINARY]:.2f}, likeliest {likeliest}"
        )
    return found
