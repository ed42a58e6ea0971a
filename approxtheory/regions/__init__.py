"""Counting linear regions (GYZ26.def.linear_regions) of maxout networks and hardmax Transformers.

- segment_regions / transformer_segment_regions: exact 1-D counts along x0 -> x1 (rational arithmetic).
- slice_regions: exact regions (rational polygons) on a 2-D slice of a maxout net.
- box_regions: activation/linear regions on a small-dimensional box by LP enumeration (float-based).
"""

from .box import BoxCell, BoxRegions, box_regions
from .result import SegmentRegions
from .segment import maxout_value, segment_regions
from .slice2d import SliceCell, SliceRegions, slice_regions
from .transformer_segment import transformer_segment_regions, transformer_value

__all__ = [
    "BoxCell",
    "BoxRegions",
    "SegmentRegions",
    "SliceCell",
    "SliceRegions",
    "box_regions",
    "maxout_value",
    "segment_regions",
    "slice_regions",
    "transformer_segment_regions",
    "transformer_value",
]
