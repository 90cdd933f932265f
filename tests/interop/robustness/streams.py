"""TCP and TLS client sockets that misbehave on purpose, and checks on what the server
did with them (closed them, still answers on them)."""

from __future__ import annotations

import selectors
import socket
import ssl
import struct
import time
from pathlib import Path
from typing import Optional, Sequence


def connect(host: str, port: int, timeout: float = 3.0) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)


def send_quietly(sock: socket.socket, data: bytes, timeout: float = 3.0) -> bool:
    """sendall that tolerates the server closing first (which is often the point)."""
    sock.settimeout(timeout)
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def abort(sock: socket.socket) -> None:
    """Closes with a RST instead of a FIN (SO_LINGER 0): a client that vanishes."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def close_all(socks: Sequence[socket.socket]) -> None:
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def wait_closed(socks: Sequence[socket.socket], seconds: float) -> list[socket.socket]:
    """Reads (and discards) from every socket until the server closes it (EOF or reset)
    or `seconds` pass. Returns the sockets still open at the end."""
    sel = selectors.DefaultSelector()
    open_ = set()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        open_.add(s)
    deadline = time.monotonic() + seconds
    try:
        while open_:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(timeout=min(left, 0.5)):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:        # reset by the server
                    data = b""
                if not data:
                    sel.unregister(s)
                    open_.discard(s)
    finally:
        sel.close()
    return [s for s in socks if s in open_]


def ping_all(socks: Sequence[socket.socket], seconds: float) -> list[socket.socket]:
    """RFC 5626 3.5.1: sends a CRLFCRLF ping on every connection and waits for each CRLF
    pong. Returns the connections that did not answer within `seconds`."""
    sel = selectors.DefaultSelector()
    waiting: dict[socket.socket, bytes] = {}
    for s in socks:
        s.setblocking(True)
        s.settimeout(2.0)
        try:
            s.sendall(b"\r\n\r\n")
        except OSError:
            continue                     # counted as not answering
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        waiting[s] = b""
    answered = set()
    deadline = time.monotonic() + seconds
    try:
        while len(answered) < len(waiting):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for key, _ in sel.select(timeout=min(left, 0.5)):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    continue
                waiting[s] += data
                if b"\r\n" in waiting[s]:
                    answered.add(s)
                    sel.unregister(s)
    finally:
        sel.close()
    return [s for s in socks if s not in answered]


# ----------------------------------------------------------------------------- TLS

def client_context(ca: Optional[Path] = None) -> ssl.SSLContext:
    """Verifies the server against `ca` (name "localhost"), or not at all without one."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca is not None:
        ctx.load_verify_locations(cafile=str(ca))
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def tls_connect(host: str, port: int, ca: Optional[Path] = None,
                timeout: float = 3.0) -> ssl.SSLSocket:
    raw = connect(host, port, timeout)
    try:
        return client_context(ca).wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


class StalledHandshake:
    """A TLS client driven by hand through memory BIOs, so it can stop at any point of
    the handshake: before the ClientHello, inside it, or after the server's flight
    (without ever sending its Finished)."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = connect(host, port)
        self._in = ssl.MemoryBIO()
        self._out = ssl.MemoryBIO()
        self._tls = client_context().wrap_bio(self._in, self._out, server_hostname="localhost")
        self.client_hello = self._step()

    def _step(self) -> bytes:
        try:
            self._tls.do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass
        return self._out.read()

    def send_partial_hello(self, n: int) -> None:
        send_quietly(self.sock, self.client_hello[:n])

    def send_hello_and_read_server_flight(self, seconds: float = 3.0) -> int:
        """Sends the whole ClientHello and reads what the server answers (ServerHello ...)
        without answering in turn. Returns the number of bytes the server sent."""
        send_quietly(self.sock, self.client_hello)
        got = 0
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except OSError:               # timeout or reset
                break
            if not data:
                break
            got += len(data)
            self._in.write(data)
            self._step()      # our side takes the flight in (its Finished is never sent)
            deadline = min(deadline, time.monotonic() + 0.3)   # the rest follows at once
        return got
