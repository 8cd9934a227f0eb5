"""Milestones: train real networks on real data with the package the student exported.

`catalog.py` says what each milestone is (in the order of history); `train.py` runs in a
subprocess (student code is untrusted) and reports JSON lines; `runner.py` draws progress
and judges the target. The milestones with more to them have their own file:
`perceptron.py`, `tinygpt.py` (its `CONFIG` is the recipe the tinygpt bench times) and
`compress.py`.
"""
