"""The sidebar: the console's sections in their fixed order and groups. A section appears once a page
module declares it (`SECTION = nav.Section(...)`, listed in console/app.py): never a stub."""

from __future__ import annotations

from dataclasses import dataclass

from perks.console.users.models import Role

# Every section the console will have, in sidebar order, with its group.
ORDER: dict[str, str] = {
    "overview": "Loyalty",
    "campaigns": "Loyalty",
    "customers": "Loyalty",
    "rewards": "Loyalty",
    "tiers": "Loyalty",
    "brands": "Loyalty",
    "affiliates": "Affiliates",
    "commissions": "Affiliates",
    "payouts": "Affiliates",
    "settings": "Account",
    "audit": "Account",
}


@dataclass(frozen=True)
class Section:
    key: str  # one of ORDER
    label: str
    href: str
    role: Role = Role.VIEWER  # the least role that sees it

    def __post_init__(self) -> None:
        if self.key not in ORDER:
            raise ValueError(f"unknown console section {self.key!r}; add it to nav.ORDER")


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    current: bool


@dataclass(frozen=True)
class Group:
    title: str
    links: list[Link]


class Sidebar:
    def __init__(self, sections: list[Section]) -> None:
        self.sections = sorted(sections, key=lambda section: list(ORDER).index(section.key))

    def home(self) -> str:
        """Where /console/ leads: the first section."""
        return self.sections[0].href

    def groups(self, role: Role, path: str) -> list[Group]:
        groups: dict[str, list[Link]] = {}
        for section in self.sections:
            if role.includes(section.role):
                current = path == section.href or path.startswith(section.href + "/")
                groups.setdefault(ORDER[section.key], []).append(Link(section.label, section.href, current))
        return [Group(title, links) for title, links in groups.items()]
