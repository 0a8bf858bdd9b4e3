"""The contact pool: people and companies the campaigns reach, grouped so a campaign can draw
contacts of its segment, sector and region in one vectorised step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callkpi.demo.reference import B2B, REGIONS, SECTOR_WEIGHTS, SECTORS

#: Numbers ARCEP keeps for fiction (films, books, demos): never a real subscriber.
FICTION_PREFIXES = ("+3319900", "+3363998")
LANDLINE, MOBILE = 0, 1
_N_CELLS = 2 * len(SECTORS) * len(REGIONS)
REGION_P = np.array([r[1] for r in REGIONS]) / sum(r[1] for r in REGIONS)
SECTOR_P = np.array(SECTOR_WEIGHTS) / sum(SECTOR_WEIGHTS)


@dataclass(frozen=True)
class Contacts:
    """Contacts as parallel arrays; `consent` is updated by later steps (opt-outs)."""

    segment: np.ndarray
    sector: np.ndarray
    region: np.ndarray
    postal: np.ndarray
    phone_range: np.ndarray
    phone_suffix: np.ndarray
    has_email: np.ndarray
    consent: np.ndarray
    by_cell: np.ndarray
    cell_ptr: np.ndarray

    @property
    def n(self) -> int:
        return int(self.segment.size)

    def pick(
        self, rng: np.random.Generator, segment: np.ndarray, sector: np.ndarray, region: np.ndarray
    ) -> np.ndarray:
        """One random contact per request from its (segment, sector, region) cell, or from its
        whole segment when that cell is empty (small demos)."""
        cell = _cell(segment, sector, region)
        lo, hi = self.cell_ptr[cell], self.cell_ptr[cell + 1]
        empty = hi == lo
        per_segment = _N_CELLS // 2
        lo = np.where(empty, self.cell_ptr[segment * per_segment], lo)
        hi = np.where(empty, self.cell_ptr[(segment + 1) * per_segment], hi)
        return self.by_cell[lo + (rng.random(cell.size) * (hi - lo)).astype(np.int64)]


def _cell(segment: np.ndarray, sector: np.ndarray, region: np.ndarray) -> np.ndarray:
    return (segment * len(SECTORS) + sector) * len(REGIONS) + region


def build_contacts(n: int, rng: np.random.Generator) -> Contacts:
    """`n` contacts: about a third companies, French regions weighted by population."""
    segment = np.where(rng.random(n) < 0.35, B2B, 1 - B2B)
    sector = rng.choice(len(SECTORS), size=n, p=SECTOR_P)
    region = rng.choice(len(REGIONS), size=n, p=REGION_P)
    dept_pick = rng.random(n)
    postal = np.zeros(n, dtype=np.int64)
    for r, (_, _, depts) in enumerate(REGIONS):
        mask = region == r
        dept = np.array(depts)[(dept_pick[mask] * len(depts)).astype(np.int64)]
        postal[mask] = dept * 1000 + rng.integers(0, 100, mask.sum()) * 10
    paris = postal // 1000 == 75
    postal[paris] = 75000 + rng.integers(1, 21, paris.sum())
    b2b = segment == B2B
    phone_range = np.where(rng.random(n) < np.where(b2b, 0.7, 0.15), LANDLINE, MOBILE)
    phone_suffix = np.zeros(n, dtype=np.int64)
    for k in (LANDLINE, MOBILE):
        mask = phone_range == k
        phone_suffix[mask] = rng.permutation(int(mask.sum())) % 10_000
    cell = _cell(segment, sector, region)
    by_cell = np.argsort(cell, kind="stable")
    cell_ptr = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=_N_CELLS))])
    return Contacts(
        segment=segment,
        sector=sector,
        region=region,
        postal=postal,
        phone_range=phone_range,
        phone_suffix=phone_suffix,
        has_email=rng.random(n) < np.where(b2b, 0.92, 0.8),
        consent=rng.random(n) < 0.93,
        by_cell=by_cell,
        cell_ptr=cell_ptr,
    )
