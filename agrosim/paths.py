"""Where bundled files live: the repository root holds params/ and scenarios/ beside the package."""
from pathlib import Path


def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def bundled_params_dir() -> Path:
    return project_root() / "params"


def bundled_scenarios_dir() -> Path:
    return project_root() / "scenarios"
