"""KV cache speed: time per generated token with and without the cache, per context length.

One decode step at context length t produces the logits of token t + 1 from t tokens of context:

  uncached  model(tokens[:, :t])[:, -1]                  every layer recomputes all t positions
  cached    model(tokens[:, t-1:t], cache=c)[:, -1]      c holds the keys and values of the first
                                                         t - 1 positions; one position is computed,
                                                         its query attends over t keys

The model is the tinygpt milestone's architecture (embed_dim, heads, layers and tie_weights from
`tito/milestones/tinygpt.py` CONFIG when it is there), with max_len raised to fit the longest
context and the vocabulary of Python's documentation (104 characters). Before timing, the script
checks that both steps give the same logits at every length, and that `generate` gives the same
tokens with and without the cache past max_len.

Method (as bench/conv2d.py): 1 BLAS thread; each step timed in CPU seconds of the process
(time.process_time), which a busy machine does not inflate; the lengths and the two modes are
interleaved in rounds (the order of the modes alternates per round), each block after a few
untimed steps; the figure per cell is the median over all rounds. The cached step restores the
cache after each call, so every timed call sees exactly t - 1 cached positions.

The speed-up must grow with the context: the uncached step does O(t) positions of work (O(t^2)
attention), the cached one O(1) positions (O(t) attention). Exit status 1 if the two paths
disagree or the speed-up at the longest context is not above the one at the shortest.

Needs the package exported: `tito export tensor layers autograd attention transformers`.
Run: `python bench/kv_cache.py [--lengths 16,32,64,128,256] [--repeat N] [--rounds N] [--json]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VOCAB = 104                      # distinct characters of load_pydoc_text(), plus the unknown token
DEFAULT_ARCH = {"embed_dim": 64, "num_heads": 4, "num_layers": 2, "tie_weights": True}
WARMUP = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", default="16,32,64,128,256", help="context lengths (default 16,32,64,128,256)")
    parser.add_argument("--repeat", type=int, default=60, help="timed steps per length and mode, over all rounds")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds (default 6)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    return parser.parse_args()


def architecture() -> tuple[dict, str]:
    try:
        from tito.milestones.tinygpt import CONFIG
    except Exception:  # noqa: BLE001 - the milestone is optional for this bench
        return dict(DEFAULT_ARCH), "defaults (tito/milestones/tinygpt.py not importable)"
    return {key: CONFIG[key] for key in DEFAULT_ARCH}, "tito/milestones/tinygpt.py CONFIG"


def main() -> int:
    args = parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy loads BLAS
        os.environ[var] = "1"

    import numpy as np

    from tinytorch.core.transformers import GPT, KVCache, generate

    lengths = sorted({int(n) for n in args.lengths.split(",")})
    arch, source = architecture()
    model = GPT(VOCAB, max(lengths) + 1, seed=0, **arch)
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, VOCAB, size=(1, max(lengths)))

    # Per length: a cache filled with the first t - 1 positions, and the two steps.
    steps, failed = {}, False
    for t in lengths:
        cache = KVCache(len(model.blocks))
        model(tokens[:, :t - 1], cache=cache)
        saved = (list(cache.keys), list(cache.values))

        def cached_step(cache=cache, saved=saved, t=t):
            out = model(tokens[:, t - 1:t], cache=cache)
            cache.keys[:], cache.values[:] = saved[0], saved[1]     # back to t - 1 cached positions
            return out.data.data[0, -1]

        def uncached_step(t=t):
            return model(tokens[:, :t]).data.data[0, -1]

        a, b = cached_step(), uncached_step()
        if not np.allclose(a, b, rtol=1e-4, atol=1e-5):
            print(f"t={t}: cached and uncached logits disagree (max difference {np.abs(a - b).max():.3g})")
            failed = True
        steps[t] = {"cached": cached_step, "uncached": uncached_step}

    per_round = max(1, args.repeat // args.rounds)
    times = {t: {"cached": [], "uncached": []} for t in lengths}
    for round_index in range(args.rounds):
        modes = ("cached", "uncached") if round_index % 2 == 0 else ("uncached", "cached")
        for t in lengths:
            for mode in modes:
                step = steps[t][mode]
                for _ in range(WARMUP):
                    step()
                for _ in range(per_round):
                    start = time.process_time()
                    step()
                    times[t][mode].append(time.process_time() - start)

    # The real generate loop, both ways, past max_len: same tokens?
    small = GPT(VOCAB, 64, seed=1, **arch)
    prompt = tokens[0, :16].tolist()
    generated = {}
    for use_cache in (True, False):
        start = time.process_time()
        out = generate(small, prompt, 80, temperature=0.8, top_k=10, seed=0, use_cache=use_cache)
        generated[use_cache] = (out.tolist(), time.process_time() - start)
    same_tokens = generated[True][0] == generated[False][0]
    failed |= not same_tokens

    print("KV cache: CPU time per generated token, one decode step at context length t")
    print(f"model: vocab {VOCAB}, max_len {max(lengths) + 1}, embed_dim {arch['embed_dim']}, "
          f"heads {arch['num_heads']}, layers {arch['num_layers']}, tie_weights {arch['tie_weights']} "
          f"({source}); {model.num_parameters():,} parameters")
    print(f"clock: process CPU time, 1 BLAS thread; median of {per_round * args.rounds} steps per cell "
          f"in {args.rounds} interleaved rounds")
    print(f"{'t':>5}  {'uncached ms':>11}  {'cached ms':>9}  {'speed-up':>8}  {'positions/token':>15}")
    rows = []
    for t in lengths:
        plain = statistics.median(times[t]["uncached"]) * 1e3
        cached = statistics.median(times[t]["cached"]) * 1e3
        rows.append({"t": t, "uncached_ms": round(plain, 4), "cached_ms": round(cached, 4),
                     "speedup": round(plain / cached, 2), "positions_uncached": t, "positions_cached": 1})
        print(f"{t:>5}  {plain:>11.3f}  {cached:>9.3f}  {plain / cached:>7.1f}x  {f'{t} vs 1':>15}")
    speedups = [row["speedup"] for row in rows]
    grows = len(speedups) < 2 or speedups[-1] > speedups[0]
    monotonic = all(b >= a for a, b in zip(speedups, speedups[1:]))
    print(f"speed-up grows with the context: {'yes' if grows else 'NO'}"
          f"{'' if monotonic else ' (not at every step: timing noise between neighbours)'}")
    print(f"generate, 16-token prompt + 80 tokens (max_len 64, so past it): cached {generated[True][1]:.2f} s, "
          f"uncached {generated[False][1]:.2f} s; same tokens: {'yes' if same_tokens else 'NO'}")
    failed |= not grows
    if args.json:
        print(json.dumps({"rows": rows, "grows": grows, "same_tokens": same_tokens,
                          "generate_seconds": {"cached": generated[True][1], "uncached": generated[False][1]}}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
