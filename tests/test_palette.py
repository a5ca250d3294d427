"""The area palette: distances in CIEDE2000 with normal vision and simulated red-green colour blindness."""

from __future__ import annotations

import itertools

import pytest

from graphx import palette
from graphx.palette import PALETTE, SMALL_AREA_COLOR, color_distance

VISIONS = ("normal", "deuteranopia", "protanopia")


def min_distance(colors, vision):
    return min(color_distance(a, b, vision) for a, b in itertools.combinations(colors, 2))


def test_ciede2000_matches_sharma_reference_pairs():
    # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7 and 17.
    assert palette.ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert palette.ciede2000((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert palette.ciede2000((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)


def test_the_twenty_largest_areas_have_distinct_colours_for_every_vision():
    assert len(PALETTE) == 20 and len(set(PALETTE)) == 20
    assert min_distance(PALETTE, "normal") >= palette.MIN_DELTA_E
    for vision in VISIONS[1:]:
        assert min_distance(PALETTE, vision) >= palette.MIN_DELTA_E_CVD, vision
        assert min_distance(PALETTE[: palette.TOP_AREAS], vision) >= palette.MIN_DELTA_E_CVD_TOP, vision


def test_grey_small_areas_stand_apart_from_every_area_colour():
    for vision in VISIONS:
        assert min(color_distance(SMALL_AREA_COLOR, c, vision) for c in PALETTE) >= palette.MIN_DELTA_E_GREY


def test_the_old_palette_failed_the_same_check():
    # The 16-colour palette this one replaced put two areas 0.7 apart for deuteranopes.
    old = (
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#4E79A7",
        "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F",
    )  # fmt: skip
    assert min_distance(old, "deuteranopia") < palette.MIN_DELTA_E_CVD


def test_area_colours_by_rank_and_size():
    assert palette.area_color(0, 500) == PALETTE[0]
    assert palette.area_color(19, 50) == PALETTE[19]
    assert palette.area_color(20, 50) == SMALL_AREA_COLOR
    assert palette.area_color(3, palette.MIN_AREA_PAPERS - 1) == SMALL_AREA_COLOR


def test_sub_area_shades_are_distinct_and_keep_the_area_colour_first():
    for color in PALETTE:
        family = palette.shades(color, 6)
        assert family[0] == color and len(set(family)) == 6
        assert min_distance(family, "normal") >= 8.0, color  # clearly different side by side


def test_count_areas_leaves_small_groups_apart():
    assert palette.count_areas([791, 635, 46, 3, 1, 1]) == (3, 3, 5)
