"""The reader over the whole reply corpus (tests/data/replies): at least 150 replies in eight
languages; slot picks and proposed times at least 95% right (precision and recall); never a
confident wrong time; every finding's evidence is a sentence of the reply."""

from __future__ import annotations

from tests.reader_corpus import KINDS, load, score

MINIMUM_REPLIES = 150
TARGET = 0.95


def test_the_corpus_is_large_and_well_formed() -> None:
    cases = load()
    assert len(cases) >= MINIMUM_REPLIES
    assert len({c.id for c in cases}) == len(cases), "reply ids must be unique"
    for case in cases:
        for item in case.expect:
            assert item["kind"] in KINDS, case.source


def test_every_finding_quotes_a_sentence_of_the_reply() -> None:
    for case in load():
        flat = " ".join(case.text.split())
        for finding in case.read().findings:
            assert " ".join(finding.evidence.split()) in flat, (case.id, finding)


def test_no_confident_wrong_time() -> None:
    result = score(load())
    assert result.wrong_times == []


def test_slot_picks_and_proposed_times_meet_the_target() -> None:
    result = score(load())
    for kind in ("slot_pick", "proposed_time"):
        precision, recall = result.precision(kind), result.recall(kind)
        assert precision is not None and precision >= TARGET, (kind, precision, result.misses)
        assert recall is not None and recall >= TARGET, (kind, recall, result.misses)


def test_every_other_kind_is_mostly_right() -> None:
    result = score(load())
    for kind in KINDS:
        precision, recall = result.precision(kind), result.recall(kind)
        assert precision is not None and precision >= 0.9, (kind, precision, result.misses)
        assert recall is not None and recall >= 0.85, (kind, recall, result.misses)


def test_what_cannot_be_read_confidently_is_said_to_be_unsure() -> None:
    doubtful = [case for case in load() if case.unsure]
    assert len(doubtful) >= 5
    for case in doubtful:
        assert case.read().unsure, case.id
