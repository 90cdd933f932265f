"""Helpers for tests/interop/test_torture.py: the RFC 4475 / RFC 5118 torture corpus with
what a server must do with each message on each transport (corpus.py), and the raw
sockets that carry the messages and read back what parley says (wire.py). Standard
library only."""
