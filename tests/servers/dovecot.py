"""A real IMAP server for tests: Debian's dovecot on a loopback port with a temporary maildir.

Installed with apt when absent (the machine is ours in CI), started per test session,
stopped afterwards.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    root: Path

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port)
        client.login(self.username, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into the mailbox, as an MTA would."""
        client = self.client()
        try:
            client.create(folder)
            status, _ = client.append(folder, None, None, raw)
            assert status == "OK"
        finally:
            client.logout()

    def uids(self, criterion: str = "ALL", folder: str = "INBOX") -> list[bytes]:
        client = self.client()
        try:
            client.select(folder)
            _, data = client.uid("SEARCH", None, criterion)
            return data[0].split()
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            for folder in ("INBOX", "Processed"):
                status, data = client.select(folder)
                if status == "OK" and int(data[0] or 0) > 0:
                    client.store("1:*", "+FLAGS", "\\Deleted")
                    client.expunge()
        finally:
            client.logout()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed() -> None:
    if Path(DOVECOT).exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", "dovecot-imapd"], check=True, env=env)  # noqa: S607
    # The package starts a system instance on port 143; ours runs on its own port.
    subprocess.run(["pkill", "-x", "dovecot"], check=False)  # noqa: S607


CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""


def start() -> ImapServer:
    ensure_installed()
    root = Path(tempfile.mkdtemp(prefix="helpline-dovecot-"))
    root.chmod(0o755)  # dovecot's own processes read the passwd file under it
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    account = pwd.getpwnam("dovecot")
    for name in ("mail", "home"):
        os.chown(root / name, account.pw_uid, account.pw_gid)
    port = _free_port()
    (root / "passwd").write_text("helpdesk@example.test:{PLAIN}imap-secret::::::\n")
    (root / "dovecot.conf").write_text(
        CONFIG.format(root=root, port=port, uid=account.pw_uid, gid=account.pw_gid)
    )
    subprocess.run([DOVECOT, "-c", str(root / "dovecot.conf")], check=True)  # noqa: S603
    server = ImapServer("127.0.0.1", port, "helpdesk@example.test", "imap-secret", root)
    deadline = time.monotonic() + 10
    while True:
        try:
            client = server.client()
            client.select("INBOX")
            client.logout()
            return server
        except OSError:
            if time.monotonic() > deadline:
                stop(server)
                raise
            time.sleep(0.1)
        except imaplib.IMAP4.error:
            log = (root / "dovecot.log").read_text(errors="replace")[-2000:]
            stop(server)
            raise RuntimeError(f"dovecot did not start cleanly:\n{log}") from None


def stop(server: ImapServer) -> None:
    subprocess.run([DOVECOT, "-c", str(server.root / "dovecot.conf"), "stop"], check=False)  # noqa: S603
    shutil.rmtree(server.root, ignore_errors=True)
