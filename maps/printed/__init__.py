"""Print-ready maps of the application (001 § 二(一)4(1)): the 现状图 and the 布局图 as A3 or A4
landscape sheets, in PDF (fonts embedded, text searchable) or PNG, drawn with matplotlib.

Each sheet has a title, a title block (community, town, scale, CRS, data sources, date), a
north arrow, a scale bar with its representative fraction, a legend and coordinate ticks; the
same input gives the same bytes.
"""

from maps.printed.layout import Given, LayoutContent, layout_map
from maps.printed.sheet import Paper, PrintFormat, PrintKind, Sheet, nice_scale
from maps.printed.status import status_map

__all__ = ["Given", "LayoutContent", "Paper", "PrintFormat", "PrintKind", "Sheet", "layout_map",
           "nice_scale", "status_map"]
