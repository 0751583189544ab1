"""The six subsystems as people meet them: navigation, the home page and landing pages.

Each subsystem's app may give its AppConfig a ``summary(user)`` method returning
``SummaryItem``s (what it holds, counted from the database for this user); the home page
shows whatever each app reports, so nothing here is typed in by hand.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class SummaryItem:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Subsystem:
    slug: str
    label: str
    purpose: str
    users: str
    specification: str

    def summary(self, user) -> list[SummaryItem]:
        config = apps.get_app_config(self.slug)
        report = getattr(config, "summary", None)
        return report(user) if report else []

    @property
    def url(self) -> str:
        return reverse("web:subsystem", kwargs={"slug": self.slug})


SUBSYSTEMS = [
    Subsystem(
        "indicators",
        "Indicators",
        "Know the need: public health and adult social care indicators with confidence "
        "intervals, benchmarking against England and comparator groups, targets, RAG "
        "ratings, dashboards, and a check of every published figure against its data.",
        "Public health analysts, commissioners, councillors on scrutiny committees",
        "Seed 002, items 8 to 10 (performance dashboards for scrutiny)",
    ),
    Subsystem(
        "market",
        "Market",
        "Population and demand projections, the register of care supply, spend by "
        "service, and the Market Position Statement that tells providers where the "
        "council wants the market to go.",
        "Commissioners, care providers, adult social care managers",
        "Seed 001 (Sefton Market Position Statement)",
    ),
    Subsystem(
        "purchasing",
        "Purchasing",
        "Purchasing systems for care and support: providers apply to join lots, are "
        "evaluated on quality and social value, and individual packages are called off "
        "and approved within the scheme of delegation.",
        "Commissioners, brokers, senior managers, care providers",
        "Seed 003 (Supported Living procurement strategy)",
    ),
    Subsystem(
        "contracts",
        "Contracts",
        "The contract register: terms, values, extension options, key decisions and "
        "the forward plan.",
        "Commissioners, senior managers, Cabinet members",
        "Seed 000 (Living Well Sefton extension) and seed 002, item 14",
    ),
    Subsystem(
        "community",
        "Community",
        "The directory of community services, social prescribing referrals and "
        "caseloads, grants to voluntary organisations, and training.",
        "Link workers and community connectors, voluntary sector partners",
        "Seed 000 (Living Well Sefton) and seed 004 (early intervention and prevention)",
    ),
    Subsystem(
        "scrutiny",
        "Scrutiny",
        "Committees, meetings, agenda packs, minutes, actions, the work programme and "
        "recommendations, followed up until they are done.",
        "Councillors, scrutiny officers, report authors",
        "Seeds 002 and 004 (overview and scrutiny)",
    ),
]

BY_SLUG = {s.slug: s for s in SUBSYSTEMS}
