"""One person registry across sources.

Chats name people differently: WhatsApp by display name ("Anna"), SMS and
iMessage by phone number or e-mail, Telegram by account name. Contacts
(vCards) tie those handles to one person. The registry is derived state,
rebuilt from the stored documents when they change:

- every contact card is a person, known by its name, nicknames, phone keys
  (:func:`pocketmind.indexers.contacts.phone_keys`) and e-mail addresses;
- a first name is an alias of a contact when no other contact shares it;
- every name or handle seen in documents maps to the contact it matches,
  or stands for itself.

:meth:`aliases` gives every spelling stored in documents for one person, which
is what the ``--person`` filter and question boosts match against.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONEISH = re.compile(r"^[+(]?[\d\s().-]{6,}$")


def identity_keys(value: str) -> list[str]:
    """Normalised keys of a name or handle: phone keys, a lowercased e-mail or name."""
    from pocketmind.indexers.contacts import phone_keys

    value = value.strip()
    if not value:
        return []
    if _EMAIL.match(value):
        return ["email:" + value.casefold()]
    if _PHONEISH.match(value):
        return ["tel:" + k for k in phone_keys(value)]
    return ["name:" + " ".join(value.casefold().split())]


@dataclass
class Person:
    name: str
    keys: set[str] = field(default_factory=set)
    spellings: set[str] = field(default_factory=set)  # as stored in documents


class PersonRegistry:
    def __init__(self) -> None:
        self.people: list[Person] = []
        self._by_key: dict[str, Person] = {}

    @classmethod
    def build(cls, contacts: list[dict], spellings: list[str]) -> "PersonRegistry":
        """``contacts``: stored contact documents; ``spellings``: every author/participant string."""
        registry = cls()
        first_names: dict[str, list[Person]] = defaultdict(list)
        for doc in contacts:
            meta = doc.get("metadata") or {}
            person = Person(doc["title"])
            values = [doc["title"], *meta.get("nicknames", []), *meta.get("phones", []), *meta.get("emails", []), *meta.get("handles", [])]
            for value in values:
                person.keys.update(identity_keys(str(value)))
            registry.people.append(person)
            first = doc["title"].split()[0] if doc["title"].split() else ""
            if first and first != doc["title"]:
                first_names[first.casefold()].append(person)
        for person in registry.people:
            for key in person.keys:
                registry._by_key.setdefault(key, person)
        for first, persons in first_names.items():
            if len(persons) == 1:
                registry._by_key.setdefault("name:" + first, persons[0])
        for spelling in spellings:
            registry._attach(spelling)
        return registry

    def _attach(self, spelling: str) -> Person:
        keys = identity_keys(spelling)
        person = next((self._by_key[k] for k in keys if k in self._by_key), None)
        if person is None:
            person = Person(spelling, set(keys))
            self.people.append(person)
            for key in keys:
                self._by_key[key] = person
        person.spellings.add(spelling)
        return person

    def find(self, name: str) -> Person | None:
        return next((self._by_key[k] for k in identity_keys(name) if k in self._by_key), None)

    def display_name(self, spelling: str | None) -> str | None:
        if not spelling:
            return spelling
        person = self.find(spelling)
        return person.name if person else spelling

    def aliases(self, name: str) -> list[str]:
        """Every stored spelling of the person called ``name`` (at least ``name`` itself)."""
        person = self.find(name)
        found = set(person.spellings) | {person.name} if person else set()
        return sorted(found | {name})

    def names(self) -> list[str]:
        """Names to recognise in questions: canonical names, spellings and unique first names."""
        out: set[str] = set()
        for key, person in self._by_key.items():
            if key.startswith("name:"):
                out.add(key[5:])
        for person in self.people:
            out.add(person.name)
            out.update(s for s in person.spellings if not _PHONEISH.match(s))
        return sorted(out)
