"""Parses mail with Python's email package (a real MIME parser) and prints it as JSON.

usage: mail.py FILE...   (each an .eml file; prints a list, one entry per file, in order)
"""
import email
import json
import sys
from email import policy


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


messages = []
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        messages.append(describe(email.message_from_binary_file(f, policy=policy.default)))
json.dump(messages, sys.stdout)
