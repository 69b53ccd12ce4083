"""Every numeric setting has a range, checked by `pocketmind config KEY VALUE` and when config.toml loads."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import fields

import pytest

from pocketmind.cli import main
from pocketmind.errors import ConfigError
from pocketmind.settings import Settings, load

# The failures of issue 17 item 11, and their neighbours.
REFUSED = [
    ("search.results", "0", "a whole number from 1 to 200"),
    ("search.candidates", "0", "a whole number from 10 to 5000"),
    ("search.results", "2.5", "a whole number from 1 to 200"),  # an int must be an int
    ("daemon.quiet_seconds", "-1", "a number from 0 to 86400"),
    ("daemon.quiet_seconds", "nan", "a number from 0 to 86400"),
    ("daemon.rescan_minutes", "inf", "a number from 1 to 10080"),
    ("daemon.poll_seconds", "-0.5", "a number from 1 to 86400"),
    ("models.llm_context", "1", "a whole number from 512 to 1048576"),
]


def numeric_settings() -> list[tuple[str, type]]:
    settings = Settings()
    return [(f"{section.name}.{f.name}", type(getattr(getattr(settings, section.name), f.name)))
            for section in fields(settings) for f in fields(getattr(settings, section.name))
            if type(getattr(getattr(settings, section.name), f.name)) in (int, float)]


@pytest.mark.parametrize("key, value, allowed", REFUSED)
def test_config_set_refuses_a_value_out_of_range(tmp_path, capsys, key, value, allowed):
    home = tmp_path / "home"
    assert main(["--home", str(home), "config", key, value]) == 2
    assert capsys.readouterr().err.splitlines() == [f"error: setting {key} = {value} is not allowed: use {allowed}"]
    assert not (home / "config" / "config.toml").exists()


@pytest.mark.parametrize("line, shown, allowed", [
    ("[search]\nresults = 0", "search.results = 0", "a whole number from 1 to 200"),
    ("[search]\ncandidates = 0", "search.candidates = 0", "a whole number from 10 to 5000"),
    ("[search]\nresults = 8.0", "search.results = 8.0", "a whole number from 1 to 200"),
    ("[search]\nresults = true", "search.results = True", "a whole number from 1 to 200"),
    ("[daemon]\nquiet_seconds = nan", "daemon.quiet_seconds = nan", "a number from 0 to 86400"),
    ("[daemon]\nrescan_minutes = -5", "daemon.rescan_minutes = -5", "a number from 1 to 10080"),
    ("[models]\nllm_context = 1", "models.llm_context = 1", "a whole number from 512 to 1048576"),
])
def test_a_config_file_out_of_range_stops_with_the_key_value_and_range(tmp_path, line, shown, allowed):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True, mode=0o700)
    home.chmod(0o700)
    config = home / "config" / "config.toml"
    config.write_text(line + "\n")
    config.chmod(0o600)
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "status"], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {config}: setting {shown} is not allowed: use {allowed}"]


@pytest.mark.parametrize("key, kind", numeric_settings())
def test_every_numeric_setting_has_a_range_with_both_ends_enforced(key, kind):
    settings = Settings()
    low, high = settings.allowed_range(key)
    step, what = (1, "a whole number") if kind is int else (0.5, "a number")
    for good in (low, high):
        settings.set(key, str(good))
        assert settings.get(key) == good and type(settings.get(key)) is kind
    for bad in (low - step, high + step, math.nan, math.inf, -math.inf):
        with pytest.raises(ConfigError, match=rf"^setting {key} = .* is not allowed: use {what} from {low} to {high}$"):
            settings.set(key, bad)
    assert settings.get(key) == high  # a refused value leaves the setting as it was


def test_defaults_are_inside_their_ranges_and_survive_a_save_and_load(tmp_path):
    from pocketmind.settings import save

    settings = Settings()
    for key, _kind in numeric_settings():
        low, high = settings.allowed_range(key)
        assert low <= settings.get(key) <= high, key
    save(settings, tmp_path / "config.toml")
    assert load(tmp_path / "config.toml") == settings


def test_the_config_listing_shows_each_range_with_its_documentation(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "home"), "config"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # as read, whatever the terminal's width
    assert "search.results = 8 How many results `search` shows and `ask` may cite. (1 to 200) " in out
    assert "daemon.quiet_seconds = 2.0 The daemon indexes a changed file once it has been unchanged this long. (0 to 86400)" in out
    assert out.count(" to ") >= len(numeric_settings())
    saved = tmp_path / "home" / "config" / "config.toml"
    assert main(["--home", str(tmp_path / "home"), "config", "search.results", "12"]) == 0
    assert "# How many results `search` shows and `ask` may cite. (1 to 200)\nresults = 12\n" in saved.read_text()


def test_daemon_timings_given_on_the_command_line_are_checked_too(tmp_path, capsys):
    assert main(["--home", str(tmp_path / "home"), "daemon", "run", "--quiet", "nan"]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: setting daemon.quiet_seconds = nan is not allowed: use a number from 0 to 86400"]
    assert main(["--home", str(tmp_path / "home"), "daemon", "start", "--rescan", "-1"]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: setting daemon.rescan_minutes = -1.0 is not allowed: use a number from 1 to 10080"]


def test_a_context_window_too_small_for_the_prompt_is_refused(tmp_path, capsys):
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "config", "models.llm_context", "600"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: setting models.llm_context = 600 cannot hold search.context_tokens = 500 plus models.max_answer_tokens = 48 "
        "plus 300 for the question and instructions: use at least 848, or lower the others"]
    assert not (tmp_path / "home" / "config" / "config.toml").exists()
    assert main([*home, "config", "search.context_tokens", "200"]) == 0
    assert main([*home, "config", "models.llm_context", "600"]) == 0
    assert load(tmp_path / "home" / "config" / "config.toml").models.llm_context == 600
    config = tmp_path / "home" / "config" / "config.toml"
    config.write_text("[models]\nllm_context = 512\nmax_answer_tokens = 400\n")
    with pytest.raises(ConfigError, match=r"config.toml: setting models.llm_context = 512 cannot hold .* use at least 1200"):
        load(config)


def test_the_loaded_window_is_what_the_budgets_need(tmp_path):
    # The defaults need 848 tokens: a 1024-token window (20 MB less KV cache than 2048); a larger
    # search budget gets a larger window, never more than models.llm_context allows.
    settings = Settings()
    assert settings.answer_window() == 1024
    settings.search.context_tokens = 700
    assert settings.answer_window() == 1280
    settings.models.llm_context = 1100
    assert settings.answer_window() == 1100
    from pocketmind import Engine

    with Engine(home=tmp_path / "home") as engine:
        assert engine.answerer.n_ctx == 1024  # what the bundled model is loaded with
