"""Parses mail with Python's email package (a real MIME parser) and prints it as JSON.

usage: mail.py eml FILE | mail.py maildir DIR | mail.py header DIR NAME

The header mode prints one header of every message in a Maildir, reading nothing else: quick for
many messages.
"""
import email
import json
import mailbox
import sys
from email import policy
from email.parser import BytesHeaderParser


def describe(message):
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transferEncoding": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    return {
        "headers": [[name, str(value)] for name, value in message.items()],
        "subject": str(message["subject"]),
        "contentType": message.get_content_type(),
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects],
    }


def parse(file):
    return email.message_from_binary_file(file, policy=policy.default)


mode, path = sys.argv[1], sys.argv[2]
if mode == "eml":
    with open(path, "rb") as f:
        messages = [describe(parse(f))]
elif mode == "header":
    headers = BytesHeaderParser(policy=policy.default)
    messages = [str(m[sys.argv[3]]) for m in mailbox.Maildir(path, factory=headers.parse, create=False)]
else:
    messages = [describe(m) for m in mailbox.Maildir(path, factory=parse, create=False)]
json.dump(messages, sys.stdout)
