"""A real SMTP server for the tests: aiosmtpd storing what it receives in a Maildir (its Mailbox
handler adds an X-Peer header naming the client's address and port).

It acknowledges every TCP segment at once. System.Net.Mail's client writes a message in several
small segments with Nagle's algorithm on, so against a server that delays its ACKs (Linux's
default) each message would wait tens of milliseconds for them.

usage: smtp.py HOST PORT MAILDIR
"""
import asyncio
import socket
import sys

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP


class PromptSMTP(SMTP):
    def data_received(self, data):
        sock = self.transport.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        super().data_received(data)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


async def serve(host, port, maildir):
    server = await asyncio.get_running_loop().create_server(lambda: PromptSMTP(Mailbox(maildir)), host, port)
    await server.serve_forever()


asyncio.run(serve(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
