#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes one zip per archive rule, plus good archives, into the directory
given on the command line (the package tests run it at setup).

Archives zipfile can write come from zipfile; hostile ones it refuses to
write (raw name bytes, flags, lying sizes, duplicate central entries) come
from raw_zip below, which writes stored members byte by byte.

Usage: make-zips.py OUTDIR
"""
import os
import stat
import struct
import sys
import warnings
import zipfile

DATE = (2024, 1, 1, 0, 0, 0)
DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1
UNIX = 3
FAT = 0
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1


def info(name, mode=0o100644, system=UNIX):
    zi = zipfile.ZipInfo(name, DATE)
    zi.create_system = system
    zi.external_attr = mode << 16
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def write(out, name, members, compression=zipfile.ZIP_DEFLATED):
    """members: list of (ZipInfo or str, bytes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point
        with zipfile.ZipFile(os.path.join(out, name), "w", compression) as z:
            for zi, data in members:
                if isinstance(zi, str):
                    zi = info(zi)
                z.writestr(zi, data)


class Raw:
    """A stored member written as given: name as bytes, any flags and mode,
    sizes and CRC that may lie, and a local name that may differ."""

    def __init__(self, name, data=b"", mode=0o100644, system=UNIX, flags=0,
                 size=None, csize=None, crc=None, local_name=None,
                 offset_of=None, local_crc=None):
        self.name = name
        self.data = data
        self.mode = mode
        self.system = system
        self.flags = flags
        self.size = len(data) if size is None else size
        self.csize = len(data) if csize is None else csize
        self.crc = zipfile.crc32(data) if crc is None else crc
        self.local_name = name if local_name is None else local_name
        self.offset_of = offset_of  # share another member's local header
        self.local_crc = self.crc if local_crc is None else local_crc


def raw_zip(out, name, members):
    body = bytearray()
    offsets = []
    for m in members:
        if m.offset_of is not None:
            offsets.append(offsets[m.offset_of])
            continue
        offsets.append(len(body))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, m.flags, 0, 0,
                            DOS_DATE, m.local_crc, m.csize, m.size,
                            len(m.local_name), 0)
        body += m.local_name + m.data
    central = bytearray()
    for m, off in zip(members, offsets):
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50,
                               (m.system << 8) | 20, 20, m.flags, 0, 0,
                               DOS_DATE, m.crc, m.csize, m.size, len(m.name),
                               0, 0, 0, 0, m.mode << 16, off)
        central += m.name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members),
                      len(members), len(central), len(body), 0)
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes(body) + bytes(central) + end)


def patch_sizes(path, size):
    """Rewrites the uncompressed size of the (only) member in both headers."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
    with open(path, "wb") as f:
        f.write(data)


def main(out):
    os.makedirs(out, exist_ok=True)

    # Good archives.
    write(out, "good.zip", [
        ("permit.json", b'{"id": "org.example.addon"}\n'),
        (info("d/", 0o40755), b""),
        (info("d/a.py", 0o100755), b"print('a')\n"),
        ("d/e/b.txt", b"b\n"),
        ("caf\u00e9.py", b"# caf\xc3\xa9\n"),
        ("empty.txt", b""),
        ("big.txt", b"0123456789abcdef" * 8192),
    ])
    write(out, "good-empty.zip", [])
    with zipfile.ZipFile(os.path.join(out, "good-writestr.zip"), "w") as z:
        z.writestr("plain.txt", b"plain\n")  # mode 0600, no type bits
    write(out, "good-windows.zip", [(info("w.txt", 0, FAT), b"w\n")])

    # Path rules.
    write(out, "absolute.zip", [("/etc/passwd", b"root\n")])
    write(out, "dotdot.zip", [("a/../../evil.py", b"evil\n")])
    raw_zip(out, "backslash.zip", [Raw(b"d/a\\b.py", b"x")])
    # libarchive turns this into "a/b.py"; the central directory check sees it.
    raw_zip(out, "backslash-only.zip", [Raw(b"a\\b.py", b"x")])
    # NFD "cafe\u0301.py" flagged UTF-8: libarchive composes it to NFC.
    raw_zip(out, "nfd.zip", [Raw("cafe\u0301.py".encode(), b"x",
                                 flags=UTF8_FLAG)])
    raw_zip(out, "empty-component.zip", [Raw(b"a//b.py", b"x")])
    raw_zip(out, "dot.zip", [Raw(b"./a.py", b"x")])
    raw_zip(out, "non-utf8.zip", [Raw(b"bad\xff.py", b"x")])
    raw_zip(out, "non-utf8-flagged.zip",
            [Raw(b"bad\xff.py", b"x", flags=UTF8_FLAG)])
    raw_zip(out, "control.zip", [Raw(b"a\x01b.py", b"x")])
    raw_zip(out, "long-path.zip", [Raw(b"x" * 1025, b"x")])
    raw_zip(out, "deep.zip", [Raw(b"d/" * 33 + b"f.py", b"x")])

    # Types.
    raw_zip(out, "symlink.zip",
            [Raw(b"link", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)])
    raw_zip(out, "device.zip", [Raw(b"dev", mode=stat.S_IFCHR | 0o644)])
    raw_zip(out, "socket.zip", [Raw(b"sock", mode=stat.S_IFSOCK | 0o644)])
    raw_zip(out, "fifo.zip", [Raw(b"fifo", b"x", mode=stat.S_IFIFO | 0o644)])
    raw_zip(out, "dir-data.zip",
            [Raw(b"d/", b"data", mode=stat.S_IFDIR | 0o755)])
    # A directory mode on "d": libarchive says "d/", extractors write a file.
    raw_zip(out, "dir-no-slash.zip", [Raw(b"d", mode=stat.S_IFDIR | 0o755)])
    raw_zip(out, "encrypted.zip",
            [Raw(b"secret.py", b"\0" * 24, flags=ENCRYPTED_FLAG)])

    # Names.
    raw_zip(out, "duplicate.zip", [Raw(b"a.py", b"one"), Raw(b"a.py", b"two")])
    raw_zip(out, "duplicate-dir.zip", [
        Raw(b"d/", mode=stat.S_IFDIR | 0o755),
        Raw(b"d/", mode=stat.S_IFDIR | 0o755)])
    raw_zip(out, "case.zip", [Raw(b"A.py", b"1"), Raw(b"a.py", b"2")])
    raw_zip(out, "case-dir.zip", [Raw(b"D/x.py", b"1"), Raw(b"d/y.py", b"2")])
    raw_zip(out, "file-dir.zip", [Raw(b"a", b"1"), Raw(b"a/b", b"2")])
    raw_zip(out, "dir-file.zip", [Raw(b"a/b", b"1"), Raw(b"a", b"2")])
    # libarchive reads names from local headers; the central one differs.
    raw_zip(out, "local-name.zip", [Raw(b"central.py", b"x",
                                        local_name=b"localx.py")])
    # Two central entries sharing one local header (overlapping members).
    raw_zip(out, "overlap.zip", [Raw(b"a.py", b"x"),
                                 Raw(b"a.py", b"x", offset_of=0)])

    # Limits (the tests pass small limits).
    write(out, "too-many.zip", [("f%02d.txt" % i, b"x") for i in range(11)])
    write(out, "total-size.zip",
          [("s%d.bin" % i, b"s" * 1000) for i in range(3)])
    write(out, "bomb.zip", [("bomb.bin", bytes(20 * 1024 * 1024))])
    write(out, "bomb-small-declared.zip",
          [("liar.bin", bytes(1024 * 1024))])
    patch_sizes(os.path.join(out, "bomb-small-declared.zip"), 1000)
    raw_zip(out, "short.zip", [Raw(b"short.txt", b"x" * 50, size=100)])
    raw_zip(out, "long.zip", [Raw(b"long.txt", b"x" * 100, size=50)])
    raw_zip(out, "bad-crc.zip", [Raw(b"crc.txt", b"hello", crc=0x12345678)])
    # The local header's CRC differs from the central one; a local 0 means
    # "see the central directory", which is then checked against the data.
    raw_zip(out, "bad-crc-local.zip",
            [Raw(b"crc.txt", b"hello", local_crc=0x12345678)])
    raw_zip(out, "bad-crc-local-zero.zip",
            [Raw(b"crc.txt", b"hello", crc=0x12345678, local_crc=0)])
    raw_zip(out, "crc-local-zero.zip", [Raw(b"crc.txt", b"hello", local_crc=0)])

    # Not archives, or broken ones.
    with open(os.path.join(out, "good.zip"), "rb") as f:
        good = f.read()
    with open(os.path.join(out, "truncated.zip"), "wb") as f:
        f.write(good[:len(good) // 2])
    with open(os.path.join(out, "garbage.zip"), "wb") as f:
        f.write(bytes((i * 7 + 3) % 251 for i in range(4096)))
    with open(os.path.join(out, "garbage-pk.zip"), "wb") as f:
        f.write(b"PK\x03\x04" + bytes((i * 13 + 5) % 251 for i in range(4096)))
    with open(os.path.join(out, "empty-file.zip"), "wb") as f:
        pass


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-zips.py OUTDIR")
    main(sys.argv[1])
