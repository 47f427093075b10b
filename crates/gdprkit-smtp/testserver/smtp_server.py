"""A loopback SMTP server for gdprkit's tests (aiosmtpd).

Usage: smtp_server.py DIR. Listens on a port of 127.0.0.1 the system picks, prints "ready PORT"
once it does (bound once, so that tests started together never race for a port), and runs until
its standard input closes. Each message it takes is written to DIR as N.eml, and each attachment
of it as N-FILENAME, decoded; then "accepted N" is printed, just before the server answers 250.
Recipients whose address starts with "refuse" are refused with 550.
"""

import asyncio
import email
import email.policy
import os
import sys
import threading

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 mailbox unavailable: refused by the test server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.iter_attachments():
            self.write(f"{self.count}-{part.get_filename()}", part.get_payload(decode=True))
        # The message last: once it is there, so are its attachments.
        self.write(f"{self.count}.eml", raw)
        try:
            print(f"accepted {self.count}", flush=True)
        except BrokenPipeError:
            pass
        return "250 Message accepted"

    def write(self, name, data):
        path = os.path.join(self.out, name)
        with open(path + ".part", "wb") as f:
            f.write(data)
        os.rename(path + ".part", path)


def main():
    out = sys.argv[1]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Handler(out)
    server = loop.run_until_complete(loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0))
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)

    def until_stdin_closes():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=until_stdin_closes, daemon=True).start()
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
