"""One switch for the dialects the archive runs on."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.storage.tables import papers
from bot.storage.upsert import insert_for


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_both_supported_databases_get_an_upsert(dialect: str) -> None:
    assert hasattr(insert_for(dialect, papers), "on_conflict_do_update")


def test_another_database_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="database_url: 'mysql' is not supported"):
        insert_for("mysql", papers)
