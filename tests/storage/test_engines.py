"""The real engines the team tests run on: each test gets its own database and key prefix."""

import httpx

from tests.engines import PostgresServer, SeaweedServer


def test_each_test_gets_a_fresh_empty_postgres_database(postgres: PostgresServer) -> None:
    first, second = postgres.new_database(), postgres.new_database()
    assert first != second
    name = first.rsplit("/", 1)[1]
    tables = postgres.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", name)
    assert tables == "0"
    assert postgres.psql("SHOW server_version_num").startswith(("15", "16", "17"))


def test_seaweedfs_serves_s3_on_loopback_with_the_bucket(seaweed: SeaweedServer) -> None:
    listing = httpx.get(f"{seaweed.endpoint}/{seaweed.bucket}?list-type=2", timeout=5)
    assert listing.status_code == 200
    assert "<ListBucketResult" in listing.text
    assert seaweed.env("p")["CONSOLE_OBJECT_STORE"] == f"s3://{seaweed.bucket}/p"
