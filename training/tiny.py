"""A tiny random causal LM and word-level tokenizer, built locally for tests.

In: a directory, the lines whose words make up the vocabulary, a seed.
Out: the directory, holding a ``PreTrainedTokenizerFast`` (word-level, with a
chat template using ``<|im_start|>`` / ``<|im_end|>``; ``<|im_end|>`` is the end
of sequence for tokenizer, model config and generation config alike) and a random
Qwen2-style causal LM (hidden 64, 2 layers, 4 heads, 2 KV heads), both saved
with ``save_pretrained``; load them back with ``from_pretrained(directory)``.

The model is a ``Qwen3ForCausalLM`` (Qwen2's decoder plus q/k norms): transformers
5 always loads a ``model_type: qwen2`` directory's tokenizer as ``Qwen2Tokenizer``
(byte-level BPE), which would silently turn the word-level vocabulary into
unknown tokens; for ``qwen3`` it honours the saved tokenizer as written.

Words are split on whitespace only, so a tag such as ``<dx>`` written as its own
word in the lines is one token, which a random model can learn to emit.
Nothing is downloaded. torch, transformers and tokenizers are imported lazily.
"""

from __future__ import annotations

from pathlib import Path

PAD, EOS, UNK = "<|pad|>", "<|endoftext|>", "<|unk|>"
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [PAD, EOS, UNK, IM_START, IM_END]

#: Qwen-style chat template: one `<|im_start|>role\ncontent<|im_end|>` block per message.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def build_tiny_model(directory: str | Path, vocabulary_lines: list[str], seed: int = 0) -> Path:
    """Train a word-level tokenizer on ``vocabulary_lines``, build a random tiny Qwen2-style (Qwen3) LM, save both."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen3Config, Qwen3ForCausalLM

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    # the role names of the chat template are words too, so that prompts tokenise fully
    lines = list(vocabulary_lines) + ["system user assistant"]
    core = Tokenizer(models.WordLevel(unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with single spaces
    core.train_from_iterator(lines, trainers.WordLevelTrainer(special_tokens=SPECIAL_TOKENS, min_frequency=1))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, unk_token=UNK, pad_token=PAD, eos_token=IM_END,
                                        bos_token=None, additional_special_tokens=[IM_START, EOS])
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(path)

    torch.manual_seed(seed)
    config = Qwen3Config(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, head_dim=16,
                         tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.convert_tokens_to_ids(IM_END), bos_token_id=None)
    model = Qwen3ForCausalLM(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = config.eos_token_id
    model.save_pretrained(path)
    return path
