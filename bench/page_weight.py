"""Target 3: the first load of / is small, compressed, cacheable and needs no other host.

Usage: python bench/page_weight.py
"""

import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, server

ASSET = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"')


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        with server(["serve"], {"CONSOLE_DATA_DIR": tmp}, port):
            base = f"http://127.0.0.1:{port}/"
            with httpx.Client(headers={"Accept-Encoding": "gzip"}) as http:
                page = http.get(base)
                total = page.num_bytes_downloaded
                assets = ASSET.findall(page.text)
                foreign, uncached, fonts = [], [], False
                for href in assets:
                    url = urljoin(base, href)
                    if urlsplit(url).netloc != urlsplit(base).netloc:
                        foreign.append(url)
                        continue
                    reply = http.get(url)
                    total += reply.num_bytes_downloaded
                    if "immutable" not in reply.headers.get("cache-control", ""):
                        uncached.append(href)
                    fonts = fonts or "@font-face" in reply.text
    return {
        "bytes": total,
        "requests": 1 + len(assets),
        "foreign": foreign,
        "uncached": uncached,
        "fonts": fonts,
        "encoding": page.headers.get("content-encoding"),
    }


def report(r: dict) -> list[tuple[str, str]]:
    return [
        (
            "first load of /",
            f"{r['bytes'] / 1024:.1f} KB over {r['requests']} requests "
            f"({r['encoding']}); other hosts: {len(r['foreign'])}; web fonts: "
            f"{'yes' if r['fonts'] else 'none'}; assets without year-long caching: "
            f"{len(r['uncached'])}",
        )
    ]


if __name__ == "__main__":
    for name, value in report(run()):
        print(f"{name}: {value}")
