"""`long_run`: a batch leaves its start-up out of the garbage collector's passes, and hands
it back when done, so a process that runs several batches collects their garbage."""

from __future__ import annotations

import gc
import weakref

from servicecoach.long_run import long_run


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_objects_of_the_start_are_left_alone_within_and_collected_again_after() -> None:
    assert gc.get_freeze_count() == 0
    survivor = _Cycle()
    alive = weakref.ref(survivor)
    with long_run():
        assert gc.get_freeze_count() > 0
        del survivor
        gc.collect()
        assert alive() is not None  # frozen: a full pass does not walk it
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None  # handed back: the cycle dropped inside the block is collected


def test_an_inner_block_leaves_the_outer_freeze_in_place() -> None:
    with long_run():
        with long_run():
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_batch_run_hands_its_start_up_back(tmp_path, capsys) -> None:
    from servicecoach.cli import main

    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "a", "turns": [{"speaker": "customer", "text": "hi"}]}\n',
                    encoding="utf-8")
    main(["score", str(path), "--format", "jsonl"])
    assert '"transcript_id":"a"' in capsys.readouterr().out.replace(" ", "")
    assert gc.get_freeze_count() == 0


def _collections_during(build) -> int:
    """How many passes of the collector ran while `build()` ran."""
    passes = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(count)
    try:
        build()
    finally:
        gc.callbacks.remove(count)
    return len(passes)


def test_building_a_coach_runs_no_collection_and_leaves_the_collector_on() -> None:
    from servicecoach import Coach

    assert gc.isenabled()
    # start-up made a dozen passes, three of them full; now only the one held off, at its end
    assert _collections_during(Coach) <= 1
    assert gc.isenabled()
    assert _collections_during(lambda: [_Cycle() for _ in range(100_000)]) > 0


def test_a_coach_that_fails_to_build_leaves_the_collector_on(tmp_path) -> None:
    import pytest

    from servicecoach import Coach
    from servicecoach.errors import RulePackError

    (tmp_path / "pack.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulePackError):
        Coach(packs=[tmp_path])
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    from servicecoach.long_run import collector_paused

    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
