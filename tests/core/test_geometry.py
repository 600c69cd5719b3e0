import pytest

from maillage.core.geometry import haversine_km, merge_bbox


def test_haversine_between_morlaix_and_brest_is_about_50_km():
    """Great-circle distance Morlaix (48.577, -3.828) → Brest (48.390, -4.486)."""
    assert haversine_km(48.577, -3.828, 48.390, -4.486) == pytest.approx(52.9, abs=0.5)


def test_haversine_of_a_point_to_itself_is_zero():
    assert haversine_km(45.0, 1.0, 45.0, 1.0) == 0


def test_merge_bbox_unions_boxes_and_handles_none():
    assert merge_bbox([(0, 1, 2, 3), (-1, 2, 1, 5)]) == (-1, 1, 2, 5)
    assert merge_bbox([]) is None
