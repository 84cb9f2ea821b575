"""Import scanned stacks: every page attached to its sheet page, or queued for a person.

A stack is identified by the sha256 of its bytes. Pages are read, decoded and compressed in a
process pool (the slow part, one core each) and written by this process only, one transaction
per page, in the order of the file. The file is marked imported only once every page is stored,
so an import stopped half-way (Cancel, a crash, a power cut) is completed by importing the same
file again, without storing any page twice; importing a complete file again changes nothing.

A page is attached only when its code passes the check digit and designates a live sheet page
in the registry: a superseded or cancelled sheet, an unknown code, two different codes on one
page or no code at all send the page to the manual queue with the reason, its image kept.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

from reentry import clock
from reentry.barcodes import group_for_reading
from reentry.domain.entry import User
from reentry.domain.permissions import Permission, require
from reentry.domain.scans import FileOutcome, QueueReason, ScanImportResult
from reentry.i18n import Msg, msg
from reentry.progress import CancelToken, Progress, ProgressCallback, ignore_progress
from reentry.registry import CodeResolution, resolve_code
from reentry.scanning.page_images import PageResult, process_page, process_page_in_worker
from reentry.scanning.sources import PageReader, PageTask, ScanSource, open_sources
from reentry.store.areas import Store
from reentry.workers import stop_workers, worker_pool

# Pages waiting in the pool at once: enough to keep every worker busy, few enough that a
# cancelled import stops quickly and memory stays small (a page is a few MB until compressed).
_IN_FLIGHT_PER_WORKER = 3
# Below this many pages, starting worker processes (about half a second) costs more than it
# saves.
_POOL_THRESHOLD = 8
_MAX_DEFAULT_WORKERS = 8

_REFUSALS = {
    "registry.unknown_code": QueueReason.UNKNOWN_CODE,
    "registry.page_out_of_range": QueueReason.PAGE_OUT_OF_RANGE,
    "registry.superseded": QueueReason.SUPERSEDED,
    "registry.cancelled": QueueReason.CANCELLED,
}


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, _MAX_DEFAULT_WORKERS))


def import_scans(store: Store, paths: Sequence[Path], user: User, *,
                 progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 workers: int | None = None) -> ScanImportResult:
    """Import scan files (PDF, TIFF, images, or folders of them) in the order given.

    ``workers``: processes reading and decoding pages (default: one per core, or none for a
    few pages, where starting them costs more than it saves). Raises ``UserError`` before
    storing anything if a path is missing or is not a scan, and ``Cancelled`` when ``cancel``
    is set (the pages stored so far stay; import the same files again to finish).
    """
    require(user, Permission.ENTER)
    progress = progress or ignore_progress
    cancel = cancel or CancelToken()
    sources = open_sources([Path(p) for p in paths])
    result = ScanImportResult()
    plan: list[tuple[ScanSource, FileOutcome, int | None, list[int]]] = []
    seen: set[str] = set()
    for source in sources:
        outcome = FileOutcome(source.name, source.sha256, source.page_count)
        result.outcomes.append(outcome)
        if source.sha256 in seen:  # the same bytes twice in one import, under two names
            outcome.already_imported = True
            outcome.messages.append(msg("scans.duplicate_in_import"))
            continue
        known = store.scan_file_by_sha256(source.sha256)
        if known is not None and known.completed_at is not None:
            outcome.already_imported = True
            outcome.messages.append(msg("scans.already_imported", name=known.name,
                                        user=known.imported_by,
                                        when=clock.format_local(known.completed_at)))
            continue
        seen.add(source.sha256)
        stored = store.stored_page_indices(known.id) if known is not None else set()
        outcome.pages_stored_before = len(stored)
        if stored:
            outcome.messages.append(msg("scans.resuming", stored=len(stored),
                                        pages=source.page_count))
        todo = [i for i in range(source.page_count) if i not in stored]
        plan.append((source, outcome, known.id if known else None, todo))
    total = sum(len(todo) for *_, todo in plan)
    done = 0
    progress(Progress(0, total, msg("scans.progress_starting", files=len(plan), pages=total)))
    if workers is None:
        workers = default_workers() if total >= _POOL_THRESHOLD else 1
    with _page_processor(workers, total) as pages:
        for source, outcome, file_id, todo in plan:
            if file_id is None:
                file_id = store.start_scan_file(source.sha256, source.name, source.kind,
                                                source.page_count, user)
            failed = False
            tasks = [PageTask(str(source.path), source.kind, index) for index in todo]
            for page in pages(tasks, cancel):
                began = time.perf_counter()
                if page.error is not None:
                    failed = True
                    outcome.messages.append(msg("scans.page_unreadable", page=page.index + 1))
                else:
                    _store_page(store, file_id, page, user, outcome, result)
                _add_timings(result, page, time.perf_counter() - began)
                done += 1
                progress(Progress(done, total, msg("scans.progress", file=source.name,
                                                   page=page.index + 1,
                                                   pages=source.page_count)))
            if not failed:
                store.complete_scan_file(file_id, user, {
                    "pages": outcome.pages, "identified": outcome.identified,
                    "queued": outcome.queued, "rescans": outcome.rescans,
                    "stored_before": outcome.pages_stored_before})
                outcome.completed = True
            outcome.messages.insert(0, msg("scans.file_done", pages=outcome.pages,
                                           identified=outcome.identified,
                                           queued=outcome.queued))
            if outcome.rescans:
                outcome.messages.append(msg("scans.rescans", count=outcome.rescans))
    result.files = len(sources)
    result.files_already_imported = sum(o.already_imported for o in result.outcomes)
    return result


def _store_page(store: Store, file_id: int, page: PageResult, user: User, outcome: FileOutcome,
                result: ScanImportResult) -> None:
    """Attach the page to the sheet page its code designates, or queue it with the reason."""
    target, reason, problem, code_read = _identify(store, page)
    serial, sheet_page = target if target else (None, None)
    attached = store.store_scan_page(
        file_id, page.index, image=page.image, image_format=page.image_format,
        width=page.width, height=page.height, dpi=page.dpi, rotation=page.rotation,
        skew=page.skew, user=user, serial=serial, page=sheet_page, code_read=code_read,
        reason=reason, message=problem)
    if attached is None:  # another PC importing the same file stored this page meanwhile
        outcome.pages_stored_before += 1
        return
    outcome.pages += 1
    result.pages += 1
    if target is None:
        outcome.queued += 1
        result.queued += 1
        return
    outcome.identified += 1
    result.identified += 1
    result.serials.add(target[0])
    if attached.rescan:
        outcome.rescans += 1
        result.rescans += 1
    if attached.newly_returned:
        result.sheets_returned += 1


def _identify(store: Store, page: PageResult
              ) -> tuple[tuple[int, int] | None, QueueReason | None, Msg | None, str | None]:
    """(serial, page) to attach to, or why not: the reason, its message, the code read."""
    if not page.codes:
        reason = QueueReason.BLANK if page.blank else QueueReason.NO_CODE
        return None, reason, msg(f"scans.reason_{reason.value}"), None
    if len(page.codes) > 1:
        return None, QueueReason.CONFLICTING_CODES, msg(
            "scans.reason_conflicting_codes",
            codes=", ".join(group_for_reading(c) for c in page.codes)), page.codes[0]
    code = page.codes[0]
    resolution: CodeResolution = resolve_code(store, code)
    if resolution.ok and resolution.instance is not None and resolution.page is not None:
        return (resolution.instance.serial, resolution.page), None, None, code
    assert resolution.problem is not None
    reason = _REFUSALS.get(resolution.problem.id, QueueReason.UNKNOWN_CODE)
    return None, reason, resolution.problem, code


def _add_timings(result: ScanImportResult, page: PageResult, store_seconds: float) -> None:
    for name, seconds in (*page.timings.items(), ("store", store_seconds)):
        result.timings[name] = result.timings.get(name, 0.0) + seconds


_Pages = Callable[[Sequence[PageTask], CancelToken], Iterator[PageResult]]


@contextmanager
def _page_processor(workers: int, total: int) -> Iterator[_Pages]:
    """Yields a function that processes pages in order, in a pool of ``workers`` processes."""
    if workers <= 1 or total <= 1:
        reader = PageReader()

        def in_process(tasks: Sequence[PageTask], cancel: CancelToken) -> Iterator[PageResult]:
            for task in tasks:
                cancel.check()
                yield process_page(reader, task)

        try:
            yield in_process
        finally:
            reader.close()
        return
    # Workers that end with this process, even killed (reentry.workers).
    pool = worker_pool(min(workers, total))

    def pooled(tasks: Sequence[PageTask], cancel: CancelToken) -> Iterator[PageResult]:
        window = workers * _IN_FLIGHT_PER_WORKER
        queue = iter(tasks)
        pending: deque[Future[PageResult]] = deque()
        for task in queue:
            pending.append(pool.submit(process_page_in_worker, task))
            if len(pending) >= window:
                break
        while pending:
            cancel.check()
            page = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(process_page_in_worker, following))
            yield page

    try:
        yield pooled
    except BaseException:  # Cancel, an error, Ctrl+C: the pages in flight are not waited for
        stop_workers(pool)
        raise
    pool.shutdown(wait=True)
