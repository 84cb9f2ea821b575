"""A private CUPS print server for tests: its own cupsd, socket and virtual PDF printer.

The tests print through a real spooler, not a fake: a ``cupsd`` started here in the foreground,
configured in a temporary folder (its own ServerRoot, spool, logs and Unix socket), with one
queue whose device is Debian's cups-pdf backend. The machine's own CUPS, if any, is left alone.

cups-pdf reads its settings from a folder compiled into it (``/etc/cups``): ``cups-pdf.conf``
for the URI ``cups-pdf:/``, and ``cups-pdf-NAME.conf`` for ``cups-pdf:/NAME``. So the queue uses
an instance name of its own, whose file (removed afterwards) sends the PDFs to the temporary
folder. cups-pdf's backend is root-only (mode 0700): the server must run as root, as CI does.
Where AppArmor enforces Debian's cups-pdf profile, that profile forbids both, and the failure's
diagnostics say so.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from private_servers import run_setup_script

QUEUE = "ReentryPDF"
REPO = Path(__file__).resolve().parent.parent
SETUP_SCRIPT = REPO / "scripts" / "cups-setup.sh"
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")  # where cups-pdf looks, whatever cupsd's ServerRoot
TOOLS = ("lp", "lpstat", "lpadmin", "lpinfo", "cancel", "cupsenable", "cupsdisable",
         "cupsaccept", "cupsreject", "pdfinfo", "pdftoppm")
PPD_PREFERENCE = ("CUPS-PDF_opt.ppd", "CUPS-PDF_noopt.ppd")
START_TIMEOUT = 15.0


class CupsUnavailable(Exception):
    """CUPS cannot run on this machine; the message says why (a reason to skip, not a bug)."""


@dataclass(frozen=True)
class PrivateCups:
    root: Path
    socket: Path
    out_dir: Path
    log_dir: Path
    queue: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket), "LC_ALL": "C"}

    def tool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a CUPS client tool against this server (for the tests' own set-up steps)."""
        result = subprocess.run(list(args), capture_output=True, text=True, env=self.env(),
                                stdin=subprocess.DEVNULL, timeout=30, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {result.stderr}\n{self.diagnostics()}")
        return result

    def output_of(self, job_id: str, timeout: float = 10.0) -> Path:
        """The PDF cups-pdf wrote for a job: its name ends with ``-job_N.pdf`` (``Label 2``)."""
        suffix = f"-job_{job_id.rsplit('-', 1)[1]}.pdf"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [p for p in self.out_dir.iterdir() if p.name.endswith(suffix)]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"cups-pdf wrote no *{suffix} in {self.out_dir}\n{self.diagnostics()}")

    def outputs(self) -> list[Path]:
        return sorted(self.out_dir.iterdir())

    def diagnostics(self) -> str:
        """The end of cupsd's and cups-pdf's logs, to explain a failure."""
        parts = []
        for log in sorted(self.log_dir.glob("*log*")):
            lines = log.read_text(errors="replace").splitlines()
            parts.append(f"--- {log.name}\n" + "\n".join(lines[-40:]))
        if _apparmor_confines_cups_pdf():
            parts.append("--- AppArmor enforces its cups-pdf profile here: the backend may not "
                         "read /etc/cups/cups-pdf-*.conf nor write to this folder (see "
                         "/usr/share/doc/printer-driver-cups-pdf/README.Debian)")
        return "\n".join(parts)


def _apparmor_confines_cups_pdf() -> bool:
    try:
        profiles = Path("/sys/kernel/security/apparmor/profiles").read_text()
    except OSError:
        return False
    return "backend/cups-pdf (enforce)" in profiles


@contextmanager
def private_cups(queue: str = QUEUE) -> Iterator[PrivateCups]:
    """Start a private cupsd with a cups-pdf queue; raise ``CupsUnavailable`` if it cannot run."""
    cupsd = _require_cups()
    root = Path(tempfile.mkdtemp(prefix="reentry-cups-", dir=_short_tmp()))
    instance = f"reentrytest{os.getpid()}"
    instance_conf = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{instance}.conf"
    process: subprocess.Popen[bytes] | None = None
    try:
        server = _lay_out(root, queue)
        _write_cups_pdf_conf(instance_conf, server)
        process = _start_cupsd(cupsd, server)
        _add_queue(server, instance)
        yield server
    finally:
        if process is not None:
            _stop(process)
        instance_conf.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def _require_cups() -> str:
    if sys.platform != "linux":
        raise CupsUnavailable("the private CUPS server is set up for Linux (Debian) only")
    if os.geteuid() != 0:
        raise CupsUnavailable("cups-pdf's backend runs only as root (mode 0700) and reads its "
                              "settings from /etc/cups: run the tests as root, as CI does")
    missing = _missing_tools()
    if missing:
        run_setup_script(SETUP_SCRIPT, ", ".join(missing), CupsUnavailable, "CUPS")
        missing = _missing_tools()
    if missing:
        raise CupsUnavailable(f"still missing after {SETUP_SCRIPT.name}: {', '.join(missing)}")
    cupsd = _which_cupsd()
    assert cupsd is not None
    return cupsd


def _which_cupsd() -> str | None:
    return shutil.which("cupsd", path=os.pathsep.join(
        ["/usr/sbin", "/sbin", os.environ.get("PATH", "")]))


def _missing_tools() -> list[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if _which_cupsd() is None:
        missing.append("cupsd")
    if not CUPS_PDF_BACKEND.is_file():
        missing.append(str(CUPS_PDF_BACKEND))
    return missing


def _short_tmp() -> str:
    """A folder for the Unix socket, whose path must stay under ~100 bytes."""
    return "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()


def _lay_out(root: Path, queue: str) -> PrivateCups:
    # cupsd runs filters as user lp: every folder on the way to its spool must be traversable.
    root.chmod(0o755)
    server = PrivateCups(root=root, socket=root / "cups.sock", out_dir=root / "out",
                         log_dir=root / "log", queue=queue)
    for folder in ("conf", "conf/ppd", "cache", "state", "log", "out", "cups-pdf-spool"):
        (root / folder).mkdir(mode=0o755)
    (root / "conf" / "cupsd.conf").write_text(_CUPSD_CONF.format(socket=server.socket))
    (root / "conf" / "cups-files.conf").write_text(_CUPS_FILES_CONF.format(root=root))
    return server


def _write_cups_pdf_conf(path: Path, server: PrivateCups) -> None:
    try:
        path.write_text(_CUPS_PDF_CONF.format(out=server.out_dir, log=server.log_dir,
                                              spool=server.root / "cups-pdf-spool"))
    except OSError as error:
        raise CupsUnavailable(f"cannot write cups-pdf's settings {path}: {error}") from error


def _start_cupsd(cupsd: str, server: PrivateCups) -> subprocess.Popen[bytes]:
    conf = server.root / "conf"
    output = (server.log_dir / "cupsd_stdout_log").open("wb")
    process = subprocess.Popen(
        [cupsd, "-f", "-c", str(conf / "cupsd.conf"), "-s", str(conf / "cups-files.conf")],
        stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True)
    output.close()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CupsUnavailable(f"cupsd exited with status {process.returncode}:\n"
                                  f"{server.diagnostics()}")
        if server.socket.exists() and "scheduler is running" in server.tool(
                "lpstat", "-r", check=False).stdout:
            return process
        time.sleep(0.1)
    _stop(process)
    raise CupsUnavailable(f"cupsd did not answer within {START_TIMEOUT:.0f} s:\n"
                          f"{server.diagnostics()}")


def _add_queue(server: PrivateCups, instance: str) -> None:
    model = _cups_pdf_model(server)
    server.tool("lpadmin", "-h", str(server.socket), "-p", server.queue,
                "-v", f"cups-pdf:/{instance}", "-E", *model)


def _cups_pdf_model(server: PrivateCups) -> list[str]:
    """cups-pdf's PPD as this machine's ``lpinfo -m`` names it, or its file as a last resort."""
    names = [line.split()[0] for line in server.tool("lpinfo", "-m", check=False).stdout
             .splitlines() if line.strip()]
    for wanted in PPD_PREFERENCE:
        for name in names:
            if name.endswith(wanted):
                return ["-m", name]
    for wanted in PPD_PREFERENCE:
        ppd = Path("/usr/share/ppd/cups-pdf") / wanted
        if ppd.is_file():
            return ["-P", str(ppd)]
    raise CupsUnavailable("cups-pdf's PPD not found (lpinfo -m lists no CUPS-PDF_*.ppd)")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


_CUPSD_CONF = """\
Listen {socket}
LogLevel debug
MaxLogSize 0
ErrorPolicy abort-job
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

_CUPS_FILES_CONF = """\
ServerRoot {root}/conf
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
ServerBin /usr/lib/cups
DataDir /usr/share/cups
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
Printcap {root}/printcap
SystemGroup root
User lp
Group lp
"""

# Label 2: the job number is always in the file name, so a test finds its own job's PDF.
_CUPS_PDF_CONF = """\
Out {out}
AnonDirName {out}
Spool {spool}
Log {log}
LogType 3
Label 2
Grp root
"""
