"""Shared fixtures: the repository root and a writer for small scenario files."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


def writer(folder: Path):
    """write(name, data_or_text) -> path in `folder`; dicts are dumped as YAML, strings written as they are."""
    def _write(name: str, content) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path
    return _write


@pytest.fixture
def write(tmp_path):
    """write(name, data_or_text) -> path in this test's tmp_path (see `writer`)."""
    return writer(tmp_path)


def small_grain(**land_grain) -> dict:
    """A small hand-checkable land & grain scenario; keyword arguments override land_grain keys."""
    section = {
        "cultivated_land_mu": "1000 亩", "red_line_mu": "990 亩", "land_loss_mu_per_yr": "8 亩/年",
        "reclamation_mu_per_yr": "2 亩/年", "grain_area_mu": "800 亩", "hsf_area_mu": "100 亩",
        "hsf_build_mu_per_yr": "50 亩/年", "hsf_yield_uplift": 0.2, "yield_trend_per_yr": "10 %/yr",
        "crops": {
            "maize": {"area_share": 0.5, "base_yield_kg_per_mu": "400 kg/亩"},
            "potato": {"area_share": 0.5, "base_yield_kg_per_mu": "1000 kg/亩", "grain_equiv": 0.2},
        },
    }
    section.update(land_grain)
    return {"region": {"id": "testland", "en": "Test county", "zh": "测试县"}, "base_year": 2020,
            "end_year": 2023, "land_grain": section}


# --- Hypothesis profiles: quick counts in the default run, many more under `pytest -m long` ---------
from hypothesis import HealthCheck, settings  # noqa: E402

LONG_EXAMPLES = 1000
settings.register_profile("long", max_examples=LONG_EXAMPLES, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                 HealthCheck.large_base_example, HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture])


def long_settings() -> settings:
    """Settings of the tests marked `long` (deselected by default, run with `python -m pytest -m long`)."""
    return settings(settings.get_profile("long"))


# --- One font subset per character set ----------------------------------------------------------------
@pytest.fixture(autouse=True, scope="session")
def _font_subset_once_per_character_set():
    """report.html embeds a subset of the CJK font holding the CJK characters of its text (about 1 s of CPU
    each, in every report the suite writes). The subset depends only on that character set and the font
    file, so within this test process each (characters, font) pair is subset once and reused; reports
    written by child processes still subset their own. Tests that monkeypatch the font away get their own
    key (the font file is looked up on every call)."""
    from agrosim.report import html

    subset_of = html.cjk_font_face
    made: dict[tuple[str, object], str] = {}

    def cached(text: str) -> str:
        key = ("".join(sorted({c for c in text if ord(c) >= 0x2E80})), html.cjk_font_file())
        if key not in made:
            made[key] = subset_of(text)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(html, "cjk_font_face", cached)
        yield


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory):
    """The suite and the commands it starts keep their font subsets in a folder of this session, never in
    the user's cache folder (AGROSIM_CACHE_DIR, see agrosim.paths.cache_dir)."""
    from agrosim.paths import CACHE_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("agrosim-cache")))
        yield
