"""Readable random run names (`brisk-river-3`) and run ids."""

from __future__ import annotations

import secrets

_ADJECTIVES = (
    "amber azure bold brisk calm clever cosmic crisp dapper eager fancy gentle golden happy hardy "
    "jolly keen lively lucky lunar misty noble polar proud quiet rapid royal rustic shiny silent "
    "smooth snowy solar spry stellar sunny swift tidy vivid warm wild wise witty zesty"
).split()
_NOUNS = (
    "breeze brook canyon cedar cloud comet crater dawn delta dune ember field fire forest frost "
    "galaxy glade grove harbor haze lake leaf meadow moon mountain night oasis ocean pine planet "
    "pond rain river sea shadow sky snow spark star storm sun thunder tree valley wave wind"
).split()

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def random_name(number: int) -> str:
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{number}"


def random_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
