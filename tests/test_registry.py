"""gdlab._registry: one registry (aliases, case, duplicates, suggestions, listing, one message) and its users."""

import subprocess
import sys

import pytest

from gdlab._registry import Registry, UnknownNameError, normalize, parse_params, parse_value


def colours():
    reg = Registry("colour")
    reg.register("red", 1, aliases=["rouge", "rot"])
    reg.register("green", 2)
    reg.register("light_blue", 3, aliases=["sky"])
    return reg


def test_get_folds_case_spaces_and_hyphens_and_follows_aliases():
    reg = colours()
    assert reg.get("red") == 1 and reg.get(" RED ") == 1 and reg.get("Rouge") == 1 and reg.get("rot") == 1
    assert reg.get("Light-Blue") == 3 and reg.get("light blue") == 3 and reg.get("SKY") == 3
    assert reg.canonical("ROT") == "red" and reg.canonical("light  blue") == "light_blue"
    assert "GREEN" in reg and "sky" in reg and "blue" not in reg and 3 not in reg
    assert normalize("  Six-Hump  Camel ") == "six_hump_camel"


def test_names_in_registration_order_aliases_last():
    reg = colours()
    assert reg.names() == ["red", "green", "light_blue"] == list(reg)
    assert reg.names(aliases=True) == ["red", "green", "light_blue", "rouge", "rot", "sky"]
    assert len(reg) == 3


def test_duplicates_and_malformed_names_are_refused():
    reg = colours()
    with pytest.raises(ValueError, match="colour 'red' is registered twice"):
        reg.register("red", 9)
    with pytest.raises(ValueError, match="colour 'rot' is registered twice"):
        reg.register("rot", 9)  # an alias already
    with pytest.raises(ValueError, match="'green' is registered twice"):
        reg.register("blue", 9, aliases=["green"])  # a name already
    with pytest.raises(ValueError, match="given twice"):
        reg.register("blue", 9, aliases=["blue"])
    with pytest.raises(ValueError, match="'sky' is registered twice"):
        reg.alias("sky", "green")
    with pytest.raises(ValueError, match="no colour 'blue' is registered"):
        reg.alias("azure", "blue")
    with pytest.raises(ValueError, match="not in key form; register it as 'blue'"):
        reg.register("Blue", 9)
    with pytest.raises(TypeError, match="non-empty str"):
        reg.register("", 9)
    assert "blue" not in reg and reg.names() == ["red", "green", "light_blue"]  # nothing half-registered


def test_an_existing_table_is_used_in_place_and_checked():
    table, aliases = {"sgd": "S", "adam": "A"}, {"gd": "sgd"}
    reg = Registry("optimizer", table, aliases=aliases)
    assert reg.get("GD") == "S"
    table["lion"] = "L"  # the module's dict stays the table
    assert reg.get("Lion") == "L"
    reg.register("nadam", "N")
    assert table["nadam"] == "N"
    with pytest.raises(ValueError, match="stands for 'momentum', which is not registered"):
        Registry("optimizer", {"sgd": 1}, aliases={"heavy": "momentum"})
    with pytest.raises(ValueError, match="alias 'sgd' is also a name"):
        Registry("optimizer", {"sgd": 1}, aliases={"sgd": "sgd"})
    with pytest.raises(ValueError, match="not in key form"):
        Registry("optimizer", {"SGD": 1})


def test_suggestions_are_close_names_and_an_alias_suggests_its_name():
    reg = colours()
    assert reg.suggest("gren") == ["green"]
    assert reg.suggest("rote") == ["red"]  # close to the alias "rot", and "red" is what it stands for
    assert reg.suggest("Light_Bleu") == ["light_blue"]
    assert reg.suggest("purple") == []
    assert reg.suggest(42) == []


def test_one_message_format():
    reg = colours()
    with pytest.raises(UnknownNameError) as info:
        reg.get("gren")
    assert str(info.value) == "unknown colour 'gren'. Did you mean 'green'? Known colours: red, green, light_blue"
    assert isinstance(info.value, ValueError) and not isinstance(info.value, KeyError)
    assert (info.value.kind, info.value.name, info.value.suggestions) == ("colour", "gren", ["green"])
    assert str(reg.error("purple")) == "unknown colour 'purple'. Known colours: red, green, light_blue"
    two = Registry("optimizer")
    for name in ("adam", "adamw", "sgd"):
        two.register(name, name)
    assert str(two.error("adamm")) == ("unknown optimizer 'adamm'. Did you mean 'adam', 'adamw'? "
                                       "Known optimizers: adam, adamw, sgd")
    quiet = Registry("experiment", {"seed000_x2": 0}, listed=False, note="See 'gdlab demo --list'.")
    assert str(quiet.error("seed000_x3")) == ("unknown experiment 'seed000_x3'. Did you mean 'seed000_x2'? "
                                              "See 'gdlab demo --list'.")
    assert str(Registry("loss", plural="losses").error("l1")) == "unknown loss 'l1'. Known losses: none"


def test_a_name_that_is_not_text_is_a_type_error():
    with pytest.raises(TypeError, match=r"colour name must be a str, got 3 \(int\)"):
        colours().get(3)
    with pytest.raises(TypeError, match="colour name must be a str, got None"):
        colours().canonical(None)


@pytest.mark.parametrize("text, value", [
    ("0.9", 0.9), ("-2", -2), ("+3", 3), ("1e-3", 1e-3), (".5", 0.5), ("true", True), ("Yes", True), ("off", False),
    ("none", None), ("NULL", None), ("0.9/0.999", (0.9, 0.999)), ("1;2", (1, 2)), ("relu", "relu"), (" sum ", "sum"),
])
def test_parse_value(text, value):
    got = parse_value(text)
    assert got == value and type(got) is type(value)


def test_parse_value_and_params_errors():
    with pytest.raises(ValueError, match=r"^value: 'inf' is not a finite number$"):
        parse_value("inf")
    with pytest.raises(ValueError, match="^value: 'nan' is not a finite number$"):
        parse_value(" nan ")
    with pytest.raises(ValueError, match="^value: empty value$"):
        parse_value("0.9/")
    with pytest.raises(ValueError, match="^--param lr: 'nan' is not a finite number$"):
        parse_params(["lr=nan"], "--param")
    assert parse_value("(0.9, 0.99)") == parse_value("0.9,0.99") == parse_value("0.9/0.99") == (0.9, 0.99)
    assert parse_params(["momentum=0.9", "nesterov=true", "weight-decay=1e-4"], "x") == {
        "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}
    for bad in ("momentum", "=1", "1x=2", "lr= ", ""):
        with pytest.raises(ValueError, match=f"^malformed --param {bad!r}: expected KEY=VALUE, e.g. momentum=0.9$"):
            parse_params([bad], "--param")


# -- every lookup by name goes through it, each kind with its own label -------------------------------------

def _lookups():
    import gdlab
    from gdlab import datasets, demo, functions, optim
    from gdlab.nn import init, losses, metrics

    return [
        (lambda: functions.get("rosenbrok"), "function", "rosenbrock", "functions"),
        (lambda: optim.get("adamm"), "optimizer", "adam", "optimizers"),
        (lambda: optim.get_rule("nestrov"), "optimizer", "nesterov", "optimizers"),
        (lambda: gdlab.minimize("sphere", [1.0, 1.0], steps=1, schedule="cosinus"), "schedule", "cosine", "schedules"),
        (lambda: losses.get("hubber"), "loss", "huber", "losses"),
        (lambda: metrics.get("acuracy"), "metric", "accuracy", "metrics"),
        (lambda: init.get("he_normall"), "initialiser", "he_normal", "initialisers"),
        (lambda: datasets.get("moon"), "dataset", "moons", "datasets"),
        (lambda: demo.select(["seed000_x3"]), "experiment", "seed000_x2", None),
    ]


@pytest.mark.parametrize("case", range(9))
def test_every_registry_speaks_the_same_format(case):
    call, kind, close, plural = _lookups()[case]
    with pytest.raises(UnknownNameError) as info:
        call()
    message = str(info.value)
    assert message.startswith(f"unknown {kind} ") and f"Did you mean '{close}'" in message
    assert info.value.kind == kind and close in info.value.suggestions
    assert (f"Known {plural}: " in message) if plural else message.endswith("See 'gdlab demo --list'.")


def test_difflib_only_loads_to_word_an_error():
    code = ("import sys, gdlab, gdlab.optim, gdlab.functions, gdlab.runs, gdlab.nn, gdlab.datasets\n"
            "from gdlab import optim, functions, datasets\nfrom gdlab.nn import losses\n"
            "optim.get('ADAM'); functions.get('x^2'); losses.get('mse'); datasets.describe('Moons')\n"
            "functions.resolve_function('rosenbrock:dim=3')\n"
            "print('difflib' in sys.modules)\n"
            "try:\n    optim.get('adamm')\nexcept ValueError:\n    print('difflib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
