"""The fake Discord API speaks well enough that an unmodified discord.py 2.x bot works against it.

Everything a real bot does runs through discord.py itself: login, the zlib-compressed gateway
(HELLO, IDENTIFY -> READY -> GUILD_CREATE), channel sends with enforced nonces, threads, webhooks,
command sync and an application command answering an injected INTERACTION_CREATE. Rate-limit
arithmetic is checked with raw HTTP and a manual clock, because discord.py's own waiting uses real
time; the discord.py tests only use windows of a fraction of a second.

Not covered: ``zstd-stream`` gateway compression. discord.py asks for it only when the optional
``zstandard`` package is installed (it is not in this project); the fake then refuses the
connection with a 400 that names the reason, rather than misbehaving silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.clock import ManualClock
from tests.fakes.discord_api import FakeDiscordAPI, RateLimitPolicy, point_discord_py_at


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeDiscordAPI, intents: discord.Intents | None = None
) -> AsyncIterator[tuple[discord.Client, app_commands.CommandTree[discord.Client]]]:
    """A real discord.Client, logged in and connected to the fake gateway, closed afterwards."""
    with point_discord_py_at(api):
        client = discord.Client(
            intents=discord.Intents.default() if intents is None else intents,
            guild_ready_timeout=0.05,
        )
        tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
        await client.login(api.token)
        connection = asyncio.create_task(client.connect(reconnect=False))
        try:
            await asyncio.wait_for(client.wait_until_ready(), timeout=10)
            yield client, tree
        finally:
            await client.close()
            await connection


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordAPI]:
    async with FakeDiscordAPI() as fake:
        yield fake


def bot_headers(api: FakeDiscordAPI) -> dict[str, str]:
    return {"Authorization": f"Bot {api.token}"}


# ----- gateway ------------------------------------------------------------------------------------


async def test_discord_py_identifies_and_sees_configured_guild(api: FakeDiscordAPI) -> None:
    guild_id = api.add_guild("Papers Club")
    channel_id = api.add_channel(guild_id, "daily-papers")

    async with running_bot(api) as (client, _tree):
        assert client.user is not None
        assert str(client.user.id) == api.bot_user["id"]
        assert client.application_id == int(api.application_id)
        channel = client.get_channel(int(channel_id))
        assert isinstance(channel, discord.TextChannel)
        assert channel.name == "daily-papers"
        assert channel.guild.name == "Papers Club"

    assert api.identify_payloads[0]["intents"] == discord.Intents.default().value
    assert api.identify_payloads[0]["compress"] is True


async def test_without_guilds_intent_guilds_stay_unavailable(api: FakeDiscordAPI) -> None:
    guild_id = api.add_guild()

    async with running_bot(api, discord.Intents.none()) as (client, _tree):
        guild = client.get_guild(int(guild_id))
        assert guild is not None
        assert guild.unavailable


async def test_raw_gateway_sends_zlib_frames_and_acks_heartbeats(api: FakeDiscordAPI) -> None:
    inflate = zlib.decompressobj()

    async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
        frame = await ws.receive_bytes(timeout=5)
        assert frame.endswith(b"\x00\x00\xff\xff")
        payload: dict[str, object] = json.loads(inflate.decompress(frame))
        return payload

    async with aiohttp.ClientSession() as session:
        url = f"{api.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with session.ws_connect(url) as ws:
            hello = await receive(ws)
            assert hello["op"] == 10
            assert hello["d"] == {"heartbeat_interval": 41_250}
            await ws.send_json({"op": 1, "d": None})
            assert (await receive(ws))["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 0}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert closing.data == 4004


# ----- channel messages and threads ---------------------------------------------------------------


async def test_channel_send_with_same_nonce_posts_once(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())

    async with running_bot(api) as (client, _tree):
        channel = await client.fetch_channel(int(channel_id))
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("Daily Papers 2025-01-08", nonce="2025-01-08:header")
        retried = await channel.send("Daily Papers 2025-01-08", nonce="2025-01-08:header")
        other = await channel.send("Daily Papers 2025-01-09", nonce="2025-01-09:header")

    assert retried.id == first.id
    assert other.id != first.id
    assert [m["content"] for m in api.messages_in(channel_id)] == [
        "Daily Papers 2025-01-08",
        "Daily Papers 2025-01-09",
    ]


async def test_nonce_is_forgotten_after_the_window() -> None:
    clock = ManualClock()
    async with FakeDiscordAPI(clock=clock.monotonic, nonce_window=300) as api:
        channel_id = api.add_channel(api.add_guild())
        url = f"{api.api_base}/channels/{channel_id}/messages"
        body = {"content": "header", "nonce": "n1", "enforce_nonce": True}
        async with aiohttp.ClientSession(headers=bot_headers(api)) as http:
            async with http.post(url, json=body) as first:
                first_id = (await first.json())["id"]
            clock.advance(299)
            async with http.post(url, json=body) as again:
                assert (await again.json())["id"] == first_id
            clock.advance(2)
            async with http.post(url, json=body) as later:
                assert (await later.json())["id"] != first_id
    assert len(api.messages_in(channel_id)) == 2


async def test_thread_started_from_header_holds_the_papers_in_order(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())

    async with running_bot(api) as (client, _tree):
        channel = await client.fetch_channel(int(channel_id))
        assert isinstance(channel, discord.TextChannel)
        header = await channel.send("Daily Papers")
        thread = await header.create_thread(name="Daily Papers 2025-01-08")
        for title in ("Paper one", "Paper two"):
            await thread.send(embed=discord.Embed(title=title))
        edited = await header.edit(content="Daily Papers (2 papers)")

    assert thread.id == header.id
    assert thread.parent_id == int(channel_id)
    assert api.threads_of(channel_id)[0]["name"] == "Daily Papers 2025-01-08"
    assert [m["embeds"][0]["title"] for m in api.messages_in(str(thread.id))] == [
        "Paper one",
        "Paper two",
    ]
    assert edited.content == "Daily Papers (2 papers)"
    assert api.messages_in(channel_id)[0]["thread"]["id"] == str(thread.id)


async def test_unknown_channel_and_missing_access_are_discord_errors(api: FakeDiscordAPI) -> None:
    guild_id = api.add_guild()
    denied = api.add_channel(guild_id, "private")
    api.deny_access(denied)

    async with running_bot(api) as (client, _tree):
        with pytest.raises(discord.NotFound) as unknown:
            await client.http.send_message(424242424242424242, params=_text("hi"))
        with pytest.raises(discord.Forbidden) as forbidden:
            await client.http.send_message(int(denied), params=_text("hi"))

    assert (unknown.value.code, unknown.value.text) == (10003, "Unknown Channel")
    assert (forbidden.value.code, forbidden.value.text) == (50001, "Missing Access")


async def test_discord_limits_on_message_size_are_enforced(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())

    async with running_bot(api) as (client, _tree):
        channel = await client.fetch_channel(int(channel_id))
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        with pytest.raises(discord.HTTPException) as big_embed:
            await channel.send(embed=discord.Embed(description="y" * 4097))

    assert too_long.value.code == 50035
    assert "content" in too_long.value.text
    assert big_embed.value.code == 50035
    assert "embeds.0.description" in big_embed.value.text
    assert api.messages_in(channel_id) == []


def _text(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content)


# ----- rate limits and injected failures ----------------------------------------------------------


async def test_channel_bucket_answers_429_in_discord_shape() -> None:
    clock = ManualClock()
    async with FakeDiscordAPI(clock=clock.monotonic) as api:
        channel_id = api.add_channel(api.add_guild())
        url = f"{api.api_base}/channels/{channel_id}/messages"
        async with aiohttp.ClientSession(headers=bot_headers(api)) as http:
            remaining = []
            for number in range(5):
                async with http.post(url, json={"content": f"m{number}"}) as ok:
                    remaining.append(ok.headers["X-RateLimit-Remaining"])
                clock.advance(0.5)
            async with http.post(url, json={"content": "one too many"}) as limited:
                body = await limited.json()
                headers = limited.headers
            clock.advance(2.5)
            async with http.post(url, json={"content": "after reset"}) as after:
                assert after.status == 200

    assert remaining == ["4", "3", "2", "1", "0"]
    assert limited.status == 429
    assert body == {"message": "You are being rate limited.", "retry_after": 2.5, "global": False}
    assert headers["Retry-After"] == "3"
    assert headers["X-RateLimit-Scope"] == "user"
    assert headers["X-RateLimit-Reset-After"] == "2.500"
    assert headers["X-RateLimit-Limit"] == "5"
    assert headers["X-RateLimit-Bucket"]
    assert headers["Via"]
    assert [m["content"] for m in api.messages_in(channel_id)][-1] == "after reset"
    assert len(api.messages_in(channel_id)) == 6


async def test_global_limit_counts_bot_requests_across_routes() -> None:
    clock = ManualClock()
    policy = RateLimitPolicy(global_requests=3)
    async with (
        FakeDiscordAPI(clock=clock.monotonic, rate_limits=policy) as api,
        aiohttp.ClientSession(headers=bot_headers(api)) as http,
    ):
        statuses = []
        for path in ("/users/@me", "/gateway/bot", "/oauth2/applications/@me", "/users/@me"):
            async with http.get(api.api_base + path) as response:
                statuses.append(response.status)
                last_body, last_headers = await response.json(), response.headers

    assert statuses == [200, 200, 200, 429]
    assert last_body["global"] is True
    assert last_headers["X-RateLimit-Global"] == "true"
    assert last_headers["X-RateLimit-Scope"] == "global"


async def test_discord_py_paces_itself_from_the_headers_and_retries_a_429() -> None:
    policy = RateLimitPolicy(channel_messages=2, channel_window=0.2)
    async with FakeDiscordAPI(rate_limits=policy) as api:
        channel_id = api.add_channel(api.add_guild())
        api.fail_next("create_message", 429, retry_after=0.01)
        async with running_bot(api) as (client, _tree):
            for number in range(4):
                await client.http.send_message(int(channel_id), params=_text(f"paper {number}"))

    statuses = [r.status for r in api.requests if r.route == "create_message"]
    assert statuses == [429, 200, 200, 200, 200]  # only the injected 429; the rest paced by headers
    assert [m["content"] for m in api.messages_in(channel_id)] == [f"paper {n}" for n in range(4)]


async def test_applied_failure_then_retry_with_nonce_keeps_one_message(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())
    api.fail_next("create_message", 500, applied=True)
    url = f"{api.api_base}/channels/{channel_id}/messages"
    body = {"content": "header", "nonce": "2025-01-08:1", "enforce_nonce": True}
    async with aiohttp.ClientSession(headers=bot_headers(api)) as http:
        async with http.post(url, json=body) as lost:
            assert lost.status == 500
        async with http.post(url, json=body) as retried:
            assert retried.status == 200

    assert len(api.messages_in(channel_id)) == 1


def test_fail_next_rejects_unknown_route_names() -> None:
    with pytest.raises(ValueError, match="create_message"):
        FakeDiscordAPI().fail_next("create_mesage", 500)


# ----- webhooks -----------------------------------------------------------------------------------


async def test_webhook_send_wait_edit_and_429_retry(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())
    hook = api.add_webhook(channel_id)
    api.fail_next("execute_webhook", 429, retry_after=0.01)

    with point_discord_py_at(api):
        async with aiohttp.ClientSession() as session:
            webhook = discord.Webhook.from_url(hook.url, session=session)
            sent = await webhook.send("Daily Papers", username="Paper Bot", wait=True)
            await sent.edit(content="Daily Papers (edited)")

    stored = api.messages_in(channel_id)
    assert len(stored) == 1
    assert stored[0]["id"] == str(sent.id)
    assert stored[0]["author"]["username"] == "Paper Bot"
    assert stored[0]["webhook_id"] == hook.id
    assert stored[0]["content"] == "Daily Papers (edited)"
    assert [r.status for r in api.requests if r.route == "execute_webhook"] == [429, 200]


async def test_webhook_threads_in_forum_channels(api: FakeDiscordAPI) -> None:
    guild_id = api.add_guild()
    forum_id = api.add_channel(guild_id, "papers-forum", kind="forum")
    text_hook = api.add_webhook(api.add_channel(guild_id, "plain"))
    forum_hook = api.add_webhook(forum_id)

    with point_discord_py_at(api):
        async with aiohttp.ClientSession() as session:
            forum = discord.Webhook.from_url(forum_hook.url, session=session)
            opened = await forum.send("Header", thread_name="Daily Papers 2025-01-08", wait=True)
            thread = discord.Object(opened.channel.id)
            await forum.send("Paper one", thread=thread, wait=True)
            with pytest.raises(discord.HTTPException) as no_thread:
                await forum.send("lost", wait=True)
            plain = discord.Webhook.from_url(text_hook.url, session=session)
            with pytest.raises(discord.HTTPException) as not_forum:
                await plain.send("x", thread_name="nope", wait=True)

    (created,) = api.threads_of(forum_id)
    assert created["name"] == "Daily Papers 2025-01-08"
    assert created["id"] == str(opened.id)
    assert [m["content"] for m in api.messages_in(created["id"])] == ["Header", "Paper one"]
    assert no_thread.value.code == 220001
    assert not_forum.value.code == 220003


# ----- application commands -----------------------------------------------------------------------


async def test_slash_command_answers_injected_interaction(api: FakeDiscordAPI) -> None:
    guild_id = api.add_guild()
    channel_id = api.add_channel(guild_id)

    async with running_bot(api) as (_client, tree):

        @tree.command(
            name="paper", description="Show one paper", guild=discord.Object(int(guild_id))
        )
        async def paper(interaction: discord.Interaction, id: str, votes: int) -> None:
            await interaction.response.send_message(f"{id} has {votes} votes", ephemeral=True)

        await tree.sync(guild=discord.Object(int(guild_id)))
        asked = await api.dispatch_interaction(
            "paper", {"id": "2501.04682", "votes": 42}, channel_id=channel_id
        )
        await api.wait_until(lambda: bool(asked.callbacks))

    (synced,) = api.guild_commands[guild_id]
    assert synced["name"] == "paper"
    assert [o["name"] for o in synced["options"]] == ["id", "votes"]
    assert asked.response_type == 4
    assert asked.original is not None
    assert asked.original["content"] == "2501.04682 has 42 votes"
    assert asked.original["flags"] & 64  # ephemeral, so not listed in the channel
    assert api.messages_in(channel_id) == []


async def test_deferred_command_first_followup_fills_the_thinking_message(
    api: FakeDiscordAPI,
) -> None:
    channel_id = api.add_channel(api.add_guild())

    async with running_bot(api) as (_client, tree):

        @tree.command(name="top", description="Top papers")
        async def top(interaction: discord.Interaction, n: int) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"top {n}")
            await interaction.followup.send("and one more")

        await tree.sync()
        asked = await api.dispatch_interaction("top", {"n": 3}, channel_id=channel_id)
        await api.wait_until(lambda: len(asked.followups) == 1)

    assert asked.response_type == 5
    assert asked.original is not None
    assert asked.original["content"] == "top 3"
    assert [m["content"] for m in asked.followups] == ["and one more"]
    assert [m["content"] for m in api.messages_in(channel_id)] == ["top 3", "and one more"]


async def test_autocomplete_and_share_button(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())

    class ShareView(discord.ui.View):
        @discord.ui.button(label="Share", custom_id="share")
        async def share(
            self, interaction: discord.Interaction, button: discord.ui.Button[ShareView]
        ) -> None:
            await interaction.response.send_message("shared to the channel")

    async with running_bot(api) as (client, tree):
        client.add_view(ShareView(timeout=None))

        @tree.command(name="digest", description="One day")
        async def digest(interaction: discord.Interaction, date: str) -> None:
            await interaction.response.send_message(
                f"digest {date}", view=ShareView(timeout=None), ephemeral=True
            )

        @digest.autocomplete("date")
        async def dates(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            days = ["2025-01-07", "2025-01-08", "2024-12-31"]
            return [app_commands.Choice(name=d, value=d) for d in days if d.startswith(current)]

        await tree.sync()
        typed = await api.dispatch_interaction(
            "digest", {"date": "2025"}, channel_id=channel_id, focused="date"
        )
        await api.wait_until(lambda: bool(typed.callbacks))
        asked = await api.dispatch_interaction(
            "digest", {"date": "2025-01-08"}, channel_id=channel_id
        )
        await api.wait_until(lambda: bool(asked.callbacks))
        assert asked.original is not None
        clicked = await api.dispatch_component(asked.original, "share")
        await api.wait_until(lambda: bool(clicked.callbacks))

    assert typed.callbacks[0] == {
        "type": 8,
        "data": {
            "choices": [
                {"name": "2025-01-07", "value": "2025-01-07"},
                {"name": "2025-01-08", "value": "2025-01-08"},
            ]
        },
    }
    assert asked.original["components"][0]["components"][0]["custom_id"] == "share"
    assert [m["content"] for m in api.messages_in(channel_id)] == ["shared to the channel"]


async def test_answering_an_interaction_twice_is_refused(api: FakeDiscordAPI) -> None:
    channel_id = api.add_channel(api.add_guild())
    errors: list[discord.HTTPException] = []
    answered = asyncio.Event()

    async with running_bot(api) as (_client, tree):

        @tree.command(name="search", description="Search")
        async def search(interaction: discord.Interaction, words: str) -> None:
            await interaction.response.send_message("first")
            try:
                # Straight through HTTP: discord.py's own "already responded" guard would stop us.
                await interaction.client.http.request(
                    discord.http.Route(
                        "POST",
                        "/interactions/{interaction_id}/{token}/callback",
                        interaction_id=interaction.id,
                        token=interaction.token,
                    ),
                    json={"type": 4, "data": {"content": "second"}},
                )
            except discord.HTTPException as error:
                errors.append(error)
            answered.set()

        await tree.sync()
        await api.dispatch_interaction("search", {"words": "diffusion"}, channel_id=channel_id)
        await asyncio.wait_for(answered.wait(), timeout=5)

    assert errors[0].code == 40060
