"""Decoding a response body's Content-Encoding without ever inflating more than asked for.

httpx's own decoder inflates a whole network chunk at once (64 KiB of gzip can become 64 MB), so
the fetcher streams raw bytes through :class:`BoundedDecoder` and counts what comes out.
"""

from __future__ import annotations

import zlib

from crawler.fetch_errors import FetchError


class BoundedDecoder:
    """Content-Encoding decoder that never inflates more than asked for.

    ``zlib``'s ``max_length`` bounds each call, so a 200 MB gzip bomb costs at most
    ``max_bytes + 1`` bytes of memory before it is refused. Handles identity, gzip (including
    multi-member streams), and deflate (zlib-wrapped or raw, as servers disagree).
    """

    def __init__(self, encoding: str, url: str) -> None:
        self.url = url
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self._wbits: int | None = None
        elif self.encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif self.encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        else:
            raise FetchError(
                "protocol", url,
                f"{url} sent Content-Encoding {encoding!r}, which framewatch did not ask for "
                "(it accepts gzip and deflate).",
            )
        self._z = zlib.decompressobj(self._wbits) if self._wbits is not None else None
        self.compressed = self._z is not None
        self._started = False  # has any input decoded successfully yet
        self._members_done = False  # has a complete gzip member / deflate stream ended
        self._done = False  # rest of the body is ignored garbage

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; returns at most ``room + 1`` bytes (one more means "too large")."""
        if self._z is None:
            return data
        if self._done:
            return b""
        original = data
        out: list[bytes] = []
        budget = room + 1
        try:
            while data and budget > 0:
                if self._z.eof:
                    if self.encoding == "deflate":
                        break  # trailing bytes after a complete deflate stream: ignore
                    self._z = zlib.decompressobj(self._wbits)  # next gzip member
                piece = self._z.decompress(data, budget)
                out.append(piece)
                budget -= len(piece)
                data = self._z.unconsumed_tail or (self._z.unused_data if self._z.eof else b"")
        except zlib.error as exc:
            if not self._started and self._wbits == zlib.MAX_WBITS:
                # "deflate" sent as raw deflate without the zlib header: start over in raw mode.
                self._wbits = -zlib.MAX_WBITS
                self._z = zlib.decompressobj(self._wbits)
                return self.feed(original, room)
            if self._members_done and not out:
                # Padding or garbage after a complete gzip member: browsers ignore it too.
                self._done = True
                return b""
            raise FetchError(
                "protocol", self.url,
                f"{self.url}: the body is not valid {self.encoding} although the server says "
                f"Content-Encoding: {self.encoding} ({exc}).",
            ) from exc
        self._started = True
        if self._z.eof:
            self._members_done = True
        return b"".join(out)

    def flush(self, room: int) -> bytes:
        """Whatever the decoder still buffers, bounded like :meth:`feed`."""
        if self._z is None or self._done:
            return b""
        return self._z.flush()[: room + 1]
