# %% [markdown]
# # Tokenization
#
# A neural network reads numbers, not text. Before a language model can learn anything from
# "The assert statement", the text must become a sequence of integers, **tokens**, each one
# a row of an embedding table (module 15). The **tokenizer** decides what a token is, and
# that choice fixes two numbers every language model lives with: how many different tokens
# there are (the vocabulary size, the number of rows of the embedding table and of columns
# of the output layer) and how many tokens a text takes (the sequence length, which
# attention pays for quadratically).
#
# By the end of the module you will have built:
# - `CharTokenizer`: one token per character, with an **unknown** token for characters it
#   has never seen,
# - `count_pairs` and `merge_pair`: the two operations **Byte Pair Encoding** (BPE) is made of,
# - `PairIndex`: a token sequence that knows where each of its adjacent pairs is, so that a
#   merge costs the number of places it changes, not the length of the text,
# - `BPETokenizer`: **byte-level BPE**, the tokenizer of GPT-2 and most models since: it
#   learns merges from a corpus, encodes by applying them in the order they were learned, and
#   decodes back to exactly the text it was given, even text in scripts it never saw,
# - `compression_ratio`: how many bytes of text one token carries, measured against the
#   vocabulary size.
#
# The corpus is Python's own documentation, which ships with every Python installation: no
# download, the same text on every machine.

# %% nbgrader={"grade": false, "grade_id": "tokenization-imports", "locked": true, "schema_version": 3, "solution": false}
#| default_exp core.tokenization
#| export
import numbers
import sys
from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np

# %% nbgrader={"grade": false, "grade_id": "tokenization-banner", "locked": true, "schema_version": 3, "solution": false}
print("🔥 TinyTorch Tokenization Module")
print(f"NumPy version: {np.__version__}")
print(f"Python version: {sys.version_info.major}.{sys.version_info.minor}")
print("Ready to turn text into tokens!")

# %% [markdown]
# ## 📦 Where This Code Lives in the Final Package
#
# **Learning Side:** You work in `modules/source/14_tokenization/tokenization_dev.py`
# **Building Side:** Code exports to `tinytorch.core.tokenization`
#
# ```python
# # Final package structure:
# from tinytorch.core.tokenization import CharTokenizer, BPETokenizer   # text <-> token ids
# from tinytorch.core.tokenization import load_pydoc_text, compression_ratio
# ```
#
# **Why this matters:**
# - **Learning:** BPE is twenty lines of idea and a lot of care: ties, overlapping pairs,
#   the order merges are applied in, and bytes that are not yet characters
# - **Production:** The same algorithm as GPT-2's tokenizer (`tiktoken`, Hugging Face
#   `tokenizers`): byte-level, merges learned greedily, applied by rank
# - **Consistency:** Both tokenizers have the same interface: `encode(text) -> list[int]`,
#   `decode(ids) -> str`, `vocab_size`
# - **Foundation:** Module 15 turns these ids into vectors (`Embedding`), module 16 trains a
#   small GPT on them

# %% [markdown]
# ## Step 1: Why Tokens, and the Corpus
#
# ### From text to integers
# A language model predicts the next token from the previous ones. Everything about the
# text it sees passes through one function, `encode(text) -> list of ids`, and everything
# it writes through its inverse, `decode(ids) -> text`. The tokenizer is fixed before
# training starts and never learns again: its vocabulary is part of the model.
#
# ### Three ways to cut text
# ```
# text:        "the cat sat"
#
# characters:  t h e ␣ c a t ␣ s a t        11 tokens   vocabulary ≈ 100
# words:       the ␣cat ␣sat                  3 tokens   vocabulary 100 000+, and "catz" is <unk>
# subwords:    the ␣c at ␣s at                5 tokens   vocabulary 512: frequent pieces merged
# ```
# - **Characters** give a tiny vocabulary and never meet an unknown English letter, but
#   every text is long: attention over T tokens costs T², and a model that sees 256
#   characters at a time sees about 40 words.
# - **Words** give short sequences, but the vocabulary is enormous (every name, number and
#   typo), most words are rare (the model sees too few examples to learn them), and any word
#   not in the list becomes one useless `<unk>` token.
# - **Subwords**, learned from data, sit in between: frequent words are one token, rare
#   words are spelled from a few pieces, and with **bytes** as the smallest pieces no text is
#   ever unknown. GPT-2 uses 50 257 tokens: the 256 byte values, 50 000 learned merges and
#   one end-of-text marker.
#
# ### Characters, code points, bytes
# A Python `str` is a sequence of Unicode **code points** ("é" is one, U+00E9). Files and
# networks carry **bytes**; UTF-8 writes each code point as 1 to 4 bytes:
# ```
# "a"   U+0061   →  61                 1 byte  (ASCII is UTF-8 unchanged)
# "é"   U+00E9   →  C3 A9              2 bytes
# "语"  U+8BED   →  E8 AF AD           3 bytes
# "😀"  U+1F600  →  F0 9F 98 80        4 bytes
# ```
# `text.encode("utf-8")` gives the bytes, `data.decode("utf-8")` the text back. A byte-level
# tokenizer works on these 256 values, so it can write down every string there is.
#
# ### The corpus: Python's own documentation
# `pydoc_data.topics` is part of the standard library: the text `help("assert")` prints,
# for 79 topics of the language reference. `load_pydoc_text()` (provided) joins the topics in
# sorted order. It is about 465 000 characters, almost all ASCII: a real technical text,
# offline, and the same on every machine with the same Python version.

# %% nbgrader={"grade": false, "grade_id": "load-pydoc-text", "locked": true, "schema_version": 3, "solution": false}
#| export
def load_pydoc_text() -> str:
    """Python's documentation topics (pydoc_data.topics), joined with blank lines in sorted key order."""
    from pydoc_data.topics import topics  # standard library: offline everywhere

    return "\n\n".join(topics[key] for key in sorted(topics))

# %% nbgrader={"grade": false, "grade_id": "corpus-look", "locked": true, "schema_version": 3, "solution": false}
corpus = load_pydoc_text()
corpus_bytes = corpus.encode("utf-8")
distinct = sorted(set(corpus))
print(f"{len(corpus):,} characters, {len(corpus_bytes):,} UTF-8 bytes, {len(distinct)} distinct characters")
print("the characters that are not ASCII:", "".join(ch for ch in distinct if ord(ch) > 127))
print("the beginning:\n" + corpus[:300])
counts = {}
for ch in corpus:
    counts[ch] = counts.get(ch, 0) + 1
top = sorted(counts.items(), key=lambda item: -item[1])[:10]
print("the 10 most frequent characters:", ", ".join(f"{ch!r} {n:,}" for ch, n in top))

# %% [markdown]
# ## Step 2: A Character Tokenizer
#
# ### The vocabulary
# The simplest tokenizer gives every distinct character of a training text its own id. We
# sort the characters (by code point, Python's own order for strings) so that the same
# text always gives the same ids, and we put one extra token first: **unknown**, id 0.
# ```
# CharTokenizer("hello world")
#
# id:     0    1    2    3    4    5    6    7    8
# token:  �   ␣    d    e    h    l    o    r    w
#
# encode("hello")  → [4, 3, 5, 5, 6]
# encode("help!")  → [4, 3, 5, 0, 0]        "p" and "!" were never seen: unknown
# decode([4, 3, 5, 0, 0]) → "hel��"
# ```
# The unknown token is written `UNK = "\ufffd"`, the Unicode REPLACEMENT CHARACTER (�): the
# character that text software shows for "something was here that I could not read".
# If the training text itself contains "\ufffd", it is the unknown token (one id, not two).
#
# ### Why unknowns matter
# `decode(encode(text))` gives back `text` exactly when every character of `text` is in
# the vocabulary. One emoji or one Chinese character the training text never had is lost
# for good: it becomes id 0, and id 0 decodes to "\ufffd". A model that reads code
# comments in Python's documentation has never seen "😀"; the byte-level BPE of Step 3 will
# not have that problem.
#
# ### Decoding checks its input
# An id outside the vocabulary (a negative one, or `vocab_size` or more) is a bug upstream,
# usually a model with more outputs than the tokenizer has tokens. Python would happily
# read `vocab[-1]`, the last token, so decode checks every id and raises a `ValueError`
# that names it and the range of valid ids.
#
# ### Real-World Context
# - Character-level models (Karpathy's char-rnn, nanoGPT's Shakespeare example) use exactly
#   this: tiny vocabulary, long sequences
# - PyTorch has no tokenizer in its core library; tokenizers live beside it
#   (`tiktoken`, Hugging Face `tokenizers`, SentencePiece), and their output feeds
#   `torch.nn.Embedding`

# %% nbgrader={"grade": false, "grade_id": "char-tokenizer", "locked": false, "schema_version": 3, "solution": true}
#| export
class CharTokenizer:
    """
    One token per character of a training text, after one unknown token at id 0.

    Attributes: `vocab` (list of str, vocab[0] == UNK), `vocab_size`, `unk_id` (0),
    `stoi` (dict: character -> id).
    """

    UNK = "\ufffd"  # U+FFFD REPLACEMENT CHARACTER: what a character the vocabulary lacks decodes to

    def __init__(self, text: str):
        """
        Build the vocabulary from the distinct characters of `text`.

        TODO: Set self.vocab and self.stoi.

        STEP-BY-STEP IMPLEMENTATION:
        1. Collect the distinct characters of text, leaving out UNK (it already has id 0)
        2. self.vocab = a list: UNK first, then those characters in sorted order
        3. self.stoi = a dict from each token of self.vocab to its position in the list

        EXAMPLE USAGE:
        ```python
        tok = CharTokenizer("hello world")
        tok.vocab        # ['\ufffd', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']
        tok.stoi["h"]    # 4
        tok.vocab_size   # 9
        ```

        IMPLEMENTATION HINTS:
        - set(text) gives the distinct characters; sorted() of a set gives a list
        - Sets subtract: {"a", "b"} - {"b"} == {"a"}
        - enumerate(self.vocab) gives (id, token) pairs
        """
        if not isinstance(text, str):
            raise TypeError(f"CharTokenizer builds its vocabulary from a str, got {type(text).__name__}")
        self.unk_id = 0
        ### BEGIN SOLUTION
        characters = sorted(set(text) - {self.UNK})
        self.vocab = [self.UNK] + characters
        self.stoi = {token: i for i, token in enumerate(self.vocab)}
        ### END SOLUTION
        self.vocab_size = len(self.vocab)

    def encode(self, text: str) -> List[int]:
        """
        Text to ids, one per character; a character not in the vocabulary becomes unk_id.

        TODO: Look up every character of text in self.stoi.

        STEP-BY-STEP IMPLEMENTATION:
        1. For each character of text, in order, take its id from self.stoi
        2. A character that self.stoi does not have gives self.unk_id
        3. Return the ids as a list

        EXAMPLE USAGE:
        ```python
        tok = CharTokenizer("hello world")
        tok.encode("hello")   # [4, 3, 5, 5, 6]
        tok.encode("help!")   # [4, 3, 5, 0, 0]
        ```

        IMPLEMENTATION HINTS:
        - dict.get(key, default) returns default when the key is missing
        """
        ### BEGIN SOLUTION
        return [self.stoi.get(ch, self.unk_id) for ch in text]
        ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """
        Ids back to text; unk_id decodes to UNK. An id outside the vocabulary is a ValueError.

        TODO: Check each id, then join the tokens.

        STEP-BY-STEP IMPLEMENTATION:
        1. For each id in ids (any iterable: a list, a numpy array, a generator):
           - if it is not a valid index of self.vocab (0 up to vocab_size - 1), raise a
             ValueError whose message names the id and the range of valid ids
           - otherwise keep the token self.vocab[id]
        2. Return the tokens joined into one string

        EXAMPLE USAGE:
        ```python
        tok = CharTokenizer("hello world")
        tok.decode([4, 3, 5, 5, 6])   # 'hello'
        tok.decode([4, 0])            # 'h\ufffd'
        tok.decode([9])               # ValueError: token id 9 is not in the vocabulary ...
        ```

        IMPLEMENTATION HINTS:
        - Python's chained comparison a <= x < b checks both ends at once
        - A negative id must be an error: vocab[-1] would quietly be the last token
        - Go through ids once: a generator can only be read one time
        - "".join(list_of_strings) concatenates
        """
        ### BEGIN SOLUTION
        pieces = []
        for i in ids:
            if not 0 <= i < self.vocab_size:
                raise ValueError(f"token id {i} is not in the vocabulary: valid ids are 0 to {self.vocab_size - 1}")
            pieces.append(self.vocab[i])
        return "".join(pieces)
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"

# %% [markdown]
# ### 🧪 Test the Character Tokenizer

# %% nbgrader={"grade": true, "grade_id": "test-char-tokenizer", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_char_tokenizer():
    """CharTokenizer: sorted vocabulary after UNK, encode with unknowns, checked decode"""
    print("🔬 Unit Test: CharTokenizer...")
    import random

    tok = CharTokenizer("hello world")
    want = ["\ufffd", " ", "d", "e", "h", "l", "o", "r", "w"]
    assert list(tok.vocab) == want, f"vocab of 'hello world' should be {want}, got {list(tok.vocab)}"
    assert tok.vocab_size == 9 and tok.unk_id == 0, f"vocab_size 9 and unk_id 0, got {tok.vocab_size}, {tok.unk_id}"
    assert CharTokenizer.UNK == "\ufffd" and tok.vocab[0] == "\ufffd"
    assert [tok.stoi[ch] for ch in "hello"] == [4, 3, 5, 5, 6], f"stoi should map h e l o to 4 3 5 6, got {tok.stoi}"
    assert tok.encode("hello") == [4, 3, 5, 5, 6], f"encode('hello') should be [4, 3, 5, 5, 6], got {tok.encode('hello')}"
    assert tok.encode("") == [] and tok.decode([]) == "", "the empty text is the empty list of ids"
    assert tok.decode([4, 3, 5, 5, 6]) == "hello", f"decode should give 'hello', got {tok.decode([4, 3, 5, 5, 6])!r}"
    assert tok.decode(np.array([8, 6, 7, 5, 2])) == "world", "decode should accept a numpy array of ids"
    assert tok.decode(i for i in [4, 3]) == "he", "decode should accept any iterable, read once (a generator)"

    # Unknown characters: id 0 in, "\ufffd" out
    ids = tok.encode("help!")
    assert ids == [4, 3, 5, 0, 0], f"'p' and '!' are not in the vocabulary: expected [4, 3, 5, 0, 0], got {ids}"
    assert tok.decode(ids) == "hel\ufffd\ufffd", f"unk_id decodes to '\\ufffd', got {tok.decode(ids)!r}"
    assert tok.decode([0]) == "\ufffd" and tok.decode([8]) == "w", "ids 0 and vocab_size - 1 are both valid"

    # Code-point order (uppercase before lowercase, newline before space), UNK in the text kept once
    other = CharTokenizer("bAé a\n")
    want = ["\ufffd", "\n", " ", "A", "a", "b", "é"]
    assert list(other.vocab) == want, f"sorted by code point: expected {want}, got {list(other.vocab)}"
    with_unk = CharTokenizer("b\ufffda\ufffd")
    assert list(with_unk.vocab) == ["\ufffd", "a", "b"], (
        f"'\\ufffd' in the text is the unknown token itself, one id: got {list(with_unk.vocab)}")
    assert with_unk.vocab_size == 3 and with_unk.encode("\ufffdab") == [0, 1, 2], (
        f"expected vocab_size 3 and [0, 1, 2], got {with_unk.vocab_size} and {with_unk.encode(chr(0xfffd) + 'ab')}")

    # Ids outside the vocabulary: a ValueError that names the id and the valid range
    for bad in (9, 10, -1, -9):
        try:
            tok.decode([4, bad])
        except ValueError as exc:
            assert str(bad) in str(exc) and "8" in str(exc), (
                f"the message should name the bad id {bad} and the last valid id 8, got: {exc}")
        else:
            raise AssertionError(f"decode([4, {bad}]) should raise ValueError: the ids run from 0 to 8")

    # Round trip on random text over the vocabulary, and on the corpus
    rng = random.Random(14)
    for _ in range(20):
        text = "".join(rng.choice("helo wrd") for _ in range(rng.randint(0, 30)))
        assert tok.decode(tok.encode(text)) == text, f"round trip failed on {text!r}"
    corpus = load_pydoc_text()
    full = CharTokenizer(corpus)
    assert full.vocab_size == len(set(corpus)) + 1, f"expected {len(set(corpus)) + 1} tokens, got {full.vocab_size}"
    sample = corpus[:3000]
    assert full.decode(full.encode(sample)) == sample, "the corpus should round-trip through its own tokenizer"

    print("✅ CharTokenizer tests passed!")

test_char_tokenizer()

# %% [markdown]
# ## Step 3: Byte Pair Encoding
#
# ### The idea
# Start from the smallest pieces, the 256 byte values. Find the pair of neighbouring
# tokens that occurs most often in the training text, give it a new id, and replace every
# occurrence. Repeat. Each **merge** makes the text one token shorter per occurrence and
# the vocabulary one token larger. After `vocab_size - 256` merges, frequent words are a
# single token and rare words are spelled from pieces.
#
# Here it is on the classic example, with letters for bytes:
# ```
# aaabdaaabac            pairs: aa ×4  ab ×2  bd ×1  da ×1  ba ×1  ac ×1
# merge 256 = aa    →    Z a b d Z a b a c       (Z = 256)
#                        pairs: Za ×2  ab ×2  bd  dZ  ba  ac      tie: Za comes first
# merge 257 = Za    →    Y b d Y b a c           (Y = 257 = "aaa")
#                        pairs: Yb ×2  bd  dY  ba  ac
# merge 258 = Yb    →    X d X a c               (X = 258 = "aaab")
#                        every pair occurs once: no merge would shorten anything, stop
# ```
# The tokenizer remembers the **merges, in order**: `((97, 97), 256)`, `((256, 97), 257)`,
# `((257, 98), 258)`. That list *is* the tokenizer.
#
# ### Two details that decide the result
# **Counting overlaps.** A pair is counted at every position where it starts, so `aaa`
# contains `aa` twice (positions 0 and 1). That is why `aa` has count 4 above.
#
# **Merging left to right, without overlaps.** Replacing `aa` in `aaa` can only happen
# once: the first two `a`s become one token, and the third is left alone.
# ```
# a a a      →  Z a          (not "a Z", and not "Z Z": the middle a cannot be used twice)
# a a a a    →  Z Z
# a a a a a  →  Z Z a
# ```
#
# **Ties.** When two pairs have the same count, we take the one that appears **first** in
# the current text (`Za` at position 0 beats `ab` at position 1). Any fixed rule would do;
# this one is deterministic and is what `max` over a dict filled in text order gives.
#
# ### The two building blocks
# - `count_pairs(ids)`: a dict from each adjacent pair `(ids[i], ids[i+1])` to how often it
#   occurs, with its keys in the order the pairs **first appear**.
# - `merge_pair(ids, pair, new_id)`: a new list in which every occurrence of `pair`, left to
#   right and without overlaps, is replaced by `new_id`. The input is not changed.
#
# With these two, the whole training algorithm is a short loop:
# ```
# for new_id in 256, 257, ...:
#     counts = count_pairs(ids)
#     best = the pair with the highest count (the first one on a tie)
#     stop if it occurs only once
#     ids = merge_pair(ids, best, new_id)
# ```

# %% nbgrader={"grade": false, "grade_id": "pair-functions", "locked": false, "schema_version": 3, "solution": true}
#| export
def count_pairs(ids) -> Dict[Tuple[int, int], int]:
    """
    How often each adjacent pair of tokens occurs, keys in order of first appearance.

    TODO: Count every pair (ids[i], ids[i + 1]).

    STEP-BY-STEP IMPLEMENTATION:
    1. Start from an empty dict
    2. Walk over the neighbouring pairs (ids[0], ids[1]), (ids[1], ids[2]), ... in order
    3. Add one to the pair's count (a pair seen for the first time starts at 0)
    4. Return the dict (Python dicts keep insertion order: first appearance first)

    EXAMPLE USAGE:
    ```python
    count_pairs([1, 2, 3, 1, 2])    # {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    count_pairs(b"aaa")             # {(97, 97): 2}   overlapping pairs both count
    count_pairs([7])                # {}
    ```

    IMPLEMENTATION HINTS:
    - zip(ids, ids[1:]) walks the neighbouring pairs (it works on lists and bytes)
    - dict.get(key, 0) gives 0 for a pair not counted yet
    """
    ### BEGIN SOLUTION
    counts = {}
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts
    ### END SOLUTION


def merge_pair(ids, pair: Tuple[int, int], new_id: int) -> List[int]:
    """
    A new list with every occurrence of `pair` replaced by `new_id`, left to right.

    TODO: Scan ids once, replacing each (pair[0], pair[1]) by new_id.

    STEP-BY-STEP IMPLEMENTATION:
    1. Start with an empty output list and a position i = 0
    2. While i is inside ids:
       - if the token at i and the one after it (if there is one) form `pair`:
         append new_id and move on by 2 (both tokens are used up)
       - otherwise append ids[i] and move on by 1
    3. Return the output list (ids itself is not modified)

    EXAMPLE USAGE:
    ```python
    merge_pair([1, 2, 3, 1, 2], (1, 2), 99)    # [99, 3, 99]
    merge_pair([5, 5, 5], (5, 5), 9)           # [9, 5]      left to right, no overlap
    merge_pair([5, 5, 5, 5], (5, 5), 9)        # [9, 9]
    ```

    IMPLEMENTATION HINTS:
    - A while loop, not a for loop: the step is sometimes 1 and sometimes 2
    - Check that position i + 1 exists before reading it: the last token has no partner
    - Compare the two tokens with pair[0] and pair[1] in that order: (1, 2) is not (2, 1)
    """
    ### BEGIN SOLUTION
    out, i, n = [], 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
    ### END SOLUTION

# %% [markdown]
# ### 🧪 Test the Pair Functions
#
# The test ends by running the short loop above, with your two functions, on the worked
# example: it must learn the merges of the picture and end with `X d X a c`.

# %% nbgrader={"grade": true, "grade_id": "test-pair-functions", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_pair_functions():
    """count_pairs counts overlapping pairs in first-appearance order; merge_pair merges left to right"""
    print("🔬 Unit Test: count_pairs and merge_pair...")

    counts = count_pairs([1, 2, 3, 1, 2])
    got = list(counts.items())
    assert got == [((1, 2), 2), ((2, 3), 1), ((3, 1), 1)], f"count_pairs([1, 2, 3, 1, 2]) gave {got}"
    got = list(count_pairs([4, 3, 3, 4]).items())
    assert got == [((4, 3), 1), ((3, 3), 1), ((3, 4), 1)], (
        f"pairs are (left, right) in text order, keys in order of first appearance: got {got}")
    assert list(count_pairs(b"aaa").items()) == [((97, 97), 2)], (
        f"'aaa' has the pair aa at positions 0 and 1: expected {{(97, 97): 2}}, got {count_pairs(b'aaa')}")
    assert list(count_pairs(b"aaabdaaabac").items()) == [
        ((97, 97), 4), ((97, 98), 2), ((98, 100), 1), ((100, 97), 1), ((98, 97), 1), ((97, 99), 1)], (
        f"count_pairs of the worked example gave {count_pairs(b'aaabdaaabac')}")
    assert len(count_pairs([])) == 0 and len(count_pairs([7])) == 0, "no pairs in a text of 0 or 1 tokens"
    ids = [1, 2, 1, 2]
    count_pairs(ids)
    assert ids == [1, 2, 1, 2], f"count_pairs must not modify its input, got {ids}"

    def check(ids, pair, new_id, want):
        before = list(ids)
        got = merge_pair(ids, pair, new_id)
        assert list(got) == want, f"merge_pair({before}, {pair}, {new_id}) should be {want}, got {list(got)}"
        assert list(ids) == before, f"merge_pair must not modify its input: {before} became {list(ids)}"

    check([1, 2, 3, 1, 2], (1, 2), 99, [99, 3, 99])
    check([5, 5, 5], (5, 5), 9, [9, 5])                  # left to right, the middle 5 is used once
    check([5, 5, 5, 5], (5, 5), 9, [9, 9])
    check([5, 5, 5, 5, 5], (5, 5), 9, [9, 9, 5])
    check([3, 5, 5, 5], (5, 5), 9, [3, 9, 5])
    check([1, 2], (2, 1), 9, [1, 2])                     # order inside the pair matters
    check([2, 1, 2], (1, 2), 9, [2, 9])
    check([3, 1], (1, 2), 9, [3, 1])                     # the last token has no partner
    check([1, 1], (1, 2), 9, [1, 1])
    check([7], (7, 7), 9, [7])
    check([], (1, 2), 9, [])
    check([1, 3, 2], (1, 2), 9, [1, 3, 2])               # only neighbours form a pair
    got = merge_pair(b"abab", (97, 98), 256)
    assert list(got) == [256, 256], f"merge_pair works on bytes too: expected [256, 256], got {list(got)}"
    ids = [1, 2]
    assert merge_pair(ids, (8, 9), 10) is not ids, "merge_pair returns a new list, even when nothing changes"

    # The whole (slow) training loop, with your two functions, on the worked example
    ids, learned = list(b"aaabdaaabac"), []
    for new_id in range(256, 262):
        counts = count_pairs(ids)
        best = max(counts, key=counts.get)        # the first of the most frequent pairs
        if counts[best] < 2:
            break
        learned.append((best, new_id))
        ids = merge_pair(ids, best, new_id)
    assert learned == [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)], (
        f"the loop should learn aa, then Za (the tie goes to the first pair), then Yb: got {learned}")
    assert ids == [258, 100, 258, 97, 99], f"the example should end as X d X a c = [258, 100, 258, 97, 99], got {ids}"

    print("✅ count_pairs and merge_pair tests passed!")

test_pair_functions()

# %% [markdown]
# ## Step 3b: Making Training Fast: an Index of Pair Positions
#
# ### What the simple loop costs
# Each merge of the simple loop reads the whole text twice: `count_pairs` looks at all n
# pairs, `merge_pair` copies all n tokens. Learning m merges costs about 2·n·m steps:
# ```
# 100 000 bytes × 256 merges  (vocab 512)   ≈  50 million Python steps
# 465 000 bytes × 768 merges  (vocab 1024)  ≈ 700 million Python steps
# ```
# Yet a merge changes very little. Merging `(a, b)` into Z at one occurrence
# `… p a b k …` changes exactly four pair counts: `(p, a)` and `(b, k)` lose one,
# `(p, Z)` and `(Z, k)` gain one, and `(a, b)` itself is gone. Everything else stays.
#
# ### The index
# `PairIndex` keeps the tokens at their **original positions** 0..n-1 and remembers, for
# every pair, the set of positions where it starts:
# ```
# position:   0    1    2    3    4    5
# ids:        c    a    b    d    a    b          positions[(a, b)] = {1, 4}
#                                                  positions[(c, a)] = {0}, ...
# merge (a, b) → Z:
# ids:        c    Z    ·    d    Z    ·          a merged token keeps the LEFT position,
#                                                  the right one is gone (ids[2] = None)
# next_pos:   1    3    ·    4   -1    ·          a linked list: the next live position
# prev_pos:  -1    0    ·    1    3    ·          and the previous one (-1: none)
#
# at position 1:  p = 0 (c), i = 1 (a), j = 2 (b), k = 3 (d)
#   (c, a) loses 0      (c, Z) gains 0
#   (b, d) loses 2      (Z, d) gains 1
# ```
# Positions never move: a token that disappears leaves a hole that the linked list steps
# over, so no list is ever shifted or copied. One merge costs a few steps per
# **occurrence**, and since every occurrence merged makes the text one token shorter,
# *all* the merges of a whole training run together touch at most n occurrences.
#
# ### Finding the best pair
# `most_frequent()` needs the pair with the largest set, and on a tie the one whose
# **smallest** position is smallest: positions keep the text's order, so that is the pair
# that appears first. Looking at every pair costs the number of distinct pairs P (a few
# thousand), not n. Training becomes about n + m·P steps instead of n·m. Measured on the
# machine this course was written on: vocabulary 512 on 100 000 characters took 2.5 s
# with the simple loop and 0.25 s with the index; vocabulary 1024 on the whole corpus
# took a minute against 2.3 s. The gap grows with the text.
#
# ### Careful with overlaps
# In `a a a` the pair `(a, a)` starts at positions 0 and 1. Going through the positions
# **in increasing order**, position 0 merges first and uses up the token at 1; when the
# loop reaches position 1, the token there is gone (`ids[1]` is `None`), so it is skipped.
# That is exactly merge_pair's left-to-right rule. (A set does not iterate in order:
# `sorted` it.) And when `(a, a)` meets a third `a`, the pair `(a, a)` that starts at the
# right token is the very pair being merged, whose set was already taken out of the index:
# nothing to remove there.
#
# ### Provided, and yours
# Provided: the linked list, `_add(pair, i)` / `_remove(pair, i)` (which keep
# `positions` free of empty sets), `count(pair)` and `tokens()` (the live tokens, in order).
# You write the loop that fills `positions` in `__init__`, `most_frequent()` and
# `merge(pair, new_id)`.
#
# **Learning connection:** this is the classic trade of memory for time. The index holds
# one position per token (a few times the memory of the text) and in exchange each step
# does work proportional to what changes. Hugging Face `tokenizers` trains with the same
# idea (a priority queue of pair counts, updated where merges happen).

# %% nbgrader={"grade": false, "grade_id": "pair-index", "locked": false, "schema_version": 3, "solution": true}
#| export
class PairIndex:
    """
    A token sequence that knows where each of its adjacent pairs starts.

    The tokens stay at their original positions 0..n-1: `ids[i]` is the token at position
    i (None once merged away), `next_pos[i]` / `prev_pos[i]` the next / previous live
    position (-1 at the ends). `positions[pair]` is the set of positions i where `pair`
    starts, i.e. (ids[i], ids[next_pos[i]]) == pair. A merge costs a few steps per
    occurrence of the pair, not a pass over the whole sequence.
    """

    def __init__(self, ids):
        """
        Index the sequence `ids` (a list of ints, or bytes).

        TODO: Fill self.positions with every adjacent pair of the sequence.

        STEP-BY-STEP IMPLEMENTATION:
        1. For each position i that has a right neighbour (i from 0 to n - 2):
           record that the pair (ids[i], ids[i + 1]) starts at i, with self._add

        EXAMPLE USAGE:
        ```python
        index = PairIndex(b"abab")
        index.positions      # {(97, 98): {0, 2}, (98, 97): {1}}
        index.count((97, 98))   # 2
        index.tokens()       # [97, 98, 97, 98]
        ```

        IMPLEMENTATION HINTS:
        - The linked list is set up for you; at the start every position is live and its
          right neighbour is simply the next position
        - Use self.ids (a list copy), not the argument: bytes cannot be changed later
        """
        self.ids: List[Optional[int]] = list(ids)
        n = len(self.ids)
        self.next_pos = list(range(1, n)) + [-1] if n else []
        self.prev_pos = list(range(-1, n - 1))
        self.positions: Dict[Tuple[int, int], set] = {}
        ### BEGIN SOLUTION
        for i in range(n - 1):
            self._add((self.ids[i], self.ids[i + 1]), i)
        ### END SOLUTION

    def _add(self, pair: Tuple[int, int], i: int) -> None:
        """Record that `pair` starts at position i."""
        where = self.positions.get(pair)
        if where is None:
            self.positions[pair] = {i}
        else:
            where.add(i)

    def _remove(self, pair: Tuple[int, int], i: int) -> None:
        """Forget that `pair` starts at position i; a pair with no positions left is dropped."""
        where = self.positions[pair]
        where.discard(i)
        if not where:
            del self.positions[pair]

    def count(self, pair: Tuple[int, int]) -> int:
        """How often `pair` occurs now (overlapping occurrences each count)."""
        return len(self.positions.get(pair, ()))

    def tokens(self) -> List[int]:
        """The live tokens, in order."""
        out, i = [], (0 if self.ids else -1)  # position 0 is never merged away: it is always the head
        while i != -1:
            out.append(self.ids[i])
            i = self.next_pos[i]
        return out

    def most_frequent(self) -> Optional[Tuple[Tuple[int, int], int]]:
        """
        The most frequent pair and its count; on a tie, the pair that starts first. None if no pairs.

        TODO: Find the largest count, then the earliest pair among those that have it.

        STEP-BY-STEP IMPLEMENTATION:
        1. No pairs at all (an empty self.positions): return None
        2. top = the size of the largest position set
        3. Among the pairs whose set has that size, take the one with the smallest
           position (it appears first in the text)
        4. Return (pair, top)

        EXAMPLE USAGE:
        ```python
        PairIndex(b"aaabdaaabac").most_frequent()   # ((97, 97), 4)
        PairIndex(b"abcbc").most_frequent()         # ((98, 99), 2)
        PairIndex(b"xyab").most_frequent()          # ((120, 121), 1)   all tie: the first
        PairIndex(b"x").most_frequent()             # None
        ```

        IMPLEMENTATION HINTS:
        - max(...) and min(...) over a generator expression, each in one pass
        - min(items, key=function) compares function(item) instead of the item
        - Do not rely on the dict's insertion order: pairs created by merges are added at
          the end of the dict, wherever they are in the text
        """
        ### BEGIN SOLUTION
        if not self.positions:
            return None
        top = max(len(where) for where in self.positions.values())
        tied = [pair for pair, where in self.positions.items() if len(where) == top]
        best = min(tied, key=lambda pair: min(self.positions[pair]))
        return best, top
        ### END SOLUTION

    def merge(self, pair: Tuple[int, int], new_id: int) -> int:
        """
        Replace every occurrence of `pair`, left to right without overlaps, by `new_id`.

        Returns the number of occurrences replaced. Only the occurrences and their
        neighbours are touched.

        TODO: Take the pair's positions out of the index and merge at each of them,
        updating the linked list and the positions of the neighbouring pairs.

        STEP-BY-STEP IMPLEMENTATION:
        1. Remove the pair's set from self.positions (pop, with () as the default for a
           pair that does not occur) and go through its positions in increasing order
        2. At a position i whose token is no longer a (an overlapping occurrence before it
           used that token up), skip
        3. Otherwise let j = the next position (the b), p = the previous one and k = the
           one after j (p or k may be -1: no neighbour there)
        4. If p exists: the pair (ids[p], a) at p becomes (ids[p], new_id) at p
        5. If k exists: the pair (b, ids[k]) at j is gone (unless it is the very pair
           being merged: its set is already out of the index), the pair (new_id, ids[k])
           starts at i, and k's previous position becomes i
        6. Position i now holds new_id and its next is k; position j is gone (None)
        7. Count the merge; return the count at the end

        EXAMPLE USAGE:
        ```python
        index = PairIndex(b"cabdab")
        index.merge((97, 98), 256)   # 2
        index.tokens()               # [99, 256, 100, 256]
        index.positions              # {(99, 256): {0}, (256, 100): {1}, (100, 256): {3}}
        index = PairIndex(b"aaa")
        index.merge((97, 97), 256)   # 1
        index.tokens()               # [256, 97]
        ```

        IMPLEMENTATION HINTS:
        - ids, nxt and prv (set up for you) are short local names for self.ids,
          self.next_pos and self.prev_pos: the same lists, so writing to them updates the index
        - Read the neighbours' tokens BEFORE you overwrite ids[i] and ids[j]
        - self._remove(pair, position) and self._add(pair, position) keep the sets tidy
        - The loop over one pair's positions is the only loop: never walk the whole
          sequence (no tokens(), no range(len(self.ids)))
        """
        a, b = pair
        ids, nxt, prv = self.ids, self.next_pos, self.prev_pos
        ### BEGIN SOLUTION
        merged = 0
        for i in sorted(self.positions.pop(pair, ())):
            if ids[i] != a:  # taken by the overlapping occurrence just before it ("aaa")
                continue
            j = nxt[i]
            p, k = prv[i], nxt[j]
            if p != -1:
                self._remove((ids[p], a), p)
                self._add((ids[p], new_id), p)
            if k != -1:
                if (b, ids[k]) != pair:
                    self._remove((b, ids[k]), j)
                self._add((new_id, ids[k]), i)
                prv[k] = i
            ids[i], nxt[i], ids[j] = new_id, k, None
            merged += 1
        return merged
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"PairIndex({len(self.tokens())} tokens, {len(self.positions)} distinct pairs)"

# %% [markdown]
# ### 🧪 Test the Pair Index
#
# The helpers below (provided, not exported) are the straightforward way to compute the
# same things: every token carries the position it started at, and merging rebuilds the
# list. The tests compare your index with them, merge after merge.

# %% nbgrader={"grade": false, "grade_id": "reference-helpers", "locked": true, "schema_version": 3, "solution": false}
def reference_positions(items):
    """{pair: sorted start positions} of a list of (start, token) items."""
    table = {}
    for (start, left), (_, right) in zip(items, items[1:]):
        table.setdefault((left, right), []).append(start)
    return table


def reference_merge(items, pair, new_id):
    """Left to right, without overlaps; a merged token keeps the start of its left part."""
    out, k = [], 0
    while k < len(items):
        if k + 1 < len(items) and (items[k][1], items[k + 1][1]) == tuple(pair):
            out.append((items[k][0], new_id))
            k += 2
        else:
            out.append(items[k])
            k += 1
    return out


def reference_best(table):
    """The (pair, count) with the most starts, the earliest first start on a tie; None if empty."""
    if not table:
        return None
    ranked = sorted(table.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))
    return ranked[0][0], len(ranked[0][1])


def reference_bpe(data, num_merges):
    """The obvious BPE (recount everything for every merge): (merges, final tokens)."""
    items, merges = list(enumerate(data)), []
    for new_id in range(256, 256 + num_merges):
        best = reference_best(reference_positions(items))
        if best is None or best[1] == 1:
            break
        merges.append((best[0], new_id))
        items = reference_merge(items, best[0], new_id)
    return merges, [token for _, token in items]


def index_positions(index):
    """A PairIndex's positions as plain data: {pair: sorted list of positions}."""
    return {tuple(pair): sorted(where) for pair, where in index.positions.items()}

# %% nbgrader={"grade": true, "grade_id": "test-pair-index", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_pair_index():
    """PairIndex: positions of every pair, most frequent with ties, incremental left-to-right merges"""
    print("🔬 Unit Test: PairIndex...")
    import random

    index = PairIndex(b"aaabdaaabac")
    items = list(enumerate(b"aaabdaaabac"))
    assert index_positions(index) == reference_positions(items), (
        f"positions of 'aaabdaaabac' should be {reference_positions(items)}, got {index_positions(index)}")
    assert index.count((97, 97)) == 4 and index.count((97, 98)) == 2 and index.count((1, 2)) == 0
    assert index.most_frequent() == ((97, 97), 4), f"expected ((97, 97), 4), got {index.most_frequent()}"
    assert index.merge((97, 97), 256) == 2, "'aaabdaaabac' has two non-overlapping occurrences of aa"
    items = reference_merge(items, (97, 97), 256)
    assert index.tokens() == [256, 97, 98, 100, 256, 97, 98, 97, 99], f"after merging aa: {index.tokens()}"
    assert index_positions(index) == reference_positions(items), (
        f"after merging aa the positions should be {reference_positions(items)}, got {index_positions(index)}")
    # Za (new, at 0) and ab (old, at 2) both occur twice: Za starts first
    assert index.most_frequent() == ((256, 97), 2), (
        f"tie between (256, 97) at position 0 and (97, 98) at position 2: expected ((256, 97), 2), "
        f"got {index.most_frequent()}")

    # Small cases, and a merge of a pair that does not occur
    assert PairIndex([]).most_frequent() is None and PairIndex([7]).most_frequent() is None, (
        "no pairs: most_frequent() is None")
    assert PairIndex([]).tokens() == [] and len(PairIndex([7]).positions) == 0
    assert PairIndex(b"xyab").most_frequent() == ((120, 121), 1), "all pairs once: the first one"
    assert PairIndex(b"abcbc").most_frequent() == ((98, 99), 2)
    untouched = PairIndex(b"abc")
    assert untouched.merge((99, 97), 300) == 0 and untouched.tokens() == [97, 98, 99], (
        "merging a pair that does not occur changes nothing and returns 0")
    source = [1, 2, 1, 2]
    idx = PairIndex(source)
    idx.merge((1, 2), 5)
    assert source == [1, 2, 1, 2] and idx.tokens() == [5, 5], "the index works on its own copy of the ids"

    # Overlaps, left to right, also past position 7 (where a set's order is not sorted order)
    for text, want in ((b"aaa", [256, 97]), (b"aaaa", [256, 256]), (b"aaaaa", [256, 256, 97]),
                       (b"xaaa", [120, 256, 97]), (b"abcdefgaaa", list(b"abcdefg") + [256, 97]),
                       (b"abcdefghijklmnopaaaaa", list(b"abcdefghijklmnop") + [256, 256, 97])):
        idx = PairIndex(text)
        got = idx.merge((97, 97), 256)
        assert idx.tokens() == want, f"merging aa in {text!r} should give {want}, got {idx.tokens()}"
        assert got == (len(text) - len(want)), f"{text!r}: {len(text) - len(want)} merges, merge returned {got}"
        items = reference_merge(list(enumerate(text)), (97, 97), 256)
        assert index_positions(idx) == reference_positions(items), (
            f"after merging aa in {text!r} the positions should be {reference_positions(items)}, "
            f"got {index_positions(idx)}")

    # Random sequences with many ties: most_frequent and merge, step by step, against the reference
    rng = random.Random(12)
    for trial in range(60):
        data = [rng.choice([1, 1, 2, 3]) for _ in range(rng.randint(0, 60))]
        idx, items = PairIndex(data), list(enumerate(data))
        for new_id in range(256, 264):
            want = reference_best(reference_positions(items))
            got = idx.most_frequent()
            assert got == want, f"trial {trial}, sequence {data}: most_frequent() should be {want}, got {got}"
            if want is None:
                break
            assert idx.merge(want[0], new_id) >= 1
            items = reference_merge(items, want[0], new_id)
            assert idx.tokens() == [t for _, t in items], (
                f"trial {trial}, sequence {data}: after merging {want[0]} the tokens should be "
                f"{[t for _, t in items]}, got {idx.tokens()}")
            assert index_positions(idx) == reference_positions(items), (
                f"trial {trial}, sequence {data}: after merging {want[0]} the positions are wrong")

    # A merge touches the occurrences, not the whole sequence: count the reads of the lists
    reads = [0]

    class CountingList(list):
        def __getitem__(self, key):
            item = super().__getitem__(key)
            reads[0] += len(item) if isinstance(key, slice) else 1
            return item

        def __iter__(self):
            reads[0] += len(self)
            return super().__iter__()

    data = [rng.randrange(3, 40) for _ in range(5000)]
    for start in (100, 2500, 4900):
        data[start:start + 2] = [1, 2]
    idx = PairIndex(data)
    idx.ids, idx.next_pos, idx.prev_pos = CountingList(idx.ids), CountingList(idx.next_pos), CountingList(idx.prev_pos)
    assert idx.merge((1, 2), 300) == 3
    assert reads[0] <= 100, (
        f"merging a pair that occurs 3 times in 5000 tokens read the token lists {reads[0]} times: "
        "it should only look at the occurrences and their neighbours (at most ~100 reads), not scan the sequence")
    assert idx.count((1, 2)) == 0 and idx.count((300, data[102])) >= 1

    print("✅ PairIndex tests passed!")

test_pair_index()

# %% [markdown]
# ## Step 3c: The BPE Tokenizer
#
# ### Training
# `train(text, vocab_size)` works on the UTF-8 bytes of the text, so the base vocabulary is
# the 256 byte values, ids 0..255, and `vocab[i] == bytes([i])`. Then it learns
# `vocab_size - 256` merges, one at a time, each the most frequent pair of the *current*
# token sequence (the first one on a tie), with new ids 256, 257, ... in order:
# ```
# merges = [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)]
# vocab[256] = vocab[97]  + vocab[97]  = b"aa"
# vocab[257] = vocab[256] + vocab[97]  = b"aaa"
# vocab[258] = vocab[257] + vocab[98]  = b"aaab"
# ```
# It **stops early** when the most frequent pair occurs only once: a merge would add a
# token without shortening anything. `vocab_size` is then 256 + the number of merges
# learned. A `vocab_size` below 256 is impossible (the bytes alone are 256 tokens) and is a
# `ValueError`; training again starts from scratch.
#
# Training uses your `PairIndex`: one index of the bytes, then `most_frequent()` and
# `merge()` for every new token.
#
# ### Encoding: apply the merges in the order they were learned
# To encode a new text, take its bytes and replay the merges **by rank**, earliest learned
# first, each one everywhere in the text. The order matters. Suppose training learned
# `bc` first (256) and `ab` later (258):
# ```
# "abc" = a b c
# rank order:     bc first  →  a [bc]          = [97, 256]       (what training would have made)
# reverse order:  ab first  →  [ab] c          = [258, 99]       a different, wrong tokenization
# ```
# Replaying in rank order reproduces exactly what training did to its own text, so
# `encode(training_text)` is the sequence training ended with. (A merge of rank r only
# creates pairs that contain the new token r, so no earlier merge can become possible
# again: one pass over the merges is enough.)
#
# ### Encoding fast without an index: one character per token
# Replaying a merge is `merge_pair` over the whole text, once per merge. In a Python loop
# that is n·m steps again. But a Python `str` can hold any code point below 1 114 112, so
# every token id can be written as **one character**, `chr(id)`, and then merging a pair is
# replacing a two-character string by a one-character string:
# ```
# bytes  a a a b       →  str "aaab"           (chr(97) is "a"; chr(256) is "Ā")
# merge (97, 97) → 256 →  "aaab".replace("aa", "Ā")  == "Āab"      left to right, no overlaps
# ids                  →  [ord(c) for c in "Āab"]     == [256, 97, 98]
# ```
# `str.replace` scans left to right and never reuses a character, exactly merge_pair's rule,
# and it runs in C: a merge that does not occur costs one fast scan. Because each character
# is one whole token, a match can never straddle two tokens. Encoding needs nothing but the
# merge list, so it does not use `PairIndex` (that one is for training, where we must also
# *find* the best pair every time).
#
# ### A tokenizer from its merges (provided)
# The merge list is the whole tokenizer: saved tokenizers (Hugging Face's `merges.txt`,
# tiktoken's rank files) store nothing else. `BPETokenizer.from_merges(merges)` (provided)
# rebuilds one: it sets `merges`, `vocab` (each new token's bytes are its two halves'
# bytes) and `vocab_size`, exactly the state `train` leaves behind, after checking that
# merge k makes id 256 + k out of two earlier ids. `encode` and `decode` read only that
# state, so the tests of encoding, round trips and compression build their tokenizers with
# `from_merges` from merge lists they know: they grade your `encode` and `decode` even if
# `train` is not finished yet.
#
# ### Decoding: join the bytes, then decode once
# `decode(ids)` looks up every id's bytes, joins them, and decodes the result as UTF-8.
# Join first: a token can end in the middle of a character. "é" is `C3 A9`; if these
# are two tokens, decoding each token on its own gives two broken halves.
# A sequence of ids need not be valid UTF-8 at all (a model can generate `[0xC3]` and
# stop), so decode uses `errors="replace"`: each broken piece becomes "\ufffd" instead of an
# exception. An id that is not in the vocabulary is a bug and raises a `ValueError`.
#
# ### Real-World Context
# - **GPT-2** (`tiktoken`'s "gpt2" encoding): byte-level BPE with 50 000 merges. It first
#   splits the text into words, numbers and punctuation with a regular expression and never
#   merges across those chunks; ours merges anywhere, so it can learn tokens like `"\n   "`
#   (a newline and indentation) that span word boundaries.
# - **Hugging Face `tokenizers`**: `ByteLevelBPETokenizer`, trained the same way, with the
#   merges saved as a text file, one pair per line, in rank order: the same list as ours.
# - **SentencePiece** (T5, Llama 1/2): BPE or unigram models over characters, with a byte
#   fallback for unknown characters.

# %% nbgrader={"grade": false, "grade_id": "bpe-tokenizer", "locked": false, "schema_version": 3, "solution": true}
#| export
class BPETokenizer:
    """
    Byte-level Byte Pair Encoding.

    Attributes: `merges` (list of ((a, b), new_id) in the order learned), `vocab`
    (dict id -> bytes), `vocab_size`. Untrained, it is a plain byte tokenizer.
    `BPETokenizer.from_merges(merges)` rebuilds a trained one from its merge list.
    """

    def __init__(self):
        self.merges: List[Tuple[Tuple[int, int], int]] = []
        self.vocab: Dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        self.vocab_size = 256

    @classmethod
    def from_merges(cls, merges) -> "BPETokenizer":
        """
        The tokenizer whose learned merges are `merges` (provided): the state train leaves.

        `merges` is a list of ((a, b), new_id) in rank order, as in `tok.merges`: merge k must
        make id 256 + k out of two ids below it (ValueError otherwise). Sets `merges`, `vocab`
        and `vocab_size`, everything `encode` and `decode` read.
        """
        tok = cls()
        for rank, ((a, b), new_id) in enumerate(merges):
            a, b, new_id = int(a), int(b), int(new_id)
            if new_id != 256 + rank or not (0 <= a < new_id and 0 <= b < new_id):
                raise ValueError(f"merge {rank} must make id {256 + rank} from two smaller ids, "
                                 f"got ({a}, {b}) -> {new_id}")
            tok.merges.append(((a, b), new_id))
            tok.vocab[new_id] = tok.vocab[a] + tok.vocab[b]  # a token's bytes: its halves' bytes
        tok.vocab_size = len(tok.vocab)
        return tok

    def train(self, text: str, vocab_size: int) -> "BPETokenizer":
        """
        Learn vocab_size - 256 merges from `text` (fewer if no pair repeats). Returns self.

        TODO: Validate vocab_size, then learn the merges with a PairIndex.

        STEP-BY-STEP IMPLEMENTATION:
        1. vocab_size must be an integer (TypeError otherwise) and at least 256
           (ValueError naming the value otherwise)
        2. Start again from scratch: self.merges = [], self.vocab = the 256 single bytes
        3. index = a PairIndex of the UTF-8 bytes of text
        4. For each new_id from 256 up to vocab_size - 1:
           - ask the index for the most frequent pair; stop if there is none or if it
             occurs fewer than 2 times
           - merge it in the index, append (pair, new_id) to self.merges, and set
             self.vocab[new_id] to the bytes of the two halves, concatenated
        5. self.vocab_size = the number of tokens in self.vocab; return self

        EXAMPLE USAGE:
        ```python
        tok = BPETokenizer().train("aaabdaaabac", vocab_size=300)
        tok.merges       # [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)]
        tok.vocab[258]   # b'aaab'
        tok.vocab_size   # 259  (it stopped early: no pair occurs twice any more)
        ```

        IMPLEMENTATION HINTS:
        - isinstance(x, numbers.Integral) accepts Python and numpy integers
        - text.encode("utf-8") gives the bytes; range(256, vocab_size) the new ids
        - bytes concatenate with +
        """
        if not isinstance(text, str):
            raise TypeError(f"train needs a str, got {type(text).__name__}")
        ### BEGIN SOLUTION
        if not isinstance(vocab_size, numbers.Integral):
            raise TypeError(f"vocab_size must be an integer, got {vocab_size!r}")
        if vocab_size < 256:
            raise ValueError(f"vocab_size must be at least 256 (the 256 byte values), got {vocab_size}")
        self.merges = []
        self.vocab = {i: bytes([i]) for i in range(256)}
        index = PairIndex(text.encode("utf-8"))
        for new_id in range(256, vocab_size):
            best = index.most_frequent()
            if best is None or best[1] < 2:
                break  # no pair repeats: a new token would not shorten the text
            pair = best[0]
            index.merge(pair, new_id)
            self.merges.append((pair, new_id))
            self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
        self.vocab_size = 256 + len(self.merges)
        return self
        ### END SOLUTION

    def encode(self, text: str) -> List[int]:
        """
        Text to token ids: UTF-8 bytes, then every merge applied in the order it was learned.

        TODO: Replay self.merges on the bytes of text, one str.replace per merge.

        STEP-BY-STEP IMPLEMENTATION:
        1. Write the UTF-8 bytes of text as a str with one character per token: the byte
           b becomes the character chr(b)
        2. For each (pair, new_id) in self.merges, in order: replace every occurrence of
           the pair's two characters, chr(a) followed by chr(b), by the one character chr(new_id)
        3. Return the ids of the characters, in order, as a list of ints

        EXAMPLE USAGE:
        ```python
        tok = BPETokenizer.from_merges([((97, 97), 256), ((256, 97), 257), ((257, 98), 258)])
        tok.encode("aaabdaaabac")   # [258, 100, 258, 97, 99]
        tok.encode("aaa")           # [257]
        tok.encode("é")             # [195, 169]   never seen: its two bytes
        ```

        IMPLEMENTATION HINTS:
        - self.merges is already in rank order: do not sort or reverse it
        - bytes.decode("latin-1") turns every byte b into chr(b) in one call
        - s.replace(old, new) scans left to right without overlaps, as merge_pair does:
          "aaa".replace("aa", "Z") == "Za"; it returns a new str (strings never change)
        - ord(character) is the id back; chr and ord are inverses
        - Encoding reads only self.merges: no PairIndex, and no training needed
        """
        ### BEGIN SOLUTION
        chars = text.encode("utf-8").decode("latin-1")  # one character per byte: chr(b)
        for (a, b), new_id in self.merges:
            chars = chars.replace(chr(a) + chr(b), chr(new_id))
        return [ord(ch) for ch in chars]
        ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """
        Token ids back to text: the tokens' bytes joined, then decoded as UTF-8.

        TODO: Check each id, join the bytes, decode once with errors replaced.

        STEP-BY-STEP IMPLEMENTATION:
        1. For each id in ids: if it is not a key of self.vocab, raise a ValueError naming
           it; otherwise keep self.vocab[id]
        2. Join all the bytes into one bytes object
        3. Decode it as UTF-8 with errors="replace" and return the str

        EXAMPLE USAGE:
        ```python
        tok = BPETokenizer()
        tok.decode([104, 105])        # 'hi'
        tok.decode([195, 169])        # 'é'     two tokens, one character
        tok.decode([195])             # '\ufffd'  half a character
        tok.decode([300])             # ValueError: token id 300 is not in the vocabulary ...
        ```

        IMPLEMENTATION HINTS:
        - b"".join(list_of_bytes) concatenates bytes
        - Decode the joined bytes, not each token: a character may span two tokens
        - Go through ids once: a generator can only be read one time
        """
        ### BEGIN SOLUTION
        pieces = []
        for i in ids:
            if i not in self.vocab:
                raise ValueError(f"token id {i} is not in the vocabulary: valid ids are 0 to {self.vocab_size - 1}")
            pieces.append(self.vocab[i])
        return b"".join(pieces).decode("utf-8", errors="replace")
        ### END SOLUTION

    def __repr__(self) -> str:
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"

# %% [markdown]
# ### 🧪 Test Training
#
# Training is compared with `reference_bpe` (the obvious algorithm: recount everything,
# rebuild the list) on the worked example, on texts chosen to have ties, and on random
# texts with a three-letter alphabet, where ties are everywhere.

# %% nbgrader={"grade": true, "grade_id": "test-bpe-train", "locked": true, "points": 20, "schema_version": 3, "solution": false}
#| uses: PairIndex
def test_bpe_train():
    """BPETokenizer.train: merges in order, ties to the first pair, ids from 256, early stop, validation"""
    print("🔬 Unit Test: BPETokenizer.train...")
    import random

    fresh = BPETokenizer()
    assert fresh.vocab_size == 256 and len(fresh.merges) == 0 and fresh.vocab[65] == b"A"

    tok = BPETokenizer()
    assert tok.train("aaabdaaabac", 300) is tok, "train returns the tokenizer itself (so you can chain it)"
    want = [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)]
    assert [(tuple(p), i) for p, i in tok.merges] == want, (
        f"merges of 'aaabdaaabac' should be {want} (aa, then Za: the tie goes to the pair that comes first), "
        f"got {tok.merges}")
    assert tok.vocab_size == 259 and len(tok.vocab) == 259, (
        f"training stops after 3 merges (no pair occurs twice): vocab_size 259, got {tok.vocab_size}")
    assert [tok.vocab[i] for i in (256, 257, 258)] == [b"aa", b"aaa", b"aaab"], (
        f"vocab[256..258] should be b'aa', b'aaa', b'aaab', got {[tok.vocab.get(i) for i in (256, 257, 258)]}")
    assert all(tok.vocab[i] == bytes([i]) for i in range(256)), "ids 0..255 are the single bytes"

    # A tie between an old pair and a newer one that comes first, then one between two old pairs
    tok = BPETokenizer().train("bcbcbc abab", 300)
    want = [((98, 99), 256), ((256, 256), 257), ((97, 98), 258)]
    assert [(tuple(p), i) for p, i in tok.merges] == want, f"'bcbcbc abab' should learn {want}, got {tok.merges}"
    tok = BPETokenizer().train("xyxy abab", 300)
    want = [((120, 121), 256), ((97, 98), 257)]
    assert [(tuple(p), i) for p, i in tok.merges[:2]] == want, (
        f"'xyxy abab': xy and ab both occur twice, xy first: expected {want} first, got {tok.merges[:2]}")

    # Non-ASCII: merges are of bytes
    tok = BPETokenizer().train("ééé", 260)
    assert [(tuple(p), i) for p, i in tok.merges] == [((195, 169), 256), ((256, 256), 257)], (
        f"'ééé' is C3 A9 C3 A9 C3 A9: expected [((195, 169), 256), ((256, 256), 257)], got {tok.merges}")
    assert tok.vocab[257] == "éé".encode("utf-8")

    # vocab_size: 256 means no merges, fewer is an error, it must be an integer
    tok = BPETokenizer().train("aaaa", 256)
    assert len(tok.merges) == 0 and tok.vocab_size == 256, f"vocab_size=256 learns nothing, got {tok.merges}"
    tok = BPETokenizer().train("aaaa", 257)
    assert [(tuple(p), i) for p, i in tok.merges] == [((97, 97), 256)] and tok.vocab_size == 257, (
        f"vocab_size=257 learns exactly one merge, got {tok.merges}")
    for bad in (255, 100, 0, -1):
        try:
            BPETokenizer().train("abc", bad)
        except ValueError as exc:
            assert str(bad) in str(exc), f"the message should name vocab_size={bad}, got: {exc}"
        else:
            raise AssertionError(f"vocab_size={bad} is below 256 (the byte values): expected ValueError")
    for bad in (300.0, "300", None):
        try:
            BPETokenizer().train("abc", bad)
        except TypeError:
            pass
        else:
            raise AssertionError(f"vocab_size={bad!r} is not an integer: expected TypeError")
    assert BPETokenizer().train("abab", np.int64(257)).vocab_size == 257, "a numpy integer is an integer"
    for text in ("", "a", "ab"):
        tok = BPETokenizer().train(text, 300)
        assert len(tok.merges) == 0 and tok.vocab_size == 256, f"{text!r} has no repeated pair: no merges"

    # Training again starts from scratch
    tok = BPETokenizer().train("aaabdaaabac", 300)
    tok.train("xyxyxy", 300)
    want, _ = reference_bpe(b"xyxyxy", 44)
    assert [(tuple(p), i) for p, i in tok.merges] == want and tok.vocab_size == 256 + len(want), (
        f"training again must forget the old merges: expected {want}, got {tok.merges}")
    assert 258 not in tok.vocab or tok.vocab[258] != b"aaab", "the old vocabulary must be gone"

    # Random texts full of ties, and a slice of the corpus: the same merges as the reference
    rng = random.Random(3)
    for trial in range(40):
        text = "".join(rng.choice("ab c") for _ in range(rng.randint(0, 70)))
        want, _ = reference_bpe(text.encode("utf-8"), 30)
        got = [(tuple(p), i) for p, i in BPETokenizer().train(text, 286).merges]
        assert got == want, f"text {text!r}: expected merges {want}, got {got}"
    piece = load_pydoc_text()[:2500]
    want, _ = reference_bpe(piece.encode("utf-8"), 40)
    tok = BPETokenizer().train(piece, 296)
    got = [(tuple(p), i) for p, i in tok.merges]
    assert got == want, f"on the first 2500 characters of the corpus: expected {want[:5]}..., got {got[:5]}..."
    # train leaves the same state as from_merges (what the encode, round-trip and compression tests build on)
    rebuilt = BPETokenizer.from_merges(want)
    assert tok.vocab_size == rebuilt.vocab_size and {i: bytes(t) for i, t in tok.vocab.items()} == rebuilt.vocab, (
        f"after training, vocab and vocab_size should be those of from_merges(merges): vocab_size "
        f"{rebuilt.vocab_size}, got {tok.vocab_size}")

    print("✅ BPETokenizer.train tests passed!")

test_bpe_train()

# %% [markdown]
# ### 🧪 Test Encoding and Decoding
#
# The tokenizers of this test are built with `from_merges`, from the worked example's merges
# written by hand and from `reference_bpe`'s merges on a slice of the corpus: it grades
# `encode` and `decode` alone, whatever state `train` is in.

# %% nbgrader={"grade": true, "grade_id": "test-bpe-encode-decode", "locked": true, "points": 15, "schema_version": 3, "solution": false}
def test_bpe_encode_decode():
    """BPETokenizer.encode applies merges by rank; decode joins bytes, replaces broken UTF-8, checks ids"""
    print("🔬 Unit Test: BPETokenizer.encode and decode...")

    # Untrained: plain UTF-8 bytes
    raw = BPETokenizer()
    assert raw.encode("hé") == [104, 195, 169], f"untrained, encode('hé') is its bytes [104, 195, 169], got {raw.encode('hé')}"
    assert raw.encode("") == [] and raw.decode([]) == "", "the empty text is the empty list of ids"
    assert raw.decode([104, 195, 169]) == "hé", f"decode([104, 195, 169]) should be 'hé', got {raw.decode([104, 195, 169])!r}"

    example = [((97, 97), 256), ((256, 97), 257), ((257, 98), 258)]   # the worked example: aa, (aa)a, (aaa)b
    tok = BPETokenizer.from_merges(example)
    cases = {"aaabdaaabac": [258, 100, 258, 97, 99], "aaa": [257], "aaaa": [256, 256], "aaaab": [256, 256, 98],
             "aaab": [258], "ba": [98, 97], "aaaaaaab": [256, 256, 258], "xaaay": [120, 257, 121]}
    for text, want in cases.items():
        got = tok.encode(text)
        assert got == want, f"encode({text!r}) should be {want}, got {got}"
        assert all(type(i) is int for i in got), f"encode should return Python ints, got {[type(i) for i in got]}"
        assert tok.decode(got) == text, f"decode(encode({text!r})) gave {tok.decode(got)!r}"

    # Rank order matters: bc was learned (256) before ab (258), as training on "bcbcbc abab" does
    tok = BPETokenizer.from_merges([((98, 99), 256), ((256, 256), 257), ((97, 98), 258)])
    assert tok.encode("abc") == [97, 256], (
        f"encode('abc'): bc (rank 0) merges before ab (rank 2), giving [97, 256]; got {tok.encode('abc')}")
    assert tok.encode("abcbc") == [97, 257], f"encode('abcbc') should be [97, 257], got {tok.encode('abcbc')}"

    # Encoding the training text reproduces what training did to it
    piece = load_pydoc_text()[5000:7500]
    merges, final = reference_bpe(piece.encode("utf-8"), 60)
    tok = BPETokenizer.from_merges(merges)
    got = tok.encode(piece)
    assert got == final, f"encode(training text) should be the sequence training ended with ({len(final)} tokens), got {len(got)} tokens"
    assert tok.decode(got) == piece, "the training text should decode back exactly"

    # A character can span two tokens: join the bytes first, then decode once
    assert raw.decode([195, 169]) == "é", f"[195, 169] is 'é' (two tokens, one character), got {raw.decode([195, 169])!r}"
    assert raw.decode(i for i in [240, 159, 152, 128]) == "😀", "decode should accept any iterable (a generator)"
    assert raw.decode(np.array([104, 105])) == "hi", "decode should accept a numpy array of ids"
    # Broken UTF-8 becomes "\ufffd", it is not dropped and not an exception
    for ids, want in (([255], "\ufffd"), ([195], "\ufffd"), ([104, 255, 105], "h\ufffdi"), ([169, 195], "\ufffd\ufffd")):
        try:
            got = raw.decode(ids)
        except UnicodeDecodeError as exc:
            raise AssertionError(f"decode({ids}) must not raise ({exc}): replace broken bytes with '\\ufffd'") from None
        assert got == want, f"decode({ids}) should be {want!r} (errors replaced, not dropped), got {got!r}"

    # Ids outside the vocabulary
    tok = BPETokenizer.from_merges(example)
    for bad in (259, 1000, -1):
        try:
            tok.decode([97, bad])
        except ValueError as exc:
            assert str(bad) in str(exc) and "258" in str(exc), (
                f"the message should name the bad id {bad} and the last valid id 258, got: {exc}")
        else:
            raise AssertionError(f"decode([97, {bad}]) should raise ValueError: the ids run from 0 to 258")
    assert tok.decode([258, 0]) == "aaab\x00", "ids 0 and vocab_size - 1 are valid"

    print("✅ BPETokenizer.encode and decode tests passed!")

test_bpe_encode_decode()

# %% [markdown]
# ### How fast is training?
#
# The cell below (provided) times both algorithms on the same text: the simple loop of
# Step 3 with your `count_pairs` and `merge_pair`, and `BPETokenizer.train` with its
# `PairIndex`. They learn the same merges. Then it trains the tokenizer the next modules
# use, vocabulary 512 on the first 100 000 characters of the corpus, and shows what it
# learned. (Wall-clock times depend on the machine; they are printed, never graded.)

# %% nbgrader={"grade": false, "grade_id": "bpe-timing", "locked": true, "schema_version": 3, "solution": false}
import time

corpus = load_pydoc_text()
sample = corpus[:20_000]
start = time.perf_counter()
ids, slow_merges = list(sample.encode("utf-8")), []
for new_id in range(256, 256 + 64):
    counts = count_pairs(ids)
    best = max(counts, key=counts.get)
    if counts[best] < 2:
        break
    slow_merges.append((best, new_id))
    ids = merge_pair(ids, best, new_id)
slow = time.perf_counter() - start
start = time.perf_counter()
fast_tok = BPETokenizer().train(sample, 256 + 64)
fast = time.perf_counter() - start
same = [(tuple(p), i) for p, i in fast_tok.merges] == slow_merges
print(f"64 merges on 20,000 characters: simple loop {slow:.3f} s, PairIndex {fast:.3f} s "
      f"({slow / max(fast, 1e-9):.0f}x faster), same merges: {same}")

start = time.perf_counter()
bpe = BPETokenizer().train(corpus[:100_000], 512)
print(f"vocab 512 on 100,000 characters: {time.perf_counter() - start:.2f} s, {len(bpe.merges)} merges")
print("the first 12 merges:", ", ".join(repr(bpe.vocab[i].decode("utf-8", "replace")) for _, i in bpe.merges[:12]))
longest = sorted(bpe.vocab.values(), key=len)[-8:]
print("the longest tokens:", ", ".join(repr(t.decode("utf-8", "replace")) for t in longest))
example = "The assert statement raises AssertionError."
ids = bpe.encode(example)
print(f"{example!r}: {len(example)} characters -> {len(ids)} tokens:",
      " | ".join(bpe.decode([i]) for i in ids))

# %% [markdown]
# ## Step 4: Round Trips on Any Text
#
# ### The guarantee
# For byte-level BPE, `decode(encode(text)) == text` for **every** string, whatever the
# training text was:
# - `encode` starts from the UTF-8 bytes, and every byte value is a token: nothing is
#   ever unknown. A character the training text never contained (an emoji, a Chinese
#   character, an accent written as a separate combining mark) simply stays as its
#   bytes, 1 to 4 tokens.
# - Each merge replaces two tokens by one whose bytes are their concatenation, so the
#   concatenated bytes of all tokens never change.
# - `decode` concatenates the bytes and decodes them once: the original bytes, hence the
#   original text.
#
# ```
# "naïve 😀" → bytes 6E 61 C3 AF 76 65 20 F0 9F 98 80
#            → tokens [n] [a] [C3] [AF] [v] [e␣] [F0] [9F] [98] [80]    (vocab 512, trained on the corpus)
#            → bytes  6E 61 C3 AF 76 65 20 F0 9F 98 80 → "naïve 😀"
# ```
# The character tokenizer cannot promise this: a character its training text lacked becomes
# the unknown token, and the original is gone. That is why GPT-2 and its successors are
# byte-level.
#
# (One fine print: a Python `str` can hold a lone "surrogate" such as "\ud800", which is
# not a character and has no UTF-8 encoding. `encode` raises `UnicodeEncodeError`, a
# `ValueError`, for it, as `str.encode` does. Every real text round-trips.)
#
# There is nothing new to write: the test below proves the guarantee on random text from
# many scripts, for your `encode` and `decode` with the 84 merges that BPE learns from the
# first 6000 characters of the corpus (computed by `reference_bpe`, loaded with `from_merges`).

# %% nbgrader={"grade": true, "grade_id": "test-round-trip", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: BPETokenizer.encode, BPETokenizer.decode, CharTokenizer
def test_round_trip():
    """decode(encode(text)) == text for any text: emoji, CJK, combining marks, controls, unseen scripts"""
    print("🔬 Unit Test: Round Trips on Any Text...")
    import random

    corpus = load_pydoc_text()
    merges, _ = reference_bpe(corpus[:6000].encode("utf-8"), 84)
    assert len(merges) == 84, f"6000 characters of the corpus have enough repeated pairs for 84 merges, got {len(merges)}"
    tok = BPETokenizer.from_merges(merges)

    ranges = [(0x20, 0x7E), (0x00, 0x1F), (0xA0, 0xFF), (0x0300, 0x036F), (0x0391, 0x03C9), (0x0400, 0x04FF),
              (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x3040, 0x30FF), (0x4E00, 0x9FFF),
              (0xAC00, 0xD7A3), (0xE000, 0xF8FF), (0xFFF0, 0xFFFD), (0x1F300, 0x1FAFF), (0x10000, 0x1000F),
              (0x10FFF0, 0x10FFFF)]
    rng = random.Random(2024)
    for trial in range(150):
        parts = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.4:
                start = rng.randrange(len(corpus) - 20)
                parts.append(corpus[start:start + rng.randint(1, 20)])   # text the tokenizer knows
            else:
                low, high = rng.choice(ranges)
                parts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 4))))
        text = "".join(parts)
        ids = tok.encode(text)
        back = tok.decode(ids)
        assert back == text, f"round trip failed: {text!r} came back as {back!r}"
        assert all(0 <= i < tok.vocab_size for i in ids), f"ids must be in the vocabulary: {ids}"

    # Characters never seen in training stay as their bytes
    for text in ("😀", "语言", "e\u0301", "\U0010FFFF", "\x00\r\n\t"):
        want = list(text.encode("utf-8"))
        assert tok.encode(text) == want, f"{text!r} never occurs in the training text: expected its bytes {want}, got {tok.encode(text)}"
    mixed = "naïve café 😀 — 数据 ‘quoted’ \u200d\ufeff"
    assert tok.decode(tok.encode(mixed)) == mixed, f"round trip failed on {mixed!r}"
    assert tok.decode([i for i in tok.encode(mixed)]) == mixed
    long_text = corpus[100_000:110_000] + mixed
    assert tok.decode(tok.encode(long_text)) == long_text, "10,000 characters the tokenizer did not train on should round-trip"

    # The character tokenizer cannot do this: unseen characters are lost
    chars = CharTokenizer(corpus[:6000])
    assert chars.decode(chars.encode("a😀b")) == "a\ufffdb", "CharTokenizer maps an unseen character to UNK"

    print("✅ Round trips on any text passed!")

test_round_trip()

# %% [markdown]
# ## Step 5: Measuring Compression
#
# ### Bytes per token
# A tokenizer's **compression ratio** on a text is the number of UTF-8 bytes per token:
# ```
# compression_ratio(tokenizer, text) = len(text.encode("utf-8")) / len(tokenizer.encode(text))
# ```
# - A byte tokenizer (BPE with no merges) has ratio exactly 1.0 on every text.
# - A character tokenizer has ratio 1.0 on ASCII, more on text with multi-byte characters.
# - Every BPE merge can only shorten the token sequence, so the ratio rises with the
#   vocabulary size. On the text the tokenizer trained on it rises fastest; what matters is
#   the ratio on **held-out** text, which shows whether the merges learned general pieces
#   of the language or only the training text.
#
# ### Why it matters
# A model with a context of T tokens sees T × ratio bytes of text. Doubling the ratio
# doubles how much text fits in the same context, and halves the cost of attention per
# byte (T² shrinks by 4 for the same text). The price is paid in the embedding table and the
# output layer, both `vocab_size × embed_dim`, and in rarer tokens that each get fewer
# training examples. GPT-2 (50 257 tokens) averages about 4 bytes per token on English;
# cl100k (GPT-4, 100 000 tokens) a bit more.
#
# An empty text has no tokens and no ratio: `compression_ratio` raises a `ValueError`.

# %% nbgrader={"grade": false, "grade_id": "compression-ratio", "locked": false, "schema_version": 3, "solution": true}
#| export
def compression_ratio(tokenizer, text: str) -> float:
    """
    UTF-8 bytes of `text` per token of `tokenizer.encode(text)`.

    TODO: Encode the text, then divide its number of bytes by its number of tokens.

    STEP-BY-STEP IMPLEMENTATION:
    1. Encode the text with the tokenizer's own encode method
    2. No tokens (an empty text): raise a ValueError (there is nothing to divide by)
    3. Return the number of UTF-8 bytes of text divided by the number of tokens

    EXAMPLE USAGE:
    ```python
    compression_ratio(BPETokenizer(), "hello")            # 1.0   one token per byte
    compression_ratio(CharTokenizer("héllo"), "héllo")    # 1.2   6 bytes, 5 tokens
    tok = BPETokenizer().train("aaabdaaabac", 300)
    compression_ratio(tok, "aaabdaaabac")                 # 2.2   11 bytes, 5 tokens
    ```

    IMPLEMENTATION HINTS:
    - Count bytes, not characters: len(text) is the number of code points
    - Any object with an encode method works: both tokenizers do
    """
    ### BEGIN SOLUTION
    tokens = tokenizer.encode(text)
    if not tokens:
        raise ValueError("compression_ratio needs a non-empty text: an empty text has no tokens")
    return len(text.encode("utf-8")) / len(tokens)
    ### END SOLUTION

# %% [markdown]
# ### The measurement
#
# The cell below (provided) trains byte-level BPE on the first 100 000 characters of the
# corpus for four vocabulary sizes and measures bytes per token on that training slice and
# on a **held-out** slice, the last 50 000 characters (other topics of the documentation,
# never seen in training). The character tokenizer is the baseline.

# %% nbgrader={"grade": false, "grade_id": "compression-table", "locked": true, "schema_version": 3, "solution": false}
import time

corpus = load_pydoc_text()
train_text, held_out = corpus[:100_000], corpus[-50_000:]
chars = CharTokenizer(train_text)
print(f"{'tokenizer':<22} {'vocab':>6} {'train bytes/token':>18} {'held-out bytes/token':>21} {'train s':>8}")
print(f"{'CharTokenizer':<22} {chars.vocab_size:>6} {compression_ratio(chars, train_text):>18.3f} "
      f"{compression_ratio(chars, held_out):>21.3f} {'':>8}")
for size in (256, 320, 512, 1024):
    start = time.perf_counter()
    tok = BPETokenizer().train(train_text, size)
    seconds = time.perf_counter() - start
    print(f"{'BPETokenizer':<22} {tok.vocab_size:>6} {compression_ratio(tok, train_text):>18.3f} "
          f"{compression_ratio(tok, held_out):>21.3f} {seconds:>8.2f}")
unk = sum(i == chars.unk_id for i in chars.encode(held_out))
print(f"CharTokenizer: {unk} held-out characters are unknown (lost); BPE loses none")

# %% [markdown]
# Read the table: every merge shortens the training text, so the training ratio rises
# with the vocabulary; the held-out ratio rises too but more slowly, and the gap widens
# with the vocabulary, because the later merges are pieces specific to the topics of the
# training slice (names, phrases) that the held-out topics use less. The character
# tokenizer is no better than raw bytes on this almost-ASCII text. This held-out slice
# happens to use no character outside the training slice's (the line under the table
# counts them), but one emoji would be lost to it, while BPE keeps everything.
#
# The test below builds its tokenizers with `from_merges`, from `reference_bpe`'s merges on
# the first 10 000 characters. Training is greedy, so the tokenizer of a smaller vocabulary
# has exactly the first merges of a larger one: one list, cut at four lengths.

# %% nbgrader={"grade": true, "grade_id": "test-compression-ratio", "locked": true, "points": 10, "schema_version": 3, "solution": false}
#| uses: CharTokenizer, BPETokenizer.encode
def test_compression_ratio():
    """compression_ratio: bytes per token; 1.0 for raw bytes, strictly rising with the vocabulary size"""
    print("🔬 Unit Test: compression_ratio...")

    assert compression_ratio(BPETokenizer(), "hello") == 1.0, "an untrained BPE tokenizer has one token per byte"
    got = compression_ratio(CharTokenizer("héllo"), "héllo")
    assert abs(got - 1.2) < 1e-12 and isinstance(got, float), f"'héllo' is 6 bytes in 5 characters: 1.2, got {got!r}"
    got = compression_ratio(CharTokenizer("é"), "é")
    assert got == 2.0, f"'é' is 2 bytes, 1 token: 2.0, got {got!r}"
    tok = BPETokenizer.from_merges([((97, 97), 256), ((256, 97), 257), ((257, 98), 258)])   # 'aaabdaaabac' trained
    got = compression_ratio(tok, "aaabdaaabac")
    assert abs(got - 11 / 5) < 1e-12, f"11 bytes in 5 tokens: 2.2, got {got!r}"
    for tokenizer in (BPETokenizer(), CharTokenizer("abc")):
        try:
            compression_ratio(tokenizer, "")
        except ValueError:
            pass
        else:
            raise AssertionError("compression_ratio of an empty text should raise ValueError (no tokens)")

    corpus = load_pydoc_text()
    train_text, held_out = corpus[:10_000], corpus[-6_000:]
    sizes = (256, 300, 350, 400)
    merges, _ = reference_bpe(train_text.encode("utf-8"), sizes[-1] - 256)
    assert len(merges) == sizes[-1] - 256, f"the training slice should give {sizes[-1] - 256} merges, got {len(merges)}"
    ratios = []
    for size in sizes:
        tok = BPETokenizer.from_merges(merges[:size - 256])   # a smaller vocabulary: the first merges
        ratio = compression_ratio(tok, held_out)
        want = len(held_out.encode("utf-8")) / len(tok.encode(held_out))
        assert abs(ratio - want) < 1e-12, f"vocab {size}: bytes / tokens = {want}, got {ratio}"
        ratios.append(ratio)
    print("   held-out bytes per token for vocab", sizes, ":", [round(r, 3) for r in ratios])
    assert ratios[0] == 1.0, f"with vocab 256 (no merges) every byte is a token: ratio 1.0, got {ratios[0]}"
    assert all(a < b for a, b in zip(ratios, ratios[1:])), f"the ratio should rise strictly with the vocabulary: {ratios}"
    assert ratios[-1] > 1.5, f"400 tokens should carry more than 1.5 bytes each on held-out text, got {ratios[-1]:.3f}"

    print("✅ compression_ratio tests passed!")

test_compression_ratio()

# %% [markdown]
# ## 🧪 Module Testing
#
# Time to test your implementation! This section uses TinyTorch's standardized testing
# framework: it finds every `test_*` function in this notebook and runs it once more.
#
# **This testing section is locked** - it provides consistent feedback across all modules
# and cannot be modified.

# %% nbgrader={"grade": false, "grade_id": "module-tests", "locked": true, "schema_version": 3, "solution": false}
# =============================================================================
# STANDARDIZED MODULE TESTING - DO NOT MODIFY
# This cell is locked to ensure consistent testing across all TinyTorch modules
# =============================================================================
from tito.tools.testing import run_module_tests_auto

# Automatically discover and run all tests in this module
success = run_module_tests_auto("Tokenization")

# %% [markdown]
# ## 🎯 Module Summary: Tokenization
#
# ### ✅ What You've Built
# - **`CharTokenizer`**: sorted characters after an unknown token at id 0; unseen
#   characters become "\ufffd", invalid ids are a `ValueError`
# - **`count_pairs` / `merge_pair`**: the two operations of BPE, with overlapping pairs
#   counted and merged left to right
# - **`PairIndex`**: positions of every pair over a linked list, so a merge costs its
#   occurrences and a whole training run costs about n + m·P steps instead of n·m
# - **`BPETokenizer`**: byte-level BPE; `train` learns merges greedily (ties to the first
#   pair, ids from 256, early stop), `encode` replays them by rank (one `str.replace` per
#   merge), `decode` joins bytes and replaces broken UTF-8; `from_merges` (provided)
#   rebuilds a tokenizer from its merge list
# - **`compression_ratio`**: bytes per token, 1.0 for raw bytes, rising with every merge
#
# ### ✅ Key Learning Outcomes
# - **Vocabulary size against sequence length**: the central trade-off of tokenization,
#   paid in embedding rows on one side and attention cost on the other
# - **Bytes make everything encodable**: a byte-level tokenizer round-trips any text,
#   including scripts it never saw; a character vocabulary cannot
# - **Order is the model**: the merge list in rank order is the whole tokenizer, and
#   encoding must replay it in that order
# - **Systems detail**: incremental updates (touch only what changes) turn a quadratic
#   training loop into a linear one, the same idea as the key/value cache of module 16
#
# ### 🔗 Connection to Real ML Systems
# - **GPT-2 / tiktoken**: byte-level BPE with 50 000 merges over regex-split chunks
# - **Hugging Face `tokenizers`**: `ByteLevelBPETokenizer`, merges saved in rank order
# - **PyTorch**: `torch.nn.Embedding(vocab_size, dim)` takes the ids this module produces
#
# ### 🚀 What's Next
# Module 15 turns token ids into vectors (`Embedding`), adds positions, and builds
# attention: the mechanism that lets every token look at the ones before it.
