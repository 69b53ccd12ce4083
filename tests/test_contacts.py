"""Contacts indexers against the real vCard, jCard and xCard samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.contacts import (
    JCardIndexer,
    VCardIndexer,
    XCardIndexer,
    normalize_phone,
    phone_keys,
)


def vcards(real: Path, name: str) -> list:
    root = real / "contacts" / "vcf"
    return list(VCardIndexer().parse(root / name, root))


# ------------------------------------------------------------------ phone numbers


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("(905) 555-1234", "9055551234"),
        ("555-555-1111", "5555551111"),
        ("tel:+1-418-656-9254;ext=102", "+14186569254"),
        ("+44 20 7946 0958 ext. 12", "+442079460958"),
        ("0049 30 1234567", "+49301234567"),
        ("+96123456789", "+96123456789"),
        ("BusinessPhone", ""),
    ],
)
def test_normalize_phone(raw, normalized):
    assert normalize_phone(raw) == normalized


def test_phone_keys_match_with_and_without_country_code():
    assert phone_keys("+44 7911 123456") == ["+447911123456", "447911123456", "911123456"]
    assert "911123456" in phone_keys("07911 123456")
    assert phone_keys("123456") == ["123456"]
    assert phone_keys("no number") == []


# ------------------------------------------------------------------ vCard files


def test_indexer_identity_and_accepts(real):
    indexer = VCardIndexer()
    assert (indexer.source_kind, indexer.name) == ("contacts", "vcard")
    assert indexer.accepts(real / "contacts/vcf/ezvcard_gmail_list.vcf")
    assert not indexer.accepts(real / "contacts/jcard/ezvcard_jcard_rfc7095.json")


def test_android_v21_quoted_printable_names(real):
    docs = vcards(real, "ezvcard_android_contacts_v21_qp.vcf")
    assert len(docs) == 6
    assert [d.title for d in docs] == [
        "john.doe@company.com",  # no name at all: the email stands in
        "jane.doe@company.com",
        "Ñ Ñ Ñ Ñ Ñ",
        "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ",  # QP value continued after a soft line break
        "Ñ Ñ Ñ Ñ",
        "ÑÑÑÑ",
    ]
    assert all(d.kind == "contact" for d in docs)
    many_phones = docs[3]
    assert many_phones.metadata["phones"] == ["123456", "234567", "3456789", "45678901"]
    assert "Phone (home): 234567" in many_phones.text
    bob = docs[4]
    assert bob.metadata["emails"] == ["bob@company.com", "ññññññññññññññ"]
    assert bob.metadata["org"] == "ÑÑÑÑÑÑÑÑÑÑÑÑ"
    assert "Phone (work, fax): 123456" in bob.text
    assert "/9j/" not in bob.text  # the photo is not text
    assert docs[5].metadata["emails"] == ["henry@company.com"]
    assert docs[5].metadata["phones"] == ["55556666"]
    assert docs[5].people == ["ÑÑÑÑ"]


def test_blackberry(real):
    (doc,) = vcards(real, "ezvcard_blackberry.vcf")
    assert doc.title == "John Doe"
    assert doc.metadata["phones"] == ["+96123456789"]
    assert doc.metadata["org"] == "Acme Solutions"
    assert "Phone (cell): +96123456789" in doc.text


def test_evolution_v30(real):
    (doc,) = vcards(real, "ezvcard_evolution.vcf")
    assert doc.title == "Mr. John Richter, James Doe Sr."
    assert doc.native_id == "ezvcard_evolution.vcf#477343c8e6bf375a9bac1f96a5000837"
    assert doc.metadata["uid"] == "477343c8e6bf375a9bac1f96a5000837"
    assert doc.metadata["phones"] == ["9056661234", "9055551234"]
    assert doc.metadata["emails"] == ["john.doe@ibm.com"]
    assert doc.metadata["handles"] == ["aim:johnny5@aol.com"]
    assert doc.metadata["nicknames"] == ["Johny"]
    assert doc.metadata["org"] == "IBM, Accounting, Dungeon"
    assert doc.metadata["birthday"] == "1980-03-22"
    assert doc.tags == ["VIP"]
    assert "Address (home): ASB-123, 15 Crescent moon drive, Albaney, New York, 12345, United States of America" in doc.text


def test_fullcontact_v40(real):
    (doc,) = vcards(real, "ezvcard_fullcontact_v40.vcf")
    assert doc.title == "Prefix FirstName MiddleName LastName Suffix"
    assert len(doc.metadata["phones"]) == 9
    assert doc.metadata["phones"][0] == "5555551111"
    assert doc.metadata["emails"][-1] == "custom@example.com"
    assert doc.metadata["handles"][:2] == ["xmpp:gtalk", "skype:skype"]
    assert doc.metadata["birthday"] == "2016-08-01"
    assert "Notes line 1\nNotes line 2" in doc.text


def test_gmail_list(real):
    docs = vcards(real, "ezvcard_gmail_list.vcf")
    assert [(d.title, d.metadata["emails"]) for d in docs] == [
        ("Arnold Smith", ["asmithk@gmail.com"]),
        ("Chris Beatle", ["chrisy55d@yahoo.com"]),
        ("Doug White", ["dwhite@gmail.com"]),
    ]


def test_iphone_with_large_photo(real):
    (doc,) = vcards(real, "ezvcard_iphone_v30_photo.vcf")
    assert doc.title == "Mr. John Richter James Doe Sr."
    assert doc.metadata["phones"][0] == "9055551234"
    assert doc.metadata["phones"][-1] == "9052221234"  # item2.TEL, a grouped property
    assert doc.metadata["birthday"] == "2012-06-06"
    assert doc.metadata["urls"] == ["http://www.ibm.com"]
    assert "Address (work): Street4, Building 6, Floor 8, New York, 12345, USA" in doc.text
    assert len(doc.text) < 1000  # the 46 KB photo is skipped


def test_macos_address_book(real):
    (doc,) = vcards(real, "ezvcard_macos_addressbook.vcf")
    assert doc.title == "Mr. John Richter,James Doe Sr."
    assert doc.metadata["phones"][0] == "9057771234"
    assert doc.metadata["emails"] == ["john.doe@ibm.com"]


def test_ms_outlook_v21(real):
    (doc,) = vcards(real, "ezvcard_ms_outlook.vcf")
    assert doc.title == "Mr. John Richter James Doe Sr."
    assert doc.metadata["phones"] == ["9055551234", "9056661234"]
    assert doc.metadata["emails"] == ["john.doe@ibm.cm"]
    assert doc.metadata["handles"] == ["im:johny5@aol.com"]
    assert doc.metadata["birthday"] == "1980-03-22"


def test_outlook2003_quoted_printable_note(real):
    (doc,) = vcards(real, "ezvcard_outlook2003.vcf")
    assert doc.title == "John Doe III"
    assert "This is the note field!!\nSecond line\n\nThird line is empty" in doc.text
    assert doc.metadata["phones"] == []  # Outlook's placeholders hold no digits
    assert "Phone (work, fax): BusinessFaxPhone" in doc.text
    assert doc.metadata["birthday"] == "1980-03-21"
    assert doc.metadata["emails"] == ["jdoe@hotmail.com"]


def test_outlook2007(real):
    (doc,) = vcards(real, "ezvcard_outlook2007.vcf")
    assert doc.title == "Mr. Michael Angstadt Jr."
    assert doc.metadata["phones"] == ["1115551111", "1115552222", "1115554444", "1115553333"]
    assert doc.metadata["birthday"] == "1922-03-10"
    assert doc.metadata["urls"] == ["http://mikeangstadt.name"]
    assert "I assume it encodes this text inside a NOTE vCard type.\n" in doc.text


def test_rfc6350_example(real):
    (doc,) = vcards(real, "ezvcard_rfc6350_example_v40.vcf")
    assert doc.title == "Simon Perreault"
    assert doc.metadata["phones"] == ["+14186569254", "+14182626501"]
    assert doc.metadata["birthday"] == "--02-03"
    assert doc.metadata["org"] == "Viagenie"


def test_thunderbird(real):
    (doc,) = vcards(real, "ezvcard_thunderbird_mfab.vcf")
    assert doc.title == "John Doe"
    assert doc.metadata["phones"][:2] == ["5555551111", "5555552222"]
    assert doc.metadata["emails"][0] == "doe.john@hotmail.com"
    assert len(doc.metadata["emails"]) == 5
    assert doc.metadata["birthday"] == "1970-09-21"
    assert 'You can put anything in the "note" field; even curse words.' in doc.text


def test_native_ids_unique_and_stable(real):
    first = vcards(real, "ezvcard_android_contacts_v21_qp.vcf")
    again = vcards(real, "ezvcard_android_contacts_v21_qp.vcf")
    ids = [d.native_id for d in first]
    assert ids == [d.native_id for d in again]
    assert len(set(ids)) == 6


def test_not_a_vcard_raises(tmp_path):
    path = tmp_path / "contacts.vcf"
    path.write_text("name,phone\nAda,+44 20 1234\n")
    with pytest.raises(ParseError) as error:
        list(VCardIndexer().parse(path, tmp_path))
    assert error.value.path == str(path)
    assert error.value.problem == "not a vCard file: no BEGIN:VCARD line"


def test_unterminated_vcard_raises(tmp_path):
    path = tmp_path / "cut.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\n")
    with pytest.raises(ParseError) as error:
        list(VCardIndexer().parse(path, tmp_path))
    assert error.value.path == str(path)
    assert "Component VCARD was never closed" in error.value.problem


# ------------------------------------------------------------------ jCard and xCard


@pytest.mark.parametrize("name, line", [
    ("ezvcard_iphone_v30_photo.vcf", "Address (home): Silicon Alley 5, New York, New York, 12345, United States of America"),
    ("ezvcard_outlook2007.vcf", "Address (work): TheOffice, 222 Broadway, New York, NY, 99999, USA"),  # vCard 2.1 ADR;WORK;PREF
    ("ezvcard_rfc6350_example_v40.vcf", "Address (work): Suite D2-630, 2875 Laurier, Quebec, QC, G1V 2M2, Canada"),
])
def test_address_says_home_or_work(real, name, line):
    (doc,) = vcards(real, name)
    assert line in doc.text.splitlines()


def test_jcard(real):
    root = real / "contacts"
    path = root / "jcard" / "ezvcard_jcard_rfc7095.json"
    assert JCardIndexer().accepts(path)
    (doc,) = list(JCardIndexer().parse(path, root))
    assert doc.title == "Simon Perreault"
    assert doc.metadata["phones"] == ["+14186569254", "+14182626501"]
    assert doc.metadata["emails"] == ["simon.perreault@viagenie.ca"]
    assert doc.metadata["birthday"] == "--02-03"
    assert "Full name: Simon Perreault ing. jr M.Sc." in doc.text
    assert "Address (work): Suite D2-630, 2875 Laurier, Quebec, QC, G1V 2M2, Canada" in doc.text


def test_xcard(real):
    root = real / "contacts"
    path = root / "xcard" / "ezvcard_xcard_rfc6351.xml"
    assert XCardIndexer().accepts(path)
    (doc,) = list(XCardIndexer().parse(path, root))
    assert doc.title == "Simon Perreault"
    assert doc.metadata["phones"] == ["+14186569254", "+14182626501"]
    assert doc.metadata["org"] == "Viagenie"
    assert "Address (work): 2875 boul. Laurier, suite D2-630, Quebec, QC, G1V 2M2, Canada" in doc.text
    assert doc.native_id.startswith("xcard/ezvcard_xcard_rfc6351.xml#")


def test_jcard_and_xcard_malformed(tmp_path):
    bad_json = tmp_path / "card.json"
    bad_json.write_text('["vcard", [["fn", {}, "text"')
    with pytest.raises(ParseError, match="not valid JSON"):
        list(JCardIndexer().parse(bad_json, tmp_path))
    bad_xml = tmp_path / "card.xml"
    bad_xml.write_text('<vcards xmlns="urn:ietf:params:xml:ns:vcard-4.0"><vcard>')
    with pytest.raises(ParseError, match="not well-formed XML"):
        list(XCardIndexer().parse(bad_xml, tmp_path))
