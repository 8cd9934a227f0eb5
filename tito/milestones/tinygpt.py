"""The tinygpt milestone: a character-level GPT trained on Python's own documentation.

Runs in the milestone subprocess (`python -m tito.milestones.train tinygpt`) and uses only
the student's exported `tinytorch` (and numpy): the corpus and `CharTokenizer` of module 14,
the `GPT` and `generate` of module 16 (built on 15's attention), `AdamW` of module 08 and
`CrossEntropyLoss` of module 09 on the logits reshaped to (B*T, V).

The text is `load_pydoc_text()` (about 465k characters, offline everywhere); its last 10%
is the validation split, never trained on. Quality is measured in bits per character (bpc,
the cross-entropy in base 2) on every validation character after the first (the GPT reads
the split in consecutive windows of max_len characters), against a bigram baseline measured
in the same run: add-one smoothed counts of (previous, next) characters on the training
split, evaluated on the same characters. Checks:

1. val bpc <= bigram bpc - MIN_BITS_BELOW_BIGRAM: the gap that context beyond the previous
   character buys (measured: 1.95 against 3.35, 1.40 bits; a model whose attention does not
   work sees one character and lands near the bigram);
2. causal: changing the last input character moves no earlier logit. A model that peeks at
   the next character would pass any bpc bar, so the bar alone cannot tell a leak from success.

Unloaded, on one core (tito runs it with one BLAS thread), the run takes about 90 s.

`CONFIG` is the model and training recipe (the tinygpt training-step bench imports it).
"""

from __future__ import annotations

import math

from tito.milestones.train import emit, pyplot

CONFIG = {
    "max_len": 64,          # context: characters the model sees
    "embed_dim": 64,
    "num_heads": 4,
    "num_layers": 2,
    "tie_weights": True,    # the output head reuses the token embedding
    "batch_size": 32,
    "steps": 1500,
    "learning_rate": 3e-3,  # peak, after a linear warm-up; cosine decay to 10% of it
    "seed": 0,
}
WEIGHT_DECAY = 0.01          # AdamW's default
WARMUP_STEPS = 100
EVAL_INTERVALS = 15          # progress events ("epochs" of the progress bar)
EVAL_WINDOWS = 128           # validation windows (of 727) at each interval; the final number uses them all
VALIDATION_SHARE = 0.1
MIN_BITS_BELOW_BIGRAM = 1.0  # measured 1.40 (val 1.95 vs bigram 3.35); a model without context is ~bigram
SAMPLE_PROMPT = "The "
SAMPLE_CHARS = 200
SAMPLE_TEMPERATURE = 0.8
SAMPLE_TOP_K = 10

LN2 = math.log(2.0)


def learning_rate(step: int, steps: int, peak: float) -> float:
    """Linear warm-up for WARMUP_STEPS (step counts from 1), then cosine decay to peak / 10."""
    warmup = min(WARMUP_STEPS, max(1, steps // 10))
    if step <= warmup:
        return peak * step / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def bigram_bpc(train_ids, val_ids, vocab_size: int) -> float:
    """Add-one smoothed bigram model counted on `train_ids`: mean bits per character of
    every validation character after the first (each predicted from the one before it)."""
    import numpy as np

    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    probs = counts / counts.sum(axis=1, keepdims=True)
    return float(-np.log2(probs[val_ids[:-1], val_ids[1:]]).mean())


def _windows(ids, length: int):
    """Consecutive non-overlapping (input, target) windows covering ids: targets are ids[1:]
    exactly once; the last window may be shorter."""
    pairs = []
    for start in range(0, len(ids) - 1, length):
        stop = min(start + length, len(ids) - 1)
        pairs.append((ids[start:stop], ids[start + 1:stop + 1]))
    return pairs


def evaluate_bpc(model, windows, batch_size: int = 64) -> float:
    """Mean bits per character over every target of `windows` (forward passes only)."""
    import numpy as np

    from tinytorch.core.training import CrossEntropyLoss

    loss_fn = CrossEntropyLoss()
    total_nats, total_chars = 0.0, 0
    by_length = {}
    for x, y in windows:  # batch windows of one length together (only the last one is shorter)
        by_length.setdefault(len(x), []).append((x, y))
    for group in by_length.values():
        for i in range(0, len(group), batch_size):
            xs = np.stack([x for x, _ in group[i:i + batch_size]])
            ys = np.stack([y for _, y in group[i:i + batch_size]])
            logits = model(xs)
            flat = logits.reshape(xs.size, logits.shape[-1])
            total_nats += float(np.asarray(loss_fn(flat, ys.reshape(-1)).data.data)) * xs.size
            total_chars += xs.size
    return total_nats / total_chars / LN2


def look_ahead(model, window, vocab_size: int) -> float:
    """The largest change of the logits at positions 0..T-2 when only the LAST input character
    changes: 0 for a causal model. A model that sees the next character would reach a far
    lower bpc than any honest one, so the bpc check alone cannot tell a leak from success."""
    import numpy as np

    changed = np.array(window, dtype=np.int64)
    changed[-1] = (changed[-1] + 1) % vocab_size
    before = np.asarray(model(np.asarray(window, dtype=np.int64)[None]).data.data)
    after = np.asarray(model(changed[None]).data.data)
    return float(np.max(np.abs(before[:, :-1] - after[:, :-1])))


def tinygpt(epochs: int | None = None):
    """Train CONFIG's GPT for `epochs` evaluation intervals (default EVAL_INTERVALS, CONFIG's
    steps in all); return (metrics, history, table, checks, extra) for `tito milestone run tinygpt`."""
    import numpy as np

    from tinytorch.core.optimizers import AdamW
    from tinytorch.core.tokenization import CharTokenizer, load_pydoc_text
    from tinytorch.core.training import CrossEntropyLoss
    from tinytorch.core.transformers import GPT, generate

    c = CONFIG
    intervals = epochs or EVAL_INTERVALS
    interval_steps = math.ceil(c["steps"] / EVAL_INTERVALS)
    steps = intervals * interval_steps
    batch, context = c["batch_size"], c["max_len"]

    text = load_pydoc_text()
    tokenizer = CharTokenizer(text)
    vocab = tokenizer.vocab_size
    ids = np.asarray(tokenizer.encode(text), dtype=np.int64)
    split = int(len(ids) * (1.0 - VALIDATION_SHARE))
    train_ids, val_ids = ids[:split], ids[split:]
    bigram = bigram_bpc(train_ids, val_ids, vocab)
    val_windows = _windows(val_ids, context)
    picked = np.linspace(0, len(val_windows) - 2, EVAL_WINDOWS).astype(int)  # full-length ones, spread out
    interval_windows = [val_windows[i] for i in picked]

    model = GPT(vocab, context, c["embed_dim"], c["num_heads"], c["num_layers"], tie_weights=c["tie_weights"],
                seed=c["seed"])
    optimizer = AdamW(model.parameters(), learning_rate=c["learning_rate"], weight_decay=WEIGHT_DECAY)
    loss_fn = CrossEntropyLoss()
    rng = np.random.default_rng(c["seed"])
    offsets = np.arange(context)
    history = {"step": [], "train_bpc": [], "val_bpc": [], "bigram_bpc": bigram}
    emit("start", epochs=intervals, samples=len(train_ids), test_samples=len(val_ids), steps=steps,
         parameters=int(model.num_parameters()), vocab_size=int(vocab), bigram_bpc=bigram)

    step, recent = 0, []
    for interval in range(1, intervals + 1):
        for _ in range(interval_steps):
            step += 1
            starts = rng.integers(0, len(train_ids) - context, size=batch)
            x = train_ids[starts[:, None] + offsets]          # (B, T)
            y = train_ids[starts[:, None] + offsets + 1]      # the next character of each
            optimizer.learning_rate = learning_rate(step, steps, c["learning_rate"])
            logits = model(x)                                 # (B, T, V)
            loss = loss_fn(logits.reshape(batch * context, vocab), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            recent.append(float(np.asarray(loss.data.data)))
        train_bpc = float(np.mean(recent)) / LN2  # the interval's mean training loss
        recent = []
        val_bpc = evaluate_bpc(model, interval_windows)
        history["step"].append(step)
        history["train_bpc"].append(train_bpc)
        history["val_bpc"].append(val_bpc)
        emit("epoch", epoch=interval, total=intervals, step=step, train_bpc=train_bpc, val_bpc=val_bpc)

    final_val = evaluate_bpc(model, val_windows)
    leak = look_ahead(model, val_windows[0][0], vocab)
    history["final_val_bpc"] = final_val
    prompt = tokenizer.encode(SAMPLE_PROMPT)
    generated = generate(model, prompt, SAMPLE_CHARS, temperature=SAMPLE_TEMPERATURE, top_k=SAMPLE_TOP_K,
                         seed=c["seed"])
    sample = tokenizer.decode([int(i) for i in generated])
    metrics = {"val_bpc": final_val, "bigram_bpc": bigram, "train_bpc": history["train_bpc"][-1],
               "bits_below_bigram": bigram - final_val, "parameters": float(model.num_parameters()),
               "steps": float(steps)}
    checks = [{"name": f"val bpc ({len(val_ids) - 1:,} held-out characters) vs bigram {bigram:.3f}",
               "value": final_val, "target": f"<= {bigram - MIN_BITS_BELOW_BIGRAM:.3f} (bigram - "
                                             f"{MIN_BITS_BELOW_BIGRAM:.1f})",
               "passed": bool(final_val <= bigram - MIN_BITS_BELOW_BIGRAM)},
              {"name": "causal: earlier logits moved by a new last character", "value": leak,
               "target": "<= 1e-5", "passed": bool(leak <= 1e-5)}]
    extra = {"sample": sample, "prompt": SAMPLE_PROMPT,
             "sample_settings": f"temperature {SAMPLE_TEMPERATURE:g}, top_k {SAMPLE_TOP_K}, seed {c['seed']}"}
    return metrics, history, [], checks, extra


def save_plot(history: dict, path: str, title: str) -> str | None:
    """Train and validation bits per character per evaluation interval, and the bigram line."""
    plt = pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(history["step"], history["train_bpc"], marker="o", label="train bpc (interval mean)")
    ax.plot(history["step"], history["val_bpc"], marker="o", label=f"val bpc ({EVAL_WINDOWS} windows)")
    if "final_val_bpc" in history:
        ax.plot(history["step"][-1:], [history["final_val_bpc"]], marker="*", markersize=12, linestyle="none",
                label=f"final val bpc, all of it: {history['final_val_bpc']:.2f}")
    ax.axhline(history["bigram_bpc"], color="gray", linestyle="--",
               label=f"bigram baseline {history['bigram_bpc']:.2f}")
    ax.set(title=title, xlabel="training step", ylabel="bits per character")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
