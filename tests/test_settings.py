"""Settings: environment over config file over defaults, and readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from citymodel.errors import ConfigurationError
from citymodel.settings import load_settings


def test_defaults(tmp_path):
    settings = load_settings()
    assert settings.database_url is None
    assert settings.resolved_state_dir == tmp_path / ".citymodel"
    assert settings.resolved_tiles_dir == tmp_path / ".citymodel" / "tiles"
    assert settings.storage_crs == "EPSG:4326"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_config_file_then_environment(tmp_path, monkeypatch):
    Path("citymodel.toml").write_text(
        'state_dir = "/srv/city"\nport = 9000\nstorage_crs = "EPSG:32637"\n'
        '[crs_overrides]\n"МСК-77" = "+proj=longlat"\n'
    )
    settings = load_settings()
    assert settings.resolved_state_dir == Path("/srv/city")
    assert settings.port == 9000 and settings.storage_crs == "EPSG:32637"
    assert settings.crs_overrides == {"МСК-77": "+proj=longlat"}

    monkeypatch.setenv("CITYMODEL_PORT", "9100")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/city")
    settings = load_settings()
    assert settings.port == 9100  # the environment wins
    assert settings.database_url == "postgresql://u@db.example/city"
    assert settings.resolved_state_dir == Path("/srv/city")  # the rest still from the file


def test_named_config_file(tmp_path, monkeypatch):
    named = tmp_path / "elsewhere.toml"
    named.write_text('tiles_dir = "/srv/tiles"\n')
    monkeypatch.setenv("CITYMODEL_CONFIG", str(named))
    assert load_settings().resolved_tiles_dir == Path("/srv/tiles")
    monkeypatch.setenv("CITYMODEL_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigurationError, match="missing.toml"):
        load_settings()


def test_invalid_values_are_named(monkeypatch):
    monkeypatch.setenv("CITYMODEL_PORT", "eighty")
    with pytest.raises(ConfigurationError, match="port"):
        load_settings()


def test_unknown_and_malformed_config_keys(tmp_path):
    Path("citymodel.toml").write_text('stat_dir = "/typo"\n')
    with pytest.raises(ConfigurationError, match="stat_dir"):
        load_settings()
    Path("citymodel.toml").write_text("port = \n")
    with pytest.raises(ConfigurationError, match="citymodel.toml"):
        load_settings()


def test_cli_reports_bad_settings_without_traceback():
    result = run_cli("db", "status", env={"CITYMODEL_PORT": "eighty"})
    assert result.returncode == 1
    assert "port" in result.stderr and "Traceback" not in result.stderr
