"""Signing in before importing or identifying scanned pages: both are audited by name."""

from __future__ import annotations

from reentry.i18n import tr
from ui.sign_in import SignInPage


class ScanSignIn(SignInPage):
    """The re-entry sign-in, titled for scanned pages."""

    def _retranslate(self) -> None:
        super()._retranslate()
        self.title.setText(tr("scan_ui.sign_in_title"))
        self.explanation.setText(tr("scan_ui.sign_in_explanation"))
