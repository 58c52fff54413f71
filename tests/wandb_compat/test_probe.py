"""The W&B-compatibility probe (probes.py) as tests: one per call W&B's example notebooks make.

A call listed in `KNOWN` (different from W&B, or missing) is expected to fail; it is marked xfail
strictly, so when it starts to behave as W&B the test fails until its entry is removed.
"""

from __future__ import annotations

import pytest

from .probes import KNOWN, NOTES, PROBES


@pytest.mark.parametrize("probe", PROBES, ids=[p.call for p in PROBES])
def test_probe(probe, request):
    known = KNOWN.get(probe.call)
    if known is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{known[0]}: {known[1]}"))
    probe.fn()


def test_known_entries_name_probes():
    assert set(KNOWN) | set(NOTES) <= {p.call for p in PROBES}
    assert len({p.call for p in PROBES}) == len(PROBES)
