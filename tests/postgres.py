"""A throwaway PostgreSQL server for the tests: started by the test run, on a Unix socket, stopped after.

Debian's ``postgresql`` package (``make postgres-deps`` installs it where missing) puts its
programs in /usr/lib/postgresql/VERSION/bin, which is not on PATH; a ``pg_ctl`` on PATH is used
first. PostgreSQL will not run as root, so when the tests run as root the server runs as
``nobody``, in a temporary folder that account owns. The server listens on no TCP port, only on a
socket in that folder, and trusts whoever can reach the socket (the folder is not readable by
other accounts). Each test asks for a database of its own (:meth:`Postgres.database`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "alongside"


class PostgresUnavailable(Exception):
    """PostgreSQL could not be found or started here: the message says why and what to do."""


def find_pg_ctl() -> Path:
    """pg_ctl on PATH, else the newest Debian one in /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if debian:
        return Path(debian[-1])
    raise PostgresUnavailable("no pg_ctl on PATH or in /usr/lib/postgresql/*/bin: "
                              "run `make postgres-deps` (apt-get install postgresql)")


class Postgres:
    """One PostgreSQL server in a temporary folder; :meth:`stop` ends it and removes the folder."""

    def __init__(self):
        self.bin = find_pg_ctl().parent
        self.folder = Path(tempfile.mkdtemp(prefix="alongside-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "nobody")
        self._count = 0
        try:
            self._run("initdb", "--auth=trust", f"--username={SUPERUSER}", "--encoding=UTF8", "--no-sync",
                      "-D", str(self.data))
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start",
                      "-o", f"-c listen_addresses='' -k {self.folder} -c fsync=off -c max_connections=200")
        except PostgresUnavailable:
            self.stop()
            raise

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run([*self.as_user, str(self.bin / program), *args], capture_output=True, text=True,
                                timeout=120)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-1500:] if self.log.is_file() else ""
            raise PostgresUnavailable(f"{program} failed ({result.returncode}): {result.stderr.strip()[-1500:]} {log}")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database on this server (psycopg 3, through the socket)."""
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.folder}"

    def database(self) -> str:
        """A new, empty database on this server; its URL."""
        import psycopg

        self._count += 1
        name = f"gradebook_{self._count}"
        with psycopg.connect(host=str(self.folder), user=SUPERUSER, dbname="postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if (self.data / "postmaster.pid").is_file():
            subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                            "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)
