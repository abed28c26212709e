"""A real SMTP server for the mail tests (aiosmtpd): stores every message it accepts as
<dir>/<n>.eml with its envelope recipients in <dir>/<n>.rcpt, refuses recipients whose local
part starts with "reject" (550), and can ask for AUTH and answer slowly.

    python3 tests/smtp_sink.py --port 2525 --dir /tmp/mail [--delay 0.3] [--auth user:pass]
        [--tls starttls|implicit --cert cert.pem --key key.pem]

With --tls starttls the server requires STARTTLS before MAIL; with --tls implicit it speaks
TLS from the first byte (smtps).

Prints "ready" once it listens; runs until it is killed.
"""

import argparse
import asyncio
import itertools
import logging
import os
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory, delay):
        self.directory = directory
        self.delay = delay
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].lower().startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            n = next(self.counter)
        name = f"{os.getpid()}-{n:06d}"
        tmp = os.path.join(self.directory, f".{name}.tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(self.directory, f"{name}.rcpt"), "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(tmp, os.path.join(self.directory, f"{name}.eml"))
        return "250 2.0.0 Message accepted for delivery"


def main():
    # AUTH without TLS is what the credentials test wants; say nothing about it.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--auth", default=None, help="user:password to require")
    p.add_argument("--tls", choices=["starttls", "implicit"], default=None)
    p.add_argument("--cert", default=None)
    p.add_argument("--key", default=None)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    kwargs = {}
    ssl_context = None
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        if a.tls == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        else:
            ssl_context = ctx
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                getattr(auth_data, "login", None) == user.encode()
                and getattr(auth_data, "password", None) == password.encode()
            )
            return AuthResult(success=ok)

        kwargs.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=False
        )
    controller = Controller(
        Sink(a.dir, a.delay),
        hostname="127.0.0.1",
        port=a.port,
        ssl_context=ssl_context,
        **kwargs,
    )
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    controller.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
