import os

import pytest


def _postgres_url():
    url = os.environ.get(
        "AHPO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any reason the server cannot be used
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable at {url}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {url}: {exc}")
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def sql_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    return _postgres_url()
