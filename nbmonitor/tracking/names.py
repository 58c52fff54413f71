"""Readable random run names (`brisk-river-3`) and run ids; what a logged key and step may be."""

from __future__ import annotations

from random import SystemRandom

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
# os.urandom, as secrets.choice (which is this), without the hmac/hashlib that `import secrets` loads
_choice = SystemRandom().choice


def random_name(number: int) -> str:
    return f"{_choice(_ADJECTIVES)}-{_choice(_NOUNS)}-{number}"


def random_id() -> str:
    return "".join(_choice(_ID_ALPHABET) for _ in range(8))


RESERVED_KEYS = frozenset({"_step", "_timestamp"})  # history() columns
MAX_STEP = 2**63 - 1  # steps are stored as int64


def check_key(key: str) -> None:
    """A logged key must be storable text and not one of history()'s own columns."""
    if key in RESERVED_KEYS:
        raise ValueError(f"nbmonitor.log: key {key!r} is reserved (history() has a {key} column); rename it")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"nbmonitor.log: key {key!r} is not valid text ({e.reason} at {e.start}); "
                         "keys are stored as UTF-8") from None
