"""A loopback TCP proxy that can be stopped: a real server going away, seen by a client."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copy bytes one way until either side closes."""
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Forward connections from a free 127.0.0.1 port to a target until stopped."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        """Accept clients and wire each to a fresh upstream connection."""
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=30)
            self.open += [client, upstream]
            threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()

    def stop(self) -> None:
        """Close the port and every forwarded connection, as a stopped server would."""
        for sock in [self.listener, *self.open]:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes threads blocked in accept/recv
            sock.close()
        self.thread.join(timeout=5)


@contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[TcpProxy]:
    """Run a proxy to host:port for the duration of a block."""
    proxy = TcpProxy(host, port)
    try:
        yield proxy
    finally:
        proxy.stop()
