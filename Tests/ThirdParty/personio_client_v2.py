"""An unmodified third-party v2 client against `rollcall sandbox`: Hochfrequenz's personio-client
(PyPI `personio-client`, an async client whose pydantic models are generated from Personio's own
v2 files). Run by scripts/third-party-clients.sh; exits non-zero on the first failed check."""

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

import aiohttp
from personio_client import PersonioClient
from personio_client.exceptions import PersonioAPIError, PersonioAuthenticationError, PersonioClientError

BASE = os.environ["SANDBOX_URL"]
ADMIN = os.environ["SANDBOX_ADMIN_TOKEN"]
EMPLOYEES = int(os.environ.get("SANDBOX_EMPLOYEES", "120"))


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


async def faults(session, body):
    async with session.put(f"{BASE}/sandbox/faults", json=body, headers={"Authorization": f"Bearer {ADMIN}"}) as reply:
        check(reply.status == 200, f"faults set to {body}")


async def main():
    async with aiohttp.ClientSession() as session:
        async with PersonioClient("third-party", "third-party-secret", base_url=BASE, app_id="ROLLCALL_TESTS") as client:
            token = await client.obtain_access_token()
            check(token.token_type == "Bearer" and token.expires_in == 86400, "a v2 token, valid for a day")
            check("personio:persons:read" in (token.scope or ""), "the token carries the persons scope")

            persons = [person async for person in client.iter_persons()]
            check(len(persons) == EMPLOYEES, f"iter_persons read all {EMPLOYEES} persons in pages of 50")
            check(len({p.id for p in persons}) == EMPLOYEES, "no person twice")

            first = persons[0]
            again = await client.get_person(first.id)
            check(again.email == first.email, "get_person returns the listed person")

            page = await client.get_persons(limit=5, email=[first.email])
            check([p.id for p in page.data] == [first.id], "the email filter finds exactly that person")

            inactive = [p async for p in client.iter_persons(status="INACTIVE")]
            check(inactive and all(p.status == "INACTIVE" for p in inactive), "the status filter keeps inactive persons only")

            since = datetime.now(UTC) - timedelta(days=36500)
            created = [p async for p in client.iter_persons(created_at_gt=since)]
            check(len(created) == EMPLOYEES, "created_at.gt with an offset timestamp is understood")

            employments = [e async for e in client.iter_employments(first.id)]
            check(len(employments) == 1 and employments[0].person.id == first.id, "iter_employments reads the person's employment")
            single = await client.get_employment(first.id, employments[0].id)
            check(single.id == employments[0].id, "get_employment reads it by id")

            try:
                await client.get_person("99999999")
                check(False, "an unknown person raises")
            except PersonioAPIError as error:
                check(getattr(error, "status", 404) == 404, f"an unknown person is a 404 the client understands: {error}")

            await faults(session, {"force_429_next": 2})
            again = await client.get_person(first.id)
            check(again.id == first.id, "two 429s with Retry-After are retried by the client")

            await faults(session, {"v2_repeat_cursor_next": 1})
            try:
                [p async for p in client.iter_persons(limit=10)]
                check(False, "a repeating cursor stops the listing")
            except PersonioClientError as error:
                check("twice" in str(error), f"a repeating cursor is refused: {error}")
            await faults(session, {"v2_next_link": "relative"})
            relative = [p async for p in client.iter_persons(limit=50)]
            check(len(relative) == EMPLOYEES, "relative next links are followed")
            await faults(session, {})

        async with PersonioClient("third-party", "wrong-secret", base_url=BASE) as wrong:
            try:
                await wrong.obtain_access_token()
                check(False, "a wrong secret is refused")
            except PersonioAuthenticationError as error:
                check(True, f"a wrong secret is a PersonioAuthenticationError: {error}")


asyncio.run(main())
