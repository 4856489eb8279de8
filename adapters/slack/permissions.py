"""Who may use the admin commands in Slack, from Slack's own data.

A workspace admin or owner (`users.info`), or a member of one of the user groups named in
`[slack] admin_groups` (`usergroups.users.list`, scope `usergroups:read`). Answers are cached,
since the check runs inside Slack's 3-second window for an answer: an admin's for a few minutes,
a refusal for half a minute (someone just made an admin need not wait), and a check that Slack
could not answer not at all (the next command asks again).
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
REFUSAL_CACHE_SECONDS = 30.0


class SlackAdmins:
    def __init__(
        self,
        client: AsyncWebClient,
        groups: Sequence[str] = (),
        *,
        ttl: float = CACHE_SECONDS,
        refusal_ttl: float = REFUSAL_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.groups = list(groups)
        self.ttl = ttl
        self.refusal_ttl = refusal_ttl
        self._clock = clock
        self._known: dict[str, tuple[float, bool]] = {}

    async def is_admin(self, user_id: str) -> bool:
        now = self._clock()
        cached = self._known.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        allowed = await self._check(user_id)
        if allowed is None:  # Slack did not answer: refuse this time, ask again next time
            return False
        self._known[user_id] = (now + (self.ttl if allowed else self.refusal_ttl), allowed)
        return allowed

    async def _check(self, user_id: str) -> bool | None:
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
            return None
        return False
