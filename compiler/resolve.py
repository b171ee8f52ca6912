"""Resolve: a spec file -> one merged node tree, with `extends`, a variant and param overrides applied.

In: the path of a spec file, optionally a variant name and param overrides.
Out: a ``YMap`` tree whose every node still carries the span where it was
written (in the base file, the extending file or the variant), and the list
of files it was read from.

Merging follows JSON Merge Patch (RFC 7386) on the node trees: mappings merge
key by key, every other value replaces, and `null` removes a key. The same
rule serves `extends` (the extending file patches its base) and variants (a
variant patches the resolved spec), so a clinician learns it once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from rubricspec.diagnostics import Collector, Diagnostic, Span, SpecError, did_you_mean
from rubricspec.loader import YMap, YNode, YScalar, load_yaml

#: keys a variant may not patch: they say what the file is, not how it scores
_FIXED_KEYS = ("rubricspec", "kind", "extends", "variants")


@dataclass
class ResolvedTree:
    root: YMap
    files: list[str] = field(default_factory=list)


def merge(base: YNode, patch: YNode) -> YNode:
    """``patch`` applied over ``base`` (JSON Merge Patch on positioned nodes)."""
    if not (isinstance(base, YMap) and isinstance(patch, YMap)):
        return patch
    merged = YMap(patch.span, dict(base.entries))
    for key, (key_node, value) in patch.entries.items():
        if isinstance(value, YScalar) and value.value is None:
            merged.entries.pop(key, None)
        elif key in merged.entries:
            merged.entries[key] = (key_node, merge(merged.entries[key][1], value))
        else:
            merged.entries[key] = (key_node, value)
    return merged


def resolve_file(path: str | Path, _chain: tuple[str, ...] = ()) -> ResolvedTree:
    """Load ``path`` and everything it extends, merged into one tree."""
    name = str(path)
    root = load_yaml(path)
    assert isinstance(root, YMap)
    extends = root.get("extends")
    if extends is None or (isinstance(extends, YScalar) and extends.value is None):
        return ResolvedTree(root, [name])
    if not isinstance(extends, YScalar) or not isinstance(extends.value, str):
        raise SpecError([Diagnostic("RS111", "`extends` must be the path of another rubric file.", extends.span,
                                    "extends", hint="Write it as text, e.g. `extends: ../clinical/clintutor.yaml`.",
                                    context=_context(root))])
    target = (Path(name).parent / extends.value)
    key = str(target.resolve())
    here = str(Path(name).resolve())
    chain = _chain + (here,)
    if key in chain:
        cycle = " -> ".join(Path(c).name for c in chain[chain.index(key):]) + f" -> {Path(key).name}"
        raise SpecError([Diagnostic("RS111", f"`extends` forms a cycle: {cycle}.", extends.span, "extends",
                                    hint="A rubric may not extend itself, directly or through others.",
                                    context=_context(root))])
    if not target.is_file():
        raise SpecError([Diagnostic("RS111", f"`extends` names {extends.value}, but there is no such file "
                                    f"(looked for {target}).", extends.span, "extends",
                                    hint="The path is relative to the file that contains `extends`.",
                                    context=_context(root))])
    base = resolve_file(target, chain)
    child = YMap(root.span, {k: v for k, v in root.entries.items() if k != "extends"})
    merged = merge(base.root, child)
    assert isinstance(merged, YMap)
    return ResolvedTree(merged, base.files + [name])


def _context(root: YMap) -> str:
    name = root.get("name")
    kind = root.get("kind")
    kind_text = kind.value if isinstance(kind, YScalar) and isinstance(kind.value, str) else "spec"
    return f'{kind_text} "{name.value}"' if isinstance(name, YScalar) and isinstance(name.value, str) else kind_text


def variant_names(root: YMap) -> list[str]:
    variants = root.get("variants")
    return list(variants.entries) if isinstance(variants, YMap) else []


def apply_variant(root: YMap, variant: str, overridden: set[str] | None = None) -> YMap:
    """The tree with the named variant's patch applied, or SpecError(RS501/RS110).

    Params in ``overridden`` are set again right after (by `--set`), so the
    variant's value for them is not applied or checked.
    """
    variants = root.get("variants")
    names = variant_names(root)
    if variant not in names:
        guess = did_you_mean(variant, names)
        hint = f"Did you mean `{guess}`? " if guess else ""
        hint += f"Variants: {', '.join(names)}." if names else "This rubric defines no variants."
        raise SpecError([Diagnostic("RS501", f"The rubric has no variant `{variant}`.",
                                    root.key_span("variants") or root.span, "variants", hint=hint,
                                    context=_context(root))])
    assert isinstance(variants, YMap)
    patch = variants.entries[variant][1]
    if not isinstance(patch, YMap):
        raise SpecError([Diagnostic("RS110", f"Variant `{variant}` must be a mapping of the keys it changes.",
                                    patch.span, f"variants › {variant}",
                                    hint="For example `no-veto: {veto: []}`.", context=_context(root))])
    errors = Collector(_context(root))
    for key in _FIXED_KEYS:
        if key in patch.entries:
            errors.error("RS110", f"A variant may not change `{key}`.", patch.entries[key][0].span,
                         f"variants › {variant} › {key}",
                         hint="Variants patch how the rubric scores; make a new file with `extends:` instead.")
    errors.raise_if_errors()
    # `params: {k: 1}` in a variant sets the value of a declared param: it goes through
    # apply_params so that the declaration (description, min, max) is kept and checked
    overrides: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    params_patch = patch.get("params")
    declared = root.get("params")
    if isinstance(params_patch, YMap) and isinstance(declared, YMap):
        rest = {}
        for name, (key_node, value) in params_patch.entries.items():
            if name in (overridden or ()) and name in declared.entries:
                continue
            if name in declared.entries and isinstance(value, YScalar) and value.value is not None:
                overrides[name] = value.value
                spans[name] = value.span
            else:
                rest[name] = (key_node, value)
        entries = dict(patch.entries)
        entries["params"] = (entries["params"][0], YMap(params_patch.span, rest))
        patch = YMap(patch.span, entries)
    merged = merge(root, patch)
    assert isinstance(merged, YMap)
    return apply_params(merged, overrides, variant, spans) if overrides else merged


class TextOverride(str):
    """A param value typed on the command line; ``apply_params`` reads it as the param's kind."""


def parse_override(text: str) -> tuple[str, TextOverride]:
    """``"k=5"`` -> ("k", "5"). The text is read by ``apply_params`` according to the param's kind."""
    if "=" not in text:
        raise SpecError([Diagnostic("RS503", f"`--set {text}` is missing `=`.", None,
                                    hint="Write it as NAME=VALUE, e.g. `--set k=5`.")])
    name, raw = text.split("=", 1)
    return name.strip(), TextOverride(raw)


def _read_override(raw: str, default: Any) -> Any:
    """A command-line value read as the kind of its param: text stays text (`no` is Norwegian)."""
    if isinstance(default, str) and not isinstance(default, bool):
        return raw
    text = raw.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return raw


def apply_params(root: YMap, overrides: dict[str, Any], variant: str | None = None,
                 spans: dict[str, Span] | None = None) -> YMap:
    """Replace param defaults with ``overrides``; checks names, kinds and bounds.

    Overrides come from `--set` (``TextOverride`` values, read as the param's
    kind), ``params=``, or, with ``variant`` and ``spans``,
    from a variant's `params:` patch (errors then point at the variant's line).
    """
    params = root.get("params")
    declared = params.entries if isinstance(params, YMap) else {}
    errors = Collector(_context(root))
    merged = dict(declared)
    for name, value in overrides.items():
        if name not in declared:
            guess = did_you_mean(name, declared)
            hint = f"Did you mean `{guess}`? " if guess else ""
            hint += f"Params: {', '.join(declared)}." if declared else "This rubric declares no params."
            where = params.span if isinstance(params, YMap) else root.span
            errors.error("RS502", f"The rubric has no param `{name}` to set (asked for by `--set {name}=...`).",
                         where, "params", hint)
            continue
        key_node, node = declared[name]
        decl = node
        default = decl.get("default") if isinstance(decl, YMap) else decl
        default_value = default.value if isinstance(default, YScalar) else None
        if isinstance(value, TextOverride):
            value = _read_override(str(value), default_value)
        problem = _override_problem(name, value, default_value, decl)
        if problem and variant is not None and spans and name in spans:
            errors.error("RS503", problem, spans[name], f"variants › {variant} › params › {name}",
                         hint=f"The variant `{variant}` sets it here; `{name}` is declared on line "
                         f"{key_node.span.line}.")
            continue
        if problem:
            errors.error("RS503", problem, key_node.span, f"params › {name}",
                         hint=f"`{name}` is declared on this line; change the value given with `--set {name}=...` "
                         "(or `params=` in Python).")
            continue
        new_value = YScalar(str(value) if isinstance(value, TextOverride) else value, key_node.span)
        if isinstance(decl, YMap):
            entries = dict(decl.entries)
            default_key = entries["default"][0] if "default" in entries else YScalar("default", key_node.span)
            entries["default"] = (default_key, new_value)
            merged[name] = (key_node, YMap(decl.span, entries))
        else:
            merged[name] = (key_node, new_value)
    errors.raise_if_errors()
    if not overrides:
        return root
    entries = dict(root.entries)
    params_key = entries["params"][0]
    entries["params"] = (params_key, YMap(params.span, merged))  # type: ignore[union-attr]
    return YMap(root.span, entries)


def _override_problem(name: str, value: Any, default: Any, decl: YNode) -> str | None:
    def kind(v: Any) -> str:
        if isinstance(v, bool):
            return "yes/no"
        if isinstance(v, (int, float)):
            return "number"
        return "text"

    def shown(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return f"`{v}`"

    if isinstance(value, float) and not math.isfinite(value):
        return f"`{name}` must be a finite number; the override gives {value}."
    if default is not None and kind(value) != kind(default):
        return (f"`{name}` is a {kind(default)} param (default {shown(default)}), but the override gives the "
                f"{kind(value)} {shown(value)}.")
    if isinstance(decl, YMap) and isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = decl.get("min"), decl.get("max")
        if isinstance(low, YScalar) and isinstance(low.value, (int, float)) and value < low.value:
            return f"`{name}` may not be below {low.value}; the override gives {value}."
        if isinstance(high, YScalar) and isinstance(high.value, (int, float)) and value > high.value:
            return f"`{name}` may not be above {high.value}; the override gives {value}."
    return None
