"""French readability measures, rule-based and fast: sentences, words, syllables, indices, and the
plain-language checks (rare words, acronyms, passive voice, nominalisations, administrative jargon).

Everything here is pure and deterministic. Word frequencies come from ``wordfreq`` (French list,
loaded once). Passive voice and nominalisations are detected with patterns, not a parser: spaCy's
French model takes 15 s to load on the project's machine, too slow for a check before publishing
(see README).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

# ---- tokenisation ----------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "\u00a0": " ", "\u202f": " "})
_LETTERS = "a-zA-ZàâäéèêëîïôöùûüÿçœæÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇŒÆ"
WORD_RE = re.compile(rf"[{_LETTERS}0-9]+(?:[-'][{_LETTERS}0-9]+)*")
_UPPER = "A-ZÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇŒÆ"
# Sentence end: . ! ? … then space and an upper-case letter, digit or opening quote; or a line
# break before a list item or a capitalised line (paragraphs, bullet lists).
_SENT_END = re.compile(rf"(?<=[.!?…])\s+(?=[«\"(\[]?\s*[{_UPPER}0-9])|\n+(?=\s*[-•*–{_UPPER}0-9«])")
_ABBREV = re.compile(r"\b(?:[A-Z]|M|MM|Mme|Mmes|Mlle|Dr|St|Ste|art|Art|cf|p|n°|no|av|bd|env|hab|fig|vol|éd|J\.-C)\.$")
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'", re.I)
_VOWELS = re.compile(r"[aeiouyàâäéèêëîïôöùûüÿœæ]+", re.I)


def normalise(text: str) -> str:
    return str(text).translate(_APOSTROPHES)


def sentences(text: str) -> list[str]:
    """Split a text into sentences (line breaks between paragraphs or list items also split)."""
    text = normalise(text).strip()
    if not text:
        return []
    parts: list[str] = []
    buffer = ""
    for piece in _SENT_END.split(text):
        if piece is None:
            continue
        buffer = f"{buffer} {piece}".strip() if buffer else piece.strip()
        if _ABBREV.search(buffer):  # « M. Dupont » is one sentence
            continue
        if buffer:
            parts.append(re.sub(r"\s+", " ", buffer))
        buffer = ""
    if buffer:
        parts.append(re.sub(r"\s+", " ", buffer))
    return [p for p in parts if WORD_RE.search(p)]


def words(sentence: str) -> list[str]:
    """Word tokens, elisions removed (« l'administration » -> « administration »)."""
    out = []
    for token in WORD_RE.findall(sentence):
        token = _ELISION.sub("", token)
        if token:
            out.append(token)
    return out


def syllables(word: str) -> int:
    """Written syllables: vowel groups, a final mute « e », « es » or verb « ent » not counted."""
    w = word.lower()
    if any(c.isdigit() for c in w):
        return max(1, len(w) // 2)
    n = len(_VOWELS.findall(w))
    if n > 1 and re.search(r"[^aeiouyéèêë](?:e|es)$", w):
        n -= 1
    return max(1, n)


# ---- word frequencies --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    import wordfreq  # loaded once (about 1 s)

    return wordfreq.get_frequency_dict("fr")


_PRONOUNS = frozenset({"le", "la", "les", "lui", "leur", "nous", "vous", "moi", "toi", "en", "y", "t", "il", "elle",
                       "ils", "elles", "on", "je", "tu", "ce"})


def zipf(word: str) -> float:
    """Zipf frequency in French (log10 per billion words; 0 for a word absent from the list).

    A hyphenated word missing from the list is as frequent as its rarest part, clitic pronouns left
    out (« envoyez-les » is « envoyez »)."""
    w = word.lower()
    f = _frequencies().get(w)
    if f:
        return round(math.log10(f) + 9, 2)
    parts = [p for p in w.split("-") if p and p not in _PRONOUNS]
    if len(parts) > 1 or (parts and parts[0] != w):
        return min(zipf(p) for p in parts)
    return 0.0


# ---- acronyms ------------------------------------------------------------------------------------

ACRONYM_RE = re.compile(r"\b[A-Z]{2,8}s?\b")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
#: All-caps tokens that are not acronyms to spell out.
_NOT_ACRONYMS = frozenset({"OK", "TV", "PDF", "URL", "FAQ", "SMS", "RIB", "TTC", "HT", "TVA", "UE", "USA"})


def unexplained_acronyms(text: str) -> list[str]:
    """Acronyms used without ever being spelled out: no « (ABC) », « ABC (…) » nor words with those initials."""
    text = normalise(text)
    found: list[str] = []
    for match in ACRONYM_RE.finditer(text):
        acr = match.group(0).rstrip("s") if match.group(0).endswith("s") and len(match.group(0)) > 3 else match.group(0)
        if acr in found or acr in _NOT_ACRONYMS or _ROMAN.match(acr):
            continue
        # a line or title written in capitals is not a list of acronyms
        line = text[max(0, match.start() - 40): match.end() + 40]
        if sum(c.isupper() for c in line) > 0.6 * sum(c.isalpha() for c in line):
            continue
        if re.search(rf"\(\s*{re.escape(acr)}s?\s*\)", text) or re.search(rf"\b{re.escape(acr)}s?\s*\((?!\s*{re.escape(acr)})", text):
            continue
        if _initials_present(acr, text):
            continue
        found.append(acr)
    return found


_SMALL = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "et", "à", "au", "aux", "en", "pour", "sur"})


def _initials_present(acr: str, text: str) -> bool:
    """True when consecutive words (small words skipped) start with the acronym's letters."""
    letters = [c.lower() for c in acr if c.isalpha()]
    if len(letters) < 2:
        return False
    toks = [t.lower() for t in words(text) if t.lower() not in _SMALL]
    heads = "".join(t[0] for t in toks)
    return "".join(letters) in heads and len(toks) >= len(letters) and _run_match(toks, letters)


def _run_match(toks: list[str], letters: list[str]) -> bool:
    n = len(letters)
    for i in range(len(toks) - n + 1):
        if all(toks[i + j].startswith(letters[j]) for j in range(n)) and any(len(t) > 3 for t in toks[i:i + n]):
            return True
    return False


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# ---- passive voice ---------------------------------------------------------------------------------

_ETRE = (r"(?:est|sont|était|étaient|sera|seront|serait|seraient|soit|soient|fut|furent|être|été|"
         r"a\s+été|ont\s+été|avait\s+été|avaient\s+été|aura\s+été|auront\s+été|sera\s+été)")
_ADVERBS = r"(?:\s+(?:pas|plus|jamais|bien|déjà|également|aussi|toujours|souvent|ensuite|alors|notamment|désormais|ainsi|automatiquement|directement|rapidement|entièrement|ensuite|uniquement|principalement|actuellement|généralement|parfois|encore|très|peu|mal))*"
_PARTICIPLE = rf"([{_LETTERS}]+(?:é|ée|és|ées|is|ise|ises|it|ite|its|ites|ert|erte|erts|ertes|int|inte|ints|intes|u|ue|us|ues|i|ie|ies))\b"
PASSIVE_RE = re.compile(rf"(?<![{_LETTERS}'])(?<!s')(?<!se )(?<!me )(?<!te )(?<!nous )(?<!vous ){_ETRE}{_ADVERBS}\s+{_PARTICIPLE}", re.I)
#: Past participles that take « être » in compound tenses (« il est venu » is not passive), and
#: common adjectives with a participle ending.
_NOT_PASSIVE = _wordset("""
venu venue venus venues allé allée allés allées arrivé arrivée arrivés arrivées parti partie partis parties
né née nés nées mort morte morts mortes devenu devenue devenus devenues resté restée restés restées
entré entrée entrés entrées sorti sortie sortis sorties tombé tombée tombés tombées revenu revenue revenus
revenues retourné retournée retournés retournées monté montée montés montées descendu descendue descendus
descendues passé passée passés passées intervenu intervenue intervenus intervenues décédé décédée décédés
décédées apparu apparue apparus apparues survenu survenue survenus survenues
situé située situés situées âgé âgée âgés âgées lié liée liés liées gratuit gratuite gratuits gratuites
petit petite petits petites ici aussi ainsi parmi midi lundi mardi mercredi jeudi vendredi samedi dimanche
prêt prête prêts prêtes tenu tenue tenus tenues prévu prévue prévus prévues possible nécessaire
connu connue connus connues fini finie finis finies ravi ravie ravis ravies
""")


def passives(sentence: str) -> list[str]:
    """Passive constructions (« est transmis », « a été validée par ») in a sentence."""
    out = []
    for match in PASSIVE_RE.finditer(normalise(sentence)):
        participle = match.group(1).lower()
        if participle in _NOT_PASSIVE or len(participle) < 4:
            continue
        out.append(match.group(0))
    return out


# ---- nominalisations --------------------------------------------------------------------------------

_DET = r"(?:le|la|les|l'|un|une|des|du|de\s+la|de\s+l'|au|aux|ce|cette|ces|son|sa|ses|leur|leurs|votre|vos|notre|nos|toute|tout|tous|toutes)"
NOMINAL_RE = re.compile(
    rf"(?<![{_LETTERS}]){_DET}\s*([{_LETTERS}]{{4,}}(?:tion|sion|ment|ance|ence|age|ure)s?)\b", re.I)
_NOT_NOMINAL = _wordset("""
gouvernement gouvernements département départements logement logements établissement établissements
appartement appartements équipement équipements moment moments document documents bâtiment bâtiments
arrondissement arrondissements argent parent parents enfance france page pages image images village villages
nature voiture voitures culture cultures structure structures mesure mesures heure heures région nation
nations commune communes avance chance chances naissance population populations association associations
information informations collection collections station stations fiction question questions mission missions
télévision saison saisons maison maisons raison raisons version versions élément éléments instrument
instruments monument monuments segment segments ornement sentiment sentiments parlement parlements
personnage personnages paysage paysages âge âges langage plage plages étage étages mariage fromage
""")
#: Support-verb constructions that hide the real verb, with the advice to give.
SUPPORT_VERBS: tuple[tuple[str, str], ...] = (
    (r"\bproc[éè]d(?:er|e|ons|ez|ent|era|eront|é|ée|és|ées)\s+(?:à\s+(?:la|l')|au|aux)\s+[^\s,.;]+",
     "employez le verbe : « procéder à la vérification » → « vérifier »"),
    (r"\beffectu(?:er|e|ons|ez|ent|é|ée|és|ées)\s+(?:une?|la|le|l'|des|les|vos|votre)\s*[^\s,.;]+(?:tion|ment|age|ure|ance|ence)s?\b",
     "employez le verbe : « effectuer une demande » → « demander »"),
    (r"\bfai(?:re|t|tes|sons|ront|ra)\s+l'objet\s+d(?:e|')\s*(?:une?\s+)?[^\s,.;]+",
     "employez le verbe : « faire l'objet d'un contrôle » → « être contrôlé »"),
    (r"\bmettre\s+en\s+(?:œuvre|oeuvre)\b", "préférez « appliquer », « réaliser » ou « faire »"),
    (r"\bdonner\s+lieu\s+à\b", "préférez « entraîner » ou « causer »"),
    (r"\bêtre\s+en\s+mesure\s+de\b", "préférez « pouvoir »"),
)
_SUPPORT_RES = tuple((re.compile(p, re.I), advice) for p, advice in SUPPORT_VERBS)


def nominalisations(sentence: str) -> list[str]:
    """Deverbal nouns after a determiner (« la transmission », « le versement »)."""
    out = []
    for match in NOMINAL_RE.finditer(normalise(sentence)):
        noun = match.group(1).lower()
        if noun in _NOT_NOMINAL or noun.rstrip("s") in _NOT_NOMINAL:
            continue
        out.append(match.group(1))
    return out


def support_verbs(sentence: str) -> list[tuple[str, str]]:
    text = normalise(sentence)
    return [(m.group(0), advice) for rx, advice in _SUPPORT_RES for m in rx.finditer(text)]


# ---- administrative jargon ---------------------------------------------------------------------------

#: Administrative phrase -> plain replacement (after the « Guide pratique de la rédaction
#: administrative » and the FALC / « facile à lire » recommendations).
JARGON: dict[str, str] = {
    "en application de": "selon",
    "en application des": "selon les",
    "conformément à": "selon",
    "conformément aux": "selon les",
    "en vertu de": "selon",
    "aux termes de": "selon",
    "au regard de": "selon, vu",
    "eu égard à": "vu, compte tenu de",
    "afin de": "pour",
    "afin que": "pour que",
    "en vue de": "pour",
    "aux fins de": "pour",
    "à l'effet de": "pour",
    "de manière à": "pour",
    "dans le cadre de": "pour, lors de",
    "au titre de": "pour",
    "s'agissant de": "pour",
    "en ce qui concerne": "pour",
    "à compter du": "à partir du",
    "à compter de": "à partir de",
    "dès lors que": "si, dès que",
    "le cas échéant": "si besoin",
    "en tant que de besoin": "si besoin",
    "nonobstant": "malgré",
    "sous réserve de": "à condition de",
    "à l'exclusion de": "sauf",
    "en l'absence de": "sans",
    "à défaut de": "sans",
    "en sus de": "en plus de",
    "dans les meilleurs délais": "au plus vite (donnez une date)",
    "dans les plus brefs délais": "au plus vite (donnez une date)",
    "en date du": "du",
    "préalablement à": "avant",
    "préalablement": "avant",
    "postérieurement à": "après",
    "antérieurement à": "avant",
    "subséquemment": "ensuite",
    "ledit": "ce",
    "ladite": "cette",
    "lesdits": "ces",
    "lesdites": "ces",
    "susmentionné": "cité plus haut",
    "susmentionnée": "citée plus haut",
    "susvisé": "cité plus haut",
    "susvisée": "citée plus haut",
    "précité": "cité plus haut",
    "précitée": "citée plus haut",
    "ci-après": "plus loin",
    "il convient de": "il faut",
    "il appartient à": "c'est à … de",
    "est tenu de": "doit",
    "sont tenus de": "doivent",
    "procéder à": "faire (ou le verbe : « vérifier », « payer »…)",
    "s'acquitter de": "payer",
    "solliciter": "demander",
    "sollicite": "demande",
    "formuler une demande": "demander",
    "pièces justificatives": "documents à fournir",
    "pièce justificative": "document à fournir",
    "pétitionnaire": "demandeur",
    "requérant": "demandeur",
    "administrés": "habitants",
    "afférent": "lié",
    "afférents": "liés",
    "afférente": "liée",
    "afférentes": "liées",
    "idoine": "adapté",
    "diligenter": "lancer, mener",
    "ampliation": "copie",
    "délivrance": "remise",
    "être en mesure de": "pouvoir",
}
_JARGON_RES = tuple(
    (phrase, plain, re.compile(rf"(?<![{_LETTERS}]){re.escape(phrase)}(?![{_LETTERS}])", re.I))
    for phrase, plain in sorted(JARGON.items(), key=lambda kv: -len(kv[0]))
)


def jargon(sentence: str) -> list[tuple[str, str]]:
    """(phrase as written, plain replacement) for each glossary phrase in the sentence; a longer
    phrase hides the shorter ones it contains."""
    text = normalise(sentence)
    taken: list[tuple[int, int]] = []
    out = []
    for _phrase, plain, rx in _JARGON_RES:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append((m.group(0), plain))
    return out


# ---- per-text measures -------------------------------------------------------------------------------


@dataclass
class TextMeasures:
    sentences: int = 0
    words: int = 0
    syllables: int = 0
    letters: int = 0
    long_words: int = 0
    content_words: int = 0
    rare_words: list[str] = field(default_factory=list)
    sentence_lengths: list[int] = field(default_factory=list)
    passives: int = 0
    nominalisations: int = 0
    support_verbs: int = 0
    jargon: int = 0
    commas: int = 0
    acronyms: list[str] = field(default_factory=list)
    #: per sentence: (sentence, word count, passives, support verbs, jargon hits, rare words)
    details: list[tuple[str, int, list[str], list[tuple[str, str]], list[tuple[str, str]], list[str]]] = field(
        default_factory=list)

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0

    @property
    def kandel_moles(self) -> float:
        """Kandel & Moles (1958): 207 − 1,015 × mots/phrase − 73,6 × syllabes/mot (higher = easier)."""
        if not self.words:
            return float("nan")
        return 207 - 1.015 * self.words_per_sentence - 73.6 * self.syllables_per_word

    @property
    def lix(self) -> float:
        """LIX (Björnsson): mots/phrase + 100 × part des mots de plus de 6 lettres (higher = harder)."""
        if not self.words:
            return float("nan")
        return self.words_per_sentence + 100 * self.long_words / self.words

    @property
    def mean_word_length(self) -> float:
        return self.letters / self.words if self.words else 0.0

    @property
    def rare_share(self) -> float:
        return len(self.rare_words) / self.content_words if self.content_words else 0.0

    def per_100_words(self, count: int) -> float:
        return 100 * count / self.words if self.words else 0.0


#: Short grammatical words never counted as rare nor as content words.
_FUNCTION_MIN_LEN = 3


def measure(text: str, rare_zipf: float = 3.0) -> TextMeasures:
    m = TextMeasures()
    full = normalise(text)
    m.acronyms = unexplained_acronyms(full)
    for sent in sentences(full):
        toks = words(sent)
        if not toks:
            continue
        m.sentences += 1
        m.words += len(toks)
        m.sentence_lengths.append(len(toks))
        m.commas += sent.count(",") + sent.count("(")
        rare: list[str] = []
        for j, tok in enumerate(toks):
            m.syllables += syllables(tok)
            letters = sum(c.isalpha() for c in tok)
            m.letters += letters
            if letters > 6:
                m.long_words += 1
            if letters < _FUNCTION_MIN_LEN or any(c.isdigit() for c in tok) or ACRONYM_RE.fullmatch(tok):
                continue
            # a capitalised word inside a sentence is a name: not a vocabulary problem
            # a capitalised word is a name (inside a sentence, or unknown at its start): not vocabulary
            if tok[0].isupper() and (j != 0 or zipf(tok) == 0):
                continue
            m.content_words += 1
            if zipf(tok) < rare_zipf and tok.lower() not in rare:
                rare.append(tok.lower())
        m.rare_words.extend(rare)
        pas = passives(sent)
        sup = support_verbs(sent)
        jar = jargon(sent)
        m.passives += len(pas)
        m.nominalisations += len(nominalisations(sent))
        m.support_verbs += len(sup)
        m.jargon += len(jar)
        m.details.append((sent, len(toks), pas, sup, jar, rare))
    return m
