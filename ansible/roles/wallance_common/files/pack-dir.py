#!/usr/bin/env python3
"""Packs a directory into a reproducible tar.gz (for one-transfer installs with unarchive).

    pack-dir.py SRC_DIR  -> prints the path of a new temporary archive

Entries are sorted, owned by root, dated 2020-01-01 and mode 0755 (directories, executables)
or 0644, so the archive depends only on the files' names, contents and executable bits: the
target's unarchive then reports a change only when the catalogue really changed.
"""
import gzip
import io
import os
import sys
import tarfile
import tempfile

MTIME = 1577836800  # 2020-01-01T00:00:00Z


def main(src):
    src = os.path.abspath(src)
    fd, out = tempfile.mkstemp(prefix="wallance-pack-", suffix=".tar.gz")
    entries = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(dirs + files):
            entries.append(os.path.join(root, name))
    entries.sort(key=lambda p: os.path.relpath(p, src))
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=MTIME, filename="") as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
            for path in entries:
                info = tar.gettarinfo(path, arcname=os.path.relpath(path, src))
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = MTIME
                if info.isdir():
                    info.mode = 0o755
                    tar.addfile(info)
                elif info.isfile():
                    info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                    with open(path, "rb") as f:
                        tar.addfile(info, io.BytesIO(f.read()))
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
