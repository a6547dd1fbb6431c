"""Pictures of generated tables: the one a person expects for a spec (a histogram for one normal
column, the graph for an edge list, a line for a time series, ...), drawn with matplotlib's Agg
canvas. Nothing here is imported by ``import llmsynth``."""

from llmsynth.plots.choose import PICTURES, Picture, choose_picture
from llmsynth.plots.render import plot_table, save_plot, spec_reference

__all__ = ["PICTURES", "Picture", "choose_picture", "plot_table", "save_plot", "spec_reference"]
