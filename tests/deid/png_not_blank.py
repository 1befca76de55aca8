#!/usr/bin/env python3
"""Checks that a PNG screenshot is not blank: decodes it with the standard library (zlib,
PNG filters of RFC 2083 section 6) and requires several distinct colours and a real spread of
brightness. Usage: png_not_blank.py FILE.png [MIN_COLOURS]. Exit 0 not blank, 1 blank,
2 not a PNG this reader handles."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    raw = zlib.decompress(idat)
    stride = w * channels
    rows, prev, p = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, channels, rows


def main():
    path = sys.argv[1]
    min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    try:
        w, h, ch, rows = decode(path)
    except (ValueError, zlib.error, struct.error, TypeError) as e:
        print(f"{path}: {e}")
        return 2
    colours, lum, n = set(), 0.0, 0
    sq = 0.0
    for y in range(0, h, 2):
        r = rows[y]
        for x in range(0, w, 2):
            px = r[x * ch:x * ch + min(ch, 3)]
            colours.add(px)
            v = sum(px) / len(px)
            lum += v
            sq += v * v
            n += 1
    mean = lum / n
    var = sq / n - mean * mean
    print(f"{path}: {w}x{h}, {len(colours)} colours, brightness mean {mean:.1f} variance {var:.1f}")
    return 0 if len(colours) >= min_colours and var > 50 else 1


if __name__ == "__main__":
    sys.exit(main())
