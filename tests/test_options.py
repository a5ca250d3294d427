"""options: one declaration per option, and everything derived from it (dataclass, CLI, checks, metadata)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.options import (
    BUILD,
    FETCH,
    OPTIONS,
    S2AG,
    SCALE,
    BuildOptions,
    build_options,
    group,
    stored_build_options,
)

FIXTURES = Path(__file__).parent / "fixtures"
NUMERIC = [o for o in OPTIONS.values() if o.type in (int, float)]


def test_build_options_fields_are_the_declared_build_options_with_their_defaults():
    fields = dataclasses.fields(BuildOptions)
    assert [f.name for f in fields] == [o.name for o in group(BUILD)]
    defaults = dataclasses.asdict(BuildOptions())
    assert defaults == {o.name: o.default for o in group(BUILD)}


@pytest.mark.parametrize("group_name", [BUILD, FETCH, S2AG, SCALE])
def test_every_declared_option_is_a_flag_of_graphx_build(group_name):
    help_text = CliRunner().invoke(cli, ["build", "--help"], terminal_width=200).output
    for option in group(group_name):
        assert option.flag in help_text, option.flag


@pytest.mark.parametrize("option", NUMERIC, ids=lambda o: o.name)
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_numbers_are_refused_naming_the_flag(option, bad):
    with pytest.raises(ConfigError, match=option.flag):
        option.check(bad)


@pytest.mark.parametrize("option", NUMERIC, ids=lambda o: o.name)
def test_numbers_outside_the_declared_range_are_refused(option):
    below = option.low - 1 if option.low is not None else None
    for value in [v for v in (below, option.high + 1 if option.high is not None else None) if v is not None]:
        with pytest.raises(ConfigError, match=option.flag):
            option.check(value)
    if option.default is not None:
        assert option.check(option.default) == option.default


@pytest.mark.parametrize(
    "kwargs, flag",
    [
        ({"seed": -1}, "--seed"),
        ({"weights": {"cites": math.inf}}, "--weights"),
        ({"weights": {"cites": math.nan}}, "--weights"),
        ({"weights": {"cites": -1.0}}, "--weights"),
        ({"resolution": 0.0}, "--resolution"),
        ({"label_terms": 1}, "--label-terms"),
        ({"top_k": 2.5}, "--top-k"),
    ],
)
def test_bad_build_options_name_the_flag(kwargs, flag):
    with pytest.raises(ConfigError, match=flag):
        BuildOptions(**kwargs)


def test_unknown_build_options_are_named():
    with pytest.raises(ConfigError, match="top_kk"):
        build_options(top_kk=3)


def test_stored_parameters_of_older_graphs_take_todays_defaults_for_new_options():
    old = {k: v for k, v in dataclasses.asdict(BuildOptions(top_k=4)).items() if k != "label_terms"}
    options = stored_build_options({**old, "retired_option": 1})
    assert options.top_k == 4 and options.label_terms == OPTIONS["label_terms"].default


def test_cli_options_reach_the_stored_parameters(tmp_path):
    from graphx.store import graphs

    args = ["build", "-i", str(FIXTURES / "papers.jsonl"), "--label-terms", "2", "--top-k", "3",
            "--weights", "similar=2", "--name", "opts", "--quiet", "--cache-dir", str(tmp_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    parameters = graphs.load_meta(tmp_path, "opts")["parameters"]
    assert parameters == dataclasses.asdict(
        BuildOptions(
            label_terms=2, top_k=3, weights={"cites": 1.0, "similar": 2.0, "cocited": 0.5, "coupled": 0.5}
        )
    )
