import asyncio

from smoketest import SmokeTest, timeout
from tests.testapp.models import Widget


class AsyncSmoke(SmokeTest):
    async def test_async_orm_write_is_visible_inside_the_test(self):
        await Widget.objects.acreate(name="async")
        await Widget.objects.using("other").acreate(name="async")
        self.assertEqual(await Widget.objects.filter(name="async").acount(), 1)

    def test_sync_test_beside_it(self):
        Widget.objects.create(name="sync")

    async def test_async_failure(self):
        await asyncio.sleep(0)
        self.assertEqual(await Widget.objects.acount(), 42)

    @timeout(1)
    async def test_async_hang(self):
        await asyncio.sleep(2.5)
