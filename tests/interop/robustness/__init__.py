"""Helpers for tests/interop/test_robustness.py: raw SIP messages, stream sockets and
hostile payloads. Standard library only."""
