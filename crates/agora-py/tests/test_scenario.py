"""Loading scenarios, parameter paths, checks and errors."""

import pytest

import agora
from conftest import cli_error


def test_built_in_scenarios_load_by_name():
    assert agora.BUILT_IN == ("fracture", "participation", "pioneer")
    for name in agora.BUILT_IN:
        s = agora.scenario(name)
        assert isinstance(s, agora.Scenario)
        assert s.name == name
        s.check()


def test_ron_text_round_trips():
    fracture = agora.scenario("fracture")
    again = agora.scenario(fracture.to_ron())
    assert again.to_ron() == fracture.to_ron()
    assert again.name == "fracture"


def test_ron_text_with_a_base():
    s = agora.scenario('Scenario(name: "mine", base: Some("pioneer"), steps: 12)')
    assert (s.name, s.steps) == ("mine", 12)
    assert s.replicates == agora.scenario("pioneer").replicates


def test_a_file_loads(tmp_path):
    path = tmp_path / "small.ron"
    path.write_text('Scenario(name: "small", base: Some("fracture"), population: (citizens: 500))')
    s = agora.scenario(path)
    assert s.name == "small"
    assert "citizens: 500" in s.to_ron()
    assert agora.scenario(str(path)).to_ron() == s.to_ron()


def test_set_by_dict_and_keywords():
    s = agora.scenario("fracture", set={"dynamics.digital_imitation": 0.2}, steps=24, dynamics__training=0.5)
    ron = s.to_ron()
    assert "digital_imitation: 0.2," in ron
    assert "training: 0.5," in ron
    assert s.steps == 24
    # The original is unchanged: a Scenario is a value.
    base = agora.scenario("fracture")
    assert agora.scenario(base, steps=3).steps == 3 and base.steps != 3


def test_a_missing_file_is_an_input_error_with_the_cli_message(cli, tmp_path):
    missing = tmp_path / "nope.ron"
    with pytest.raises(agora.InputError) as caught:
        agora.scenario(missing)
    process = cli("check", missing)
    assert process.returncode == 2
    assert str(caught.value) == cli_error(process)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, agora.AgoraError)


def test_a_parse_error_names_the_position(cli, tmp_path):
    path = tmp_path / "bad.ron"
    path.write_text('Scenario(name: "bad", steps: "many")')
    with pytest.raises(agora.InputError) as caught:
        agora.scenario(path)
    assert str(caught.value) == cli_error(cli("check", path))
    assert f"{path}:1:" in str(caught.value)


def test_an_unknown_path_is_an_input_error_with_the_cli_message(cli, tmp_path):
    with pytest.raises(agora.InputError) as caught:
        agora.scenario("fracture", set={"dynamics.nope": 1})
    process = cli("run", "fracture", "--set", "dynamics.nope=1", "--out", tmp_path / "out", "--quiet")
    assert process.returncode == 2
    assert str(caught.value) == cli_error(process)


def test_a_value_out_of_range_fails_check_and_run_with_the_cli_message(cli, tmp_path):
    bad = agora.scenario("fracture", set={"dynamics.digital_imitation": 7})
    with pytest.raises(agora.InputError) as caught:
        bad.check()
    process = cli("run", "fracture", "--set", "dynamics.digital_imitation=7", "--out", tmp_path / "out", "--quiet")
    assert process.returncode == 2
    assert str(caught.value) == cli_error(process)
    with pytest.raises(agora.InputError, match="out of range"):
        agora.run(bad, steps=2, replicates=1, progress=False)


def test_a_missing_edge_list_fails_check(tmp_path):
    s = agora.scenario(
        'Scenario(name: "edges", base: Some("fracture"), population: (social_graph: EdgeList("missing.csv")))'
    )
    with pytest.raises(agora.InputError, match="missing.csv"):
        s.check()


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        agora.scenario(42)
