"""Turning a fitted classifier into bytes and back, with an integrity check.

The bytes are a zlib-compressed pickle. Pickle runs code when loaded, so `load` only
accepts bytes whose SHA-256 matches the digest recorded when they were written (the
TriageModel row keeps both): bytes from anywhere else are refused.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib

from helpline.dispatch.triage.model import TriageClassifier


class CorruptModel(ValueError):
    """The stored bytes are not the model that was saved."""


def dump(classifier: TriageClassifier) -> tuple[bytes, str]:
    """The serialised classifier and its SHA-256 hex digest."""
    payload = zlib.compress(pickle.dumps(classifier, protocol=pickle.HIGHEST_PROTOCOL), 6)
    return payload, hashlib.sha256(payload).hexdigest()


def load(payload: bytes, sha256: str) -> TriageClassifier:
    if hashlib.sha256(payload).hexdigest() != sha256:
        raise CorruptModel("The stored triage model does not match its checksum.")
    classifier = pickle.loads(zlib.decompress(payload))  # noqa: S301 - verified above
    if not isinstance(classifier, TriageClassifier):
        raise CorruptModel("The stored object is not a triage model.")
    return classifier
