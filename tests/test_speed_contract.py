"""Start-up contract: `import agrosim` and the command-line parser load none of the heavy stack
(matplotlib, pyarrow, jinja2); commands import what they use when they run."""
import subprocess
import sys

from conftest import ROOT

HEAVY = "{'matplotlib', 'pyarrow', 'jinja2'}"


def loaded_after(code: str) -> str:
    probe = f"{code}\nimport sys; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY}))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_agrosim_loads_no_heavy_package():
    assert loaded_after("import agrosim") == "[]"


def test_cli_parser_loads_no_heavy_package():
    assert loaded_after("import agrosim, agrosim.cli; agrosim.cli.build_parser()") == "[]"


def test_list_and_validate_load_no_heavy_package():
    code = ("import contextlib, io; from agrosim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['list']) == 0 and main(['validate', 'scenarios/shanxi_baseline.yaml']) == 0")
    assert loaded_after(code) == "[]"


def test_public_names_load_on_first_use():
    """The lazy package entry still hands out every public name, and the heavy stack once a call needs it."""
    code = "import agrosim; assert all(callable(getattr(agrosim, n)) for n in agrosim.__all__); agrosim.run"
    assert loaded_after(code) != "[]"  # run() → results as a pandas frame (pyarrow) with the API module
