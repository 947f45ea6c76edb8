"""The CJK font subset embedded in report.html, kept on disk between runs.

Subsetting Noto Sans CJK (about 16 MB, 65 000 glyphs) to the few hundred characters of a report takes
about a second of CPU. The subset keeps the font's own date, so it is the same bytes every time, and
it depends only on the font file, the characters and the fontTools version: it is cached under
`agrosim.paths.cache_dir()/font-subsets`, one file per such key. An entry starts with the SHA-256 of
the font bytes that follow it: an entry that does not match (truncated, edited) is rebuilt. Entries
are written to a temporary file and renamed into place, so a reader never sees half of one; a cache
folder that cannot be written leaves the subset uncached.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import fontTools

from agrosim.paths import atomic_file, cache_dir

FOLDER = "font-subsets"
_DIGEST = hashlib.sha256().digest_size


def subset_font(font: Path, chars: str) -> bytes:
    """The OpenType bytes of `font` (face 0) cut down to `chars` with every layout feature kept; from
    the cache when a valid entry exists, else built and cached."""
    entry = entry_path(font, chars)
    cached = _read(entry)
    if cached is not None:
        return cached
    data = build_subset(font, chars)
    _write(entry, data)
    return data


def build_subset(font: Path, chars: str) -> bytes:
    """The subset itself, without the cache (fontTools' subsetter, 0.15 s to import, only when needed)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    face = TTFont(font, fontNumber=0, recalcTimestamp=False)  # the font's own date: the same bytes every time
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(face)
    buffer = io.BytesIO()
    face.save(buffer)
    return buffer.getvalue()


def entry_path(font: Path, chars: str) -> Path:
    """The cache file for this font file (path, size, modification time), character set and fontTools."""
    info = Path(font).stat()
    key = "\0".join([str(Path(font).resolve()), str(info.st_size), str(info.st_mtime_ns), fontTools.version,
                     "".join(sorted(set(chars)))])
    return cache_dir() / FOLDER / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.otf"


def _read(entry: Path) -> bytes | None:
    """The font bytes of a valid entry, else None."""
    try:
        raw = entry.read_bytes()
    except OSError:
        return None
    digest, data = raw[:_DIGEST], raw[_DIGEST:]
    return data if data and hashlib.sha256(data).digest() == digest else None


def _write(entry: Path, data: bytes) -> None:
    """Store `data` atomically; a folder that cannot be written is left alone."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(entry) as tmp:
            tmp.write_bytes(hashlib.sha256(data).digest() + data)
    except OSError:
        return
