"""Milestones: train real networks on real data with the package the student exported.

`catalog.py` says what each milestone is; `train.py` runs in a subprocess (student code is
untrusted) and reports JSON lines; `runner.py` draws progress and judges the target.
"""
