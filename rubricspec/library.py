"""The built-in function library of the expression language: signatures and docs.

In: nothing (importing this module fills ``rubricspec.signatures.SIGNATURES``).
Out: one ``Signature`` per built-in (types, result range, summary, details,
examples); ``rubricspec.functions_doc`` renders them as docs/functions.md.

The implementations live in ``rubricspec.runtime.functions`` under the same
names; every example here is run against them by the tests.
"""

from __future__ import annotations

from rubricspec.signatures import LIST_T, T, Example, Fn, Overload, Signature, define
from rubricspec.types import BOOL, LIST_BOOL, LIST_NUMBER, LIST_TEXT, NUMBER, TEXT

INF = float("inf")
COUNT = (0.0, INF)
SHARE = (0.0, 1.0)

TAGS = "Tags"
TEXT_CATEGORY = "Text"
PATTERNS = "Patterns"
CHOICE = "Multiple choice"
LANGUAGE = "Overlap and language"
NUMBERS = "Numbers"
LISTS = "Lists"
CATEGORIES = (TAGS, TEXT_CATEGORY, PATTERNS, CHOICE, LANGUAGE, NUMBERS, LISTS)

_PATTERN_SYNTAX = (
    "Patterns use RE2 syntax: like Python's `re`, without look-around or back-references; `\\w`, `\\d` "
    "and `\\b` match ASCII only and `\\pL` matches a letter of any script. Matching takes linear time, so no "
    "pattern can make a rubric hang. Start a pattern with `(?i)` to ignore case. The pattern must be written "
    "in quotes (or be a param): an invalid pattern is reported, with RE2's reason, when the rubric compiles."
)

#: Printed once under each category heading of the reference page.
CATEGORY_NOTES = {
    TAGS: (
        "These functions read XML-like tags in model output, such as `<dx>...</dx>` or "
        "`<think_student student_id=\"Alice\">...</think_student>`. A tag is `<name>`, `</name>` or "
        "self-closing `<name/>`, with optional attributes `key=\"value\"` or `key='value'` after the name. "
        "Names start with a letter or `_` and hold letters, digits, `_`, `.` and `-`; they are case-sensitive. "
        "A `<` not followed by a name, or with no `>` before the next `<`, is plain text (`a < b`, "
        "`<140 mmHg`). A name after `<` followed by anything else up to `>` (`<dx foo>`, `<dx a=1>`) is a "
        "malformed tag: plain text for every function except `well_formed`, which it fails.\n\n"
        "An element is complete when its opening tag has a matching closing tag, or when it is self-closing; "
        "the functions below only see complete elements. A closing tag closes the nearest open element of its "
        "name (as web browsers recover): in `<a><b></a></b>` only `a` is complete. Tag names must be written in "
        "quotes (or be params); they are checked when the rubric compiles."
    ),
    PATTERNS: _PATTERN_SYNTAX,
}


#: names of the functions defined here, in reference-page order (extensions come later, elsewhere)
BUILTIN_NAMES: list[str] = []


def _builtin(signature: Signature) -> None:
    define(signature)
    BUILTIN_NAMES.append(signature.name)


def _tag(name: str, summary: str, overloads: tuple[Overload, ...], examples: tuple[Example, ...],
         details: str = "", result_range: tuple[float, float] | None = None) -> None:
    _builtin(Signature(name, overloads, summary, examples, result_range, TAGS, details))


def _define_tags() -> None:
    _tag("has_tag", "Whether the text has a complete element with this name.",
         (Overload((TEXT, TEXT), BOOL, ("text", "name"), constant=(1,)),),
         (Example('has_tag("<dx>Pneumonia</dx>", "dx")', "true"),
          Example('has_tag("<dx>Pneumonia", "dx")', "false")))
    _tag("has_tags", "Whether the text has a complete element for every one of the names.",
         (Overload((TEXT, TEXT), BOOL, ("text", "name"), variadic=True, constant=(1,)),),
         (Example('has_tags("<dx>a</dx><conclusion>B</conclusion>", "dx", "conclusion")', "true"),
          Example('has_tags("<dx>a</dx>", "dx", "conclusion")', "false")))
    _tag("tags_in_order", "Whether all the named elements are present, each starting after the previous "
         "name's element has closed.",
         (Overload((TEXT, TEXT), BOOL, ("text", "name"), variadic=True, constant=(1,)),),
         (Example('tags_in_order("<dx>a</dx> <conclusion>B</conclusion>", "dx", "conclusion")', "true"),
          Example('tags_in_order("<conclusion>B</conclusion> <dx>a</dx>", "dx", "conclusion")', "false"),
          Example('tags_in_order("<dx>a <conclusion>B</conclusion></dx>", "dx", "conclusion")', "false")),
         "For each name the first complete element counts: its opening tag must come after the end of the "
         "first complete element of the name before it. False when any name is missing.")
    _tag("well_formed", "Whether the tag structure is well-formed: all tags, or only the named ones.",
         (Overload((TEXT,), BOOL, ("text",)),
          Overload((TEXT, TEXT), BOOL, ("text", "name"), variadic=True, constant=(1,))),
         (Example('well_formed("<dx>a</dx><conclusion>B</conclusion>")', "true"),
          Example('well_formed("<a><b></a></b>")', "false"),
          Example('well_formed("<dx>a</dx><dx>b</dx>")', "false"),
          Example("well_formed(\"<s id='Alice'>x</s><s id='Bob'>y</s>\")", "true"),
          Example('well_formed("<dx foo>a</dx>")', "false"),
          Example('well_formed("<p>a<br/>b</p>")', "true"),
          Example('well_formed("<dx>a</dx> <b>bold", "dx")', "true"),
          Example('well_formed("")', "true")),
         "Well-formed means: every opening tag has a matching closing tag; elements nest properly (no "
         "`<a><b></a></b>`); there is no stray closing tag; attributes are quoted, separated by spaces and not "
         "repeated, and there is nothing else inside a tag (`<dx foo>` and `<dx a=1>` are not well-formed); "
         "and no element is duplicated: two elements with the same name and the same attributes directly "
         "under the same parent (two `<dx>` blocks, or two `<think_student student_id=\"Alice\">`) are not "
         "well-formed, while `<think_student student_id=\"Alice\">` next to `<think_student "
         "student_id=\"Bob\">` is fine. A self-closing `<br/>` is a complete element. With names, only the "
         "tags with those names are checked and every other tag is ignored as text. A text without tags is "
         "well-formed; use `has_tags` to require that elements are present.")
    _tag("tag_count", "The number of complete elements with this name.",
         (Overload((TEXT, TEXT), NUMBER, ("text", "name"), constant=(1,)),),
         (Example('tag_count("<s>a</s><s>b</s><s>c", "s")', "2"),),
         result_range=COUNT)
    _tag("tag_text", "The inner text of every complete element with this name, joined with line breaks.",
         (Overload((TEXT, TEXT), TEXT, ("text", "name"), constant=(1,)),),
         (Example('tag_text("<conclusion> B </conclusion>", "conclusion")', '"B"'),
          Example('tag_text("<s>a</s> <s>b</s>", "s")', '"a\\nb"'),
          Example('tag_text("no tags", "s")', '""')),
         "Each inner text is trimmed of surrounding whitespace; inner tags are kept as written. Gives \"\" "
         "when there is no such element.")
    _tag("tag_texts", "The inner text of each complete element with this name, as a list.",
         (Overload((TEXT, TEXT), LIST_TEXT, ("text", "name"), constant=(1,)),),
         (Example('tag_texts("<s>a</s> <s> b </s>", "s")', '["a", "b"]'),),
         "Each inner text is trimmed; the list follows the order of the opening tags.")
    _tag("tag_attr", "The value of an attribute on each complete element with this name.",
         (Overload((TEXT, TEXT, TEXT), LIST_TEXT, ("text", "name", "attribute"), constant=(1, 2)),),
         (Example("tag_attr(\"<s student_id='Alice'>x</s><s student_id='Bob'>y</s>\", \"s\", \"student_id\")",
                  '["Alice", "Bob"]'),),
         "Elements without the attribute are skipped. Values are returned exactly as written between the "
         "quotes.")
    _tag("strip_tags", "The text outside all complete elements, trimmed (e.g. the guidance after the "
         "reasoning).",
         (Overload((TEXT,), TEXT, ("text",)),),
         (Example('strip_tags("<think>plan</think>\\nAsk about the fever.")', '"Ask about the fever."'),
          Example('strip_tags("<think>plan without end. Hello")', '"plan without end. Hello"')),
         "Complete elements are removed with everything inside them. Tags that belong to no complete element "
         "(an unclosed `<think>`, a stray `</dx>`) are removed too, but the text around them is kept.")
    _tag("after_tag", "The text after the last closing tag of this name, trimmed.",
         (Overload((TEXT, TEXT), TEXT, ("text", "name"), constant=(1,)),),
         (Example('after_tag("<think>plan</think> Ask about the fever.", "think")', '"Ask about the fever."'),
          Example('after_tag("no tags", "think")', '""')),
         "Gives \"\" when the text has no `</name>` closing tag.")


def _define_text() -> None:
    word_rule = ("Whole word, case-insensitive (Unicode case folding): the occurrence must not be directly "
                 "preceded or followed by a letter, digit, combining mark or `_`. A phrase may hold several "
                 "words (`\"chest pain\"`); any run of whitespace in the phrase or the text counts as one space, "
                 "so a phrase also matches across a line break.")
    _builtin(Signature(
        "mentions", (Overload((TEXT, TEXT), BOOL, ("text", "word")),),
        "Whether the text mentions the word or phrase as a whole word, ignoring case.",
        (Example('mentions("Alice noted the fever.", "alice")', "true"),
         Example('mentions("Alicia noted the fever.", "Alice")', "false"),
         Example('mentions("Severe chest\\npain.", "chest pain")', "true"),
         Example('mentions("anything", "")', "false")),
        category=TEXT_CATEGORY, details=word_rule + " An empty word is never mentioned."))
    _builtin(Signature(
        "mention_count", (Overload((TEXT, TEXT), NUMBER, ("text", "word")),),
        "How many times the text mentions the word or phrase (whole words, ignoring case, not overlapping).",
        (Example('mention_count("Bob, then bob again; Bobby no.", "Bob")', "2"),),
        COUNT, TEXT_CATEGORY, word_rule + " An empty word counts 0."))
    _builtin(Signature(
        "mentions_any", (Overload((TEXT, LIST_TEXT), BOOL, ("text", "words")),),
        "Whether the text mentions at least one of the words (as `mentions` does).",
        (Example('mentions_any("Start aspirin now.", ["heparin", "Aspirin"])', "true"),
         Example('mentions_any("Start aspirin now.", [])', "false")),
        category=TEXT_CATEGORY, details=word_rule))
    _builtin(Signature(
        "contains", (Overload((TEXT, TEXT), BOOL, ("text", "part")),),
        "Whether the part occurs anywhere in the text, exactly as written (case-sensitive).",
        (Example('contains("BP 140/90", "140/")', "true"), Example('contains("BP", "bp")', "false")),
        category=TEXT_CATEGORY, details="Not limited to whole words. Every text contains the empty text."))
    _builtin(Signature(
        "starts_with", (Overload((TEXT, TEXT), BOOL, ("text", "prefix")),),
        "Whether the text begins with the prefix (case-sensitive).",
        (Example('starts_with("Answer: B", "Answer")', "true"),), category=TEXT_CATEGORY))
    _builtin(Signature(
        "ends_with", (Overload((TEXT, TEXT), BOOL, ("text", "suffix")),),
        "Whether the text ends with the suffix (case-sensitive).",
        (Example('ends_with("Any questions?", "?")', "true"),), category=TEXT_CATEGORY))
    _builtin(Signature(
        "lower", (Overload((TEXT,), TEXT, ("text",)),), "The text in lower case.",
        (Example('lower("ECG Normal")', '"ecg normal"'),), category=TEXT_CATEGORY))
    _builtin(Signature(
        "trim", (Overload((TEXT,), TEXT, ("text",)),), "The text without leading and trailing whitespace.",
        (Example('trim("  B \\n")', '"B"'),), category=TEXT_CATEGORY))
    _builtin(Signature(
        "chars", (Overload((TEXT,), NUMBER, ("text",)),), "The number of characters (Unicode code points).",
        (Example('chars("fièvre")', "6"), Example('chars("")', "0")), COUNT, TEXT_CATEGORY,
        "Counts code points: an emoji made of several code points counts several."))
    _builtin(Signature(
        "words", (Overload((TEXT,), NUMBER, ("text",)),), "The number of words.",
        (Example('words("Ask about the 2 fevers, then wait.")', "7"), Example('words("  ")', "0")),
        COUNT, TEXT_CATEGORY,
        "A word is a run of letters, digits, combining marks and `_` in any script; everything else "
        "separates words (so `don't` is two words and `COVID-19` is two)."))
    _builtin(Signature(
        "lines", (Overload((TEXT,), NUMBER, ("text",)),), "The number of non-empty lines.",
        (Example('lines("first\\n\\n  \\nsecond")', "2"),), COUNT, TEXT_CATEGORY,
        "Lines holding only whitespace do not count."))
    _builtin(Signature(
        "listed_names", (Overload((TEXT, TEXT), LIST_TEXT, ("text", "heading")),),
        "The names listed as `- Name: ...` lines in the section under a heading.",
        (Example('listed_names("Current Student Analyses:\\n- Alice: quiet\\n- Bob: confident\\n\\nCase:", '
                 '"current student analyses")', '["Alice", "Bob"]'),
         Example('listed_names("no such section", "Students")', "[]")),
        category=TEXT_CATEGORY,
        details="The section starts after the first line that contains the heading (case-insensitive) and "
                "runs until a blank line followed by a line that is not a list item, or the end of the text. "
                "Each list line `- Name: analysis` or `* Name: analysis` gives the text before its first "
                "colon, trimmed and without `**` bold marks; list lines without a colon give nothing. "
                "Names are kept in order, repeats included. An empty heading gives `[]`. This reads the "
                "student names after \"Current Student Analyses\" the way ClinTutor-R1's code does."))


def _define_patterns() -> None:
    _builtin(Signature(
        "matches", (Overload((TEXT, TEXT), BOOL, ("text", "pattern"), constant=(1,)),),
        "Whether the regular expression matches anywhere in the text.",
        (Example('matches("BP 140/90 mmHg", "[0-9]+/[0-9]+")', "true"),
         Example('matches("Tachycardic", "(?i)^tachy")', "true")),
        category=PATTERNS, details="Searches the whole text; anchor with `^` and `$` to match all of it."))
    _builtin(Signature(
        "regex_count", (Overload((TEXT, TEXT), NUMBER, ("text", "pattern"), constant=(1,)),),
        "The number of non-overlapping matches of the regular expression.",
        (Example('regex_count("1. a 2. b 3. c", "[0-9]+[.]")', "3"),), COUNT, PATTERNS,
        "Matches are counted left to right without overlapping, as Python's `re.findall` does."))
    _builtin(Signature(
        "regex_find", (Overload((TEXT, TEXT), TEXT, ("text", "pattern"), constant=(1,)),),
        "The first match of the regular expression: its first group if it has groups, else the whole match.",
        (Example('regex_find("HR 112 bpm", "HR ([0-9]+)")', '"112"'),
         Example('regex_find("HR 112 bpm", "[0-9]+ bpm")', '"112 bpm"'),
         Example('regex_find("no rate", "HR ([0-9]+)")', '""')),
        category=PATTERNS, details="Gives \"\" when nothing matches, or when group 1 did not take part in "
                                   "the match."))


def _define_choice() -> None:
    _builtin(Signature(
        "choice_letter",
        (Overload((TEXT,), TEXT, ("text",)),
         Overload((TEXT, TEXT), TEXT, ("text", "letters"), constant=(1,))),
        "The option letter a multiple-choice answer picked, upper case, or \"\" when there is none.",
        (Example('choice_letter("The answer is (C).")', '"C"'),
         Example(r'choice_letter("So \\boxed{\\text{D}} it is; answer: B")', '"D"'),
         Example('choice_letter("Answer: **b**")', '"B"'),
         Example('choice_letter("B) Aspirin")', '"B"'),
         Example('choice_letter("A 45-year-old man with chest pain")', '""'),
         Example('choice_letter("The answer is a beta blocker.")', '""'),
         Example('choice_letter("Answer: E", "ABCD")', '""')),
        category=CHOICE,
        details="`letters` (default `\"ABCDEFGHIJ\"`, written in quotes) are the allowed options; other letters "
                "are ignored. The first rule that finds an allowed letter wins:\n\n"
                "1. the last `\\boxed{X}`, also `\\boxed{\\text{X}}` (or `\\textbf`, `\\mathrm`, `\\mathbf`) and "
                "`\\boxed{(X)}`, where X is not followed by another letter;\n"
                "2. the last \"answer is X\", \"answer: X\" or \"answer is: X\" (any case, also \"Answer: **X**\", "
                "\"**Answer:** X\", \"answer is (X)\", \"answer is option X\"), where X is followed by a "
                "non-letter or the end. A lower-case x counts only inside brackets or bold, or before `.`, `)`, "
                "`:`, `,` or the end of a line, so \"the answer is a beta blocker\" gives nothing;\n"
                "3. the whole trimmed text is the letter, possibly decorated: `B`, `(B)`, `[B]`, `**B**`, `B.`, "
                "`B)`, `B:`, or the letter followed by `.`, `)` or `:` and the option text (`B) Aspirin`). A "
                "letter followed by a space and more text (`A 45-year-old man`) is not an answer.\n\n"
                "Typical use: `choice_letter(tag_text(completion, \"conclusion\")) == answer`."))


def _define_language() -> None:
    _builtin(Signature(
        "ngram_overlap", (Overload((TEXT, TEXT, NUMBER), NUMBER, ("a", "b", "n"), constant=(2,)),),
        "The share of the distinct word n-grams of `a` that also occur in `b`.",
        (Example('ngram_overlap("the chest pain", "Chest pain at rest", 2)', "0.5"),
         Example('ngram_overlap("pain", "pain at rest", 2)', "0")),
        SHARE, LANGUAGE,
        "Words are runs of letters, digits, combining marks and `_`, lower-cased; an n-gram is n words in a "
        "row. Gives 0 when `a` has fewer than n words. `n` is a whole number from 1 to 100, written as a "
        "number (or a param)."))
    _builtin(Signature(
        "script_share", (Overload((TEXT, TEXT), NUMBER, ("text", "script"), constant=(1,)),),
        "The share of the letters in the text that belong to a writing system (Unicode script).",
        (Example('script_share("Боль pain", "Cyrillic")', "0.5"),
         Example('script_share("123 !", "Latin")', "0")),
        SHARE, LANGUAGE,
        "Letters are the characters Unicode classes as letters; digits, punctuation, spaces and marks do not "
        "count either way. Gives 0 when the text has no letters. Scripts: Latin, Greek, Cyrillic, Arabic, "
        "Hebrew, Devanagari, Thai, Hangul, Han, Hiragana, Katakana (written in quotes; case does not matter)."))
    _builtin(Signature(
        "language_share", (Overload((TEXT, TEXT), NUMBER, ("text", "language"), constant=(1,)),),
        "The share of the letters in the text written in the script(s) of a language.",
        (Example('language_share("患者は胸痛を訴えた", "ja")', "1"),
         Example('language_share("CT 正常", "zh")', "0.5"),
         Example('language_share("", "en")', "0")),
        SHARE, LANGUAGE,
        "This is the language-consistency reward of CRPO. Language codes (ISO 639-1; a region such as `en-US` "
        "is ignored): `en`, `fr`, `de`, `es`, `it`, `pt`, `nl`, `no`, `nb`, `da`, `sv`, `fi`, `pl`, `cs`, `ro`, "
        "`tr`, `vi`, `id`, `ms`, `sw`, `hu` count Latin letters; `ru`, `uk`, `bg`, `sr` Cyrillic; "
        "`zh` Han; `ja` Han, Hiragana and Katakana; `ko` Hangul and Han; `ar` Arabic; `he` Hebrew; "
        "`hi` Devanagari; `el` Greek; `th` Thai. Languages that share a script are not told apart (French "
        "text scores 1 for `en`). Letters are counted as in `script_share`."))


def _define_numbers() -> None:
    _builtin(Signature(
        "min", (Overload((NUMBER, NUMBER), NUMBER, ("x", "y"), variadic=True),
                Overload((LIST_NUMBER,), NUMBER, ("values",))),
        "The smallest of the numbers, or of a list of numbers.",
        (Example("min(3, 1.5, 2)", "1.5"), Example("min([4, 2])", "2")), category=NUMBERS,
        details="The minimum of an empty list is an error for that sample; guard it with `count`."))
    _builtin(Signature(
        "max", (Overload((NUMBER, NUMBER), NUMBER, ("x", "y"), variadic=True),
                Overload((LIST_NUMBER,), NUMBER, ("values",))),
        "The largest of the numbers, or of a list of numbers.",
        (Example("max(3, 1.5, 2)", "3"), Example("max([4, 2])", "4")), category=NUMBERS,
        details="The maximum of an empty list is an error for that sample; guard it with `count`."))
    _builtin(Signature(
        "clamp", (Overload((NUMBER, NUMBER, NUMBER), NUMBER, ("x", "low", "high")),),
        "x limited to the range low..high.",
        (Example("clamp(7, 0, 5)", "5"), Example("clamp(-1, 0, 5)", "0"), Example("clamp(2.5, 0, 5)", "2.5")),
        category=NUMBERS, details="`low` must not be above `high`."))
    _builtin(Signature(
        "round", (Overload((NUMBER,), NUMBER, ("x",)),
                  Overload((NUMBER, NUMBER), NUMBER, ("x", "digits"))),
        "x rounded to a whole number, or to `digits` decimals; halves round away from zero.",
        (Example("round(2.5)", "3"), Example("round(-2.5)", "-3"), Example("round(2.675, 2)", "2.68"),
         Example("round(1234, -2)", "1200")),
        category=NUMBERS,
        details="Rounds the number as written, half away from zero (not Python's half-to-even): `round(0.5)` "
                "is 1 and `round(2.675, 2)` is 2.68. `digits` is a whole number from -100 to 100; negative "
                "digits round to tens, hundreds, ..."))
    _builtin(Signature(
        "abs", (Overload((NUMBER,), NUMBER, ("x",)),), "x without its sign.",
        (Example("abs(-2)", "2"),), category=NUMBERS))


def _define_lists() -> None:
    predicate = Fn(T, BOOL)
    empty = "Each call goes over the list once."
    _builtin(Signature(
        "any", (Overload((LIST_BOOL,), BOOL, ("values",)),
                Overload((LIST_T, predicate), BOOL, ("items", "condition"))),
        "Whether at least one value is true, or one item satisfies the condition.",
        (Example("any([false, true])", "true"),
         Example('any(["Alice", "Bob"], name => mentions("Bob asked.", name))', "true"),
         Example("any([])", "false")),
        category=LISTS, details="False for an empty list. " + empty))
    _builtin(Signature(
        "all", (Overload((LIST_BOOL,), BOOL, ("values",)),
                Overload((LIST_T, predicate), BOOL, ("items", "condition"))),
        "Whether every value is true, or every item satisfies the condition.",
        (Example("all([true, false])", "false"),
         Example('all(["Alice", "Bob"], name => mentions("Bob asked Alice.", name))', "true"),
         Example("all([])", "true")),
        category=LISTS, details="True for an empty list. " + empty))
    _builtin(Signature(
        "count", (Overload((LIST_T,), NUMBER, ("items",)),
                  Overload((LIST_T, predicate), NUMBER, ("items", "condition"))),
        "The number of items, or of the items that satisfy the condition.",
        (Example('count(["Alice", "Bob"])', "2"),
         Example("count([1, 5, 7], x => x > 4)", "2")),
        COUNT, LISTS, empty))
    _builtin(Signature(
        "fraction", (Overload((LIST_T, predicate), NUMBER, ("items", "condition")),),
        "The share (0 to 1) of the items that satisfy the condition.",
        (Example('fraction(["Alice", "Bob"], name => mentions("Alice asked.", name))', "0.5"),
         Example("fraction([], x => x > 1)", "0")),
        SHARE, LISTS, "0 for an empty list: guard with `count(items) == 0` when an empty list deserves "
                      "another score. " + empty))
    _builtin(Signature(
        "sum", (Overload((LIST_NUMBER,), NUMBER, ("values",)),
                Overload((LIST_T, Fn(T, NUMBER)), NUMBER, ("items", "value"))),
        "The sum of the numbers, or of the value the function gives for each item.",
        (Example("sum([1, 2, 3.5])", "6.5"),
         Example('sum(["Alice", "Bob"], name => mention_count("Bob and Alice and Bob", name))', "3")),
        category=LISTS, details="0 for an empty list. " + empty))
    _builtin(Signature(
        "join", (Overload((LIST_TEXT, TEXT), TEXT, ("texts", "separator")),),
        "The texts joined into one, with the separator between them.",
        (Example('join(["Alice", "Bob"], ", ")', '"Alice, Bob"'),), category=LISTS))


_define_tags()
_define_text()
_define_patterns()
_define_choice()
_define_language()
_define_numbers()
_define_lists()
