"""A file offered for import: its bytes, its text, its fingerprint."""

from __future__ import annotations

import errno
import hashlib
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reentry.errors import FileRejected
from reentry.i18n import Msg, msg
from reentry.importing.limits import MAX_FILE_BYTES, megabytes
from reentry.model import ImportBatch


def _unreadable(error: OSError) -> Msg:
    """Why the file cannot be read, in the user's language for the usual reasons."""
    if error.errno == errno.ENOENT:
        return msg("importing.not_found")
    if error.errno in (errno.EACCES, errno.EPERM):
        return msg("importing.no_permission")
    return msg("error.unreadable_file", detail=error.strerror or str(error))


@dataclass(frozen=True)
class SourceFile:
    path: Path
    data: bytes

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        path = Path(path)
        try:
            status = path.stat()
            if not stat.S_ISREG(status.st_mode):  # a folder, or a device that never ends
                raise FileRejected(str(path), msg("where.file"), msg("importing.not_a_file"))
            if status.st_size > MAX_FILE_BYTES:
                raise FileRejected(str(path), msg("where.file"), msg(
                    "importing.too_large", size=megabytes(status.st_size),
                    limit=megabytes(MAX_FILE_BYTES)))
            data = path.read_bytes()
        except OSError as error:
            raise FileRejected(str(path), msg("where.file"), _unreadable(error)) from None
        if not data.strip():
            raise FileRejected(str(path), msg("where.file"), msg("problem.empty_file"))
        return cls(path, data)

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def text(self) -> str:
        """The file as text: UTF-8 (with or without BOM), else Latin-1 only if it is not UTF-8."""
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return self.data.decode("cp1252")
            except UnicodeDecodeError as error:
                line = self.data.count(b"\n", 0, error.start) + 1
                byte = f"0x{self.data[error.start]:02X}"
                raise FileRejected(self.name, msg("where.line", line=line),
                                   msg("problem.bad_encoding", detail=byte)) from None

    def batch(self, format: str, data_as_of: datetime) -> ImportBatch:
        return ImportBatch(source=self.path.name, format=format, content_hash=self.content_hash,
                           data_as_of=data_as_of)

    def reject(self, where: object, problem: object) -> FileRejected:
        return FileRejected(self.name, where, problem)  # type: ignore[arg-type]
