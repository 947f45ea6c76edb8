"""The CJK font subset cache: the same bytes as a fresh subset, one entry per character set and font,
corrupt entries rebuilt, never the user's own cache folder in tests (conftest sets AGROSIM_CACHE_DIR)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from agrosim.paths import CACHE_ENV, cache_dir
from agrosim.report import font_subset
from agrosim.report.font_subset import build_subset, entry_path, subset_font
from agrosim.report.lang import cjk_font_file

CHARS = "粮食产量万吨"


@pytest.fixture
def font(tmp_path, monkeypatch) -> Path:
    """The CJK font the report uses, with an empty cache folder of this test."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    path = cjk_font_file()
    assert path is not None, "mplfonts (a core dependency) brings Noto Sans CJK"
    return path


def _no_build(*args):
    raise AssertionError("subset built again although a valid cache entry exists")


def test_a_cached_subset_is_the_same_bytes_as_a_fresh_one(font, monkeypatch):
    fresh = build_subset(font, CHARS)
    assert build_subset(font, CHARS) == fresh  # the subset keeps the font's date: no time stamp in it
    assert subset_font(font, CHARS) == fresh
    entry = entry_path(font, CHARS)
    assert entry.parent == cache_dir() / "font-subsets" and entry.is_file()
    monkeypatch.setattr(font_subset, "build_subset", _no_build)
    assert subset_font(font, CHARS) == fresh
    cmap = TTFont(io.BytesIO(fresh)).getBestCmap()
    assert {ord(c) for c in CHARS} <= set(cmap) and len(cmap) < 50


@pytest.mark.parametrize("damage", [lambda raw: raw[:len(raw) // 2], lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),
                                    lambda raw: b""], ids=["truncated", "one bit flipped", "empty"])
def test_a_corrupt_entry_is_rebuilt(font, damage):
    fresh = subset_font(font, CHARS)
    entry = entry_path(font, CHARS)
    entry.write_bytes(damage(entry.read_bytes()))
    assert subset_font(font, CHARS) == fresh
    assert entry.read_bytes()[32:] == fresh  # repaired: the digest and the font again


def test_another_character_set_or_font_file_is_another_entry(font, tmp_path):
    other = subset_font(font, CHARS + "猪")
    assert entry_path(font, CHARS + "猪") != entry_path(font, CHARS)
    assert entry_path(font, "".join(reversed(CHARS))) == entry_path(font, CHARS)  # a set: order does not count
    assert other != subset_font(font, CHARS)
    copy = tmp_path / "copy.otf"
    copy.write_bytes(font.read_bytes())
    assert entry_path(copy, CHARS) != entry_path(font, CHARS)
    os.utime(copy, ns=(1, 1))
    before = entry_path(copy, CHARS)
    os.utime(copy, ns=(2, 2))
    assert entry_path(copy, CHARS) != before  # a font file changed in place is a new entry
    assert len(list((cache_dir() / "font-subsets").glob("*.otf"))) == 2


def test_a_cache_folder_that_cannot_be_written_leaves_the_subset_uncached(font, tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert subset_font(font, CHARS) == build_subset(font, CHARS)
    assert blocker.read_text() == "not a folder"


def test_the_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "agrosim"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "agrosim"


def test_the_suite_never_uses_the_users_cache_folder():
    assert os.environ.get(CACHE_ENV) and "agrosim-cache" in os.environ[CACHE_ENV]


def test_atomic_file_replaces_whole_or_leaves_the_old_file(tmp_path):
    """paths.atomic_file (the font cache, regions' CSV and the explorer's saved scenarios write through it):
    a block that fails leaves the old file and no temporary file; one that ends replaces the file."""
    from agrosim.paths import atomic_file

    target = tmp_path / "entry.otf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed mid-way")
    assert target.read_bytes() == b"old" and sorted(tmp_path.iterdir()) == [target]
    with atomic_file(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and sorted(tmp_path.iterdir()) == [target]
