"""GRPO on CPU with a compiled rubric: a tiny local model learns, TRL logs every rubric metric.

Builds the tiny word-level model of ``rubricspec.training.tiny`` in a temporary
directory (nothing downloaded), compiles ``specs/training/tiny_rubric.yaml`` and
trains with ``trl.GRPOTrainer`` for 30 steps, then reads the log history that
TRL writes to ``trainer_state.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

_REASON = "GRPO tests need the training extras (torch, transformers, tokenizers, trl, datasets)"
torch = pytest.importorskip("torch", reason=_REASON)
pytest.importorskip("transformers", reason=_REASON)
pytest.importorskip("tokenizers", reason=_REASON)
trl = pytest.importorskip("trl", reason=_REASON)
datasets = pytest.importorskip("datasets", reason=_REASON)

import rubricspec  # noqa: E402
from rubricspec.training.tiny import build_tiny_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY_RUBRIC = ROOT / "specs" / "training" / "tiny_rubric.yaml"
assert TINY_RUBRIC.name == "tiny_rubric.yaml"

#: every word and tag of the rubric is a whole token of this vocabulary
TINY_VOCABULARY = [
    "the patient has fever and cough <dx> pneumonia </dx>",
    "the patient has chest pain <dx> asthma </dx> bleach",
    "what is the diagnosis ? answer now",
    "cold flu rash headache nausea",
]
PROMPTS = ["the patient has fever and cough", "what is the diagnosis ?", "the patient has chest pain", "answer now"]
RUBRIC_METRICS = ["rubricspec/opens_dx/mean", "rubricspec/closes_dx/mean", "rubricspec/names_target/mean",
                  "rubricspec/target_often/mean", "rubricspec/FORMAT/mean", "rubricspec/CONTENT/mean",
                  "rubricspec/veto_rate", "rubricspec/no_reward_rate"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", TINY_VOCABULARY, seed=0)


class TestTinyModel:
    def test_importing_the_training_package_loads_no_heavy_library(self):
        code = ("import sys, rubricspec.training, rubricspec.training.tiny; "
                "print(sorted(m for m in ('torch', 'transformers', 'trl', 'tokenizers') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip() == "[]"

    def test_tags_and_words_are_whole_tokens_and_decode_back(self, tiny_model):
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tiny_model)
        ids = tokenizer("<dx> pneumonia </dx> bleach")["input_ids"]
        assert tokenizer.convert_ids_to_tokens(ids) == ["<dx>", "pneumonia", "</dx>", "bleach"]
        assert tokenizer.decode(ids) == "<dx> pneumonia </dx> bleach"
        assert tokenizer.convert_ids_to_tokens(tokenizer("zebra")["input_ids"]) == ["<|unk|>"]
        # 5 special tokens + 24 distinct words of TINY_VOCABULARY + system, user, assistant
        assert len(tokenizer) == 32

    def test_chat_template_renders_qwen_style_turns(self, tiny_model):
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tiny_model)
        messages = [{"role": "user", "content": "answer now"}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        assert text == "<|im_start|>user\nanswer now<|im_end|>\n<|im_start|>assistant\n"
        ids = tokenizer(text)["input_ids"]
        assert tokenizer.convert_ids_to_tokens(ids) == ["<|im_start|>", "user", "answer", "now", "<|im_end|>",
                                                        "<|im_start|>", "assistant"]

    def test_model_loads_back_with_the_tiny_config(self, tiny_model):
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(tiny_model)
        c = model.config
        assert (c.hidden_size, c.num_hidden_layers, c.num_attention_heads, c.num_key_value_heads, c.vocab_size) == (
            64, 2, 4, 2, 32)
        assert sum(p.numel() for p in model.parameters()) == 76_160


class TestTinyRubric:
    def test_scores_hand_written_completions(self):
        program = rubricspec.compile(TINY_RUBRIC)
        completions = ["<dx> pneumonia </dx>", "<dx> pneumonia pneumonia pneumonia pneumonia", "fever cough",
                       "<dx> pneumonia </dx> bleach"]
        results = program.score(completions=completions)
        # FORMAT: 0.5 opens + 0.5 closes; CONTENT (weight 2): names + min(1, count / 4)
        assert [r.reward for r in results] == [3.5, 4.5, 0.0, -1.0]
        assert results[1].axes == {"FORMAT": 0.5, "CONTENT": 2.0}
        assert results[0].criteria == {"opens_dx": 1.0, "closes_dx": 1.0, "names_target": 1.0,
                                       "target_often": 0.25}
        assert [r.vetoed for r in results] == [False, False, False, True]
        assert results[3].veto_reason == "The answer recommends bleach."


def test_grpo_learns_the_rubric_and_logs_every_metric(tiny_model, tmp_path):
    program = rubricspec.compile(TINY_RUBRIC)

    class Timed:
        """The program, timed; TRL names the reward by ``__name__``."""

        def __init__(self, inner):
            self.inner, self.__name__, self.seconds = inner, inner.__name__, 0.0

        def __call__(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return self.inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

    reward = Timed(program)
    dataset = datasets.Dataset.from_dict({"prompt": [[{"role": "user", "content": p}] for p in PROMPTS] * 16})
    args = trl.GRPOConfig(output_dir=str(tmp_path / "run"), max_steps=30, per_device_train_batch_size=8,
                          num_generations=8, max_completion_length=16, learning_rate=5e-3, beta=0.0,
                          temperature=1.0, report_to=[], use_cpu=True, logging_steps=1, save_strategy="no",
                          seed=0, data_seed=0, disable_tqdm=True)
    trainer = trl.GRPOTrainer(model=str(tiny_model), reward_funcs=[reward], args=args, train_dataset=dataset)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    trainer.save_state()

    history = json.loads((tmp_path / "run" / "trainer_state.json").read_text())["log_history"]
    steps = [entry for entry in history if "reward" in entry]
    assert len(steps) == 30
    rewards = [entry["reward"] for entry in steps]
    first, last = sum(rewards[:5]) / 5, sum(rewards[-5:]) / 5
    print(f"\nGRPO tiny run: {seconds:.1f} s for 30 steps; reward {first:.3f} -> {last:.3f}; "
          f"reward function {reward.seconds * 1000:.0f} ms = {100 * reward.seconds / seconds:.2f}% of training time")
    # seeds 0-7 gave margins from 2.9 to 3.9 (the reward runs from -1 to 5)
    assert last - first > 1.5, rewards
    for entry in steps:
        assert entry["rewards/tiny-dx/mean"] == entry["reward"]
        missing = [name for name in RUBRIC_METRICS if name not in entry]
        assert not missing, f"step {entry['step']} lacks {missing}"
        assert entry["rubricspec/no_reward_rate"] == 0.0
        assert 0.0 <= entry["rubricspec/veto_rate"] <= 1.0
    # the content axis is what the model learns first: it must have grown too
    content = [entry["rubricspec/CONTENT/mean"] for entry in steps]
    assert sum(content[-5:]) / 5 - sum(content[:5]) / 5 > 0.5, content
