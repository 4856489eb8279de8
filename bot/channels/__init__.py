"""Digest channels: the channel model, the `/digest-config` vocabulary, and the registry of
channels with the settings changed in chat applied."""

from bot.channels.model import ChannelConfig, Platform
from bot.channels.problems import describe_problems
from bot.channels.registry import ChannelRegistry, SettingsChange
from bot.channels.vocabulary import DIGEST_CONFIG, SETTINGS, Setting, Vocabulary

__all__ = [
    "DIGEST_CONFIG",
    "SETTINGS",
    "ChannelConfig",
    "ChannelRegistry",
    "Platform",
    "Setting",
    "SettingsChange",
    "Vocabulary",
    "describe_problems",
]
