"""Unit tests of the built-in functions: the implementations called directly
(plain ones called, specialized ones specialized then called), their
signatures, the documented examples and the generated reference page."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rubricspec.functions_doc as functions_doc
import rubricspec.library as library
from rubricspec import ast
from rubricspec.parser import parse_expression
from rubricspec.runtime.functions import DYNAMIC, IMPLEMENTATIONS, FunctionError
from rubricspec.signatures import SIGNATURES, Fn, Overload
from rubricspec.types import NUMBER

ROOT = Path(__file__).resolve().parents[1]


# --- calling helpers --------------------------------------------------------------------


def _overload(name: str, args: list[Any]) -> Overload:
    for overload in SIGNATURES[name].overloads:
        arity_ok = len(args) >= len(overload.params) if overload.variadic else len(args) == len(overload.params)
        if not arity_ok:
            continue
        params = list(overload.params) + [overload.params[-1]] * (len(args) - len(overload.params))
        if all(isinstance(p, Fn) == callable(a) for p, a in zip(params, args)) and all(
                isinstance(p, Fn) or p.is_list == isinstance(a, list) for p, a in zip(params, args)):
            return overload
    raise AssertionError(f"no overload of {name} fits {args!r}")


def _constant_positions(overload: Overload, count: int) -> set[int]:
    last = len(overload.params) - 1
    return {i for i in range(count) if min(i, last) in overload.constant}


def call(name: str, *args: Any) -> Any:
    """Run a built-in the way the evaluator does: constant parameters known, the rest dynamic."""
    impl = IMPLEMENTATIONS[name]
    if impl.call is not None:
        return impl.call(*args)
    fixed = _constant_positions(_overload(name, list(args)), len(args))
    fn = impl.specialize(*[a if i in fixed else DYNAMIC for i, a in enumerate(args)])
    value = fn(*[a for i, a in enumerate(args) if i not in fixed])
    # the same call with every argument known at compile time gives the same value
    folded = impl.specialize(*args)()
    assert folded == value or (value != value and folded != folded)
    return value


def specialize(name: str, *args: Any) -> Any:
    """Only the compile-time step (for errors): every argument but the first is constant."""
    impl = IMPLEMENTATIONS[name]
    assert impl.specialize is not None
    return impl.specialize(DYNAMIC, *args)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- tables -----------------------------------------------------------------------------


def test_every_signature_has_an_implementation_and_back():
    assert set(SIGNATURES) == set(IMPLEMENTATIONS)


def test_constant_parameters_are_specialized():
    for name, signature in SIGNATURES.items():
        if any(o.constant for o in signature.overloads):
            assert IMPLEMENTATIONS[name].specialize is not None, name


def test_every_builtin_is_documented():
    assert len(library.BUILTIN_NAMES) == len(set(library.BUILTIN_NAMES)) >= 40
    for name in library.BUILTIN_NAMES:
        signature = SIGNATURES[name]
        assert signature.summary and signature.examples, name
        assert not signature.extension
        assert signature.category in library.CATEGORIES, name
        for overload in signature.overloads:
            assert len(overload.names) == len(overload.params), name
        if signature.result_range is not None:
            low, high = signature.result_range
            assert low <= high


def test_numeric_results_have_ranges_where_bounded():
    bounded = {"count", "fraction", "tag_count", "mention_count", "regex_count", "chars", "words", "lines",
               "ngram_overlap", "script_share", "language_share"}
    for name in bounded:
        assert SIGNATURES[name].result_range is not None, name
    for name in ("fraction", "ngram_overlap", "script_share", "language_share"):
        assert SIGNATURES[name].result_range == (0.0, 1.0)
    assert SIGNATURES["count"].result_range == (0.0, math.inf)


def test_docs_page_is_up_to_date():
    page = (ROOT / "docs" / "functions.md").read_text(encoding="utf-8")
    assert page == functions_doc.reference_markdown(), "regenerate: python -m rubricspec.functions_doc > docs/functions.md"


def test_docs_page_lists_every_function_and_signature_line():
    page = functions_doc.reference_markdown()
    for name in library.BUILTIN_NAMES:
        signature = SIGNATURES[name]
        assert f"### `{name}`" in page
        for overload in signature.overloads:
            assert overload.render(name) in page


# --- documented examples, run through a tiny evaluator -------------------------------


def _evaluate(node: ast.Expr, env: dict[str, Any]) -> Any:
    if isinstance(node, (ast.String, ast.Number, ast.Bool)):
        return node.value
    if isinstance(node, ast.ListExpr):
        return [_evaluate(i, env) for i in node.items]
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Unary):
        value = _evaluate(node.operand, env)
        return (not value) if node.op == "not" else (-value if node.op == "-" else value)
    if isinstance(node, ast.Binary):
        a, b = _evaluate(node.left, env), _evaluate(node.right, env)
        return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b, "<=": lambda: a <= b,
                ">": lambda: a > b, ">=": lambda: a >= b, "+": lambda: a + b, "-": lambda: a - b,
                "*": lambda: a * b, "/": lambda: a / b}[node.op]()
    if isinstance(node, ast.Call):
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Lambda):
                args.append(lambda v, arg=arg: _evaluate(arg.body, {**env, arg.param: v}))
            else:
                args.append(_evaluate(arg, env))
        return call(node.function, *args)
    raise AssertionError(f"unsupported node {node!r}")


EXAMPLES = [(name, e) for name in library.BUILTIN_NAMES for e in SIGNATURES[name].examples]


@pytest.mark.parametrize("name,example", EXAMPLES, ids=[f"{n}:{e.expression[:40]}" for n, e in EXAMPLES])
def test_documented_example(name, example):
    tree = parse_expression(example.expression)
    assert isinstance(tree, ast.Call) and tree.function == name
    value = _evaluate(tree, {})
    expected = _evaluate(parse_expression(example.result), {})
    assert value == expected, f"{example.expression} gives {value!r}, documented {example.result}"
    assert type(value) is bool if isinstance(expected, bool) else not isinstance(value, bool)
    returns = {o.returns for o in SIGNATURES[name].overloads}
    if returns == {NUMBER}:
        assert is_number(value)


# --- tags -------------------------------------------------------------------------------

CLIN = ('<think_history>hx</think_history>\n<think_question>q</think_question>\n'
        '<think_student student_id="Alice">Alice is quiet</think_student>\n'
        "<think_student student_id='Bob'>Bob leads</think_student>\n"
        '<think_group>ok</think_group>\nWhat would you ask next, Alice?')


def test_has_tag_and_has_tags():
    assert call("has_tag", CLIN, "think_student") is True
    assert call("has_tags", CLIN, "think_history", "think_question", "think_student", "think_group") is True
    assert call("has_tags", CLIN, "think_history", "think_image") is False
    assert call("has_tag", "<dx>open only", "dx") is False
    assert call("has_tag", "close only</dx>", "dx") is False
    assert call("has_tag", "<DX>a</DX>", "dx") is False  # names are case-sensitive
    assert call("has_tag", "<dx >a</dx >", "dx") is True
    assert call("has_tag", "<br/>", "br") is True
    assert call("has_tag", "<br />", "br") is True
    assert call("has_tag", "", "dx") is False
    assert call("has_tag", "<dx.v-2>a</dx.v-2>", "dx.v-2") is True


def test_less_than_signs_are_text():
    text = "BP <140 mmHg, 5 > 3, a < b, x<y <dx>ok</dx> << <> </ > <1a> <-- <!-- c --> <?x?>"
    assert call("has_tag", text, "dx") is True
    assert call("tag_text", text, "dx") == "ok"
    assert call("well_formed", text) is True
    assert call("well_formed", "<140 mmHg") is True
    assert call("tag_count", "<<dx>>a<</dx>>", "dx") == 1
    # a name right after "<" and a ">" before the next "<" make a (malformed) tag
    assert call("well_formed", "if x<y and y>z") is False
    assert call("well_formed", "if x<y and y>z", "dx") is True


def test_malformed_tags_are_text_but_not_well_formed():
    for text in ('<dx foo>a</dx>', '<dx a=1>a</dx>', '<dx a="1"b="2">a</dx>', '<dx a="1" a="2">a</dx>',
                 '<dx a="1>a</dx>', '<dx:x>a</dx:x>', '<dx>a</dx foo>', '<dx a = >a</dx>', '<dx/ >'):
        assert call("well_formed", text) is False, text
    assert call("has_tag", '<dx foo>a</dx>', "dx") is False
    assert call("has_tag", "<dx a = '1' b=\"2\">a</dx>", "dx") is True
    assert call("well_formed", "<dx a = '1' b=\"2\">a</dx>") is True


@pytest.mark.parametrize("text,expected", [
    ("", True),
    ("plain text", True),
    ("<dx>a</dx><conclusion>B</conclusion>", True),
    ("<a><b>x</b></a>", True),
    ("<a><b></a></b>", False),
    ("<a>", False),
    ("</a>", False),
    ("<a></a></a>", False),
    ("<a><a></a></a>", True),
    ("<dx>a</dx><dx>b</dx>", False),
    ("<a><dx>a</dx></a><b><dx>b</dx></b>", True),
    ('<s id="Alice">x</s><s id="Alice">y</s>', False),
    ('<s id="Alice">x</s><s id="Bob">y</s>', True),
    ('<s a="1" b="2"/><s b="2" a="1"/>', False),
    ("<br/><p>x</p>", True),
    ("<br/><br/>", False),
    ("<p>a<br/>b</p>", True),
    ("<a\n  x='1'\n>t</a>", True),
    ("<a>unclosed <b>bold</b>", False),
])
def test_well_formed(text, expected):
    assert call("well_formed", text) is expected


def test_well_formed_with_names_ignores_other_tags():
    text = "<dx>a</dx> <b>unclosed <i>x</b> <conclusion>B</conclusion>"
    assert call("well_formed", text) is False
    assert call("well_formed", text, "dx", "conclusion") is True
    assert call("well_formed", "<dx>a</dx><dx>b</dx><b>", "conclusion") is True
    assert call("well_formed", "<dx>a</dx><dx>b</dx>", "dx") is False
    assert call("well_formed", "<dx foo>a</dx>", "dx") is False
    assert call("well_formed", "<b foo>a</b><dx>x</dx>", "dx") is True
    assert call("well_formed", "<dx><b></dx></b>", "dx") is True
    assert call("well_formed", "no tags at all", "dx") is True


def test_tags_in_order():
    assert call("tags_in_order", "<dx>a</dx>\n<conclusion>B</conclusion>", "dx", "conclusion") is True
    assert call("tags_in_order", "<conclusion>B</conclusion><dx>a</dx>", "dx", "conclusion") is False
    assert call("tags_in_order", "<dx>a<conclusion>B</conclusion></dx>", "dx", "conclusion") is False
    assert call("tags_in_order", "<dx>a</dx>", "dx", "conclusion") is False
    assert call("tags_in_order", "<dx>a</dx><conclusion>B</conclusion><dx>c</dx>", "dx", "conclusion") is True
    assert call("tags_in_order", CLIN, "think_history", "think_question", "think_student", "think_group") is True
    assert call("tags_in_order", CLIN, "think_group", "think_history") is False
    assert call("tags_in_order", "<a>x</a>", "a") is True


def test_counts_texts_and_attributes():
    assert call("tag_count", CLIN, "think_student") == 2
    assert call("tag_count", CLIN, "nothing") == 0
    assert call("tag_texts", CLIN, "think_student") == ["Alice is quiet", "Bob leads"]
    assert call("tag_text", CLIN, "think_student") == "Alice is quiet\nBob leads"
    assert call("tag_attr", CLIN, "think_student", "student_id") == ["Alice", "Bob"]
    assert call("tag_attr", CLIN, "think_student", "missing") == []
    assert call("tag_attr", '<s id="">x</s><s>y</s><s id="a b">z</s>', "s", "id") == ["", "a b"]
    assert call("tag_text", "<c>\n  B \n</c>", "c") == "B"
    assert call("tag_text", "<o>x <i>y</i> z</o>", "o") == "x <i>y</i> z"
    assert call("tag_texts", "<a>1<a>2</a>3</a>", "a") == ["1<a>2</a>3", "2"]
    assert call("tag_texts", "<br/>", "br") == [""]
    assert call("tag_text", "", "c") == ""
    assert call("tag_texts", "none", "c") == []


def test_tag_texts_result_is_a_fresh_list():
    first = call("tag_texts", CLIN, "think_student")
    first.append("mutated")
    assert call("tag_texts", CLIN, "think_student") == ["Alice is quiet", "Bob leads"]
    fixed = IMPLEMENTATIONS["tag_texts"].specialize(CLIN, "think_student")
    fixed().append("x")
    assert fixed() == ["Alice is quiet", "Bob leads"]


def test_misnested_elements_recover_like_html():
    text = "<a><b></a></b>"
    assert call("has_tag", text, "a") is True
    assert call("has_tag", text, "b") is False
    assert call("tag_text", "<think>x <dx>D</dx>", "dx") == "D"
    assert call("tag_count", "<a><b></a><b>x</b>", "b") == 1


def test_strip_tags_and_after_tag():
    assert call("strip_tags", CLIN) == "What would you ask next, Alice?"
    assert call("strip_tags", "  no tags  ") == "no tags"
    assert call("strip_tags", "<think>unclosed plan. Ask about fever") == "unclosed plan. Ask about fever"
    assert call("strip_tags", "Hi </dx> there") == "Hi  there"
    assert call("strip_tags", "a <b>x <c>y</c></b> d <e/> f") == "a  d  f"
    assert call("strip_tags", "keep <dx foo> as text") == "keep <dx foo> as text"
    assert call("strip_tags", "") == ""
    assert call("after_tag", CLIN, "think_group") == "What would you ask next, Alice?"
    assert call("after_tag", "<t>a</t> one <t>b</t> two ", "t") == "two"
    assert call("after_tag", "x</t> y", "t") == "y"
    assert call("after_tag", "<t>never closed", "t") == ""
    assert call("after_tag", "", "t") == ""


@pytest.mark.parametrize("bad,fix", [("<dx>", '"dx"'), ("</dx>", '"dx"'), (" dx ", '"dx"')])
def test_tag_name_with_brackets_says_the_fix(bad, fix):
    with pytest.raises(FunctionError) as err:
        specialize("has_tag", bad)
    assert err.value.argument == 1 and fix in err.value.message


@pytest.mark.parametrize("bad", ["", "think student", "1dx", "dx!", "é"])
def test_invalid_tag_names(bad):
    with pytest.raises(FunctionError) as err:
        specialize("tag_text", bad)
    assert err.value.argument == 1 and "tag name" in err.value.message
    with pytest.raises(FunctionError) as err:
        specialize("has_tags", "dx", "conclusion", bad)
    assert err.value.argument == 3
    with pytest.raises(FunctionError) as err:
        specialize("tag_attr", "s", bad)
    assert err.value.argument == 2 and "attribute name" in err.value.message


def test_tag_scanning_is_linear_on_hostile_text():
    for text in ("<" * 200_000, "<a" * 100_000, "</" * 100_000, "<a>" * 50_000, "</a>" * 50_000,
                 "<a " + 'x="1" ' * 50_000 + ">", "<a>" + "<b " * 50_000 + "</a>", "<a x='" + ">" * 100_000):
        call("well_formed", text)
        call("tag_count", text, "a")
        call("strip_tags", text)
    assert call("tag_count", "<a>" * 50_000 + "</a>" * 50_000, "a") == 50_000
    assert call("well_formed", "<a>" * 50_000 + "</a>" * 50_000) is True
    assert call("well_formed", "<a>" * 50_000 + "</b>" * 50_000) is False


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text,word,expected", [
    ("Alice asked a question.", "alice", True),
    ("ALICE", "Alice", True),
    ("Alicia asked.", "Alice", False),
    ("MaryAlice asked.", "Alice", False),
    ("Alice_2 asked.", "Alice", False),
    ("Alice2 asked.", "Alice", False),
    ("(Alice)", "Alice", True),
    ("«Alice»", "Alice", True),
    ("—Alice—", "Alice", True),
    ("Alice's turn", "Alice", True),
    ("👩‍⚕️Alice👍", "Alice", True),
    ("Severe chest\n\tpain", "chest pain", True),
    ("chest-pain", "chest pain", False),
    ("no chest painful", "chest pain", False),
    ("Die STRASSE", "straße", True),
    ("Zoë spoke", "zoë", True),
    ("Zoe\u0308 spoke", "Zoe", False),  # a combining mark belongs to its word
    ("José llegó", "jose", False),
    ("שלום דוד", "דוד", True),
    ("患者说胸痛", "胸痛", False),  # no spaces in Chinese: not a whole word
    ("患者 胸痛", "胸痛", True),
    ("COVID-19 test", "COVID-19", True),
    ("COVID-190", "COVID-19", False),
    ("Dr. Smith", "Dr.", True),
    ("anything", "", False),
    ("anything", "   ", False),
    ("", "x", False),
    ("a\x00Bob\x00c", "bob", True),
    ("\ud800Bob", "bob", True),
])
def test_mentions(text, word, expected):
    assert call("mentions", text, word) is expected


def test_mention_count_and_any():
    assert call("mention_count", "Bob bob BOB bobby Bob.", "bob") == 4
    assert call("mention_count", "aaaa", "aa") == 0
    assert call("mention_count", "aa aa aa", "aa aa") == 1
    assert call("mention_count", "x", "") == 0
    assert call("mentions_any", "Give aspirin.", ["heparin", "ASPIRIN"]) is True
    assert call("mentions_any", "Give aspirin.", ["heparin", ""]) is False
    assert call("mentions_any", "Give aspirin.", []) is False


def test_simple_text_functions():
    assert call("contains", "BP 140/90", "140/") is True
    assert call("contains", "BP", "bp") is False
    assert call("contains", "x", "") is True
    assert call("starts_with", "Answer: B", "Answer") is True
    assert call("starts_with", "Answer: B", "answer") is False
    assert call("ends_with", "ok?", "?") is True
    assert call("lower", "ÉCG İ") == "écg i̇"
    assert call("trim", "\u3000 B\n\t") == "B"
    assert call("chars", "e\u0301") == 2
    assert call("chars", "👩‍⚕️") == 4
    assert call("chars", "") == 0


@pytest.mark.parametrize("text,expected", [
    ("", 0), ("   \n\t", 0), ("one", 1), ("don't", 2), ("COVID-19", 2), ("snake_case word", 2),
    ("naïve cafe\u0301", 2), ("Пациент жалуется", 2), ("胸痛 患者", 2), ("a—b", 2), ("a,b;c", 3),
    ("x²+y²", 2), ("🙂 hi 🙂", 1), ("\ud800ab", 1), ("a\x00b", 2),
])
def test_words(text, expected):
    assert call("words", text) == expected


def test_lines():
    assert call("lines", "") == 0
    assert call("lines", "a\nb\r\nc\rd") == 4
    assert call("lines", "a\n\n \n\t\nb\n") == 2
    assert call("lines", "a\u2028b") == 2


PROMPT = """Case: a 45-year-old man with chest pain.

Current Student Analyses:
- Alice: quiet, needs prompting
  (continues on a second line)
- **Bob**: confident but hasty
* Carol Ann: asks good questions
- no colon here

- Dan: after a blank line
a continuation line

Next section starts here
- Eve: not listed (section ended)
"""


def test_listed_names():
    assert call("listed_names", PROMPT, "current student analyses") == ["Alice", "Bob", "Carol Ann", "Dan"]
    assert call("listed_names", PROMPT, "CURRENT STUDENT") == ["Alice", "Bob", "Carol Ann", "Dan"]
    assert call("listed_names", PROMPT, "Missing heading") == []
    assert call("listed_names", PROMPT, "") == []
    assert call("listed_names", "Students:\n\nIntro line\n- Alice: x", "students") == []
    assert call("listed_names", "Students:\n\n- Alice: x\n\n- Bob: y", "students") == ["Alice", "Bob"]
    assert call("listed_names", "Students:\n- Alice: x\n- Alice: y", "students") == ["Alice", "Alice"]
    assert call("listed_names", "Students:\n- Alice: x\nmore on Alice\n- Bob: y", "students") == ["Alice", "Bob"]
    assert call("listed_names", "Students:", "students") == []
    assert call("listed_names", "", "students") == []


# --- patterns ---------------------------------------------------------------------------


def test_regex_functions():
    assert call("matches", "BP 140/90", r"\d+/\d+") is True
    assert call("matches", "bp", "BP") is False
    assert call("matches", "Tachycardia", "(?i)^tachy") is True
    assert call("matches", "", "") is True
    assert call("regex_count", "1. a 2. b 3. c", r"\d\.") == 3
    assert call("regex_count", "aaaa", "aa") == 2
    assert call("regex_count", "abc", "") == 4
    assert call("regex_count", "", "x") == 0
    assert call("regex_find", "HR 112 bpm", r"HR (\d+)") == "112"
    assert call("regex_find", "HR 112 bpm", r"\d+ bpm") == "112 bpm"
    assert call("regex_find", "no", r"HR (\d+)") == ""
    assert call("regex_find", "b", r"(a)?b") == ""
    assert call("regex_find", "Ünïcödé ✓ 胸痛 ok", r"(\pL+) ok") == "胸痛"
    assert call("regex_find", "x 🙂🙂 y", "🙂+") == "🙂🙂"
    assert call("matches", "\ud800 lone surrogate", "surrogate") is True
    assert call("regex_find", "a\ud800b", "a.b") == "a\ufffdb"


@pytest.mark.parametrize("pattern,hint", [("(", "a `(` is opened but never closed"), ("[a-", "missing ]"), (r"(?=x)", "look-around"),
                                          (r"(a)\1", "back-references"), ("*", "")])
def test_invalid_pattern(pattern, hint):
    for name in ("matches", "regex_count", "regex_find"):
        with pytest.raises(FunctionError) as err:
            specialize(name, pattern)
        assert err.value.argument == 1
        assert err.value.message.startswith(f'the pattern "{pattern}" is not a valid regular expression: ')
        assert hint in err.value.message


def test_regex_is_linear_on_catastrophic_pattern():
    text = "a" * 100_000 + "!"
    assert call("matches", text, "^(a+)+$") is False
    assert call("regex_count", text, "(a|aa)*b") == 0


# --- multiple choice --------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    (r"\boxed{B}", "B"),
    (r"so \boxed{\text{C}}", "C"),
    (r"\boxed{(D)}", "D"),
    (r"\boxed{ b }", "B"),
    (r"\boxed{A} then corrected: \boxed{C}", "C"),
    (r"The answer is \boxed{E}. Answer: B", "E"),
    (r"\boxed{Beta blocker} answer: C", "C"),
    (r"\boxed{5}", ""),
    ("The answer is (B).", "B"),
    ("The answer is B", "B"),
    ("the answer is: c.", "C"),
    ("Answer: D", "D"),
    ("Answer: **D**", "D"),
    ("**Answer:** A", "A"),
    ("**Answer**: (c)", "C"),
    ("Final answer: B. Aspirin", "B"),
    ("The correct answer is option C", "C"),
    ("ANSWER IS [E]", "E"),
    ("Answer: A at first; on reflection the answer is D.", "D"),
    ("The answer is a beta blocker.", ""),
    ("the answer is a 45-year-old man", ""),
    ("The answer is not clear", ""),
    ("answers: B", ""),
    ("B", "B"),
    ("b", "B"),
    ("(B)", "B"),
    ("( b )", "B"),
    ("[C]", "C"),
    ("B.", "B"),
    ("**C**", "C"),
    ("**C.** Aspirin", "C"),
    ("B) Aspirin 81 mg", "B"),
    ("(B) Aspirin", "B"),
    ("B: Aspirin", "B"),
    ("  \n D \n", "D"),
    ("A 45-year-old man presents with chest pain.", ""),
    ("A", "A"),
    ("I think B", ""),
    ("Aspirin", ""),
    ("Z", ""),
    ("", ""),
    ("(B", ""),
    ("\ud800", ""),
])
def test_choice_letter(text, expected):
    assert call("choice_letter", text) == expected


def test_choice_letter_with_letters():
    assert call("choice_letter", "Answer: E", "ABCD") == ""
    assert call("choice_letter", r"\boxed{E} answer: B", "ABCD") == "B"
    assert call("choice_letter", "e", "abcde") == "E"
    for bad in ("", "A-D", "12", 4):
        with pytest.raises(FunctionError) as err:
            specialize("choice_letter", bad)
        assert err.value.argument == 1 and "ABCD" in err.value.message


# --- overlap and language ------------------------------------------------------------------


def test_ngram_overlap():
    assert call("ngram_overlap", "the chest pain", "Chest pain at rest", 2) == 0.5
    assert call("ngram_overlap", "a b c", "a b c", 3) == 1.0
    assert call("ngram_overlap", "a b", "a b c", 3) == 0.0
    assert call("ngram_overlap", "", "", 1) == 0.0
    assert call("ngram_overlap", "pain pain pain", "pain", 1) == 1.0
    assert call("ngram_overlap", "Pain, FEVER!", "fever", 1) == 0.5
    assert call("ngram_overlap", "a b a b", "b a", 2) == 0.5
    assert call("ngram_overlap", "患者 胸痛", "胸痛", 1) == 0.5
    assert call("ngram_overlap", "a b", "a b", 2.0) == 1.0
    assert is_number(call("ngram_overlap", "x", "y", 1))


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2", math.inf, math.nan, 101])
def test_ngram_overlap_rejects_bad_n(n):
    with pytest.raises(FunctionError) as err:
        IMPLEMENTATIONS["ngram_overlap"].specialize(DYNAMIC, DYNAMIC, n)
    assert err.value.argument == 2


def test_ngram_overlap_with_one_constant_side():
    spec = IMPLEMENTATIONS["ngram_overlap"].specialize
    assert spec(DYNAMIC, "chest pain at rest", 2)("the chest pain") == 0.5
    assert spec("the chest pain", DYNAMIC, 2)("chest pain at rest") == 0.5


@pytest.mark.parametrize("text,script,expected", [
    ("Hello world", "Latin", 1.0),
    ("Hello world", "Cyrillic", 0.0),
    ("123 !?", "Latin", 0.0),
    ("", "Latin", 0.0),
    ("Боль pain", "Cyrillic", 0.5),
    ("Боль pain", "cyrillic", 0.5),
    ("café", "Latin", 1.0),
    ("cafe\u0301", "Latin", 1.0),  # the combining accent is not a letter
    ("Ωμέγα", "Greek", 1.0),
    ("مرحبا", "Arabic", 1.0),
    ("שלום", "Hebrew", 1.0),
    ("नमस्ते", "Devanagari", 1.0),
    ("สวัสดี", "Thai", 1.0),
    ("안녕", "Hangul", 1.0),
    ("胸痛", "Han", 1.0),
    ("ひらがな", "Hiragana", 1.0),
    ("カタカナー", "Katakana", 1.0),
    ("ＡＢ", "Latin", 1.0),
    ("a🙂\ud800\x00", "Latin", 1.0),
    ("µ", "Latin", 0.0),
])
def test_script_share(text, script, expected):
    assert call("script_share", text, script) == expected


@pytest.mark.parametrize("text,lang,expected", [
    ("The patient is stable", "en", 1.0),
    ("The patient is stable", "en-US", 1.0),
    ("Le patient est stable", "fr", 1.0),
    ("患者は胸痛を訴えた", "ja", 1.0),
    ("患者は胸痛を訴えた", "zh", 5 / 9),
    ("CT 正常", "zh", 0.5),
    ("환자 胸痛", "ko", 1.0),
    ("Пациент", "ru", 1.0),
    ("Пациент", "uk", 1.0),
    ("", "en", 0.0),
    ("2024-01-01", "en", 0.0),
    ("Pain مريض", "ar", 0.5),
    ("עברית", "he", 1.0),
    ("हिन्दी", "hi", 1.0),
    ("ελληνικά", "el", 1.0),
    ("ภาษาไทย", "th", 1.0),
    ("ＡＢ", "pt_BR", 1.0),
])
def test_language_share(text, lang, expected):
    assert call("language_share", text, lang) == pytest.approx(expected)


def test_unknown_script_and_language_say_the_fix():
    with pytest.raises(FunctionError) as err:
        specialize("script_share", "Latn")
    assert err.value.argument == 1
    assert 'unknown script "Latn"; did you mean "Latin"?' in err.value.message
    assert "Greek" in err.value.message
    with pytest.raises(FunctionError) as err:
        specialize("language_share", "jp")
    assert err.value.argument == 1 and 'did you mean "ja"?' in err.value.message
    with pytest.raises(FunctionError) as err:
        specialize("language_share", "Klingon")
    assert "en" in err.value.message
    with pytest.raises(FunctionError):
        specialize("language_share", "")


def test_script_table_agrees_with_unicode_script_property():
    regex = pytest.importorskip("regex")
    from rubricspec.runtime.functions._script_runs import SCRIPTS
    from rubricspec.runtime.functions.scripts import _CLASSES

    letters = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000 and chr(c).isalpha())
    for index, script in enumerate(SCRIPTS):
        members = set(regex.findall(r"\p{Script=%s}" % script, letters))
        assert {c for c in members if _CLASSES[c] != index} == set(), script
    assert _CLASSES["\u30fc"] == SCRIPTS.index("Katakana")


# --- numbers ------------------------------------------------------------------------------


def test_min_max():
    assert call("min", 3, 1.5, 2) == 1.5
    assert call("max", 3, 1.5, 2) == 3
    assert call("min", [4, 2]) == 2
    assert call("max", [4]) == 4
    assert call("min", -1, -1) == -1
    for name in ("min", "max"):
        with pytest.raises(FunctionError) as err:
            call(name, [])
        assert err.value.argument == 0 and "empty" in err.value.message


def test_clamp():
    assert call("clamp", 7, 0, 5) == 5
    assert call("clamp", -1, 0, 5) == 0
    assert call("clamp", 2.5, 0, 5) == 2.5
    assert call("clamp", 3, 3, 3) == 3
    with pytest.raises(FunctionError) as err:
        call("clamp", 1, 5, 0)
    assert err.value.argument == 1 and "clamp(x, 0, 5)" in err.value.message


@pytest.mark.parametrize("args,expected", [
    ((2.5,), 3), ((-2.5,), -3), ((0.5,), 1), ((1.5,), 2), ((-0.4,), 0), ((2.4999,), 2), ((7,), 7),
    ((2.675, 2), 2.68), ((-2.675, 2), -2.68), ((1.005, 2), 1.01), ((0.125, 2), 0.13), ((3, 2), 3),
    ((1234, -2), 1200), ((1250, -2), 1300), ((-1250.0, -2), -1300), ((0.1 + 0.2, 1), 0.3),
    ((1e300, 2), 1e300), ((1e20,), 100000000000000000000), ((2.5, 0.0), 3),
])
def test_round_half_away_from_zero(args, expected):
    value = call("round", *args)
    assert value == expected and type(value) is type(expected)


def test_round_special_values_and_bad_digits():
    assert math.isnan(call("round", math.nan))
    assert call("round", math.inf) == math.inf
    for digits in (1.5, -101, math.nan, True):
        with pytest.raises(FunctionError) as err:
            call("round", 1.25, digits)
        assert err.value.argument == 1


def test_abs():
    assert call("abs", -2) == 2 and type(call("abs", -2)) is int
    assert call("abs", -2.5) == 2.5
    assert call("abs", 0) == 0


# --- lists ----------------------------------------------------------------------------------


def test_any_all():
    assert call("any", [False, True]) is True
    assert call("any", []) is False
    assert call("all", []) is True
    assert call("all", [True, False]) is False
    assert call("any", [1, 5], lambda x: x > 4) is True
    assert call("all", [1, 5], lambda x: x > 4) is False
    assert call("any", [], lambda x: True) is False
    assert call("all", [], lambda x: False) is True


def test_any_stops_at_the_first_true():
    seen = []

    def check(x):
        seen.append(x)
        return x == 2

    assert call("any", [1, 2, 3, 4], check) is True
    assert seen == [1, 2]


def test_count_fraction_sum_join():
    assert call("count", ["a", "b"]) == 2
    assert call("count", []) == 0
    assert call("count", [1, 5, 7], lambda x: x > 4) == 2
    assert type(call("count", [1, 5, 7], lambda x: x > 4)) is int
    assert call("fraction", ["a", "b"], lambda x: x == "a") == 0.5
    assert call("fraction", [], lambda x: True) == 0
    assert call("fraction", [1, 2, 3], lambda x: True) == 1
    assert call("sum", [1, 2, 3.5]) == 6.5
    assert call("sum", []) == 0 and type(call("sum", [])) is int
    assert call("sum", ["ab", "c"], lambda s: len(s)) == 3
    assert call("join", ["Alice", "Bob"], ", ") == "Alice, Bob"
    assert call("join", [], ", ") == ""


def test_students_rubric_shape():
    """The ClinTutor criterion: fraction of listed students mentioned in the student reasoning."""
    students = call("listed_names", PROMPT, "Current Student Analyses")
    reasoning = call("tag_text", CLIN, "think_student")
    share = call("fraction", students, lambda name: call("mentions", reasoning, name))
    assert share == 0.5
    assert -2 + 4 * share == 0


# --- any text, never an exception ------------------------------------------------------------

WEIRD = ["", " ", "\x00", "\ud800", "\udfff\ud800", "a\ud83d", "🙂" * 100, "e\u0301" * 50, "שלום עולם",
         "\u202eRTL override", "<", ">", "</", "<a", "<a>", "</a>", "<a/>", "<a b='", "\\boxed{", "answer:",
         "\r\n\r\n", "\u2028", "a" * 10_000, "<" * 1000, "Ａ" * 10, "\U0010ffff", "\ufeffBOM", "0", "-", "*"]

TEXT_ONLY = {"has_tag": ("dx",), "has_tags": ("dx", "c"), "tags_in_order": ("dx", "c"), "well_formed": (),
             "tag_count": ("a",), "tag_text": ("a",), "tag_texts": ("a",), "tag_attr": ("a", "b"),
             "strip_tags": (), "after_tag": ("a",), "chars": (), "words": (), "lines": (), "lower": (),
             "trim": (), "matches": ("a.",), "regex_count": ("a",), "regex_find": ("(a)",),
             "choice_letter": (), "script_share": ("Latin",), "language_share": ("ja",)}
TEXT_PAIRS = ("mentions", "mention_count", "contains", "starts_with", "ends_with", "listed_names")


@pytest.mark.parametrize("text", WEIRD, ids=[repr(w[:12]) for w in WEIRD])
def test_any_text_is_accepted(text):
    for name, extra in TEXT_ONLY.items():
        value = call(name, text, *extra)
        assert value is not None
    for name in TEXT_PAIRS:
        call(name, text, text)
        call(name, "Alice " + text, "Alice")
        call(name, text, "a")
    call("mentions_any", text, [text, "a"])
    call("ngram_overlap", text, text, 2)
    call("well_formed", text, "a", "b")


def test_megabyte_texts():
    big_ascii = ("The patient, a 45-year-old man, reports chest pain <140 mmHg>. " * 20_000)[:1_000_000]
    big_mixed = ("患者は胸痛を訴えた。Пациент жалуется. chest pain 🙂 " * 25_000)[:1_000_000]
    tagged = "<think>" + big_ascii + "</think><dx>MI</dx>" + big_mixed
    for text in (big_ascii, big_mixed, tagged):
        for name, extra in TEXT_ONLY.items():
            call(name, text, *extra)
        call("mentions", text, "chest pain")
        call("mention_count", text, "pain")
        call("ngram_overlap", text, text[:1000], 3)
        call("listed_names", text, "students")
    assert call("tag_text", tagged, "dx") == "MI"
    assert call("words", big_ascii) > 100_000
    assert 0.2 < call("language_share", big_mixed, "ja") < 0.3
    assert call("mentions", "a" * 1_000_000, "a") is False
    assert call("mention_count", "ab " * 300_000, "ab") == 300_000


def test_word_characters_are_consistent():
    from rubricspec.runtime.functions._common import is_word_char

    for char in "aZ09_éßΩж胸ひ\u0301\u0903":
        assert is_word_char(char), char
    for char in " -.,!?'\"()[]{}—–«»。、\u3000\x00\ud800🙂":
        assert not is_word_char(char), char
    assert unicodedata.category("\u0903") == "Mc"


# --- properties -------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=200)
TAGGY_TEXT = st.lists(st.sampled_from(list("<>/ ab=\"'_-.\n") + ["dx", "<dx>", "</dx>", "é", "\ud800"]),
                      max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(ANY_TEXT, TAGGY_TEXT), word=ANY_TEXT)
def test_no_text_makes_a_builtin_fail(text, word):
    for name, extra in TEXT_ONLY.items():
        call(name, text, *extra)
    for name in TEXT_PAIRS:
        call(name, text, word)
    call("ngram_overlap", text, word, 1)
    assert 0 <= call("script_share", text, "Latin") <= 1
    assert call("tag_count", text, "dx") <= text.count("</dx>")


def _tree(depth: int) -> st.SearchStrategy[str]:
    leaf = st.text(alphabet="abc 1<", max_size=5).map(lambda t: t.replace("<", "< "))
    if depth == 0:
        return leaf
    child = _tree(depth - 1)
    return st.lists(st.tuples(st.sampled_from(["a", "b_1", "c.d", "e-f"]), child), max_size=3).map(
        lambda items: "".join(f'<{n} k="{i}">{body}</{n}>' for i, (n, body) in enumerate(items)))


@settings(max_examples=100, deadline=None)
@given(doc=_tree(3))
def test_generated_trees_are_well_formed(doc):
    assert call("well_formed", doc) is True
    assert call("tag_count", doc, "a") == doc.count("<a ")
    assert call("strip_tags", doc) == ""


@settings(max_examples=100, deadline=None)
@given(word=st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=8),
       left=st.sampled_from([" ", "(", "—", "\n", "«", "\x00"]), right=st.sampled_from([" ", ".", ")", "!", "»"]))
def test_a_word_between_boundaries_is_mentioned(word, left, right):
    text = f"_{left}{word}{right}{word}{right}_"
    assert call("mentions", text, word) is True
    assert call("mention_count", text, word) == 2
    assert call("mentions", f"_{word}_", word) is False
    if word.swapcase().casefold() == word.casefold():
        assert call("mention_count", text.swapcase(), word) == 2


@pytest.mark.parametrize("text,letter", [("The answer is\u00a0B.", "B"), ("La réponse\u202fest : answer: C", "C"),
                                         ("answer: d\u00a0", "D")])
def test_choice_letter_reads_across_non_breaking_spaces(text, letter):
    assert call("choice_letter", text) == letter


def test_tags_in_order_compares_with_the_first_element_end():
    assert call("tags_in_order", "<dx><dx>a</dx><conclusion>B</conclusion></dx>", "dx", "conclusion") is False
    assert call("tags_in_order", "<dx>a</dx><conclusion>B</conclusion>", "dx", "conclusion") is True


def test_word_tokens_mixed_text_matches_the_unicode_table():
    from rubricspec.runtime.functions._common import _WORD_TABLE, word_tokens

    for text in ["Temp 38.5°C, Na < 135 mmol/L; µg/kg", "naïve café résumé", "中文 text\u00a0mix", "e\u0301t\u00e9",
                 "x" + "".join(chr(0x4e00 + i) + " " for i in range(40))]:
        assert word_tokens(text) == text.translate(_WORD_TABLE).split()
    assert word_tokens("38.5°C µg") == ["38", "5", "C", "µg"]
