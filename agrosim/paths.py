"""Where bundled files live. In the source tree params/, scenarios/ and plans/ sit at the repository
root beside the package; an installed wheel carries the same folders inside the package, as
agrosim/bundled/<folder>/ (pyproject.toml maps them there), so scenarios resolve outside the repository."""
import os
import threading
from contextlib import contextmanager
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def project_root() -> Path:
    """The repository root (the folder holding the package) of a source checkout."""
    return _PACKAGE.parent


def _bundled(folder: str) -> Path:
    """agrosim/bundled/<folder> when installed from a wheel, else <repository>/<folder>."""
    inside = _PACKAGE / "bundled" / folder
    return inside if inside.is_dir() else project_root() / folder


def bundled_params_dir() -> Path:
    """Region parameter files (params/*.yaml)."""
    return _bundled("params")


def bundled_scenarios_dir() -> Path:
    """Bundled scenarios (scenarios/*.yaml)."""
    return _bundled("scenarios")


def plans_dir() -> Path:
    """The plan texts that `source: {seed: FILE, line: N}` cites (plans/*.txt)."""
    return _bundled("plans")


def bundled_file(ref: str) -> Path | None:
    """A bundled region (`shanxi`) or scenario (`shanxi_grain_2025`, with or without .yaml) named
    without a folder, or None."""
    if "/" in ref or "\\" in ref:
        return None
    stem = ref[:-5] if ref.endswith(".yaml") else ref
    for folder in (bundled_params_dir(), bundled_scenarios_dir()):
        if stem and (folder / f"{stem}.yaml").is_file():
            return folder / f"{stem}.yaml"
    return None


#: the environment variable naming agrosim's cache folder (default: the user cache folder, see `cache_dir`)
CACHE_ENV = "AGROSIM_CACHE_DIR"


def cache_dir() -> Path:
    """Where agrosim keeps what it can rebuild (font subsets): $AGROSIM_CACHE_DIR, else
    $XDG_CACHE_HOME/agrosim, else ~/.cache/agrosim. Not created here."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agrosim"


@contextmanager
def atomic_file(path: Path):
    """A temporary path beside `path` to write into: moved over `path` when the block ends without an
    error, removed otherwise, so a reader sees the old file or the whole new one, never part of it.
    The name is unique to the process and thread (two writers never share a temporary file)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
