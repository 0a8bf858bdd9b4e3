"""The fixed cast of the demo: teams, regions, sectors, campaigns and KPI targets.

Campaigns are written out by hand (name, channel, objective, audience, schedule, how well they
dial and sell, and the revenue-to-cost ratio they are designed to reach) so the demo tells a
readable story: most campaigns pay off, a purchased-list campaign and a couple of others do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.calendar import Period

TEAMS = ("Équipe Paris Nord", "Équipe Paris Sud", "Équipe Lyon", "Équipe Lille", "Équipe Bordeaux")
SITES = ("Saint-Denis", "Ivry-sur-Seine", "Lyon", "Lille", "Bordeaux")
FIRST_NAMES = (
    "Camille", "Lucas", "Léa", "Hugo", "Manon", "Louis", "Chloé", "Gabriel", "Inès", "Jules",
    "Emma", "Nathan", "Sarah", "Thomas", "Julie", "Karim", "Sofia", "Mehdi", "Claire", "Antoine",
    "Pauline", "Yanis", "Anaïs", "Maxime", "Laura", "Romain", "Nadia", "Julien", "Élodie", "Kevin",
    "Amandine", "Nicolas", "Fatou", "Bastien", "Margaux", "Théo", "Océane", "Samir", "Lucie",
    "Quentin",
)  # fmt: skip
INITIALS = "BCDFGHJLMNPRST"

#: Region, share of contacts, department numbers used for postal codes.
REGIONS: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("Île-de-France", 0.19, (75, 92, 93, 94, 91, 78, 95, 77)),
    ("Auvergne-Rhône-Alpes", 0.12, (69, 38, 42, 63, 74, 73)),
    ("Occitanie", 0.09, (31, 34, 30, 66, 11)),
    ("Hauts-de-France", 0.09, (59, 62, 80, 60, 2)),
    ("Nouvelle-Aquitaine", 0.09, (33, 64, 17, 87, 86)),
    ("Grand Est", 0.08, (67, 68, 57, 54, 51)),
    ("Provence-Alpes-Côte d'Azur", 0.08, (13, 6, 83, 84)),
    ("Pays de la Loire", 0.06, (44, 49, 72, 85)),
    ("Bretagne", 0.05, (35, 29, 56, 22)),
    ("Normandie", 0.05, (76, 14, 50, 27)),
    ("Bourgogne-Franche-Comté", 0.04, (21, 25, 71)),
    ("Centre-Val de Loire", 0.04, (45, 37, 18)),
)
REGION_NAMES = tuple(r[0] for r in REGIONS)
SECTORS = ("assurance", "énergie", "télécom", "banque", "immobilier", "retail")
SECTOR_WEIGHTS = (0.2, 0.17, 0.2, 0.15, 0.1, 0.18)
SEGMENTS = ("B2B", "B2C")
B2B, B2C = 0, 1

SOURCES = (
    "web_form", "purchased_list", "referral", "inbound_call", "trade_show", "partner", "social_ads",
)  # fmt: skip
WEB, LIST, REFERRAL, INBOUND, TRADE_SHOW, PARTNER, SOCIAL = range(7)
#: Per source: reachability and selling multipliers (referrals best, purchased lists worst),
#: and the median hours before the first call (speed to lead).
SOURCE_REACH = np.array([1.1, 0.78, 1.15, 1.0, 1.0, 1.0, 0.95])
SOURCE_SELL = np.array([1.1, 0.5, 1.45, 0.6, 1.1, 1.0, 0.8])
SOURCE_FIRST_DELAY_H = np.array([1.5, 40.0, 16.0, 0.0, 60.0, 28.0, 4.0])

CHANNELS = ("phone_outbound", "phone_inbound", "email", "sms")
OUTBOUND, INBOUND_CH, EMAIL, SMS = range(4)
OBJECTIVES = ("acquisition", "retention", "upsell", "reactivation")
TIERS = ("bronze", "silver", "gold")
TIER_VALUE = np.array([1.0, 1.8, 3.2])


@dataclass(frozen=True)
class CampaignTemplate:
    """One campaign as designed; `value` is revenue / cost it aims at (ROI + 1)."""

    name: str
    channel: str
    objective: str
    b2b: float
    sector: str | None
    region: str | None
    team: int
    window: tuple[float, float]
    weight: float
    contact: float
    success: float
    value: float
    sources: tuple[tuple[str, float], ...]
    max_attempts: int = 5


_SHORT_SOURCES = dict(zip(("web", "list", "referral", "inbound", "show", "partner", "social"),
                          SOURCES, strict=True))  # fmt: skip


def _t(
    name: str,
    channel: str,
    objective: str,
    b2b: float,
    sector: str | None,
    region: str | None,
    team: int,
    window: tuple[float, float],
    numbers: tuple[float, float, float, float],
    sources: str,
    max_attempts: int = 5,
) -> CampaignTemplate:
    """A template from a compact row; `numbers` = weight, contact, success, value and
    `sources` = "web .45 referral .25" (short source names)."""
    words = sources.split()
    pairs = tuple(
        (_SHORT_SOURCES[w], float(p)) for w, p in zip(words[::2], words[1::2], strict=True)
    )
    weight, contact, success, value = numbers
    return CampaignTemplate(
        name, channel, objective, b2b, sector, region, team, window,
        weight, contact, success, value, pairs, max_attempts,
    )  # fmt: skip


_PO, _PI, _EM, _SM = CHANNELS
_IDF, _ARA, _OCC, _HDF, _NAQ = REGION_NAMES[:5]
# fmt: off
TEMPLATES: tuple[CampaignTemplate, ...] = (
    _t("Relance assurance habitation", _PO, "retention", 0.0, "assurance", None, 0, (0.0, 1.0),
       (1.2, 0.40, 0.20, 1.7), "web .45 referral .25 partner .3"),
    _t("Prospection PME Lyon", _PO, "acquisition", 1.0, None, _ARA, 2, (0.0, 1.0),
       (1.1, 0.33, 0.17, 1.5), "list .4 web .2 partner .2 show .1 referral .1", 6),
    _t("Offre fibre pro Île-de-France", _PO, "acquisition", 1.0, "télécom", _IDF, 0, (0.0, 0.5),
       (1.0, 0.32, 0.19, 1.9), "list .35 web .35 social .2 referral .1", 6),
    _t("Service client entrant", _PI, "retention", 0.2, None, None, 1, (0.0, 1.0),
       (0.5, 0.92, 0.25, 1.3), "inbound 1", 2),
    _t("Newsletter offres énergie", _EM, "acquisition", 0.0, "énergie", None, -1, (0.1, 0.7),
       (0.0, 0.0, 0.0, 1.8), "web 1"),
    _t("Rappel échéance mutuelle", _SM, "retention", 0.0, "assurance", None, -1, (0.3, 0.55),
       (0.0, 0.0, 0.0, 1.3), "web 1"),
    _t("Montée en gamme box internet", _PO, "upsell", 0.0, "télécom", None, 3, (0.2, 0.8),
       (1.0, 0.38, 0.22, 1.7), "web .4 referral .2 social .4"),
    _t("Réactivation clients inactifs", _PO, "reactivation", 0.0, "retail", None, 4, (0.4, 0.75),
       (0.9, 0.30, 0.12, 0.8), "list .3 web .4 social .3", 4),
    _t("Prospection fichier énergie", _PO, "acquisition", 0.0, "énergie", None, 3, (0.0, 0.6),
       (1.3, 0.28, 0.09, 0.55), "list .85 social .15", 4),
    _t("Salon Franchise Paris – suivi", _PO, "acquisition", 1.0, None, _IDF, 1, (0.15, 0.4),
       (0.8, 0.42, 0.20, 2.2), "show .9 referral .1", 6),
    _t("Crédit immobilier – leads web", _PO, "acquisition", 0.0, "banque", None, 1, (0.0, 1.0),
       (1.0, 0.41, 0.20, 1.4), "web .7 social .3", 6),
    _t("Parrainage clients banque", _PO, "acquisition", 0.0, "banque", None, 4, (0.35, 1.0),
       (0.7, 0.45, 0.22, 2.4), "referral 1"),
    _t("Assurance flotte auto PME", _PO, "acquisition", 1.0, "assurance", None, 2, (0.5, 1.0),
       (1.0, 0.33, 0.18, 1.3), "list .3 partner .4 web .3", 6),
    _t("Ligne conseil énergie", _PI, "acquisition", 0.0, "énergie", None, 1, (0.25, 1.0),
       (0.45, 0.92, 0.25, 1.5), "inbound 1", 2),
    _t("E-mailing rentrée retail", _EM, "reactivation", 0.0, "retail", None, -1, (0.65, 0.85),
       (0.0, 0.0, 0.0, 0.7), "web 1"),
    _t("SMS promo fin d'année", _SM, "acquisition", 0.0, "retail", None, -1, (0.85, 1.0),
       (0.0, 0.0, 0.0, 1.25), "web 1"),
    _t("Upsell contrats pro Bordeaux", _PO, "upsell", 1.0, None, _NAQ, 4, (0.55, 0.95),
       (0.8, 0.36, 0.23, 1.8), "referral .3 web .3 partner .4"),
    _t("Prospection partenaires Toulouse", _PO, "acquisition", 1.0, None, _OCC, 2, (0.3, 0.7),
       (0.9, 0.31, 0.15, 1.1), "partner .7 list .3", 6),
    _t("Relance devis immobilier", _PO, "acquisition", 0.0, "immobilier", None, 3, (0.6, 1.0),
       (1.0, 0.34, 0.10, 0.6), "web .5 social .3 list .2"),
    _t("Fidélisation grands comptes Lille", _PO, "retention", 1.0, None, _HDF, 3, (0.0, 1.0),
       (0.8, 0.44, 0.21, 2.0), "referral .5 web .2 partner .3", 6),
)
# fmt: on


@dataclass(frozen=True)
class Campaigns:
    """The campaigns as parallel arrays (index = campaign number - 1)."""

    ids: tuple[str, ...]
    templates: tuple[CampaignTemplate, ...]
    channel: np.ndarray
    objective: np.ndarray
    team: np.ndarray
    b2b: np.ndarray
    sector: np.ndarray
    region: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    weight: np.ndarray
    contact: np.ndarray
    success: np.ndarray
    value: np.ndarray
    max_attempts: np.ndarray
    source_p: np.ndarray
    active: np.ndarray  # (days, campaigns) bool

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def phone(self) -> np.ndarray:
        return self.channel <= INBOUND_CH

    def tracking_codes(self) -> list[str]:
        return [f"TRK-{cid}" for cid in self.ids]


def _window_days(period: Period, window: tuple[float, float]) -> tuple[int, int]:
    """Snap a fractional window to days: starts on a Monday, ends on a Friday, at least a week."""
    n = period.n_days
    first = int(window[0] * n)
    if window[0] > 0:
        while first < n - 1 and period.weekday[first] != 0:
            first += 1
    last = min(n - 1, int(np.ceil(window[1] * n)) - 1)
    if window[1] < 1:
        while last > first and period.weekday[last] != 4:
            last -= 1
    if last - first < 6:
        first, last = max(0, min(first, n - 7)), min(n - 1, max(first, 0) + 6)
    return first, last


def build_campaigns(period: Period, rng: np.random.Generator) -> Campaigns:
    """The 20 campaigns on this period, with a little seed-dependent jitter of their numbers."""
    n = len(TEMPLATES)
    jitter = rng.uniform(-0.02, 0.02, size=(n, 2))
    windows = [
        (max(0.0, t.window[0] + j[0]) if t.window[0] > 0 else 0.0,
         min(1.0, t.window[1] + j[1]) if t.window[1] < 1 else 1.0)
        for t, j in zip(TEMPLATES, jitter, strict=True)
    ]  # fmt: skip
    days = [_window_days(period, w) for w in windows]
    start = np.array([d[0] for d in days], dtype=np.int64)
    end = np.array([d[1] for d in days], dtype=np.int64)
    source_p = np.zeros((n, len(SOURCES)))
    for i, t in enumerate(TEMPLATES):
        for name, p in t.sources:
            source_p[i, SOURCES.index(name)] = p
    source_p /= source_p.sum(axis=1, keepdims=True)
    day = np.arange(period.n_days)[:, None]
    noise = rng.lognormal(0.0, 0.05, size=(n, 2))
    return Campaigns(
        ids=tuple(f"C{i + 1:02d}" for i in range(n)),
        templates=TEMPLATES,
        channel=np.array([CHANNELS.index(t.channel) for t in TEMPLATES]),
        objective=np.array([OBJECTIVES.index(t.objective) for t in TEMPLATES]),
        team=np.array([t.team for t in TEMPLATES]),
        b2b=np.array([t.b2b for t in TEMPLATES]),
        sector=np.array([SECTORS.index(t.sector) if t.sector else -1 for t in TEMPLATES]),
        region=np.array([REGION_NAMES.index(t.region) if t.region else -1 for t in TEMPLATES]),
        start_day=start,
        end_day=end,
        weight=np.array([t.weight for t in TEMPLATES]),
        contact=np.array([t.contact for t in TEMPLATES]) * noise[:, 0],
        success=np.array([t.success for t in TEMPLATES]) * noise[:, 1],
        value=np.array([t.value for t in TEMPLATES]),
        max_attempts=np.array([t.max_attempts for t in TEMPLATES]),
        source_p=source_p,
        active=(day >= start[None, :]) & (day <= end[None, :]),
    )


#: (kpi, scope dimension, scope value, period, target, warn threshold)
TARGETS: tuple[tuple[str, str | None, str | None, str, float, float], ...] = (
    ("contact_rate", None, None, "month", 0.35, 0.30),
    ("contact_rate", "campaign", "C01", "month", 0.40, 0.34),
    ("hit_rate", None, None, "month", 0.20, 0.15),
    ("roi", None, None, "month", 1.0, 0.5),
    ("cpl", None, None, "month", 40.0, 50.0),
    ("aht", None, None, "month", 300.0, 360.0),
    ("csat", None, None, "month", 0.80, 0.70),
    ("nps", None, None, "quarter", 30.0, 15.0),
)
