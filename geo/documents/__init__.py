"""The application's documents (001 § 二(一)4), written from the data as Word files: the plan
(方案), 附件1 (the information table as a form), 附件2 (审核建议) and 附件3 (请示).
The .xlsx of 附件1 is :func:`geo.profile.info_table.write_info_table`."""

from geo.documents.annexes import Opinion, Step, write_annex1, write_annex2, write_annex3
from geo.documents.plan import GridRow, NeighbourRow, PlanFacts, write_plan

__all__ = ["GridRow", "NeighbourRow", "Opinion", "PlanFacts", "Step", "write_annex1",
           "write_annex2", "write_annex3", "write_plan"]
