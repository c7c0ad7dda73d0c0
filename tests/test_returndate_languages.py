"""Return dates in out-of-office notes: relative forms ("back on the 14th", "on Monday", "in
two weeks") and Dutch, Italian, Portuguese and Swedish, read by classification (subject and
body) the same way the reply reader reads them. The notes are written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.track.returndate import find_return_date

WEDNESDAY = date(2026, 11, 4)


@pytest.mark.parametrize(
    ("body", "back"),
    [
        ("I'm away and will be back on the 14th.", date(2026, 11, 14)),
        ("Back in the office on the 24th.", date(2026, 11, 24)),
        ("Out today, back on Monday.", date(2026, 11, 9)),
        ("On leave, back in two weeks.", date(2026, 11, 18)),
        ("Out sick today, back tomorrow.", date(2026, 11, 5)),
        ("Travelling this week, back next week.", date(2026, 11, 9)),
        ("Ich bin in zwei Wochen zurück.", date(2026, 11, 18)),
        ("Je serai de retour le 12.", date(2026, 11, 12)),
        ("Regreso el día 3.", date(2026, 12, 3)),  # the 3rd has passed: December's
        ("Sono in ferie, rientro il 16 novembre.", date(2026, 11, 16)),
        ("Sarò di nuovo in ufficio tra due settimane.", date(2026, 11, 18)),
        ("Ik ben vanaf maandag 16 november weer aanwezig.", date(2026, 11, 16)),
        ("Ik ben op vakantie en over twee weken terug.", date(2026, 11, 18)),
        ("Estou de férias e retorno em 16 de novembro.", date(2026, 11, 16)),
        ("Estarei de volta daqui a duas semanas.", date(2026, 11, 18)),
        ("Jag är på semester och tillbaka den 16 november.", date(2026, 11, 16)),
        ("Jag är ledig till och med 13 november.", date(2026, 11, 13)),
        ("Jag är bortrest och åter på måndag.", date(2026, 11, 9)),
        ("Jag är tillbaka om två veckor.", date(2026, 11, 18)),
    ],
)
def test_relative_and_new_language_return_dates(body: str, back: date) -> None:
    assert find_return_date("Out of office", body, WEDNESDAY) == back


def test_the_subject_is_read_first_and_line_breaks_do_not_split_a_cue() -> None:
    assert find_return_date("Automatiskt svar: tillbaka den 20 november", "", WEDNESDAY) == date(
        2026, 11, 20)
    assert find_return_date("Away", "I will be back\non the 24th.", WEDNESDAY) == date(2026, 11, 24)


def test_a_note_without_a_date_has_none() -> None:
    assert find_return_date("Automatic reply", "I'm away with limited access.", WEDNESDAY) is None
