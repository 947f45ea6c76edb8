"""The generated reference pages match the code, and the documented examples run."""
import subprocess
import sys

from agrosim import load_scenario, reference
from conftest import ROOT


def test_generated_reference_pages_are_current():
    stale = [name for name, text in reference.pages().items()
             if (ROOT / "docs" / "reference" / name).read_text(encoding="utf-8") != text]
    assert not stale, f"stale pages {stale}: run `python -m agrosim.reference`"


def test_reference_covers_every_parameter_and_command():
    from agrosim.cli import COMMANDS
    from agrosim.config.declarations import section_params
    from agrosim.registry import BY_NAME

    from agrosim.config.loader import TOP_KEYS

    page = reference.scenario_page()
    assert all(f"`{key}`" in page for key in TOP_KEYS)
    for sector in BY_NAME.values():
        for spec in section_params(sector):  # with every cell of a prefixed table
            assert f"| `{spec.name}` |" in page
        for ind in sector.indicators:
            assert f"`{ind.name}` ({ind.display_unit}, {ind.zh})" in page
    from agrosim.links.land import INDICATORS

    assert all(f"`{ind.name}` ({ind.display_unit}, {ind.zh})" in page for ind in INDICATORS)
    cli = reference.cli_page()
    assert all(f"## `agrosim {c}`" in cli for c in COMMANDS)
    assert "`land_grain.hsf_area_mu` | 1662 万亩" in reference.coefficients_page()


def test_readme_python_example_runs(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    code = block.replace('r.write("reports")', f'r.write({str(tmp_path)!r})')
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shanxi_grain_2025" / "run" / "targets.csv").is_file()


def _doc_commands():
    import shlex

    for page in sorted((ROOT / "docs").rglob("*.md")):
        if "reference" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        for block in text.split("```bash\n")[1:]:
            for line in block.split("```", 1)[0].splitlines():
                if line.startswith("agrosim "):
                    yield page.relative_to(ROOT).as_posix(), shlex.split(line)[1:]


DOC_COMMANDS = list(_doc_commands())


def test_docs_have_runnable_examples():
    assert len(DOC_COMMANDS) >= 12


import pytest  # noqa: E402


@pytest.mark.parametrize("page,args", DOC_COMMANDS, ids=[f"{p}:{a[0]}:{i}" for i, (p, a) in enumerate(DOC_COMMANDS)])
def test_documented_command_runs(page, args, tmp_path, monkeypatch, capsys):
    from agrosim.cli import main

    monkeypatch.chdir(ROOT)
    extra = [] if args[0] in ("validate", "list", "regions") else ["--out", str(tmp_path)]
    if args[:2] == ["batch", "scenarios"]:
        args = ["batch", str(_three_scenarios(tmp_path / "scenarios")), *args[2:]]
    assert main(args + extra) == 0, f"{page}: agrosim {' '.join(args)}\n{capsys.readouterr().err}"
    if args[0] == "batch":  # one summary row per scenario and target (+ all jointly), each with its P(met)
        import pandas as pd

        summary = pd.read_csv(tmp_path / "batch-scenarios" / "summary.csv")
        targets = {name: len(load_scenario(ROOT / "scenarios" / f"{name}.yaml").targets) for name in BATCH_SCENARIOS}
        assert summary.groupby("scenario").size().to_dict() == {k: n + (n > 1) for k, n in targets.items()}
        assert summary["p_met"].between(0, 1).all()


#: the tutorial's `agrosim batch scenarios` runs here on three bundled scenarios (two regions; grain,
#: every Shanxi herd, perennials), not all of them: each bundled scenario's own Monte Carlo is tested in
#: test_bundled_scenarios, and the batch itself needs only several scenarios to compare
BATCH_SCENARIOS = ("shanxi_baseline", "shanxi_grain_2025", "zuoquan_plan_2025")


def _three_scenarios(folder):
    """The three files as bundled, beside a link to the bundled params/ (their `extends:` is relative)."""
    import shutil

    folder.mkdir()
    (folder.parent / "params").symlink_to(ROOT / "params")
    for name in BATCH_SCENARIOS:
        shutil.copyfile(ROOT / "scenarios" / f"{name}.yaml", folder / f"{name}.yaml")
    return folder
