"""Contact import: what `outreach contacts import` makes of real exports and broken files.

Each test reads as a rule of the importer. Fixtures under tests/data/contacts/ mimic what
LinkedIn, Google Contacts, Apple Contacts and Excel really write; tests/data/bad/contacts/
holds files a user might pick by mistake or that were damaged on the way.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from pathlib import Path

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.contacts.importers import (
    FORMATS,
    ImportResult,
    RowProblem,
    normalise_record,
    parse_contacts,
    read_contacts,
)
from outreach.contacts.model import ContactRecord
from outreach.errors import ContactError, ImportFileError

DATA = Path(__file__).parent / "data" / "contacts"
BAD = Path(__file__).parent / "data" / "bad" / "contacts"


def by_name(result: ImportResult) -> dict[str, ContactRecord]:
    return {record.name: record for record in result.records}


def parse(text: str, name: str = "contacts.csv", fmt: str = "auto") -> ImportResult:
    return parse_contacts(text.encode("utf-8"), name, fmt)


def assert_clean(record: ContactRecord) -> None:
    """No value can break a header or a template line: no controls, breaks or bidi tricks."""
    values = [
        record.name,
        record.email or "",
        record.first_name,
        record.last_name,
        record.org,
        record.title,
        record.timezone,
        record.linkedin_url,
        record.notes,
        record.source,
        *record.tags,
        *record.extra,
        *record.extra.values(),
    ]
    for value in values:
        assert value == value.strip()
        for char in value:
            assert unicodedata.category(char) not in ("Cc", "Zl", "Zp"), repr(value)
            assert char not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"


# --- LinkedIn ------------------------------------------------------------------------------


def test_linkedin_export_with_notes_preamble_is_detected_and_read() -> None:
    result = read_contacts(DATA / "linkedin_connections.csv")

    assert result.format == "linkedin"
    assert result.encoding == "utf-8"
    assert result.problems == []
    assert len(result.records) == 6
    ada = by_name(result)["Ada Lovelace"]
    assert ada.email == "ada.lovelace@example.org"
    assert ada.first_name == "Ada"
    assert ada.last_name == "Lovelace"
    assert ada.org == "Analytical Engines Ltd"
    assert ada.title == "Principal Engineer, Compilers"
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert ada.extra == {"connected_on": "14 Mar 2023"}
    assert ada.source == "linkedin"
    assert ada.line == 5  # the header is on line 4, after three lines of notes


def test_linkedin_rows_without_email_are_kept_as_unreachable() -> None:
    result = read_contacts(DATA / "linkedin_connections.csv")

    grace = by_name(result)["Grace Hopper"]
    assert grace.email is None
    assert grace.org == "US Navy"
    assert result.unreachable == 4
    assert by_name(result)["Søren Kierkegaard-Ørsted"].org == "Københavns Universitet"


def test_linkedin_keeps_the_users_case_in_the_local_part_and_lowercases_the_domain() -> None:
    result = read_contacts(DATA / "linkedin_connections.csv")

    assert by_name(result)["Alan Turing"].email == "Alan.Turing@example.com"


def test_linkedin_quoted_quotes_survive() -> None:
    result = read_contacts(DATA / "linkedin_connections.csv")

    assert by_name(result)["Katherine Johnson"].title == 'Mathematician "Human Computer"'


def test_older_linkedin_export_without_url_column_is_still_linkedin() -> None:
    text = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        "Ada,Lovelace,ada@example.org,Engines,Engineer,14 Mar 2023\n"
    )
    result = parse(text, "Connections.csv")

    assert result.format == "linkedin"
    assert result.records[0].email == "ada@example.org"


# --- Google Contacts CSV -------------------------------------------------------------------


def test_google_csv_new_style() -> None:
    result = read_contacts(DATA / "google_contacts.csv")

    assert result.format == "google"
    assert result.problems == []
    margaret = by_name(result)["Margaret Heafield Hamilton"]
    assert margaret.first_name == "Margaret"
    assert margaret.last_name == "Hamilton"
    assert margaret.email == "margaret@hamilton.example.com"  # first of "a ::: b"
    assert margaret.org == "Hamilton Technologies"
    assert margaret.title == "Founder"
    assert margaret.linkedin_url == "https://www.linkedin.com/in/margaret-hamilton"
    assert margaret.tags == ["Alumni"]  # "* myContacts" and "* starred" dropped
    assert margaret.notes == (
        "Met at the Apollo reunion. Ask about software engineering as a discipline."
    )
    assert margaret.extra["nickname"] == "Maggie"
    assert margaret.source == "google"
    assert margaret.line == 2


def test_google_csv_takes_the_first_non_empty_email_column() -> None:
    result = read_contacts(DATA / "google_contacts.csv")

    edsger = by_name(result)["Edsger Dijkstra"]
    assert edsger.email == "edsger@cs.example.edu"
    assert edsger.tags == ["Mentors"]
    assert edsger.line == 4  # row 2 spans lines 2-3 (a note with a line break)


def test_google_csv_contact_without_email_is_unreachable_and_keeps_its_website() -> None:
    result = read_contacts(DATA / "google_contacts.csv")

    barbara = by_name(result)["Barbara Liskov"]
    assert barbara.email is None
    assert barbara.linkedin_url == ""
    assert barbara.extra["website_1_value"] == "https://liskov.example.org"
    assert result.unreachable == 1


def test_google_csv_old_style_columns() -> None:
    result = read_contacts(DATA / "google_contacts_old.csv")

    assert result.format == "google"
    frances = by_name(result)["Frances Allen"]
    assert frances.email == "fran@allen.example.com"
    assert frances.org == "IBM Research"
    assert frances.title == "Fellow"
    assert frances.tags == ["Alumni", "IBM Friends"]  # "* My Contacts" dropped
    assert frances.linkedin_url == "https://www.linkedin.com/in/frances-allen"
    backus = by_name(result)["John Backus"]  # no "Name" cell: built from given + family
    assert backus.email == "jbackus@example.org"
    assert backus.tags == []


# --- Any CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "org", "title", "tz", "linkedin"),
    [
        ("Name", "Email", "Company", "Title", "Timezone", "LinkedIn"),
        ("Full Name", "E-mail", "Organisation", "Job Title", "Time Zone", "LinkedIn URL"),
        ("full_name", "email_address", "organization", "position", "time_zone", "profile"),
        ("FULLNAME", "Mail", "Employer", "Role", "TZ", "URL"),
        ("  name ", "E-Mail Address", "org", "job-title", "tz", "linkedin_url"),
    ],
)
def test_header_names_match_regardless_of_case_spaces_and_aliases(
    name: str, email: str, org: str, title: str, tz: str, linkedin: str
) -> None:
    text = (
        f"{name},{email},{org},{title},{tz},{linkedin}\n"
        "Ada Lovelace,ada@example.org,Engines,Engineer,Europe/London,linkedin.com/in/ada\n"
    )
    (record,) = parse(text).records

    assert record.name == "Ada Lovelace"
    assert record.email == "ada@example.org"
    assert record.org == "Engines"
    assert record.title == "Engineer"
    assert record.timezone == "Europe/London"
    assert record.linkedin_url == "https://linkedin.com/in/ada"
    assert record.source == "csv"


@pytest.mark.parametrize("first", ["First Name", "first_name", "FirstName", "first-name", "given"])
def test_first_name_spellings(first: str) -> None:
    header = "Given Name" if first == "given" else first
    (record,) = parse(f"{header},Last Name,Email\nAda,Lovelace,ada@example.org\n").records

    assert (record.first_name, record.last_name, record.name) == ("Ada", "Lovelace", "Ada Lovelace")


def test_generic_csv_with_bom_crlf_extra_columns_and_tags() -> None:
    result = read_contacts(DATA / "generic_bom_crlf.csv")

    assert result.format == "csv"
    assert result.encoding == "utf-8-sig"
    donald = by_name(result)["Donald Knuth"]
    assert donald.first_name == "Donald"  # "first_name" and "LastName" both understood
    assert donald.timezone == "America/Los_Angeles"
    assert donald.linkedin_url == "https://linkedin.com/in/knuth"
    assert donald.tags == ["alumni", "pycon"]
    assert donald.extra == {
        "favourite_topic": "literate programming",
        "how_we_met": "his TAOCP talk",
        "source_column": "conference",  # "source" is taken by the record's own source
    }
    assert donald.line == 2


def test_empty_extra_cells_are_left_out_so_templates_fail_loudly() -> None:
    result = read_contacts(DATA / "generic_bom_crlf.csv")

    assert by_name(result)["Leslie Lamport"].extra == {}


def test_name_falls_back_to_the_email_local_part() -> None:
    result = read_contacts(DATA / "generic_bom_crlf.csv")

    ken = by_name(result)["Ken Thompson"]
    assert ken.email == "ken.thompson@example.com"
    assert ken.org == "Bell Labs"


def test_unknown_column_names_become_template_friendly_keys() -> None:
    text = (
        "Email,Favourite Topic,Café préféré,2024 Goal,Topic,topic,,Notes\n"
        "ada@example.org,a,b,c,d,e,f,g\n"
    )
    (record,) = parse(text).records

    assert record.extra == {
        "favourite_topic": "a",
        "cafe_prefere": "b",
        "col_2024_goal": "c",
        "topic": "d",
        "topic_2": "e",
        "column_7": "f",
    }
    assert record.notes == "g"


def test_extra_columns_render_in_a_strict_jinja_template() -> None:
    (record,) = parse("Email,Favourite Topic,How We Met\nada@example.org,engines,PyCon\n").records
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    template = env.from_string("{{ contact.favourite_topic }} / {{ contact.how_we_met }}")

    assert template.render(contact=record.extra) == "engines / PyCon"


def test_semicolon_delimited_csv_from_european_excel() -> None:
    result = read_contacts(DATA / "semicolon.csv")

    assert [r.name for r in result.records] == ["Lise Meitner", "Emmy Noether"]
    emmy = result.records[1]
    assert emmy.org == "Universität Göttingen"
    assert emmy.timezone == "Europe/Berlin"  # "europe/berlin" in canonical spelling
    assert emmy.extra == {"score": "5,0"}  # the decimal comma stays in its cell


def test_tab_delimited_file() -> None:
    (record,) = read_contacts(DATA / "tabs.tsv").records

    assert record.name == "Hedy Lamarr"
    assert record.title == "Inventor, actress"
    assert record.org == "MGM"


def test_excel_sep_line_states_the_delimiter() -> None:
    (record,) = parse("sep=;\nName;Email\nAda, Countess;ada@example.org\n").records

    assert record.name == "Ada, Countess"
    assert record.line == 3


def test_short_rows_are_padded_and_blank_lines_skipped() -> None:
    result = parse("Name,Email,Company\n\nAda,ada@example.org\n,,\nGrace,grace@example.org,Navy\n")

    assert [(r.name, r.org, r.line) for r in result.records] == [
        ("Ada", "", 3),
        ("Grace", "Navy", 5),
    ]
    assert result.problems == []


def test_crlf_and_bare_cr_line_endings_count_lines_like_an_editor() -> None:
    for newline in ("\r\n", "\r"):
        text = newline.join(["Name,Email", "Ada,ada@example.org", "Grace,grace@example.org", ""])
        result = parse(text)
        assert [r.line for r in result.records] == [2, 3]


def test_display_name_form_in_the_email_column() -> None:
    (record,) = parse("Email,Company\nAda Lovelace <ada@example.org>,Engines\n").records

    assert (record.name, record.email) == ("Ada Lovelace", "ada@example.org")


# --- Encodings -----------------------------------------------------------------------------


def test_cp1252_file_from_excel_on_windows() -> None:
    result = read_contacts(DATA / "excel_cp1252.csv")

    assert result.encoding == "cp1252"
    jose = by_name(result)["José Müller"]
    assert jose.org == "Café Zürich AG"
    assert jose.notes == "“Great talk” on Käse – 5€"
    assert "Françoise Dupré" in by_name(result)


def test_bytes_undefined_in_cp1252_fall_back_to_latin_1() -> None:
    data = "Name,Email\nJos\xe9 \x81,jose@example.org\n".encode("latin-1")
    result = parse_contacts(data, "old.csv")

    assert result.encoding == "latin-1"
    assert result.records[0].name == "José"  # the C1 control \x81 is removed


def test_utf8_with_bom_and_utf16_from_excel_unicode_text() -> None:
    text = "Name\tEmail\nJosé Müller\tjose@example.org\n"
    with_bom = parse_contacts(codecs.BOM_UTF8 + text.encode("utf-8"), "a.csv")
    utf16 = parse_contacts(text.encode("utf-16"), "a.txt")

    assert with_bom.encoding == "utf-8-sig"
    assert utf16.encoding == "utf-16"
    assert with_bom.records[0].name == utf16.records[0].name == "José Müller"


# --- vCard ---------------------------------------------------------------------------------


def test_apple_vcard_3_with_folding_quoted_printable_and_non_ascii() -> None:
    result = read_contacts(DATA / "apple_contacts.vcf")

    assert result.format == "vcard"
    assert result.problems == []
    jose = by_name(result)["José Müller"]
    assert jose.email == "Jose@mueller.example.net"  # TYPE=pref beats file order
    assert (jose.first_name, jose.last_name) == ("José", "Müller")
    assert jose.org == "Universität Zürich"
    assert jose.extra["department"] == "Institut für Informatik"
    assert jose.title == (
        "Professor für verteilte Systeme und sehr lange Titel, die gefaltet werden müssen"
    )
    assert jose.notes == "Met at EuroPython Likes café and long walks"
    assert jose.linkedin_url == "https://www.linkedin.com/in/jose-mueller"
    assert jose.tags == ["Alumni", "EuroPython"]
    assert jose.source == "vcard"
    assert jose.line == 1


def test_apple_vcard_escapes_and_cards_without_email() -> None:
    result = read_contacts(DATA / "apple_contacts.vcf")

    naomi = by_name(result)["大坂 なおみ"]
    assert naomi.notes == "Introduced by Grace, via the alumni list Follow up in spring"
    assert naomi.line == 18
    nemo = by_name(result)["Nemo Nobody"]
    assert nemo.email is None
    assert result.unreachable == 1


def test_google_vcard_4_pref_timezone_and_categories() -> None:
    result = read_contacts(DATA / "google_contacts.vcf")

    radia = by_name(result)["Radia Perlman"]
    assert radia.email == "radia.perlman@example.org"  # PREF=1
    assert radia.timezone == "America/New_York"
    assert radia.tags == ["mentors", "networking"]
    assert radia.linkedin_url == "https://www.linkedin.com/in/radia-perlman/"
    vint = by_name(result)["Vint Cerf"]
    assert vint.timezone == ""  # a bare UTC offset is not a time zone; ignored, not an error
    assert vint.line == 14


def test_vcard_2_1_quoted_printable_in_latin_1() -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;Jos=E9;;;\r\n"
        "EMAIL;INTERNET:home@example.org\r\n"
        "EMAIL;PREF;INTERNET:work@example.org\r\n"
        "TITLE:Director, Engineering\r\n"
        "END:VCARD\r\n"
    )
    (record,) = parse(text, "android.vcf").records

    assert record.name == "José Müller"  # no FN: built from N
    assert record.email == "work@example.org"
    assert record.title == "Director, Engineering"  # an unescaped comma is not a list


def test_vcard_detected_by_content_whatever_the_file_name() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEMAIL:ada@example.org\nEND:VCARD\n"

    assert parse(text, "contacts.txt").format == "vcard"


def test_vcard_with_junk_before_the_first_card_is_read_when_named_or_asked_for() -> None:
    text = "exported by PhoneTool 1.0\nBEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n"

    assert parse(text, "phone.vcf").records[0].line == 2
    assert parse(text, "phone.txt", "vcard").format == "vcard"


# --- Format detection ----------------------------------------------------------------------


def test_formats_offered_to_the_cli() -> None:
    assert FORMATS == ("auto", "csv", "linkedin", "google", "vcard")


@pytest.mark.parametrize(
    ("fixture", "fmt", "detected"),
    [
        ("generic_bom_crlf.csv", "linkedin", "csv"),
        ("google_contacts.csv", "linkedin", "google"),
        ("linkedin_connections.csv", "google", "linkedin"),
        ("linkedin_connections.csv", "vcard", "linkedin"),
        ("apple_contacts.vcf", "csv", "vcard"),
        ("apple_contacts.vcf", "linkedin", "vcard"),
    ],
)
def test_an_explicit_format_that_does_not_match_says_what_was_detected(
    fixture: str, fmt: str, detected: str
) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_contacts(DATA / fixture, fmt)

    assert fixture in caught.value.message
    assert f"detected format: {detected}" in caught.value.message
    assert caught.value.hint is not None and f"--format {detected}" in caught.value.hint


def test_explicit_matching_format_and_csv_for_any_csv_flavour() -> None:
    assert read_contacts(DATA / "linkedin_connections.csv", "linkedin").format == "linkedin"
    as_csv = read_contacts(DATA / "linkedin_connections.csv", "csv")

    assert as_csv.format == "csv"
    assert as_csv.records[0].source == "csv"
    assert as_csv.records[0].org == "Analytical Engines Ltd"


def test_unknown_format_name_is_an_import_error() -> None:
    with pytest.raises(ImportFileError, match="unknown contacts format 'xlsx'"):
        read_contacts(DATA / "tabs.tsv", "xlsx")


# --- Bad rows ------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_import() -> None:
    result = read_contacts(DATA / "broken_rows.csv")

    assert [r.name for r in result.records] == [
        "Good One",
        "Good Two",
        "Multi Line Name",
        "Injected Bell",
    ]
    problems = {p.line: p.reason for p in result.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8]
    assert "invalid email address 'not-an-email'" in problems[3]
    assert "5 fields but the header has 4" in problems[4]
    assert problems[5] == "no name and no email address"
    assert "unknown time zone 'Mars/Olympus_Mons'" in problems[6]
    assert "600 characters long; the limit is 500" in problems[7]
    assert "never closed" in problems[8]
    assert all(p.file == "broken_rows.csv" for p in result.problems)


def test_row_problem_prints_file_line_and_reason() -> None:
    problem = RowProblem("connections.csv", 14, "invalid email address 'x'")

    assert str(problem) == "connections.csv line 14: invalid email address 'x'"


def test_a_quote_that_never_closes_costs_one_row_not_the_rest_of_the_file() -> None:
    result = read_contacts(BAD / "unterminated_quote.csv")

    assert [r.name for r in result.records] == ["Grace Hopper", "Alan Turing"]
    assert [str(p).split(":")[0] for p in result.problems] == ["unterminated_quote.csv line 2"]


def test_a_short_row_with_a_multi_line_note_is_not_mistaken_for_a_broken_quote() -> None:
    text = (
        'Name,Email,Notes,Company\nAda,ada@example.org,"line one\nline two"\nGrace,g@example.org\n'
    )
    result = parse(text)

    assert [(r.name, r.notes, r.line) for r in result.records] == [
        ("Ada", "line one line two", 2),
        ("Grace", "", 4),
    ]
    assert result.problems == []


def test_a_broken_quote_that_happens_to_give_the_right_field_count_is_still_caught() -> None:
    text = (
        "Name,Email,Company\n"
        'Bob,"Smith,bob@example.org\n'
        "Carol,carol@example.org,Acme\n"
        'Dan,dan@example.org,"Quoted Co"\n'
    )
    result = parse(text)

    assert [r.name for r in result.records] == ["Carol", "Dan"]
    assert [p.line for p in result.problems] == [2]


def test_duplicate_email_in_one_file_is_one_record_filled_from_later_rows() -> None:
    text = (
        "Name,Email,Company,Title,Tags\n"
        "Ada Lovelace,ada@example.org,,,alumni\n"
        "Ada L.,ADA@EXAMPLE.ORG,Engines,Engineer,mentors;Alumni\n"
    )
    result = parse(text)

    (ada,) = result.records
    assert (ada.name, ada.email, ada.org, ada.title) == (
        "Ada Lovelace",
        "ada@example.org",
        "Engines",
        "Engineer",
    )
    assert ada.tags == ["alumni", "mentors"]
    assert ada.line == 2
    assert result.problems == []
    assert [str(m) for m in result.merged] == [
        "contacts.csv line 3: same email address as line 2; merged"
    ]


def test_same_linkedin_profile_twice_without_email_is_one_record() -> None:
    text = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace/,,Navy,,\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace,,,Admiral,\n"
    )
    (grace,) = parse(text).records

    assert (grace.org, grace.title) == ("Navy", "Admiral")


def test_a_name_with_a_newline_can_never_become_a_header() -> None:
    text = 'Name,Email\n"Mallory\r\nBcc: victim@example.com",mallory@example.org\n'
    (record,) = parse(text).records

    assert record.name == "Mallory Bcc: victim@example.com"
    assert_clean(record)


# --- normalise_record (shared with `contacts add`) -----------------------------------------


def test_normalise_record_cleans_every_field() -> None:
    raw = ContactRecord(
        name="  Ada\tLovelace\u202e ",
        email=" mailto:Ada@Example.ORG ",
        org="Engines\x00 Ltd",
        timezone="europe/london",
        notes="line one\nline two\u2028three",
        tags=["alumni", " Alumni ", "", "* starred"],
        extra={"Favourite Topic": " engines\r\n", "Empty": "  "},
    )
    record = normalise_record(raw)

    assert record.name == "Ada Lovelace"
    assert record.email == "Ada@example.org"
    assert record.org == "Engines Ltd"
    assert record.timezone == "Europe/London"
    assert record.notes == "line one line two three"
    assert record.tags == ["alumni"]
    assert record.extra == {"favourite_topic": "engines"}
    assert raw.name == "  Ada\tLovelace\u202e "  # the input is not modified


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (ContactRecord(name="", email=""), "no name and no email address"),
        (ContactRecord(name="Ada", email="ada@@example.org"), "invalid email address"),
        (ContactRecord(name="Ada", email="ada@localhost"), "invalid email address"),
        (ContactRecord(name="Ada", timezone="GMT+1 (Paris)"), "unknown time zone"),
        (ContactRecord(name="A" * 501), "name is 501 characters long"),
        (ContactRecord(name="Ada", title="x" * 800), "title is 800 characters long"),
    ],
)
def test_normalise_record_rejects_with_a_clear_reason(record: ContactRecord, message: str) -> None:
    with pytest.raises(ContactError, match=message):
        normalise_record(record)


def test_normalise_record_builds_a_name_from_the_email() -> None:
    assert normalise_record(ContactRecord(name="", email="ada.lovelace@example.org")).name == (
        "Ada Lovelace"
    )
    assert normalise_record(ContactRecord(name="", first_name="Ada", last_name="L")).name == "Ada L"


# --- Files that cannot be imported ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("empty.csv", "is empty"),
        ("whitespace_only.csv", "is empty"),
        ("binary_junk.csv", "not a contacts file"),
        ("spreadsheet.csv", "Excel workbook"),
        ("utf16_no_bom.csv", "not a contacts file"),
        ("header_only.csv", "has a header row (line 1) but no contacts"),
        ("no_header.csv", "has no header row"),
        ("not_a_vcard.vcf", "is not a vCard file"),
    ],
)
def test_unusable_files_raise_import_file_error_naming_the_file(
    fixture: str, expected: str
) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_contacts(BAD / fixture)

    assert fixture in caught.value.message
    assert expected in caught.value.message
    assert caught.value.hint is not None and "--format" in caught.value.hint


def test_vcard_missing_end_is_a_problem_at_its_line() -> None:
    result = read_contacts(BAD / "missing_end.vcf")

    assert [r.name for r in result.records] == ["Complete Card"]
    assert [str(p) for p in result.problems] == [
        "missing_end.vcf line 6: this vCard has no END:VCARD line (file cut short?)"
    ]


def test_malformed_vcard_is_a_problem_and_the_other_cards_import() -> None:
    result = read_contacts(BAD / "malformed_card.vcf")

    assert [r.name for r in result.records] == ["Good Card", "Another Good"]
    (problem,) = result.problems
    assert problem.line == 6
    assert "line 9 is not a vCard property" in problem.reason


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="does not exist"):
        read_contacts(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="is a directory"):
        read_contacts(tmp_path)


def test_source_label_overrides_the_format_name() -> None:
    result = read_contacts(DATA / "tabs.tsv", source="pycon-2024")

    assert result.records[0].source == "pycon-2024"
    assert result.format == "csv"


# --- Properties ----------------------------------------------------------------------------

_cell = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    column=_cell,
    rows=st.lists(st.tuples(_cell, _cell, _cell, _cell, _cell), min_size=1, max_size=6),
)
def test_arbitrary_cell_text_never_raises_and_never_leaks_control_characters(
    column: str, rows: list[tuple[str, str, str, str, str]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "Email", "Company", "Time Zone", column])
    writer.writerows(rows)
    try:
        result = parse_contacts(buffer.getvalue().encode("utf-8"), "fuzz.csv")
    except ImportFileError:
        return
    emails = [r.email.casefold() for r in result.records if r.email]
    assert len(emails) == len(set(emails))
    for record in result.records:
        assert_clean(record)
        assert record.line >= 2
        assert all(key.isidentifier() and key.isascii() for key in record.extra)
    for problem in result.problems:
        assert problem.file == "fuzz.csv" and problem.line >= 2


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300), name=st.sampled_from(["x.csv", "x.vcf", "x"]))
def test_arbitrary_bytes_give_records_or_import_file_error_only(data: bytes, name: str) -> None:
    try:
        result = parse_contacts(data, name)
    except ImportFileError:
        return
    for record in result.records:
        assert_clean(record)


_vcard_line = st.one_of(
    st.sampled_from(
        [
            "BEGIN:VCARD",
            "END:VCARD",
            "VERSION:3.0",
            "FN:Ada",
            "N:Lovelace;Ada;;;",
            "EMAIL;TYPE=pref:ada@example.org",
            "NOTE;ENCODING=QUOTED-PRINTABLE:a=",
            "ORG:Engines\\;Ltd;Dept",
            " folded",
            "",
        ]
    ),
    st.text(st.characters(codec="utf-8"), max_size=30),
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_vcard_line, max_size=20))
def test_arbitrary_vcard_like_text_gives_records_or_import_file_error_only(
    lines: list[str],
) -> None:
    text = "BEGIN:VCARD\n" + "\n".join(lines)
    try:
        result = parse(text, "fuzz.vcf")
    except ImportFileError:
        return
    for record in result.records:
        assert_clean(record)
