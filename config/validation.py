"""Validation beyond the models': quoted numbers and booleans in the TOML file (`"yes"`, `"10"`,
which pydantic's lax mode accepts), the nearest known key for a misspelt one, an environment
value that is not JSON, and what still validates when some keys do not.

Only the file is checked strictly: environment variables are always text and must still parse.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Sequence
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import SettingsError

from bot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

# The error types strict mode adds for a value of the wrong TOML type, and the fix for each.
_STRICT_FIXES = {
    "bool_type": "write true or false, without quotes",
    "int_type": "write a whole number, without quotes",
    "float_type": "write a number, without quotes",
    "string_type": "write text in quotes",
}


def strict_type_errors(
    model: type[BaseModel], data: dict[str, Any], reported: Sequence[tuple[int | str, ...]]
) -> ValidationError | None:
    """Values lax validation accepted but whose TOML type is wrong; `reported` locations skip."""
    found: list[InitErrorDetails] = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None or field.annotation is None:
            continue  # an unknown key, already reported
        try:
            TypeAdapter(field.annotation).validate_python(value, strict=True)
        except ValidationError as error:
            for item in error.errors():
                loc = (key, *item["loc"])
                fix = _STRICT_FIXES.get(item["type"])
                if fix is None or loc in reported:
                    continue
                found.append(
                    {
                        "type": PydanticCustomError("strict_type", fix),
                        "loc": loc,
                        "input": item["input"],
                    }
                )
    return ValidationError.from_exception_data(model.__name__, found) if found else None


def nearest_key(model: type[BaseModel], loc: Sequence[int | str]) -> str | None:
    """The known key closest to the unknown one at `loc` (a typo's likely meaning), if any."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # an element of a list of tables
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        current = _model_in(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    if not fields:
        return None
    matches = difflib.get_close_matches(str(loc[-1]).lower(), list(fields), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _model_in(annotation: Any) -> Any:
    """The model a field holds, looking inside `list[...]` and `X | None`."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def build_settings(model: type[M], data: dict[str, Any]) -> M:
    """`model(**data)`; ConfigError naming the variable of an environment value not JSON."""
    try:
        return model(**data)
    except SettingsError as error:
        # An environment variable that must be JSON (a list or table) is not.
        found = re.search(r'field "(\w+)"', str(error))
        variable = f"DIGEST_BOT_{found.group(1).upper()}" if found else "an environment variable"
        cause = f" ({error.__cause__})" if error.__cause__ else ""
        raise ConfigError(
            [
                f"{variable}: not valid JSON{cause}; lists and tables set in the environment are "
                """JSON, e.g. DIGEST_BOT_CHANNELS='[{"name": "news", "platform": "console"}]'"""
            ]
        ) from None


def valid_part(
    model: type[M], data: dict[str, Any], error: ValidationError
) -> tuple[M | None, list[int] | None]:
    """The settings without the keys and channels that failed, and the channels' file indexes."""
    bad_channels: set[int] = set()
    bad_keys: set[int | str] = set()
    for item in error.errors():
        loc = item["loc"]
        if len(loc) > 1 and loc[0] == "channels" and isinstance(loc[1], int):
            bad_channels.add(loc[1])
        elif loc:
            bad_keys.add(loc[0])
    part = {key: value for key, value in data.items() if key not in bad_keys}
    indexes = None
    if isinstance(part.get("channels"), list):
        indexes = [i for i in range(len(part["channels"])) if i not in bad_channels]
        part["channels"] = [part["channels"][i] for i in indexes]
    try:
        return model(**part), indexes
    except (ValidationError, SettingsError):  # from the environment: nothing left to check
        return None, None
