"""An offline replica of the Congress.gov API v3: a real HTTP server on loopback, answering from
a corpus of item bodies, with faults on demand."""

from hearings.replica.corpus import BUNDLED_CORPUS_DIR, DEFAULT_CORPUS_DIR, Corpus
from hearings.replica.faults import Faults
from hearings.replica.server import ReplicaServer

__all__ = ["BUNDLED_CORPUS_DIR", "DEFAULT_CORPUS_DIR", "Corpus", "Faults", "ReplicaServer"]
