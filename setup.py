"""Packaging beyond what pyproject.toml can say: the wheel carries params/, scenarios/ and plans/ (kept at
the repository top level) inside the package as agrosim/bundled/<folder>/, found by `agrosim.paths`."""
from setuptools import find_packages, setup

BUNDLED = {"params": ["*.yaml"], "scenarios": ["*.yaml"], "plans": ["*.txt", "README.md"]}

setup(
    packages=find_packages(include=["agrosim", "agrosim.*"]) + [f"agrosim.bundled.{name}" for name in BUNDLED],
    package_dir={f"agrosim.bundled.{name}": name for name in BUNDLED},
    package_data={"agrosim.report": ["templates/*.j2"], "agrosim.explorer": ["page.html"],
                  **{f"agrosim.bundled.{name}": files for name, files in BUNDLED.items()}},
)
