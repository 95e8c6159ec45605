"""Work in a second process while the site engine does its own: ``mkdocs build`` is
single-threaded; the machines that build docs have two cores or more.

:func:`start` forks a child running a computation that streams keyed items back through a
pipe as soon as each is ready (the MkDocs plugin's: the site plan, each narrative's
resolved references, each generated page's text), then answers the parent's requests (the
glossary links of a page's HTML) until the parent is done. The parent asks for an item by
key (waiting for it) while a thread of the parent drains the pipe, so the child never waits
for the parent. Only pickled plain data crosses.

The child's log records are sent back at its end and logged by the parent (in
:meth:`Worker.finish`, on the main thread), so ``--strict`` counts their warnings; a
:class:`HandoverError` in the child is raised again in the parent with the same findings.
Forking a process that runs threads is unsafe, so :func:`start` returns None then
(``mkdocs serve`` runs a server thread): the caller computes in-process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Hashable
from typing import IO, Any

from handover_docs.errors import HandoverError

Emit = Callable[[Hashable, Any], None]
"""Called by the computation for each item it has ready: (key, picklable value)."""
Compute = Callable[[Emit], Any]
"""The child's work: emit the items; its (picklable) result is what :meth:`Worker.finish`
returns."""
Serve = Callable[[Any], Any]
"""After the computation: what the child computes for each request the parent submits (the
glossary links of a page's HTML), while the parent goes on."""


class WorkerFailed(RuntimeError):
    """The worker died or raised something other than a HandoverError (a bug): the build
    fails with the child's traceback, never with pages missing."""


class Worker:
    """A forked child computing items; the parent asks for each by its key."""

    def __init__(self, pid: int, pipe: IO[bytes], requests: IO[bytes]) -> None:
        self.pid = pid
        self.items: dict[Hashable, Any] = {}
        """Items received and not taken yet."""
        self.replies: dict[str, Any] = {}
        """Replies :attr:`on_reply` did not take."""
        self.backlog = 0
        """The size of the requests submitted and not answered yet."""
        self._sizes: dict[str, int] = {}
        self.on_reply: Callable[[str, Any], bool] | None = None
        """Called (on the reader thread) with each reply as it arrives; True: taken."""
        self._requests = requests
        self._outbox: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._end: tuple[str, Any, list[logging.LogRecord]] | None = None
        self._finished = False
        self._ready = threading.Condition()
        self._reader = threading.Thread(
            target=self._read, args=(pipe,), name="handover-worker", daemon=True
        )
        self._reader.start()

    def _read(self, pipe: IO[bytes]) -> None:
        end: tuple[str, Any, list[logging.LogRecord]] | None = None
        with pipe:
            try:
                while end is None:
                    message = pickle.load(pipe)
                    if message[0] == "item":
                        with self._ready:
                            self.items[message[1]] = message[2]
                            self._ready.notify_all()
                    elif message[0] == "reply":
                        with self._ready:
                            self.backlog -= self._sizes.pop(message[1], 0)
                        taken = self.on_reply is not None and self.on_reply(*message[1:])
                        if not taken:
                            self.replies[message[1]] = message[2]
                    else:
                        end = message
            except (EOFError, OSError, pickle.UnpicklingError):
                pass
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = -1
        if end is None:
            end = ("crash", f"the worker process ended with status {status}", [])
        with self._ready:
            self._end = end
            self._ready.notify_all()

    def take(self, key: Hashable) -> Any:
        """The item ``key`` (forgotten here once taken), waiting for the child to send it.
        Raises what the child raised (an item never sent: the child failed before it)."""
        with self._ready:
            self._ready.wait_for(lambda: key in self.items or self._end is not None)
            if key in self.items:
                return self.items.pop(key)
        self.finish()
        raise WorkerFailed(f"the worker process sent no item {key!r}")

    def submit(self, key: str, payload: Any, size: int = 0) -> None:
        """Ask the child for ``serve(payload)``, answered in ``replies[key]`` by the time
        :meth:`finish` returns. Never blocks: a thread writes to the pipe. ``size`` counts
        in :attr:`backlog` until the reply arrives."""
        with self._ready:
            self.backlog += size
            self._sizes[key] = size
        if self._writer is None:
            self._writer = threading.Thread(target=self._write, name="handover-requests")
            self._writer.daemon = True
            self._writer.start()
        self._outbox.put((key, payload))

    def _write(self) -> None:
        pipe = self._requests
        try:
            while (item := self._outbox.get()) is not None:
                pickle.dump(item, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.flush()
        except OSError:
            pass  # the child ended (it failed): finish() reports why
        with contextlib.suppress(OSError):
            pipe.close()

    def finish(self) -> Any:
        """No more requests; wait for the child's end; log its records; raise its error."""
        if self._writer is not None:
            self._outbox.put(None)
        else:
            self._requests.close()
        self._reader.join()
        assert self._end is not None
        kind, value, records = self._end
        if not self._finished:
            self._finished = True
            for record in records:
                logging.getLogger(record.name).handle(record)
        if kind == "error":
            raise HandoverError(value)
        if kind == "crash":
            raise WorkerFailed(f"the worker process failed:\n{value}")
        return value

    def cancel(self) -> None:
        """The build ends without the child's work (it failed, or no longer needs it): stop
        the child."""
        if self._end is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, 9)
        self._outbox.put(None)
        if self._writer is None:
            self._requests.close()
        self._reader.join()


class _Collect(logging.Handler):
    """In the child: every record, made picklable, for the parent to log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()
        record.args = None
        record.exc_info = record.exc_text = None
        self.records.append(record)


def _serve(serve: Serve, fd: int, pipe: IO[bytes]) -> None:
    """In the child, after the computation: answer the parent's requests until it closes them."""
    with os.fdopen(fd, "rb") as requests:
        while True:
            try:
                key, payload = pickle.load(requests)
            except EOFError:
                return
            pickle.dump(("reply", key, serve(payload)), pipe, protocol=pickle.HIGHEST_PROTOCOL)
    # replies are flushed with the end message


def _child(compute: Compute, serve: Serve, fd: int, requests: int) -> None:
    """Run in the forked child: compute, streaming items, answer requests, then send how
    it ended."""
    collect = _Collect()
    original = logging.Logger.callHandlers

    def call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
        collect.handle(record)  # the level filters the parent would apply already passed

    logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
    with os.fdopen(fd, "wb") as pipe:

        def emit(key: Hashable, value: Any) -> None:
            pickle.dump(("item", key, value), pipe, protocol=pickle.HIGHEST_PROTOCOL)
            pipe.flush()

        end: tuple[str, Any]
        try:
            end = ("ok", compute(emit))
            _serve(serve, requests, pipe)
        except HandoverError as exc:
            end = ("error", list(exc.findings))
        except BaseException:  # a bug: reported in the parent with its traceback
            end = ("crash", traceback.format_exc())
        logging.Logger.callHandlers = original  # type: ignore[method-assign]
        try:
            data = pickle.dumps((*end, collect.records))
        except Exception:  # an unpicklable value is a bug too
            data = pickle.dumps(("crash", traceback.format_exc(), []))
        pipe.write(data)


def start(compute: Compute, serve: Serve) -> Worker | None:
    """Fork a child running ``compute(emit)`` then ``serve`` for each request; None where
    forking is unsafe or impossible."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    read_fd, write_fd = os.pipe()
    request_read, request_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is checked in the parent
        code = 0
        try:
            os.close(read_fd)
            os.close(request_write)
            _child(compute, serve, write_fd, request_read)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    os.close(request_read)
    return Worker(pid, os.fdopen(read_fd, "rb"), os.fdopen(request_write, "wb"))
