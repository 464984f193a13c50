"""Source kinds decide what a fetch came to and hand it back as a value; the cycle writes it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from crawler.config import SOURCE_KINDS, SourceConfig
from crawler.extract import ExtractRules
from crawler.fetch import FetchResult
from crawler.fetch_errors import FetchError
from crawler.kinds import Document, FetchFailed, NoLinks, SourceKind, kind_for
from storage.records import VersionInfo

PAGE = b"<html><body><main><a href='/v2.pdf'>Policy v2</a></main></body></html>"


def answer(url: str, body: bytes = PAGE, content_type: str = "text/html") -> FetchResult:
    return FetchResult(url=url, final_url=url, status_code=200, not_modified=False, body=body,
                       content_type=content_type, headers={}, etag=None, last_modified=None,
                       elapsed_ms=1, attempts=1)


class CannedPort:
    """Answers each URL with a canned result (or error) and knows one latest version."""

    def __init__(self, answers: dict[str, FetchResult | FetchError],
                 latest: VersionInfo | None = None, text: str = "") -> None:
        self.answers, self.latest, self.text = answers, latest, text

    async def fetch(self, url: str, *, conditional: bool,
                    rules: ExtractRules | None = None) -> FetchResult:
        found = self.answers[url]
        if isinstance(found, FetchError):
            raise found
        return found

    def latest_version(self) -> VersionInfo | None:
        return self.latest

    def version_text(self, version_id: int) -> str:
        return self.text


def version(document_url: str, snapshot_sha256: str = "old") -> VersionInfo:
    return VersionInfo(id=1, source_id="s", document_url=document_url, text_sha256="t",
                       snapshot_sha256=snapshot_sha256, extractor_version="1", kind="first",
                       fetched_at=datetime.now(UTC), title="")


def check(spec: SourceConfig, port: CannedPort) -> object:
    return asyncio.run(kind_for(spec.kind).check(spec, port))


def test_every_configurable_kind_is_registered() -> None:
    assert set(SourceKind.registry) == set(SOURCE_KINDS)


def test_a_failed_fetch_comes_back_as_a_value_naming_the_url() -> None:
    spec = SourceConfig(id="s", company="c", title="t", url="http://127.0.0.1:9/p", kind="page")
    err = FetchError("refused", spec.url, "refused")
    found = check(spec, CannedPort({spec.url: err}))
    assert found == FetchFailed(spec.url, err)


def test_new_bytes_at_a_pdfs_url_are_a_reupload() -> None:
    spec = SourceConfig(id="s", company="c", title="t", url="http://127.0.0.1:9/a.pdf", kind="pdf")
    found = check(spec, CannedPort({spec.url: answer(spec.url, b"%PDF-new")}, version(spec.url)))
    assert isinstance(found, Document) and found.facts.reupload


def test_a_follow_link_to_another_document_is_a_replacement() -> None:
    spec = SourceConfig(id="s", company="c", title="t", url="http://127.0.0.1:9/", kind="follow",
                        follow="main a")
    new = "http://127.0.0.1:9/v2.pdf"
    port = CannedPort({spec.url: answer(spec.url), new: answer(new, b"%PDF-2", "application/pdf")},
                      version("http://127.0.0.1:9/v1.pdf"))
    found = check(spec, port)
    assert isinstance(found, Document)
    assert found.facts.replaced == ("http://127.0.0.1:9/v1.pdf", new)
    assert found.document_url == new


def test_a_follow_selector_that_matches_nothing_is_no_links() -> None:
    spec = SourceConfig(id="s", company="c", title="t", url="http://127.0.0.1:9/", kind="follow",
                        follow="nav a.none")
    found = check(spec, CannedPort({spec.url: answer(spec.url)}))
    assert isinstance(found, NoLinks) and "matched no link" in found.message


def test_an_index_with_track_new_hands_back_its_links_as_sources() -> None:
    spec = SourceConfig(id="idx", company="c", title="t", url="http://127.0.0.1:9/", kind="index",
                        track_new=True, allow_private=True)
    found = check(spec, CannedPort({spec.url: answer(spec.url)}))
    assert isinstance(found, Document)
    assert [(s.url, s.kind, s.discovered_from, s.settings) for s in found.discovered] == [
        ("http://127.0.0.1:9/v2.pdf", "pdf", "idx", {"allow_private": True})]
