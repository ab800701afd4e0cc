"""Land use, parcels and buildings of the demo town's road blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from boundary_data.demo_town import mathfn as fm
from boundary_data.demo_town.names import NamePool

PUBLIC_KINDS = ("中心小学", "卫生服务中心", "文化礼堂", "派出所", "幼儿园", "消防站", "体育中心")

__all__ = [
    "Building",
    "Parcel",
    "buildings_of_parcel",
    "houses_of_block",
    "parcels_of_block",
    "place_rectangles",
    "subdivide",
]


@dataclass
class Parcel:
    """A land holding; ``employees`` is calibrated after all parcels exist."""

    geometry: Polygon
    kind: str  # enterprise / park / vacant / public
    landuse: str
    block: int
    name: str | None = None
    uscc: str | None = None
    industry: str | None = None
    employees: int = 0
    raw_employees: float = 0.0
    buildings: list[Building] = field(default_factory=list)


@dataclass
class Building:
    geometry: Polygon
    name: str
    floors: int
    use: str

    @property
    def floor_area_m2(self) -> float:
        return round(self.geometry.area * self.floors, 1)


def _axis_angle(poly: Polygon) -> float:
    """Direction (radians) of the long side of the polygon's minimum rotated rectangle."""
    xy = np.asarray(shapely.minimum_rotated_rectangle(poly).exterior.coords)[:4]
    edges = np.diff(np.vstack([xy, xy[:1]]), axis=0)
    long_edge = edges[np.argmax(fm.hypot(*edges.T))]
    return float(fm.arctan2(long_edge[1], long_edge[0]))


def subdivide(poly: Polygon, target_m2: float, rng: np.random.Generator,
              min_m2: float = 1_500.0) -> list[Polygon]:
    """Cut a polygon across its long axis again and again until pieces are near the target."""
    if poly.area <= 1.6 * target_m2:
        return [poly]
    angle = _axis_angle(poly)
    u = np.array([fm.cos(angle), fm.sin(angle)])
    v = np.array([-u[1], u[0]])
    xy = np.asarray(poly.exterior.coords)
    along = xy @ u
    cut = along.min() + (along.max() - along.min()) * rng.uniform(0.38, 0.62)
    span = 1e4
    across = (xy @ v).mean()
    corners = lambda a0, a1: Polygon(  # noqa: E731 - a half plane as a big rectangle
        [a0 * u + (across - span) * v, a1 * u + (across - span) * v,
         a1 * u + (across + span) * v, a0 * u + (across + span) * v]
    )
    pieces = []
    for half in (corners(cut - span, cut), corners(cut, cut + span)):
        part = shapely.intersection(poly, half)
        pieces.extend(p for p in shapely.get_parts(part) if isinstance(p, Polygon))
    if any(p.area < min_m2 for p in pieces):
        return [poly]
    return [q for p in pieces for q in subdivide(p, target_m2, rng, min_m2)]


def place_rectangles(area: Polygon, width: float, depth: float, gap: float,
                     limit: int) -> list[Polygon]:
    """Rectangles of ``width`` × ``depth`` in rows along the area's long axis, all inside it."""
    if area.is_empty or area.area < width * depth:
        return []
    angle = np.degrees(_axis_angle(area))
    origin = area.centroid
    flat = shapely.affinity.rotate(area, -angle, origin=origin)
    x0, y0, x1, y1 = flat.bounds
    nx = max(int((x1 - x0 + gap) // (width + gap)), 1)
    ny = max(int((y1 - y0 + gap) // (depth + gap)), 1)
    ox = x0 + (x1 - x0 - (nx * width + (nx - 1) * gap)) / 2
    oy = y0 + (y1 - y0 - (ny * depth + (ny - 1) * gap)) / 2
    cells = np.array([box(ox + i * (width + gap), oy + j * (depth + gap),
                          ox + i * (width + gap) + width, oy + j * (depth + gap) + depth)
                      for j in range(ny) for i in range(nx)])
    inside = cells[shapely.contains(flat, cells)][:limit]
    return [shapely.affinity.rotate(c, angle, origin=origin) for c in inside]


def parcels_of_block(net: Polygon, block_id: int, landuse: str, rng: np.random.Generator,
                     names: NamePool, *, park: bool = False) -> list[Parcel]:
    """Cut a block's net land into parcels according to its land use."""
    if landuse == "industrial" and park:
        park_name = names.place("小微企业园", reserve=False)
        return [Parcel(net, "park", "industrial", block_id, name=park_name,
                       industry="园区管理", raw_employees=rng.uniform(350, 650))]
    if landuse == "public":
        name = names.place(str(rng.choice(PUBLIC_KINDS)), reserve=False)
        return [Parcel(net, "public", "public", block_id, name=name)]
    targets = {"industrial": (14_000, 55_000), "office": (8_000, 18_000),
               "commercial": (8_000, 18_000), "vacant": (6_000, 20_000)}
    if landuse not in targets:
        return []
    lo, hi = targets[landuse]
    parcels = []
    for piece in subdivide(net, rng.uniform(lo, hi), rng):
        vacant = landuse == "vacant" or (rng.random() < 0.08 and piece.area >= 3_500)
        if vacant:
            parcels.append(Parcel(piece, "vacant", "vacant", block_id))
            continue
        office = landuse != "industrial"
        company, industry = names.company(office=office)
        mean = {"industrial": 55.0, "office": 140.0, "commercial": 90.0}[landuse]
        parcels.append(Parcel(piece, "enterprise", landuse, block_id, name=company,
                              uscc=names.credit_code(), industry=industry,
                              raw_employees=float(rng.lognormal(fm.log(mean), 0.7))))
    return parcels


def buildings_of_parcel(parcel: Parcel, rng: np.random.Generator) -> list[Building]:
    """Factories, towers, halls or public buildings that stand on a parcel."""
    inner = parcel.geometry.buffer(-8.0)
    if parcel.kind == "vacant" or inner.is_empty:
        return []
    label = parcel.name or ""
    if parcel.kind == "park":
        rects = place_rectangles(inner, 54.0, 22.0, 14.0, limit=16)
        return [Building(r, f"{label}{i + 1}号标准厂房", 4, "industrial")
                for i, r in enumerate(rects)]
    if parcel.kind == "public":
        rects = place_rectangles(inner, 42.0, 18.0, 16.0, limit=3)
        return [Building(r, f"{label}{i + 1}号楼", int(rng.integers(2, 5)), "public")
                for i, r in enumerate(rects)]
    if parcel.landuse == "office":
        rects = place_rectangles(inner, 36.0, 32.0, 24.0, limit=int(rng.integers(1, 3)))
        return [Building(r, label.replace("有限公司", "") + ("大厦" if i == 0 else f"{i + 1}号楼"),
                         int(rng.integers(8, 29)), "office") for i, r in enumerate(rects)]
    if parcel.landuse == "commercial":
        rects = place_rectangles(inner, 60.0, 45.0, 20.0, limit=1)
        return [Building(r, label.replace("有限公司", "") + "商业中心", int(rng.integers(2, 6)),
                         "commercial") for r in rects]
    width, depth = rng.uniform(45, 100), rng.uniform(24, 48)
    rects = place_rectangles(inner, width, depth, 14.0, limit=int(rng.integers(1, 4)))
    if not rects:
        rects = place_rectangles(inner, 30.0, 18.0, 10.0, limit=1)
    return [Building(r, f"{label}{i + 1}号厂房", int(rng.integers(1, 4)), "industrial")
            for i, r in enumerate(rects)]


def houses_of_block(net: Polygon, rng: np.random.Generator, village: str) -> list[Building]:
    """Village houses (民房) of a residential pocket, three storeys each."""
    rects = place_rectangles(net.buffer(-6.0), 12.0, 10.0, 14.0, limit=int(rng.integers(12, 26)))
    return [Building(r, f"{village}民房{i + 1}号", 3, "residential") for i, r in enumerate(rects)]
