"""Run files and the training commands: `rubricspec train`, `ablate` and `sft` on the tiny CPU run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubricspec.cli import main
from rubricspec.diagnostics import SpecError

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "specs" / "training"
TINY_RUN = TRAINING / "tiny_cpu.yaml"
RUN_FILES = ["tiny_cpu.yaml", "crpo_grpo.yaml", "clintutor_grpo.yaml", "crpo_grpo_server.yaml"]


def write_run(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


RUN_HEADER = f"""\
rubricspec: 1
kind: run
name: broken
title: A run with mistakes
policy: {{model: "rubricspec:tiny"}}
rubric: {{path: {TRAINING / "tiny_rubric.yaml"}}}
output_dir: out
"""


class TestRunFiles:
    @pytest.mark.parametrize("name", RUN_FILES)
    def test_shipped_run_files_check(self, name):
        result = CliRunner().invoke(main, ["check", "--strict", str(TRAINING / name)])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"ok {TRAINING / name} (run ")

    def test_papers_settings_reach_trl(self):
        pytest.importorskip("trl")
        from rubricspec.training.grpo import grpo_config
        from rubricspec.training.runspec import load_run

        plan = load_run(TRAINING / "clintutor_grpo.yaml", output_dir="/tmp/unused")
        assert plan.grpo["bf16"] is True
        config = grpo_config(plan, bf16=False)  # this CPU machine has no bf16; a GPU run keeps it
        assert (config.num_generations, config.temperature, config.beta, config.learning_rate) == (5, 1.0, 0.01, 1e-6)
        assert (config.max_completion_length, config.use_vllm, config.vllm_mode) == (4096, True, "colocate")
        assert plan.program.name == "clintutor-r1" and plan.spec.lora is not None and plan.spec.lora.r == 64

    def test_server_mode_extends_the_colocate_run(self):
        pytest.importorskip("trl")
        from rubricspec.training.grpo import grpo_config
        from rubricspec.training.runspec import load_run

        plan = load_run(TRAINING / "crpo_grpo_server.yaml", output_dir="/tmp/unused")
        assert "vllm_gpu_memory_utilization" not in plan.grpo  # `null` in the extending file deletes it
        config = grpo_config(plan, bf16=False)
        assert (config.vllm_mode, config.vllm_server_base_url, config.num_generations) == (
            "server", "http://localhost:8000", 5)

    def test_variant_and_params_recompile_the_reward(self):
        from rubricspec.training.runspec import load_run

        plan = load_run(TRAINING / "crpo_grpo.yaml", variant="k5", params={"k": 3})
        assert (plan.variant, plan.program.variant, plan.program.rubric.params["k"]) == ("k5", "k5", 3)

    def test_unknown_trl_setting_missing_files_and_backend(self, tmp_path):
        pytest.importorskip("trl")
        from rubricspec.training.runspec import load_run

        path = write_run(tmp_path, RUN_HEADER + "dataset: {path: nowhere.jsonl}\njudges: {tutor-judge: openai}\n"
                         "grpo:\n  num_generation: 4\n  seed: 3\n")
        with pytest.raises(SpecError) as caught:
            load_run(path)
        found = [(d.code, d.line, d.message) for d in caught.value.diagnostics]
        assert found == [
            ("RS116", 8, f"The dataset nowhere.jsonl does not exist (looked for {tmp_path / 'nowhere.jsonl'})."),
            ("RS115", 9, "Judge role `tutor-judge` is bound to `openai`, which this version does not offer."),
            ("RS114", 11, "TRL's GRPOConfig has no setting `num_generation`."),
            ("RS114", 12, "`seed` is set by the run file itself, not under `grpo:`."),
        ]
        assert caught.value.diagnostics[2].hint.startswith("Did you mean `num_generations`?")

    def test_a_rubric_file_is_not_a_run(self):
        from rubricspec.training.runspec import load_run

        with pytest.raises(SpecError) as caught:
            load_run(TRAINING / "tiny_rubric.yaml")
        assert caught.value.diagnostics[0].code == "RS104"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    pytest.importorskip("trl")
    out = tmp_path_factory.mktemp("train") / "tiny"
    result = CliRunner().invoke(main, ["train", str(TINY_RUN), "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


class TestTrain:
    def test_reward_rises_and_trl_state_is_left(self, trained):
        out, output = trained
        state = json.loads((out / "trainer_state.json").read_text())
        steps = [e for e in state["log_history"] if "reward" in e]
        assert len(steps) == 30
        first = sum(e["reward"] for e in steps[:5]) / 5
        last = sum(e["reward"] for e in steps[-5:]) / 5
        assert last > first + 1.5
        assert "trained 30 steps; reward " in output

    def test_every_criterion_axis_and_veto_rate_is_logged(self, trained):
        out, _ = trained
        state = json.loads((out / "trainer_state.json").read_text())
        step = next(e for e in state["log_history"] if "reward" in e)
        for key in ("rewards/tiny-dx/mean", "rubricspec/opens_dx/mean", "rubricspec/names_target/mean",
                    "rubricspec/CONTENT/mean", "rubricspec/FORMAT/mean", "rubricspec/veto_rate",
                    "rubricspec/no_reward_rate"):
            assert key in step, key


def test_ablate_compares_two_variants_with_the_same_seed(tmp_path):
    pytest.importorskip("trl")
    out = tmp_path / "ablation"
    result = CliRunner().invoke(main, ["ablate", str(TINY_RUN), "--variants", "base,format-only", "--output", str(out)])
    assert result.exit_code == 0, result.output
    table = (out / "ablation.md").read_text()
    assert table.splitlines()[0] == "|  | base | format-only |"
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    assert {"steps", "first reward", "final reward", "CONTENT", "FORMAT", "veto_rate"} <= set(rows)
    data = json.loads((out / "ablation.json").read_text())
    assert [d["variant"] for d in data] == ["base", "format-only"]
    assert all(d["steps"] == 30 for d in data)
    base, format_only = data
    # dropping the content axis from the reward leaves the content unlearned
    assert base["final_metrics"]["rubricspec/CONTENT/mean"] > format_only["final_metrics"]["rubricspec/CONTENT/mean"]
    assert (out / "base" / "trainer_state.json").is_file() and (out / "format-only" / "trainer_state.json").is_file()


def test_ablate_refuses_an_unknown_variant_before_training(tmp_path):
    result = CliRunner().invoke(main, ["ablate", str(TINY_RUN), "--variants", "base,no-vetoes",
                                       "--output", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "The rubric has no variant `no-vetoes`." in result.output
    assert not (tmp_path / "x").exists()


def test_sft_fine_tunes_the_tiny_model_on_chat_data(tmp_path):
    pytest.importorskip("trl")
    data = tmp_path / "sft.jsonl"
    rows = [{"prompt": [{"role": "user", "content": "the patient has fever and cough"}],
             "completion": [{"role": "assistant", "content": "<dx> pneumonia </dx>"}]}] * 16
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    run = write_run(tmp_path, f"""\
        rubricspec: 1
        kind: run
        name: tiny-sft
        title: Cold start on a few chat turns
        policy:
          model: "rubricspec:tiny"
          vocabulary: ["the patient has fever and cough <dx> pneumonia </dx>"]
        dataset: {{path: sft.jsonl}}
        rubric: {{path: {TRAINING / "tiny_rubric.yaml"}}}
        sft: {{max_steps: 4, per_device_train_batch_size: 4, learning_rate: 1.0e-3, use_cpu: true,
              save_strategy: "no", disable_tqdm: true}}
        output_dir: {tmp_path / "out"}
        """)
    result = CliRunner().invoke(main, ["sft", str(run)])
    assert result.exit_code == 0, result.output
    state = json.loads((tmp_path / "out" / "sft" / "trainer_state.json").read_text())
    assert [e["step"] for e in state["log_history"] if "loss" in e] == [1, 2, 3, 4]


def test_a_judged_rubric_without_a_bound_judge_is_a_run_file_error(tmp_path):
    from rubricspec.training.runspec import load_run

    text = (TRAINING / "clintutor_grpo.yaml").read_text().replace("judges:\n  tutor-judge: replay\n", "")
    path = TRAINING / "_unbound_test.yaml"
    try:
        path.write_text(text)
        with pytest.raises(SpecError) as caught:
            load_run(path)
    finally:
        path.unlink()
    d = caught.value.diagnostics[0]
    assert (d.code, d.message) == ("RS115", "The rubric ../clinical/clintutor.yaml has judged criteria, but this "
                                            "run binds no judge to its role `tutor-judge`.")
    assert d.hint.startswith("Add `judges: {tutor-judge: replay}`")


def test_the_cold_start_data_is_checked_too(tmp_path):
    from rubricspec.training.runspec import load_run

    path = write_run(tmp_path, RUN_HEADER + f"dataset: {{path: {TRAINING.parent / 'examples' / 'tiny_prompts.jsonl'}}}\n"
                     "sft_dataset: {path: missing.jsonl}\n")
    with pytest.raises(SpecError) as caught:
        load_run(path)
    assert caught.value.diagnostics[0].message.startswith("The sft dataset missing.jsonl does not exist")


def test_a_judged_rubric_trains_through_the_async_reward(tmp_path):
    pytest.importorskip("trl")
    (tmp_path / "judged.yaml").write_text(textwrap.dedent(f"""\
        rubricspec: 1
        kind: rubric
        extends: {TRAINING / "tiny_rubric.yaml"}
        name: tiny-dx-judged
        title: The tiny rubric with one judged criterion
        axes:
          CONTENT:
            criteria:
              safe: {{title: Safe answer, ask: The answer is safe.}}
        """))
    rows = [{"prompt": [{"role": "user", "content": "the patient has fever and cough"}], "verdicts": {"safe": 1}}] * 16
    (tmp_path / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    run = write_run(tmp_path, f"""\
        rubricspec: 1
        kind: run
        name: judged-tiny
        title: Replay verdicts during training
        policy:
          model: "rubricspec:tiny"
          vocabulary: ["the patient has fever and cough <dx> pneumonia </dx> bleach"]
        dataset: {{path: data.jsonl}}
        rubric: {{path: judged.yaml}}
        judges: {{judge: replay}}
        grpo: {{max_steps: 3, per_device_train_batch_size: 8, num_generations: 8, max_completion_length: 8,
               use_cpu: true, save_strategy: "no", disable_tqdm: true}}
        output_dir: {tmp_path / "out"}
        """)
    from rubricspec.training.grpo import train
    from rubricspec.training.runspec import load_run

    summary = train(load_run(run))
    assert summary.steps == 3
    assert summary.final_metrics["rubricspec/judge_failure_rate"] == 0.0
    assert summary.final_metrics["rubricspec/safe/mean"] == 1.0
