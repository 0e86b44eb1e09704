#!/usr/bin/env python3
"""Checks an exported fieldgrid ticket (fieldgrid ticket export ID > t.json) with Python's standard library and
the `cryptography` package only -- no fieldgrid, no database. Exit 0 when every signature holds over the ticket's
content; 1 naming each bad signature. The rules are docs/api.md "Verifying a ticket's signatures".

    python3 docs/verify_ticket.py t.json
"""
import base64, hashlib, json, re, sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

doc = json.load(open(sys.argv[1], encoding="utf-8"))
ticket = doc["ticket"]
# the canonical content: keys sorted, no whitespace, UTF-8 (non-ASCII characters as themselves)
text = json.dumps(ticket, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# control characters other than \n \t \r \b \f are \u00XX with upper-case hex digits (not after an escaped backslash)
text = re.sub(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})", lambda m: m.group(1) + "\\u00" + m.group(2).upper(), text)
canonical = text.encode("utf-8")
content_hash = hashlib.sha256(canonical).hexdigest()
bad = 0
for n, s in enumerate(doc["signatures"], 1):
    signed = "\n".join(["fieldgrid-signature-v1", "ticket", ticket["id"], s["role"], s["signer"]["id"],
                        str(s["signed_at"]), content_hash]).encode("utf-8")
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(s["public_key"]))
    try:
        key.verify(base64.b64decode(s["signature"]), signed)
        print(f"ok  signature {n}: {s['role']} by {s['signer']['name']}")
    except InvalidSignature:
        bad += 1
        print(f"BAD signature {n}: {s['role']} by {s['signer']['name']}")
print(f"content sha256 {content_hash}: " + ("VALID" if bad == 0 and doc["signatures"] else "INVALID"))
sys.exit(0 if bad == 0 and doc["signatures"] else 1)
