"""A loopback SMTP server for gdprkit's tests (aiosmtpd).

Usage: smtp_server.py PORT DIR. Prints "ready" once it listens on 127.0.0.1:PORT, and runs until
its standard input closes. Each message it takes is written to DIR as N.eml, and each attachment
of it as N-FILENAME, decoded; then "accepted N" is printed, just before the server answers 250.
Recipients whose address starts with "refuse" are refused with 550.
"""

import email
import email.policy
import os
import sys

from aiosmtpd.controller import Controller


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
    port, out = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Handler(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
