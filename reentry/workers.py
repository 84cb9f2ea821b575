"""Worker processes that never outlive the process that started them.

The print station draws wards, and the scan import reads pages, in "spawn" worker processes
(``ProcessPoolExecutor``). Such a worker waits for work on a queue whose writing end it holds
itself, so when its parent dies without shutting the pool down (SIGKILL, an out-of-memory kill,
a session closed) nothing wakes it: it waits forever, holding its memory. So each worker binds
itself to its parent as it starts (``bind_to_parent``, the pool's initializer):

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGTERM)``: the kernel sends the worker SIGTERM when
  the thread that started it ends, which is the thread running the pool (a pool never outlives
  the call that made it);
- everywhere, a watchdog thread waits on multiprocessing's parent sentinel (on POSIX the
  parent's end of the start-up pipe, on Windows a handle on the parent process) and ends the
  worker as soon as it is ready, that is as soon as the parent is gone.

A worker ending so, or on SIGTERM, removes the ``.partial`` file it was writing and exits at
once. A parent that stops on purpose (Cancel, an error, Ctrl+C, SIGTERM) calls
``stop_workers``: the workers are terminated rather than waited for, and the caller removes
what they were writing too. Ctrl+C in a terminal reaches the workers as well; they ignore it
and leave the decision to the parent.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.process import BaseProcess
from types import FrameType

from reentry.files import remove_partials_in_progress

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
ORPHAN_EXIT = 70  # a worker's exit status when it ends because its parent did


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes bound to this one.

    "spawn", not "fork": the application calls this from a worker thread, and forking a
    threaded process is unsafe.
    """
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=bind_to_parent, initargs=(os.getpid(),))


def bind_to_parent(parent_pid: int) -> None:
    """Runs first in each worker: end this process when ``parent_pid`` ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_now)
    if sys.platform.startswith("linux"):
        _signal_me_with_parent()
        if os.getppid() != parent_pid:  # the parent died before the line above
            _end()
    watch_parent()


def watch_parent() -> None:
    """The portable half of ``bind_to_parent`` (the only one on macOS and Windows): a thread
    that ends this multiprocessing child as soon as its parent has ended."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_ended, args=(parent,), name="parent-watchdog",
                         daemon=True).start()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's workers now, drop the work not started, and return once every
    worker is gone, so that the files they were writing can be removed."""
    # Python 3.14 has pool.terminate_workers(); before it, the processes are only reachable here.
    processes: list[BaseProcess] = list((pool._processes or {}).values())
    for process in processes:
        process.terminate()
    # The pool sees its workers die, fails what was running and joins every process.
    pool.shutdown(wait=True, cancel_futures=True)


def _signal_me_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
    except (OSError, AttributeError) as error:  # no libc to load: the watchdog still guards
        log.warning("prctl unavailable: %s", error)


def _exit_when_ended(parent: BaseProcess) -> None:
    parent.join()  # returns when the parent's sentinel is ready: the parent has ended
    _end()


def _end_now(_signum: int, _frame: FrameType | None) -> None:
    _end()


def _end() -> None:
    """Leave no half-written file and wait for nothing: the work is abandoned."""
    remove_partials_in_progress()
    os._exit(ORPHAN_EXIT)
