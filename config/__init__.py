"""Configuration: the settings model, its loader, and the documented example file."""

from bot.channels.model import ChannelConfig, Platform
from config.settings import EXAMPLE_CONFIG, BotSettings, config_path, load_settings

__all__ = [
    "EXAMPLE_CONFIG",
    "BotSettings",
    "ChannelConfig",
    "Platform",
    "config_path",
    "load_settings",
]
