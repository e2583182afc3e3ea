"""Reading a file a trainer hands the kit (a module, an article) as text, before anything parses it.

A file may be anything: far too large, saved as UTF-16 or Latin-1, binary. Each is refused here with one
line saying what is wrong and what to do, and a file over its size limit is never read in full.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from workshop.errors import ModuleError

UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's marks start with these too
SAVE_AS_UTF8 = "save it as UTF-8 (in your editor: Save As, Encoding: UTF-8)"


def size_text(size: int) -> str:
    """A size as people read it: '950 bytes', '200 KB', '52.4 MB'."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def read_within(path: Path, *, what: str, limit: int) -> bytes:
    """The file's bytes; ModuleError when it cannot be read or is larger than `limit` bytes, which is
    found before a byte is read. `what` names the file in messages ("module", "article")."""
    where = str(path)
    too_big = (
        f"is larger than any {what} can be (at most {size_text(limit)}) — check that this is the {what} "
        "file you meant"
    )
    try:
        size = path.stat().st_size
        if size > limit:
            raise ModuleError(f"the file is {size_text(size)}, which {too_big}", path=where)
        with path.open("rb") as file:
            data = file.read(limit + 1)  # a file growing, or a device, is still read no further
    except OSError as error:
        raise ModuleError(
            f"cannot read the {what} ({error.strerror or error}) — check the path", path=where
        ) from None
    if len(data) > limit:
        raise ModuleError(f"the file {too_big}", path=where)
    return data


def read_text_file(path: Path, *, what: str, limit: int) -> str:
    """The file's text, decoded as UTF-8 (a leading byte-order mark dropped).

    Raises ModuleError, naming the file (and the line where there is one), when it cannot be read, is
    larger than `limit` bytes, is not UTF-8 or holds a NUL byte.
    """
    where = str(path)
    data = read_within(path, what=what, limit=limit)
    if data.startswith(UTF16_MARKS):
        raise ModuleError(f"the file is saved as UTF-16, not UTF-8 — {SAVE_AS_UTF8}", path=where)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul)
        raise ModuleError(
            f"{where}:{line}:{column}: line {line} holds a NUL byte, so this is not a text file (or it is "
            f"saved as UTF-16) — open the {what} in a text editor and {SAVE_AS_UTF8}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise ModuleError(
            f"{where}:{line}:{column}: line {line} has a byte that is not UTF-8 (0x{data[error.start]:02x}): "
            f"the file is saved in another encoding, such as Latin-1 or Windows-1252 — {SAVE_AS_UTF8}"
        ) from None
