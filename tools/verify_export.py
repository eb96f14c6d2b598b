#!/usr/bin/env python3
"""Independent verifier of a hoso export bundle (docs/export-format.md).

Usage: verify_export.py BUNDLE_DIR PUBLIC_KEY [--witness VKEY ... --quorum K]
PUBLIC_KEY and each VKEY are the key text or a file holding it. With witnesses, the
checkpoint must carry valid cosignature/v1 lines (c2sp.org/tlog-cosignature) of K
distinct given witnesses. Exit 0 "intact", or 1 naming the first failure. Standard
library + `cryptography` (Ed25519).
"""
import base64, hashlib, json, os, struct, sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST_CONTEXT = b"hoso-export-manifest-v1\n"

class Rejected(Exception):
    pass

def sha256(b):
    return hashlib.sha256(b).digest()

def parse_key(text):
    name, key_id, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise Rejected("public key is not an Ed25519 note verifier key")
    if sha256(name.encode() + b"\n" + raw)[:4].hex() != key_id.lower():
        raise Rejected("public key id does not match the key")
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:])

def parse_witness_key(text):
    """A cosignature/v1 verifier key: name+keyid+base64(0x04 || Ed25519 key)."""
    name, key_id, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != 4:
        raise Rejected("witness key %s is not a cosignature/v1 key" % name)
    if sha256(name.encode() + b"\n" + raw)[:4].hex() != key_id.lower():
        raise Rejected("witness key id does not match the key")
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:])

def cosigners(note, body, witnesses):
    """The names of the given witnesses whose cosignature/v1 line verifies."""
    _, sep, sigs = note.rpartition("\n\n")
    good = set()
    for line in sigs.splitlines() if sep else []:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if len(blob) != 76:
            continue
        for name, key_id, pub in witnesses:
            if parts[1] == name and blob[:4] == key_id:
                t = struct.unpack(">Q", blob[4:12])[0]
                msg = b"cosignature/v1\ntime %d\n" % t + body.encode()
                if ed25519_ok(pub, blob[12:], msg):
                    good.add((name, pub.public_bytes(Encoding.Raw, PublicFormat.Raw)))
    return {n for n, _ in good}, {k for _, k in good}

def ed25519_ok(pub, sig, msg):
    try:
        pub.verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False

def open_note(note, name, key_id, pub):
    """Returns the body of a signed note if a signature line of this key verifies."""
    body, sep, sigs = note.rpartition("\n\n")
    body += "\n"
    for line in sigs.splitlines() if sep else []:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2])
        if len(blob) == 68 and blob[:4] == key_id and ed25519_ok(pub, blob[4:], body.encode()):
            return body
    raise Rejected("checkpoint signature invalid")

def event_hash(e, prev):
    def field(s):
        b = s.encode("utf-8")
        return struct.pack(">I", len(b)) + b
    fmt = e.get("format", 1)
    if fmt not in (1, 2):
        raise Rejected("unknown record format %r" % fmt)
    if fmt == 1 and e.get("sealed") is not None:
        raise Rejected("a format-1 record has no sealed part")
    rec = ((b"hoso-event-v1" if fmt == 1 else b"hoso-event-v2")
           + field(e["aggregate_type"]) + field(e["aggregate_id"])
           + struct.pack(">Q", e["sequence"]) + field(e["event_type"]) + field(e["event_version"])
           + field(e["payload"]))
    if fmt == 2:
        # The sealed part (ciphertext of the personal fields), empty when none.
        rec += field(e.get("sealed") or "")
    rec += field(e["metadata"])
    return sha256(prev + rec)

def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root

def verify(bundle, key_text, witnesses=(), quorum=0):
    name, key_id, pub = parse_key(key_text)
    read = lambda f: open(os.path.join(bundle, f), "rb").read()
    manifest_bytes = read("manifest.json")
    sig = base64.b64decode(read("manifest.sig").strip())
    if not ed25519_ok(pub, sig, MANIFEST_CONTEXT + manifest_bytes):
        raise Rejected("manifest signature invalid")
    m = json.loads(manifest_bytes)
    if m["format"] != "hoso-export-v1":
        raise Rejected("unknown format " + m["format"])
    note = read(m["checkpoint"]["file"]).decode("utf-8")
    body = open_note(note, name, key_id, pub)
    if quorum:
        names, keys = cosigners(note, body, witnesses)
        if min(len(names), len(keys)) < quorum:
            raise Rejected("the checkpoint has %d valid cosignature(s) of the given witnesses, %d needed"
                           % (min(len(names), len(keys)), quorum))
    lines = body.split("\n")
    # Three lines (origin, size, root), or four with the `time` line that
    # checkpoints issued before carried; nothing else.
    legacy = len(lines) == 5 and lines[3].startswith("time ")
    if not (len(lines) == 4 or legacy) or lines[-1] != "" or lines[0] != name:
        raise Rejected("checkpoint body malformed")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    if size != m["checkpoint"]["tree_size"] or lines[2] != m["checkpoint"]["root"] or len(root) != 32:
        raise Rejected("checkpoint does not match the manifest")
    last, chains, count = 0, {}, 0
    for n, line in enumerate(read(m["events"]["file"]).decode("utf-8").split("\n")[:-1], 1):
        e = json.loads(line)
        where = "events.jsonl line %d (position %s): " % (n, e["position"])
        if e["position"] <= last:
            raise Rejected(where + "events reordered or duplicated")
        last = e["position"]
        prev, h = bytes.fromhex(e["prev_hash"]), bytes.fromhex(e["hash"])
        if len(prev) != 32 or event_hash(e, prev) != h:
            raise Rejected(where + "hash does not match the event's bytes: the event was changed")
        proof = [bytes.fromhex(p) for p in e["inclusion_proof"]]
        if e["leaf_index"] != e["position"] - 1 or any(len(p) != 32 for p in proof):
            raise Rejected(where + "leaf index or proof malformed")
        if not verify_inclusion(e["leaf_index"], size, sha256(b"\x00" + h), proof, root):
            raise Rejected(where + "inclusion proof does not lead to the checkpoint's root")
        agg = (e["aggregate_type"], e["aggregate_id"])
        if agg in chains:
            seq, ph = chains[agg]
            if e["sequence"] <= seq:
                raise Rejected(where + "sequence duplicated or reordered")
            if e["sequence"] == seq + 1 and prev != ph:
                raise Rejected(where + "prev_hash does not link to the previous event")
        chains[agg] = (e["sequence"], h)
        count += 1
    if count != m["events"]["count"]:
        raise Rejected("%d events, the manifest lists %d: events dropped or added" % (count, m["events"]["count"]))
    listed = {"manifest.json", "manifest.sig"}
    for f in m["files"]:
        b = read(f["name"])
        if len(b) != f["bytes"] or hashlib.sha256(b).hexdigest() != f["sha256"]:
            raise Rejected(f["name"] + ": content differs from the manifest's digest")
        listed.add(f["name"])
    if m["checkpoint"]["file"] not in listed or m["events"]["file"] not in listed:
        raise Rejected("checkpoint or events file not listed in the manifest")
    extra = set(os.listdir(bundle)) - listed
    if extra:
        raise Rejected("files not listed in the manifest: " + ", ".join(sorted(extra)))
    return count, size

def key_text(arg):
    return open(arg, encoding="utf-8").read() if os.path.isfile(arg) else arg

def main():
    args = sys.argv[1:]
    witnesses, quorum, rest = [], 0, []
    try:
        while args:
            a = args.pop(0)
            if a == "--witness":
                witnesses.append(parse_witness_key(key_text(args.pop(0))))
            elif a == "--quorum":
                quorum = int(args.pop(0))
            else:
                rest.append(a)
    except (IndexError, ValueError, Rejected) as e:
        print("verify_export: bad arguments:", e, file=sys.stderr)
        return 2
    if len(rest) != 2 or (witnesses and not 1 <= (quorum or 1) <= len(witnesses)):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if witnesses and not quorum:
        quorum = 1
    try:
        count, size = verify(rest[0], key_text(rest[1]), witnesses, quorum)
    except (Rejected, OSError, ValueError, KeyError, TypeError) as e:
        print("verify_export: REJECTED:", e)
        return 1
    print("verify_export: intact: %d events, all included in the signed checkpoint of %d events" % (count, size))
    return 0

if __name__ == "__main__":
    sys.exit(main())
