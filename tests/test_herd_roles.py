"""Herd roles are declared (issue 20): a herd sector names its parameter for each `HerdRole`, and a
missing, misspelt or undeclared role fails when the sector module is imported, not when a run starts."""
import dataclasses

import pytest

from agrosim.sectors import beef, dairy, sheep
from agrosim.sectors._herd import HerdKind, HerdRole


def _without(kind: HerdKind, role: HerdRole) -> dict:
    return {r: name for r, name in kind.names.items() if r is not role}


def test_every_herd_names_each_required_role_with_a_declared_parameter():
    for module in (dairy, beef, sheep):
        kind = module.KIND
        assert all(isinstance(r, HerdRole) for r in kind.names)
        declared = {p.name for p in module.PARAMS}
        assert set(kind.names.values()) <= declared
        assert (HerdRole.FINISHING_MONTHS in kind.names) is kind.finishing
    assert dairy.KIND.names[HerdRole.BREEDER_CULL] == "cow_cull_rate_per_yr"
    assert sheep.KIND.names[HerdRole.BASE_BREEDERS] == "base_ewes_head"


def test_a_missing_role_fails_at_declaration():
    with pytest.raises(ValueError, match="herd roles not named: breeder_cull;"):
        dataclasses.replace(dairy.KIND, names=_without(dairy.KIND, HerdRole.BREEDER_CULL))
    with pytest.raises(ValueError, match="herd roles not named: finishing_death;"):
        dataclasses.replace(beef.KIND, names=_without(beef.KIND, HerdRole.FINISHING_DEATH))
    with pytest.raises(ValueError, match="finishing roles of a herd that does not finish: finishing_death"):
        dataclasses.replace(beef.KIND, finishing=False)


def test_a_misspelt_role_fails_at_declaration():
    names = {**_without(sheep.KIND, HerdRole.BREEDER_CULL), "breder_cull": "ewe_cull_rate_per_yr"}
    with pytest.raises(TypeError, match="found 'breder_cull' .did you mean 'breeder_cull'."):
        dataclasses.replace(sheep.KIND, names=names)


def test_a_role_naming_an_undeclared_or_wrongly_shaped_parameter_fails():
    names = {**dairy.KIND.names, HerdRole.SPARE: "spare_capacity_shar"}
    with pytest.raises(ValueError, match="spare names 'spare_capacity_shar', not a declared parameter"):
        dataclasses.replace(dairy.KIND, names=names)
    names = {**dairy.KIND.names, HerdRole.BREEDER_GROWTH: "cow_cull_rate_per_yr"}
    with pytest.raises(ValueError, match="breeder_growth names 'cow_cull_rate_per_yr', which must vary by year"):
        dataclasses.replace(dairy.KIND, names=names)

