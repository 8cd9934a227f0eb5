"""Tests of the exported `tinytorch.core.tokenization` (build it with `tito export tokenization`).

BPE training is compared with an independent reference written here the slow, obvious way
(recount with collections.Counter, tie to the earliest first position found by scanning,
merge by rebuilding the list), on hand-checked corpora and on random texts full of ties.
Round trips run on random text drawn from many Unicode blocks the training text never had.
`BPETokenizer.from_merges` (provided) must leave exactly the state `train` leaves, and encode
with merges from the reference alone must reproduce the reference's final sequence.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from tinytorch.core.tokenization import (
    BPETokenizer,
    CharTokenizer,
    PairIndex,
    compression_ratio,
    count_pairs,
    load_pydoc_text,
    merge_pair,
)

CORPUS = load_pydoc_text()

# Unicode blocks for random text: ASCII, controls, Latin-1, combining marks, Greek, Cyrillic,
# Hebrew, Arabic, Devanagari, kana, CJK, Hangul, private use, specials, emoji, supplementary
# planes up to U+10FFFF. No surrogates: they have no UTF-8 encoding.
BLOCKS = [(0x20, 0x7E), (0x00, 0x1F), (0x80, 0xFF), (0x0300, 0x036F), (0x0370, 0x03FF), (0x0400, 0x04FF),
          (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x3040, 0x30FF), (0x4E00, 0x9FFF),
          (0xAC00, 0xD7A3), (0xE000, 0xF8FF), (0xFFF0, 0xFFFF), (0x1F000, 0x1FAFF), (0x20000, 0x2A6DF),
          (0x10FF00, 0x10FFFF)]


def random_unicode(rng: random.Random, max_pieces: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(0, max_pieces)):
        if rng.random() < 0.3:
            start = rng.randrange(len(CORPUS) - 30)
            parts.append(CORPUS[start:start + rng.randint(1, 30)])
        else:
            low, high = rng.choice(BLOCKS)
            parts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 5))))
    return "".join(parts)


def reference_train(data: bytes, num_merges: int):
    """(merges, final sequence): recount everything for every merge."""
    seq = list(data)
    merges = []
    for new_id in range(256, 256 + num_merges):
        counts = Counter(zip(seq, seq[1:]))
        if not counts:
            break
        top = max(counts.values())
        if top < 2:
            break
        first_at = {}
        for position in range(len(seq) - 1):
            first_at.setdefault((seq[position], seq[position + 1]), position)
        pair = min((p for p, c in counts.items() if c == top), key=first_at.__getitem__)
        merges.append((pair, new_id))
        rebuilt, skip = [], False
        for position, token in enumerate(seq):
            if skip:
                skip = False
                continue
            if position + 1 < len(seq) and (token, seq[position + 1]) == pair:
                rebuilt.append(new_id)
                skip = True
            else:
                rebuilt.append(token)
        seq = rebuilt
    return merges, seq


def plain_merges(tok: BPETokenizer):
    return [((int(a), int(b)), int(i)) for (a, b), i in tok.merges]


@pytest.fixture(scope="module")
def trained() -> BPETokenizer:
    return BPETokenizer().train(CORPUS[:30_000], 512)


# --------------------------------------------------------------------------- corpus


def test_corpus_is_pydoc_topics_in_sorted_order():
    from pydoc_data.topics import topics

    assert isinstance(CORPUS, str) and len(CORPUS) > 100_000
    keys = sorted(topics)
    assert CORPUS.startswith(topics[keys[0]]) and CORPUS.endswith(topics[keys[-1]])
    assert CORPUS == "\n\n".join(topics[k] for k in keys)
    assert load_pydoc_text() == CORPUS


# --------------------------------------------------------------------------- CharTokenizer


def test_char_tokenizer_vocabulary_and_unknowns():
    tok = CharTokenizer("hello world")
    assert tok.vocab == ["\ufffd", " ", "d", "e", "h", "l", "o", "r", "w"]
    assert (tok.vocab_size, tok.unk_id, CharTokenizer.UNK) == (9, 0, "\ufffd")
    assert tok.encode("hello") == [4, 3, 5, 5, 6]
    assert tok.encode("hi 😀") == [4, 0, 1, 0]
    assert tok.decode(tok.encode("hi 😀")) == "h\ufffd \ufffd"
    assert CharTokenizer("a\ufffdb").vocab == ["\ufffd", "a", "b"]
    assert CharTokenizer("").vocab == ["\ufffd"]


def test_char_tokenizer_round_trips_its_own_characters():
    tok = CharTokenizer(CORPUS)
    rng = random.Random(0)
    alphabet = tok.vocab[1:]
    for _ in range(50):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 100)))
        assert tok.decode(tok.encode(text)) == text
    assert tok.decode(np.array(tok.encode("assert"))) == "assert"


@pytest.mark.parametrize("bad", [9, 100, -1])
def test_char_tokenizer_decode_names_bad_ids(bad):
    tok = CharTokenizer("hello world")
    with pytest.raises(ValueError, match=rf"{bad}\b.*\b8\b"):
        tok.decode([1, bad])


def test_char_tokenizer_needs_a_string():
    with pytest.raises(TypeError):
        CharTokenizer(["a", "b"])


# --------------------------------------------------------------------------- pair functions and index


def test_count_pairs_and_merge_pair():
    assert list(count_pairs(b"aaabdaaabac").items()) == [
        ((97, 97), 4), ((97, 98), 2), ((98, 100), 1), ((100, 97), 1), ((98, 97), 1), ((97, 99), 1)]
    assert count_pairs([]) == {} and count_pairs([1]) == {}
    assert merge_pair([5, 5, 5], (5, 5), 9) == [9, 5]
    assert merge_pair([5, 5, 5, 5, 5], (5, 5), 9) == [9, 9, 5]
    assert merge_pair([1, 2, 3, 1, 2], (1, 2), 7) == [7, 3, 7]
    assert merge_pair([2, 1], (1, 2), 7) == [2, 1]
    ids = [1, 2]
    assert merge_pair(ids, (1, 2), 7) == [7] and ids == [1, 2]


def test_pair_index_agrees_with_the_pair_functions():
    rng = random.Random(5)
    for _ in range(100):
        ids = [rng.choice([1, 1, 2, 3]) for _ in range(rng.randint(0, 80))]
        index = PairIndex(ids)
        for new_id in range(256, 266):
            counts = count_pairs(index.tokens())
            assert {p: index.count(p) for p in counts} == counts
            assert sum(len(s) for s in index.positions.values()) == max(len(index.tokens()) - 1, 0)
            best = index.most_frequent()
            if best is None:
                assert counts == {}
                break
            assert best[1] == max(counts.values())
            # first appearance: count_pairs' keys are in text order
            assert best[0] == next(p for p, c in counts.items() if c == best[1])
            expected = merge_pair(index.tokens(), best[0], new_id)
            index.merge(best[0], new_id)
            assert index.tokens() == expected


# --------------------------------------------------------------------------- training


def test_merges_in_order_on_the_hand_checked_corpus():
    tok = BPETokenizer().train("aaabdaaabac", 1000)
    # aa x4 (overlapping) -> 256; Za and ab tie at 2, Za first -> 257; Yb -> 258; then all once
    assert plain_merges(tok) == [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)]
    assert [tok.vocab[i] for i in (256, 257, 258)] == [b"aa", b"aaa", b"aaab"]
    assert tok.vocab_size == 259 == len(tok.vocab)
    assert tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99]


def test_tie_breaking_goes_to_the_pair_that_appears_first():
    # two old pairs tie: xy comes first
    assert plain_merges(BPETokenizer().train("xyxy abab", 257)) == [((120, 121), 256)]
    assert plain_merges(BPETokenizer().train("abab xyxy", 257)) == [((97, 98), 256)]
    # a new pair (256, 256) ties with an old one (ab) and comes first
    assert plain_merges(BPETokenizer().train("bcbcbc abab", 300)) == [
        ((98, 99), 256), ((256, 256), 257), ((97, 98), 258)]
    # a pair whose first occurrence was merged away: its first position moves right
    text = "cab" + "xy" * 2 + "ab" * 2
    want, _ = reference_train(text.encode(), 10)
    assert plain_merges(BPETokenizer().train(text, 266)) == want


def test_early_stop_and_vocab_size_bounds():
    assert BPETokenizer().train("abcdef", 1000).vocab_size == 256
    tok = BPETokenizer().train("aaaa", 1000)          # Z Z: (Z, Z) occurs once, stop
    assert plain_merges(tok) == [((97, 97), 256)] and tok.vocab_size == 257
    tok = BPETokenizer().train("a" * 8, 1000)         # Z Z Z Z -> Y Y -> stop
    assert plain_merges(tok) == [((97, 97), 256), ((256, 256), 257)] and tok.vocab_size == 258
    assert BPETokenizer().train("aaaa", 256).merges == []
    assert len(BPETokenizer().train("aaaa", 257).merges) == 1
    assert BPETokenizer().train("", 300).vocab_size == 256


@pytest.mark.parametrize("bad", [255, 0, -5])
def test_vocab_size_below_256_is_a_value_error_naming_it(bad):
    with pytest.raises(ValueError, match=rf"256.*{bad}|{bad}.*256"):
        BPETokenizer().train("hello", bad)


@pytest.mark.parametrize("bad", [300.0, "300", None])
def test_vocab_size_must_be_an_integer(bad):
    with pytest.raises(TypeError):
        BPETokenizer().train("hello", bad)


def test_train_needs_a_string():
    with pytest.raises(TypeError):
        BPETokenizer().train(b"hello", 300)


def test_training_matches_the_reference_on_random_texts():
    rng = random.Random(1)
    for _ in range(60):
        alphabet = rng.choice(["ab", "ab c", "aab", "éa", "xyz\n"])
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        want, final = reference_train(text.encode("utf-8"), 40)
        tok = BPETokenizer().train(text, 296)
        assert plain_merges(tok) == want, text
        assert tok.encode(text) == final, text
        assert tok.vocab_size == 256 + len(want)


def test_training_matches_the_reference_on_the_corpus():
    piece = CORPUS[20_000:26_000]
    want, final = reference_train(piece.encode("utf-8"), 60)
    tok = BPETokenizer().train(piece, 316)
    assert plain_merges(tok) == want
    assert tok.encode(piece) == final


def test_smaller_vocabularies_are_prefixes(trained):
    small = BPETokenizer().train(CORPUS[:30_000], 320)
    assert plain_merges(small) == plain_merges(trained)[:64]
    for new_id, ((a, b), i) in enumerate(trained.merges, start=256):
        assert i == new_id and a < new_id and b < new_id
        assert trained.vocab[i] == trained.vocab[a] + trained.vocab[b]


def test_retraining_starts_from_scratch():
    tok = BPETokenizer().train("aaabdaaabac", 300)
    tok.train("xyxyxy", 300)
    assert plain_merges(tok) == reference_train(b"xyxyxy", 44)[0]
    assert set(tok.vocab) == set(range(tok.vocab_size))


# --------------------------------------------------------------------------- from_merges


def test_from_merges_leaves_the_state_train_leaves(trained):
    rebuilt = BPETokenizer.from_merges(trained.merges)
    assert plain_merges(rebuilt) == plain_merges(trained)
    assert rebuilt.vocab == trained.vocab and rebuilt.vocab_size == trained.vocab_size == 512
    assert BPETokenizer.from_merges([]).vocab == BPETokenizer().vocab
    assert BPETokenizer.from_merges([]).vocab_size == 256
    text = CORPUS[-5_000:] + "😀 naïve"
    assert rebuilt.encode(text) == trained.encode(text)


def test_from_merges_accepts_lists_and_numpy_ints():
    tok = BPETokenizer.from_merges([[[np.int64(97), 97], np.int64(256)], [(256, 97), 257]])
    assert plain_merges(tok) == [((97, 97), 256), ((256, 97), 257)]
    assert all(type(x) is int for (a, b), i in tok.merges for x in (a, b, i))
    assert tok.vocab[257] == b"aaa" and tok.encode("aaaaa") == [256, 257]


@pytest.mark.parametrize("merges", [
    [((97, 97), 257)],                       # ids must start at 256
    [((97, 97), 256), ((97, 98), 258)],      # and follow each other
    [((97, 256), 256)],                      # a token made of itself
    [((97, 97), 256), ((300, 97), 257)],     # an id that does not exist yet
    [((-1, 97), 256)],
])
def test_from_merges_rejects_malformed_merge_lists(merges):
    with pytest.raises(ValueError, match="merge"):
        BPETokenizer.from_merges(merges)


def test_encode_with_reference_merges_reproduces_the_reference_sequence():
    piece = CORPUS[30_000:36_000]
    merges, final = reference_train(piece.encode("utf-8"), 80)
    tok = BPETokenizer.from_merges(merges)
    assert tok.encode(piece) == final
    assert tok.decode(final) == piece


# --------------------------------------------------------------------------- encode / decode


def test_encode_applies_merges_by_rank():
    tok = BPETokenizer().train("bcbcbc abab", 300)   # bc=256 before ab=258
    assert tok.encode("abc") == [97, 256]
    assert all(type(i) is int for i in tok.encode("abcabc"))


def test_round_trip_on_random_unicode(trained):
    rng = random.Random(2026)
    for _ in range(300):
        text = random_unicode(rng)
        ids = trained.encode(text)
        assert trained.decode(ids) == text
        assert all(0 <= i < trained.vocab_size for i in ids)
        assert trained.decode(np.array(ids, dtype=np.int64)) == text


def test_round_trip_with_a_tokenizer_trained_on_random_unicode():
    rng = random.Random(7)
    train_text = "".join(random_unicode(rng, 30) for _ in range(20))
    tok = BPETokenizer().train(train_text, 400)
    for _ in range(100):
        text = random_unicode(rng)
        assert tok.decode(tok.encode(text)) == text


def test_unseen_characters_stay_as_their_bytes(trained):
    for text in ("😀", "漢字", "e\u0301", "\U0010FFFF", "אבג", "\x00"):
        assert trained.encode(text) == list(text.encode("utf-8"))
        assert trained.decode(trained.encode(text)) == text


def test_decode_replaces_broken_utf8_and_rejects_unknown_ids(trained):
    assert trained.decode([0xFF]) == "\ufffd"
    assert trained.decode([0xC3]) == "\ufffd"
    assert trained.decode([0xC3, 0xA9]) == "é"
    assert trained.decode([104, 0xFF, 105]) == "h\ufffdi"
    with pytest.raises(ValueError, match=r"512\b.*\b511\b"):
        trained.decode([1, 512])
    with pytest.raises(ValueError, match=r"-1"):
        trained.decode([-1])


def test_lone_surrogates_are_a_clear_value_error(trained):
    with pytest.raises(ValueError):   # UnicodeEncodeError is a ValueError
        trained.encode("a\ud800b")


# --------------------------------------------------------------------------- compression


def test_compression_ratio_rises_with_vocab_size():
    train_text, held_out = CORPUS[:40_000], CORPUS[-10_000:]
    ratios = [compression_ratio(BPETokenizer().train(train_text, size), held_out)
              for size in (256, 320, 512, 1024)]
    assert ratios[0] == 1.0
    assert all(a < b for a, b in zip(ratios, ratios[1:])), ratios
    assert ratios[2] > 1.8


def test_compression_ratio_is_bytes_per_token():
    assert compression_ratio(CharTokenizer("héllo"), "héllo") == pytest.approx(1.2)
    assert compression_ratio(BPETokenizer(), "😀") == 1.0
    tok = BPETokenizer().train("aaabdaaabac", 300)
    assert compression_ratio(tok, "aaabdaaabac") == pytest.approx(11 / 5)
    assert isinstance(compression_ratio(tok, "a"), float)
    with pytest.raises(ValueError):
        compression_ratio(tok, "")
