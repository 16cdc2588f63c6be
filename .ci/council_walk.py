"""Follow the README's "Setting up a council" as a council's IT team would, with the installed wheel.

Run by .ci/wheel_smoke.sh once the wheel is installed in a virtual environment outside the checkout:

    python .ci/council_walk.py VENV WORKDIR POSTGRES_URL REDIS_URL

Steps 2 to 4 run as the README writes them (its shell blocks, through bash), with only the
addresses of the services replaced by local ones: a fresh PostgreSQL database, a Redis database
under a queue prefix of its own, and a local SMTP server (aiosmtpd) standing in for the council's
relay. Step 5's gunicorn and worker commands start two app instances and two workers on that one
database. Step 6 is done over HTTP as the admin's browser would, through an HTTPS proxy's headers:
the set-password link is read from the mail the SMTP server received, the password set on one
instance and used to sign in on the other, the council's own wards and postcodes are imported
(tests/fixtures/north_borough), and an officer is invited, joins through the mailed link and
reaches the council's juries. Each mail must arrive exactly once although two workers take jobs.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from aiosmtpd.controller import Controller

CHECKOUT = Path(__file__).resolve().parents[1]
FIXTURES = CHECKOUT / "tests" / "fixtures" / "north_borough"
SECTION_TITLE = "## Setting up a council"
SLUG = "north-borough"


def fail(message: str) -> None:
    sys.exit(f"council walk: {message}")


def readme_steps() -> dict[int, str]:
    text = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION_TITLE) :]
    section = section[: section.index("\n## ", 1)]
    steps = {}
    for part in re.split(r"\n(?=\d+\. \*\*)", section)[1:]:
        steps[int(part.split(".", 1)[0])] = part
    return steps


def shell_blocks(step: str) -> list[str]:
    return [textwrap.dedent(block) for block in re.findall(r"```sh\n(.*?)```", step, re.S)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """The local SMTP server's received messages, by recipient."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address.lower() in rcpt]

    def wait_for(self, address: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while not self.to(address):
            if time.monotonic() > deadline:
                fail(f"no mail reached {address} within {seconds:.0f} s")
            time.sleep(0.2)
        body = self.to(address)[0].get_body(preferencelist=("plain",))
        return body.get_content()


class Browser:
    """A person's browser reaching one app instance through the council's HTTPS proxy."""

    def __init__(self, port: int, base_url: str, client_ip: str):
        self.origin = f"http://127.0.0.1:{port}"
        self.base = base_url.rstrip("/")
        self.host = urlsplit(base_url).netloc
        self.ip = client_ip
        self.cookies: dict[str, str] = {}
        self.last_path = "/"

    def through(self, port: int) -> Browser:
        """The same browser (cookies, address) sent by the proxy to another instance."""
        other = Browser(port, self.base, self.ip)
        other.cookies, other.last_path = self.cookies, self.last_path
        return other

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": self.host,
            "X-Forwarded-For": self.ip,
            "Accept-Language": "en",
        }
        if self.cookies:  # the cookies are Secure: the proxy's browser sends them over HTTPS
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Referer"] = self.base + self.last_path
        response = requests.request(
            method, self.origin + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def go(self, method: str, path: str, expect: int = 200, **kwargs) -> requests.Response:
        response = self._send(method, path, **kwargs)
        hops = 0
        while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
            location = urlsplit(response.headers["Location"])
            if location.netloc and location.netloc != self.host:
                fail(f"{method} {path} redirected off the site, to {response.headers['Location']}")
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self._send("GET", path)
            hops += 1
        if response.status_code != expect:
            fail(f"{method} {path}: HTTP {response.status_code}, expected {expect}\n{response.text[:3000]}")
        self.last_path = path
        self.path = path
        return response

    def submit(self, path: str, data: dict, files: dict | None = None, expect: int = 200) -> requests.Response:
        """Open the form's page, then post it with the page's CSRF token."""
        page = self.go("GET", path).text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page
        )
        if token is None:
            fail(f"no CSRF token on {path}")
        return self.go("POST", path, expect=expect, data={"csrf_token": token.group(1), **data}, files=files)


def expect_text(response: requests.Response, *phrases: str) -> None:
    missing = [p for p in phrases if p not in response.text]
    if missing:
        fail(f"{response.url} lacks {missing}")


def wait_until_serving(port: int, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            fail(f"the instance on port {port} did not answer /healthz:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def main(venv: Path, work: Path, pg_url: str, redis_url: str) -> None:
    steps = readme_steps()
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    db = f"pbapp_council_walk_{os.getpid()}"
    subprocess.run(["psql", f"{pg_url}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    processes: list[subprocess.Popen] = []
    try:
        # Steps 2-4 as written; then only where the services are is changed for this machine.
        overrides = {"DATABASE_URL": f"{pg_url}/{db}", "REDIS_URL": redis_url, "MAIL_SERVER": "127.0.0.1"}
        step2 = "\n".join(shell_blocks(steps[2]))
        for name in overrides:
            if not re.search(rf"\b{name}=", step2):
                fail(f"README step 2 does not set {name}")
        local = {
            **overrides,
            "MAIL_PORT": str(smtp.port),
            "MAIL_TLS": "none",  # the test relay speaks plain SMTP
            "PBAPP_QUEUE_PREFIX": "walk-" + uuid.uuid4().hex[:8],
            "PBAPP_INSTANCE_PATH": str(work / "instance"),
        }
        script = "\n".join(
            [
                "set -euo pipefail",
                f"export PATH={shlex.quote(str(venv / 'bin'))}:$PATH",
                step2,
                "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in local.items()),
                *shell_blocks(steps[3]),
                *shell_blocks(steps[4]),
                f"env -0 > {shlex.quote(str(work / 'walk.env'))}",
            ]
        )
        clean_env = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER")}
        clean_env["PATH"] = os.environ["PATH"]
        done = subprocess.run(["bash", "-c", script], cwd=work, env=clean_env, capture_output=True, text=True)
        print(done.stdout, end="")
        if done.returncode:
            fail(f"README steps 2-4 failed ({done.returncode}):\n{done.stderr[-3000:]}")
        env = dict(line.split("=", 1) for line in (work / "walk.env").read_text().split("\0") if "=" in line)
        if env.get("PBAPP_ENV") != "production":
            fail("README step 2 does not run the app in production mode")
        base_url = env["PBAPP_BASE_URL"]
        admin_email = re.search(r"--email (\S+)", steps[4]).group(1)
        printed = re.search(r"(https://\S+/accounts/reset/\S+)", done.stdout)
        if printed is None or not printed.group(1).startswith(base_url):
            fail(f"`pbapp admin create` printed no set-password link under {base_url}")

        # Step 5: the README's gunicorn and worker commands; two instances and two workers, one database.
        commands = [shlex.split(line, comments=True) for block in shell_blocks(steps[5]) for line in block.splitlines()]
        commands = [c for c in commands if c]
        web = next(c for c in commands if c[0] == "gunicorn")
        worker = next(c for c in commands if c[:2] == ["pbapp", "worker"])
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            args = list(web)
            args[args.index("--workers") + 1] = "1"  # two cores in CI; the README's 4 suit a real server
            args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
            log = work / f"web-{n}.log"
            with open(log, "ab") as out:
                processes.append(
                    subprocess.Popen(
                        [str(venv / "bin" / args[0]), *args[1:]],
                        cwd=work,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        for n in (1, 2):
            with open(work / f"worker-{n}.log", "ab") as out:
                processes.append(
                    subprocess.Popen(
                        [str(venv / "bin" / worker[0]), *worker[1:]],
                        cwd=work,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        for n, port in enumerate(ports, 1):
            wait_until_serving(port, work / f"web-{n}.log")
        print(f"-- two instances (ports {ports[0]}, {ports[1]}) and two workers on one database")

        # Step 6: the emailed set-password link, sent by a worker through the SMTP server.
        body = mailbox.wait_for(admin_email)
        link = re.search(r"(https://\S+/accounts/reset/\S+)", body)
        if link is None or link.group(1) != printed.group(1):
            fail(f"the mail to {admin_email} does not carry the printed link:\n{body}")
        print(f"-- the set-password mail reached {admin_email} through SMTP")
        password = "correct horse battery staple " + uuid.uuid4().hex[:6]
        first = Browser(ports[0], base_url, "203.0.113.10")
        first.submit(urlsplit(link.group(1)).path, {"password": password, "confirm": password})
        expect_text(first.go("GET", "/accounts/me"), admin_email)
        admin = Browser(ports[1], base_url, "203.0.113.11")  # the other instance knows the new password
        home = admin.submit("/accounts/login", {"email": admin_email, "password": password})
        expect_text(home, "Set up the council")
        print("-- password chosen on one instance, signed in on the other")

        setup = f"/councils/{SLUG}/setup"
        council_name = re.search(r'--name "([^"]+)"', steps[4]).group(1)
        expect_text(admin.go("GET", setup), council_name)
        for kind, expected in (("wards", "Wards imported: 3 added"), ("postcodes", "Postcodes imported: 5")):
            with open(FIXTURES / f"{kind}.csv", "rb") as upload:
                admin.submit(f"{setup}/import/{kind}", {}, files={"file": (f"{kind}.csv", upload, "text/csv")})
            held = admin.path
            if not held.startswith(f"{setup}/import/{kind}/"):
                fail(f"the {kind} upload did not lead to its preview: {held}")
            # The file is held on the server: the other instance shows the preview and imports it.
            done_page = admin.through(ports[0]).submit(held, {"action": "import"})
            expect_text(done_page, expected)
            print(f"-- {kind}: {expected}")
        expect_text(admin.go("GET", f"/councils/{SLUG}/areas"), "Castle", "Riverside", "Hillside")

        officer_email = "officer@north-borough.gov.uk"
        admin.submit(f"/accounts/councils/{SLUG}/members", {"email": officer_email, "role": "officer"})
        body = mailbox.wait_for(officer_email)
        invitation = re.search(r"https://\S+(/accounts/invitations/\S+)", body)
        if invitation is None:
            fail(f"the invitation mail carries no link:\n{body}")
        officer = Browser(ports[0], base_url, "203.0.113.12")
        officer_password = "another long pass phrase " + uuid.uuid4().hex[:6]
        officer.submit(
            invitation.group(1), {"name": "Alex Officer", "password": officer_password, "confirm": officer_password}
        )
        expect_text(officer.go("GET", f"/juries/{SLUG}/"), "Create a jury")
        print(f"-- {officer_email} invited by mail, joined as an officer, reaches the juries")

        time.sleep(3)  # a second run of either mail job would have arrived by now
        counts = {a: len(mailbox.to(a)) for a in (admin_email, officer_email)}
        if set(counts.values()) != {1}:
            fail(f"each mail job must run once across the two workers; mails received: {counts}")
        print(f"-- each mail job ran once across the two workers: {counts}")
    except SystemExit:
        for log in sorted(work.glob("*.log")):
            print(f"--- {log.name}:\n{log.read_text(errors='replace')[-2000:]}", file=sys.stderr)
        raise
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.stop()
        subprocess.run(
            ["psql", f"{pg_url}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
            check=False,
            capture_output=True,
        )


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4])
