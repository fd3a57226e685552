"""Files sent to a caller's upstream as ephemeral uploads, on the upstream and key a create
there would use: a slot an app posts its file to itself (the gateway's `POST /v1/uploads`), or
a file the console holds, uploaded here (the demo's product photo)."""

from app.core.keys import Caller
from app.frames.uploads import slot_for_app, upload
from app.runway.client import RunwayClient
from app.runway.endpoints import Upstream
from app.runway.upstreams import UpstreamAccess


class UpstreamFiles:
    def __init__(self, client: RunwayClient, upstreams: UpstreamAccess) -> None:
        self._client = client
        self._upstreams = upstreams

    async def _where(self, address: str | None, caller: Caller) -> tuple[Upstream, str | None]:
        upstream = await self._upstreams.resolve(address)
        return upstream, self._upstreams.key_for(upstream, caller)

    async def slot(
        self, address: str | None, caller: Caller, filename: str
    ) -> tuple[str, str, dict[str, str]]:
        """An upload's `runway://` URI, upload URL and form fields, for an app that then posts
        the file there itself."""
        upstream, key = await self._where(address, caller)
        private = self._upstreams.policy.allow_private
        return await slot_for_app(self._client, upstream, key, filename, private)

    async def upload(
        self, address: str | None, caller: Caller, file: tuple[str, bytes, str]
    ) -> str:
        """A file (name, bytes, media type) uploaded: its `runway://` URI, or UpstreamError."""
        upstream, key = await self._where(address, caller)
        private = self._upstreams.policy.allow_private
        uri, _made = await upload(self._client, upstream, key, file, private)
        return uri
