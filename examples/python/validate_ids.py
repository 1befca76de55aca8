#!/usr/bin/env python3
"""Validate Chinese identifiers with civitas and print what they say.

    PYTHONPATH=build/python .venv/bin/python examples/python/validate_ids.py [KIND CODE ...]

Without arguments it checks a few sample codes. Exit status: 0 when every code is valid,
1 otherwise (the samples include invalid codes on purpose and the program expects them to be).
"""

import sys

import civitas
from civitas import ids


def show(kind: str, code: str) -> bool:
    r = ids.validate(kind, code)
    status = (r.message if r.valid else f"INVALID ({r.reason}): {r.message}")
    print(f"{kind:7} {code!r:26} {status}")
    p = r.parts
    if "authority" in p:
        print(f"        authority {p['authority']['code']} {p['authority']['name']}, "
              f"category {p['category']['code']} {p['category']['name']}, organisation code {p['orgcode']}")
    if "region" in p:
        reg = p["region"]
        names = " ".join(n for n in (reg["province"], reg["prefecture"], reg["county"]) if n)
        print(f"        region {reg['code']} {names or '(not in the GB/T 2260 table)'}")
    if "birth_date" in p:
        print(f"        born {p['birth_date']}, sex {p['sex']}, sequence {p['sequence']}")
    if r.valid and r.canonical != code:
        print(f"        canonical form {r.canonical}")
    return r.valid


def main(argv: list) -> int:
    print(f"civitas {civitas.__version__}")
    if argv:
        if len(argv) % 2:
            print("usage: validate_ids.py [KIND CODE ...]", file=sys.stderr)
            return 2
        try:
            ok = [show(k, c) for k, c in zip(argv[::2], argv[1::2])]
        except civitas.InvalidArgumentError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return 0 if all(ok) else 1

    samples = [
        ("uscc", "91350100M000100Y43", True),
        ("uscc", "９１３５０１００Ｍ０００１００Ｙ４３", True),  # full-width, as typed on a Chinese IME
        ("uscc", "91350100M000100Y44", False),  # wrong check character
        ("ric", "11010519491231002X", True),
        ("ric", "110105491231002", True),  # legacy 15-digit number
        ("gb2260", "110105", True),
        ("orgcode", "M000100Y4", True),
    ]
    results = [show(kind, code) == expected for kind, code, expected in samples]

    column = [code for kind, code, _ in samples if kind == "uscc"] * 1000
    valid = ids.validate_many("uscc", column)
    print(f"batch: {sum(valid)} of {len(column)} USCCs valid")
    print(f"check character of 91350100M000100Y4: {ids.check_char('uscc', '91350100M000100Y4')}")

    try:
        ids.validate("passport", "E12345678")
    except ValueError as e:  # civitas.InvalidArgumentError is also a ValueError
        print(f"{type(e).__name__} [{e.code_name}]: {e}")

    return 0 if all(results) and sum(valid) == 2000 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
