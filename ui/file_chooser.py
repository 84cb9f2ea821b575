"""Choosing files and folders in a chooser that can be read on a 1,366 x 768 ward PC.

Where the system has its own chooser (Windows, a desktop with a platform theme) it is used as
it is. Where Qt draws its own (a bare X session, a kiosk), Qt's default is a small window in
which the places on the left read « O… » and the file types « TOM…ent »: ours opens at a sensible
size (within the screen), the places wide enough for their names and the list's columns for a
size, a file type and a date.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import QFileDialog, QListView, QSplitter, QTreeView, QWidget

WANTED = QSize(900, 560)  # the chooser's least size, when the screen has the room
SCREEN_SHARE = 0.9  # never more of the screen than this
# What the list's columns must show whole (the widest of each kind, French and English).
SIZE_SAMPLE = "1 023,99 Kio"
TYPE_SAMPLE = "document Markdown"
DATE_SAMPLE = "00/00/0000 00:00"
NAME_SAMPLE = "pile-du-3B-0001.pdf"  # the least room a file name keeps
PADDING = 28  # around a column's text: margins and the sort indicator


class FileChooser(QFileDialog):
    """Qt's chooser, sized for reading when Qt draws it itself."""

    def least_size(self) -> QSize:
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else WANTED
        return WANTED.boundedTo(QSize(int(room.width() * SCREEN_SHARE),
                                      int(room.height() * SCREEN_SHARE)))

    def showEvent(self, event: QShowEvent) -> None:
        # Only Qt's own chooser is shown as a widget; a system chooser never gets here.
        least = self.least_size()
        self.setMinimumSize(least)
        self.resize(self.size().expandedTo(least))
        self._widen_places()
        self._widen_columns()
        super().showEvent(event)

    def _widen_places(self) -> None:
        sidebar = self.findChild(QListView, "sidebar")
        splitter = self.findChild(QSplitter, "splitter")
        if sidebar is None or splitter is None or sidebar.model() is None:
            return
        model = sidebar.model()
        names = [str(model.index(row, 0).data() or "") for row in range(model.rowCount())]
        metrics = sidebar.fontMetrics()
        needed = (max((metrics.horizontalAdvance(name) for name in names), default=0)
                  + sidebar.iconSize().width() + PADDING + sidebar.verticalScrollBar()
                  .sizeHint().width())
        sizes = splitter.sizes()
        if len(sizes) == 2 and sizes[0] < needed:
            splitter.setSizes([needed, max(sum(sizes) - needed, 0)])

    def _widen_columns(self) -> None:
        tree = self.findChild(QTreeView, "treeView")
        if tree is None:
            return
        header, metrics = tree.header(), tree.fontMetrics()
        for column, sample in ((1, SIZE_SAMPLE), (2, TYPE_SAMPLE), (3, DATE_SAMPLE)):
            if column < header.count():
                heading = str(header.model().headerData(column, Qt.Orientation.Horizontal) or "")
                widest = max(metrics.horizontalAdvance(sample),
                             header.fontMetrics().horizontalAdvance(heading))
                header.resizeSection(column, max(header.sectionSize(column), widest + PADDING))
        # The name gives up the room the others took, down to a short file name, so that the
        # date is not pushed off the right edge (« Dernière modific… », « 10:1… »).
        if header.count() < 2:
            return
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the list's width in the chooser's size, before it is shown
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        header.resizeSection(0, max(tree.viewport().width() - others,
                                    metrics.horizontalAdvance(NAME_SAMPLE) + PADDING))


def _chosen(dialog: FileChooser) -> list[str]:
    return list(dialog.selectedFiles()) if dialog.exec() == QFileDialog.DialogCode.Accepted else []


def open_files(parent: QWidget | None, title: str, name_filter: str = "") -> list[str]:
    """Existing files to read, several at once (empty: cancelled)."""
    dialog = FileChooser(parent, title, "", name_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _chosen(dialog)


def existing_folder(parent: QWidget | None, title: str, directory: str = "") -> str:
    """A folder ("" when cancelled)."""
    dialog = FileChooser(parent, title, directory)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    return next(iter(_chosen(dialog)), "")


def save_file(parent: QWidget | None, title: str, suggested: str, name_filter: str = "") -> str:
    """Where to write a file ("" when cancelled); an existing file is confirmed first."""
    dialog = FileChooser(parent, title, suggested, name_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    return next(iter(_chosen(dialog)), "")
