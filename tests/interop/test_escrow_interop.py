#!/usr/bin/env python3
"""Escrow shares read by an independent implementation (civitas_escrow.py, standard library only).

- the test vectors of docs/formats/escrow-share.md, taken from the document;
- shares written by `civitas keys escrow` are read, their checksums checked, and every
  3-subset of 5 rebuilds the same key, whose key check (computed by the library from the real
  workspace key) matches;
- shares written by this implementation from that key are accepted by `civitas keys recover`,
  and the workspace opens with the new key: both sides agree on the key and the format.

Run: CIVITAS_CLI=path/to/civitas python3 test_escrow_interop.py   (CTest: interop.escrow)
"""
from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import civitas_escrow as ce  # noqa: E402

DOC = os.path.join(HERE, "..", "..", "docs", "formats", "escrow-share.md")
CLI = os.environ.get("CIVITAS_CLI", "")
DEPT = "91350100M000100Y43"


def doc_blocks() -> list[str]:
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    tail = text[text.index("## Test vectors"):]
    return re.findall(r"```json\n(.*?)```", tail, flags=re.S)


class DocumentVectors(unittest.TestCase):
    def test_field_examples(self):
        self.assertEqual(ce.gf_mul(0x57, 0x83), 0xC1)
        self.assertEqual(ce.gf_mul(0x53, 0xCA), 0x01)
        for a in range(1, 256):
            self.assertEqual(ce.gf_mul(a, ce.gf_inv(a)), 1)

    def test_vectors(self):
        blocks = doc_blocks()
        v = json.loads(blocks[0])
        w = bytes.fromhex(v["secret"])
        coeff = bytes.fromhex(v["coefficients"])
        self.assertEqual(coeff, bytes((7 * i + 0x35) & 0xFF for i in range(64)))  # as the text says
        self.assertEqual(ce.key_check(w, v["workspace_id"]), v["key_check"])
        files = ce.make_shares(w, v["workspace_id"], v["department"], v["escrow_id"], v["created"],
                               v["shares"], v["threshold"], coeff)
        for i, f in enumerate(files, start=1):
            d = ce.read_share(f)
            self.assertEqual(d["value"], v["values"][str(i)])
            self.assertEqual(d["checksum"], v["checksums"][str(i)])
        self.assertEqual(files[1], blocks[1])  # share 2 byte for byte as the document shows it
        docs = [ce.read_share(f) for f in files]
        for subset in itertools.combinations(docs, 3):
            self.assertEqual(ce.recover(list(subset)), w)
        with self.assertRaises(ce.ShareError):
            ce.recover(docs[:2])

    def test_fewer_than_k_are_consistent_with_any_secret(self):
        v = json.loads(doc_blocks()[0])
        two = [(1, bytes.fromhex(v["values"]["1"])), (2, bytes.fromhex(v["values"]["2"]))]
        for candidate in (bytes(32), bytes([0xFF]) * 32, os.urandom(32)):
            # the polynomial through (0, candidate) and the two shares gives a third share...
            pts = [(1, two[0][1]), (2, two[1][1])]
            # Evaluate at x = 3 the polynomial through (0, c), (1, y1), (2, y2)
            third = bytearray(32)
            for b in range(32):
                xs = [(0, candidate[b]), (1, pts[0][1][b]), (2, pts[1][1][b])]
                acc = 0
                for i, (xi, yi) in enumerate(xs):
                    num = den = 1
                    for j, (xj, _) in enumerate(xs):
                        if i != j:
                            num = ce.gf_mul(num, 3 ^ xj)
                            den = ce.gf_mul(den, xi ^ xj)
                    acc ^= ce.gf_mul(yi, ce.gf_mul(num, ce.gf_inv(den)))
                third[b] = acc
            # ...with which the same two shares recombine to the candidate
            self.assertEqual(ce.combine(two + [(3, bytes(third))]), candidate)


@unittest.skipUnless(CLI and os.path.exists(CLI), "CIVITAS_CLI not set")
class LibraryShares(unittest.TestCase):
    def run_cli(self, *args, ok=True, stdin=None):
        p = subprocess.run([CLI, *args], cwd=self.dir, capture_output=True, text=True, input=stdin)
        if ok and p.returncode != 0:
            self.fail(f"civitas {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        with open(os.path.join(self.dir, "k"), "wb") as f:
            f.write(os.urandom(32))
        self.run_cli("init", "-w", "w.db", "--key-file", "k", "--department", DEPT)
        self.run_cli("keys", "escrow", "-w", "w.db", "--key-file", "k", "--shares", "5", "--threshold", "3", "-o", "sh")

    def tearDown(self):
        self.tmp.cleanup()

    def shares(self):
        out = []
        for i in range(1, 6):
            with open(os.path.join(self.dir, "sh", f"share-{i}-of-5.json"), encoding="utf-8") as f:
                out.append(ce.read_share(f.read(), f"share {i}"))
        return out

    def test_library_shares_recombine_here(self):
        docs = self.shares()
        with open(os.path.join(self.dir, "w.db.header"), encoding="utf-8") as f:
            header = json.load(f)
        self.assertTrue(all(d["workspace_id"] == header["workspace_id"] for d in docs))
        keys = {ce.recover(list(s)) for s in itertools.combinations(docs, 3)}
        self.assertEqual(len(keys), 1)  # every 3-subset gives the same key, and its key check holds
        self.assertEqual(len(ce.recover(docs)), 32)
        # a damaged share is caught by the checksum
        bad = dict(docs[0])
        bad["value"] = ("1" if bad["value"][0] != "1" else "2") + bad["value"][1:]
        with self.assertRaises(ce.ShareError):
            ce.read_share(json.dumps(bad))

    def test_shares_written_here_are_accepted_by_the_library(self):
        docs = self.shares()
        w = ce.recover(docs[1:4])
        mine = ce.make_shares(w, docs[0]["workspace_id"], DEPT, os.urandom(16).hex(), 1796601600, 4, 3)
        for i, text in enumerate(mine, start=1):
            with open(os.path.join(self.dir, f"py-{i}.json"), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(self.dir, "new"), "wb") as f:
            f.write(os.urandom(32))
        os.remove(os.path.join(self.dir, "k"))
        self.run_cli("keys", "recover", "-w", "w.db", "py-4.json", "py-1.json", "py-3.json", "--new-key-file", "new")
        p = self.run_cli("audit", "verify", "-w", "w.db", "--key-file", "new")
        self.assertIn("ok", p.stdout)
        # and a set whose key is not the workspace's is refused by the library, nothing changed
        other = ce.make_shares(os.urandom(32), docs[0]["workspace_id"], DEPT, os.urandom(16).hex(), 0, 3, 2)
        for i, text in enumerate(other, start=1):
            with open(os.path.join(self.dir, f"other-{i}.json"), "w", encoding="utf-8") as f:
                f.write(text)
        p = self.run_cli("keys", "recover", "-w", "w.db", "other-1.json", "other-2.json", "--new-key-file", "k2", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.run_cli("keys", "list", "-w", "w.db", "--key-file", "new")


if __name__ == "__main__":
    unittest.main(verbosity=2)
