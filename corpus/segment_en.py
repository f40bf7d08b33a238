"""English sentence ends in news text: rules over abbreviations, quotes and what comes next.

Only ``boundaries`` is meant for other modules; ``corpus.segment`` wraps it. The word lists
are news style (AP/NYT): titles, state and month abbreviations, company suffixes.
"""

from __future__ import annotations

import re

__all__ = ["boundaries"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A candidate end: a run of . ? ! … and the closing quotes/brackets glued to it, then
# whitespace or the end of the text. A run is only tried from its first mark and never
# given back (possessive): retrying from every mark of a long "!!!…x" was quadratic.
_CANDIDATE = re.compile(r"(?<![.?!…])[.?!…]++[\"'”’»)\]]*+(?=\s|$)")
_NEXT_TOKEN = re.compile(r"\s+(\S+)")
_OPENERS = "\"'“‘«([—-"
_CLOSERS = "\"'”’»)]"

# Never end a sentence: they always introduce a name or a number.
_PREFIXES = _words("""
    Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Profs Gen Gens Sen Sens Rep Reps Gov Govs Lt Col Capt
    Cmdr Cmdt Sgt Cpl Pvt Adm Maj Brig Lieut Pres Supt Det Insp Rev Msgr Fr Hon Rt Atty Amb
    Sup Ald Gov Pfc Spc Ens vs v e.g i.e cf viz approx incl excl U.S.S H.M.S Nos Vol Vols pp
    Fig Figs Art Arts Sec Secs Ch Chap Para Apt Ste Op
""")
# Place-name prefixes (St. Louis, Mt. Everest, Ft. Worth) that also end street addresses
# (Elm St.): they end a sentence only before a word that starts one.
_PLACE = _words("St Mt Ft Pt Ave Rd Blvd")
# Before a number these never end a sentence (No. 2, Jan. 14, pp. 44).
_BEFORE_NUMBER = _words("""
    No Nos Nr Vol Vols pp p Fig Figs Art Arts Sec Secs Ch Chap Para Op approx incl est ca
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Rte Apt Ste
""")
# Abbreviations that often end a sentence ("…in the U.S. The bureau said…"); a following
# capitalised word decides, see _ambiguous_continues.
_AMBIGUOUS = _words("""
    Inc Co Corp Ltd Bros Jr Sr Esq etc al a.m p.m A.M P.M ft lb oz mi yd
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thurs Fri Sat Sun
    Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass Mich Minn Miss Mo
    Mont Neb Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo Dept Univ Assn Gov't
""")
# Capitalised words that commonly start a sentence; after an ambiguous abbreviation they
# tip the decision towards a sentence end.
_STARTERS = _words("""
    A An The This That These Those There Their They Then He She It Its His Her We I You Our
    Your My But And Or So Yet Nor For In On At By From With Without After Before When While
    Since As If Although Though Because Most Many Some Several Few All Both Each Every No Not
    None Neither Either One Two Three Four Five Six Seven Eight Nine Ten What Who Why How Where
    Still Also Even Only Such Now Today Yesterday Last Next Earlier Later Meanwhile However
    Instead Indeed Under Over During Despite About Among Until Like Unlike Asked Officials
""")
# Capitalised words that continue a name or a time after an ambiguous abbreviation.
_CONTINUATIONS = _words("""
    Embassy Embassies Army Navy Air Marine Marines Coast Congress Senate House Treasury
    President Vice Secretary Ambassador Attorney Department Court Supreme District Open
    Postal Census Forces Military Government Administration Capitol Mission Envoy Consulate
    Eastern Western Central Pacific Mountain Atlantic ET EST EDT CT CST CDT PT PST PDT MT GMT
    UTC BST CET Beijing Hong Tokyo London Moscow Paris Standard Daylight
""")
_INITIAL = re.compile(r"^[A-HJ-Z]$")  # J. R. R. Tolkien; not "so was I."
_DOTTED = re.compile(r"^(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}$")  # U.S, a.m, Ph.D (final dot removed)
_CAMEL = re.compile(r"^[a-z]+[A-Z]")  # iPhone, eBay: lower-case words that start sentences
# A name and a speech verb after a quoted question or exclamation: “Why?” Mr. Tan asked.
_NOT_SPEAKERS = _words("Nobody Somebody Someone Everyone Everybody Anyone Nothing")
_ATTRIBUTION = re.compile(
    r"\s+(?:[A-Z][\w'’.-]*\s+){1,4}(?:said|asked|shouted|cried|replied|added|wondered|told|"
    r"wrote|yelled|demanded|insisted|recalled|whispered|exclaimed|answered|pleaded|called|"
    r"muttered|screamed)(?=[.,;:]|\s*$)")


def boundaries(text: str) -> list[int]:
    """Return the offsets in ``text`` where a sentence ends (after its closing quotes)."""
    cuts = []
    last = len(text.rstrip())
    for m in _CANDIDATE.finditer(text):
        end = m.end()
        if end >= last:
            break
        if _is_end(text, m.start(), m.group(), end):
            cuts.append(end)
    return cuts


def _is_end(text: str, start: int, punct: str, end: int) -> bool:
    """Decide whether the candidate ``punct`` at ``text[start:end]`` ends a sentence."""
    nxt_m = _NEXT_TOKEN.match(text, end)
    nxt = nxt_m.group(1) if nxt_m else ""
    if nxt.startswith(("…", ".")):
        return False  # part of a spaced ellipsis ". . ."
    first = nxt.lstrip(_OPENERS)[:1]
    opens = nxt[:1] in _OPENERS and nxt[:1] not in "—-"
    if first.islower() and not _CAMEL.match(nxt.lstrip(_OPENERS)):
        return False  # "Who decides?" she asked. / etc. and / Well... we will
    marks = punct.rstrip(_CLOSERS)
    closed = len(marks) < len(punct)
    i = start
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    word = text[i:start].lstrip(_OPENERS)
    if "…" in marks or ".." in marks:
        stem = _bare(word).lower()  # a stammer goes on: "I... I can't" / "the... the"
        return not (stem and _bare(nxt).lower().startswith(stem))
    if closed and marks[-1] in "?!" and _ATTRIBUTION.match(text, end):
        return _bare(nxt) in _STARTERS or _bare(nxt) in _NOT_SPEAKERS
    if marks[-1] in "?!" or closed:
        return True
    if not word:
        return True  # a lone "." after a space: the end of ". . ."
    if first.isdigit():
        return word not in _BEFORE_NUMBER and word.lower() not in _BEFORE_NUMBER
    title = word.title() if word.isupper() and len(word) > 1 else word
    if title in _PREFIXES or _INITIAL.match(word):
        return False
    if title in _PLACE:
        return _bare(nxt) in _STARTERS
    if word in _AMBIGUOUS or title in _AMBIGUOUS or _DOTTED.match(word):
        return not opens and not _ambiguous_continues(text, nxt_m.end() if nxt_m else end, nxt)
    return True


def _bare(token: str) -> str:
    return token.strip(_OPENERS + _CLOSERS + ".,;:!?")


def _ambiguous_continues(text: str, after: int, nxt: str) -> bool:
    """Tell whether the capitalised ``nxt`` continues the phrase an abbreviation began."""
    word = _bare(nxt)
    if word in _STARTERS:
        return False
    if word in _CONTINUATIONS:
        return True  # U.S. Embassy / 9 a.m. Eastern
    # A run of capitalised words is a name (U.N. Security Council, U.S. Sen. Ames).
    m = _NEXT_TOKEN.match(text, after)
    following = _bare(m.group(1)) if m else ""
    return bool(following[:1].isupper()) and following not in _STARTERS and not nxt.endswith(",")
