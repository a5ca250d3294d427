"""graphx.memory: the build-size estimate and the refusal of builds that cannot fit."""

from __future__ import annotations

import pytest

from graphx import memory
from graphx.errors import ConfigError


def test_the_estimate_grows_with_the_papers_from_the_measured_base():
    assert memory.estimate_build_bytes(0) == memory.BUILD_BASE_BYTES
    assert memory.estimate_build_bytes(6545) > memory.estimate_build_bytes(1500) > memory.BUILD_BASE_BYTES
    # The measured point the constants come from: 6,545 papers peaked at 893 MB.
    assert memory.estimate_build_bytes(6545) / memory.MB == pytest.approx(893, rel=0.05)


def test_a_build_that_cannot_fit_is_refused_with_what_would_fit():
    available = 1024 * memory.MB
    memory.check_build_fits(1000, available=available)
    with pytest.raises(ConfigError, match=r"Not enough memory to build 60,000 papers.*at most ~\d"):
        memory.check_build_fits(60_000, available=available)


def test_available_memory_is_read_from_this_machine():
    free = memory.available_bytes()
    assert free is None or free > 0
    memory.check_build_fits(10)  # a tiny build always fits here


def test_the_web_build_of_an_upload_too_big_for_memory_fails_with_the_message(client, monkeypatch):
    import io
    import time

    monkeypatch.setattr(memory, "available_bytes", lambda: memory.BUILD_BASE_BYTES)
    lines = b"".join(b'{"id": "p%d", "title": "paper %d about graphs"}\n' % (i, i) for i in range(30))
    response = client.post(
        "/builds",
        data={"name": "toobig", "papers_file": (io.BytesIO(lines), "p.jsonl")},
        headers={"Accept": "application/json"},
    )
    build_id = response.get_json()["id"]
    deadline = time.time() + 30
    while time.time() < deadline:
        state = client.get(f"/api/builds/{build_id}").get_json()
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert state["state"] == "failed" and "Not enough memory to build 30 papers" in state["error"]
