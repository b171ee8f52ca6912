"""rubricspec.training: train policies with compiled rubrics (GRPO through TRL).

Steps of the package, each a small module:

1. ``tiny``: build a tiny random Qwen2-style causal LM and a word-level tokenizer
   locally (nothing downloaded), saved with ``save_pretrained`` so that trainers
   load it through the normal ``from_pretrained`` path. Used by the CPU tests.
2. (to come) run specs (``kind: run``), ``rubricspec train`` / ``ablate`` / ``sft``.

Heavy libraries (torch, transformers, trl, tokenizers) are imported inside the
functions that need them, never when this package is imported.
"""
