"""Area colours: a 20-colour palette told apart with normal and red-green colour-blind vision.

Areas are numbered by size (0 = largest), so area ``i < 20`` takes ``PALETTE[i]`` and every smaller
area is grey. The palette was chosen by farthest-point selection in CIELAB over sRGB colours of
medium lightness (dark enough for white label halos, light enough that dark text stays legible on
them), scoring each pair by its smallest CIEDE2000 difference across normal vision and simulated
deuteranopia and protanopia (Machado et al. 2009, severity 1). Its guarantees, which
``tests/test_palette.py`` checks, are ``MIN_DELTA_E`` between any two colours with normal vision and
``MIN_DELTA_E_CVD`` under either simulation (``MIN_DELTA_E_CVD_TOP`` among the ``TOP_AREAS`` largest);
grey is at least ``MIN_DELTA_E_GREY`` from all of them in every vision. For scale: a CIEDE2000 difference
of about 2 is just noticeable side by side, 5 is clear, over 10 reads as a different colour.

Sub-areas of an area are drawn in shades of its colour (:func:`shades`): same hue, lightness spread.
"""

from __future__ import annotations

import math

# fmt: off
PALETTE = (
    "#3355cc", "#bb2222", "#ccaa44", "#007766", "#ff6699", "#aa2288", "#0099ff", "#bb6600",
    "#77cc88", "#11aabb", "#778844", "#cc99dd", "#cc7766", "#8866aa", "#aa5566", "#006688",
    "#7788cc", "#00aa88", "#99bbff", "#227733",
)
# fmt: on
SMALL_AREA_COLOR = "#b4b8be"
# A community under this many papers (often one stray paper) is a "small group", not an area: it is grey,
# it is not drawn in the overview, and it is not counted among the areas (CLI, home page, explorer).
MIN_AREA_PAPERS = 5
MIN_DELTA_E = 14.0
MIN_DELTA_E_CVD = 5.5
# The ten largest areas, the ones a reader compares most, are further apart under both simulations.
TOP_AREAS = 10
MIN_DELTA_E_CVD_TOP = 8.5
MIN_DELTA_E_GREY = 9.0
# Sub-area shades: lightness (CIELAB L*) kept in this range.
SHADE_L_RANGE = (30.0, 82.0)
# Sub-area shades: lightness moves up to this much either way, hue turns up to this many degrees.
SHADE_MAX_DL = 26.0
SHADE_MAX_TURN_DEG = 20.0
SHADE_GRID = 4  # candidate steps each way on both axes

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD_MATRICES = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998),
    ),
}  # fmt: skip


def area_color(area: int, size: int) -> str:
    """The colour of area ``area`` (numbered by size) of ``size`` papers: grey past the 20th or if small."""
    if is_small_area(size) or not 0 <= area < len(PALETTE):
        return SMALL_AREA_COLOR
    return PALETTE[area]


def is_small_area(size: int) -> bool:
    """Whether a community of ``size`` papers is a small group rather than an area (see MIN_AREA_PAPERS)."""
    return size < MIN_AREA_PAPERS


def count_areas(sizes: list[int]) -> tuple[int, int, int]:
    """(areas, small groups, papers in small groups) for community sizes: the one count shown everywhere.

    Examples
    --------
    >>> count_areas([120, 40, 5, 3, 1, 1])
    (3, 3, 5)
    """
    small = [s for s in sizes if is_small_area(s)]
    return len(sizes) - len(small), len(small), sum(small)


# ------------------------------------------------------------------------------------------ conversions
def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` as three 0-255 integers."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def rgb_to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02x}" for v in rgb)


def _to_linear(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(c: float) -> float:
    c = max(0.0, min(1.0, c))
    return 255.0 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055)


_D65 = (0.95047, 1.0, 1.08883)


def rgb_to_lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    """sRGB (0-255) to CIELAB (D65).

    Examples
    --------
    >>> [round(v, 1) + 0.0 for v in rgb_to_lab((255, 255, 255))]
    [100.0, 0.0, 0.0]
    """
    r, g, b = (_to_linear(c) for c in rgb)
    xyz = (
        0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        0.0193339 * r + 0.1191920 * g + 0.9503041 * b,
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _D65, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lab_to_rgb(lab: tuple[float, float, float]) -> tuple[float, float, float]:
    """CIELAB (D65) back to sRGB (0-255), clipped into the gamut."""
    L, a, b = lab
    fy = (L + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def finv(t: float) -> float:
        return t**3 if t > 6 / 29 else 3 * (6 / 29) ** 2 * (t - 4 / 29)

    x, y, z = (finv(t) * w for t, w in zip((fx, fy, fz), _D65, strict=True))
    lin = (
        3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
        -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
        0.0556434 * x - 0.2040259 * y + 1.0572252 * z,
    )
    return tuple(_from_linear(c) for c in lin)  # type: ignore[return-value]


def simulate_cvd(rgb: tuple[float, float, float], kind: str) -> tuple[float, float, float]:
    """How ``rgb`` looks with colour-vision deficiency ``kind`` (a key of ``CVD_MATRICES``)."""
    lin = [_to_linear(c) for c in rgb]
    out = [sum(m * v for m, v in zip(row, lin, strict=True)) for row in CVD_MATRICES[kind]]
    return tuple(_from_linear(c) for c in out)  # type: ignore[return-value]


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1.

    Examples
    --------
    >>> round(ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)), 4)  # Sharma's test pair 1
    2.0425
    """
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dLp, dCp = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    else:
        dhp = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    Lp, Cp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    else:
        hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp - 30))
        + 0.24 * math.cos(math.radians(2 * hp))
        + 0.32 * math.cos(math.radians(3 * hp + 6))
        - 0.20 * math.cos(math.radians(4 * hp - 63))
    )
    d_theta = 30 * math.exp(-(((hp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(Cp**7 / (Cp**7 + 25**7))
    sl = 1 + 0.015 * (Lp - 50) ** 2 / math.sqrt(20 + (Lp - 50) ** 2)
    sc = 1 + 0.045 * Cp
    sh = 1 + 0.015 * Cp * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dCp / sc) * (dHp / sh))


def color_distance(c1: str, c2: str, vision: str = "normal") -> float:
    """CIEDE2000 between two ``#rrggbb`` colours as seen with ``vision`` (normal or a CVD kind)."""
    r1, r2 = hex_to_rgb(c1), hex_to_rgb(c2)
    if vision != "normal":
        r1, r2 = simulate_cvd(r1, vision), simulate_cvd(r2, vision)
    return ciede2000(rgb_to_lab(r1), rgb_to_lab(r2))


def shades(color: str, n: int) -> list[str]:
    """``n`` shades of ``color`` for the sub-areas of its area, as far apart as the family allows.

    Candidates move the colour's lightness by up to ``SHADE_MAX_DL`` and turn its hue by up to
    ``SHADE_MAX_TURN_DEG`` (so the family still reads as one colour); farthest-point selection in
    CIEDE2000 picks them, starting from the area colour itself, which the largest sub-area keeps.

    Examples
    --------
    >>> shades("#3355cc", 1)
    ['#3355cc']
    """
    if n <= 0:
        return []
    L, a, b = rgb_to_lab(hex_to_rgb(color))
    lo, hi = SHADE_L_RANGE
    candidates: dict[str, tuple[float, float, float]] = {}
    steps = range(-SHADE_GRID, SHADE_GRID + 1)
    for i in steps:
        for j in steps:
            turn = math.radians(SHADE_MAX_TURN_DEG * j / SHADE_GRID)
            a2, b2 = a * math.cos(turn) - b * math.sin(turn), a * math.sin(turn) + b * math.cos(turn)
            target = min(hi, max(lo, L + SHADE_MAX_DL * i / SHADE_GRID))
            shade = rgb_to_hex(lab_to_rgb((target, a2, b2)))
            candidates.setdefault(shade, rgb_to_lab(hex_to_rgb(shade)))
    chosen = [color]
    nearest = {h: ciede2000(lab, (L, a, b)) for h, lab in candidates.items()}
    while len(chosen) < n:
        pick = max(nearest, key=lambda h: (nearest[h], h))
        chosen.append(pick)
        for h, lab in candidates.items():
            nearest[h] = min(nearest[h], ciede2000(lab, candidates[pick]))
    return chosen
