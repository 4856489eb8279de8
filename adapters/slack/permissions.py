"""Who may use the admin commands in Slack, from Slack's own data.

A workspace admin or owner (`users.info`), or a member of one of the user groups named in
`[slack] admin_groups` (`usergroups.users.list`, scope `usergroups:read`). Answers are cached
for a few minutes: the check runs inside Slack's 3-second window for an answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import error_code

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0


class SlackAdmins:
    def __init__(
        self,
        client: AsyncWebClient,
        groups: Sequence[str] = (),
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.groups = list(groups)
        self.ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, bool]] = {}

    async def is_admin(self, user_id: str) -> bool:
        now = self._clock()
        cached = self._known.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        allowed = await self._check(user_id)
        self._known[user_id] = (now + self.ttl, allowed)
        return allowed

    async def _check(self, user_id: str) -> bool:
        try:
            user = (await self.client.users_info(user=user_id)).get("user") or {}
            if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
                return True
            for group in self.groups:
                members = await self.client.usergroups_users_list(usergroup=group)
                if user_id in (members.get("users") or []):
                    return True
        except SlackApiError as error:
            # Refusing is the safe answer; the log says which scope or group to fix.
            log.warning(
                "slack: cannot check whether %s is an admin (%s); add the users:read and "
                "usergroups:read scopes and check [slack] admin_groups",
                user_id,
                error_code(error),
            )
        return False
