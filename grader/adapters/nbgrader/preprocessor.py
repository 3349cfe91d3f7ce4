"""The base class of the kit's nbgrader preprocessors (``release``, ``cells``, ``failures``, ``autograde``,
``safe_markdown``, ``feedback``), in a module of its own so that each of them can import it."""
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List


class KitPreprocessor(NbGraderPreprocessor):
    """The kit's nbgrader preprocessors. nbconvert's exporters configure ``NbConvertBase.display_data_priority``,
    which nbgrader's base class redeclares without ``config=True``: declared configurable here, as nbgrader's own
    GetGrades does, so that no nbgrader command warns that its subclasses do not recognise it."""
    display_data_priority = List(NbGraderPreprocessor.class_traits()["display_data_priority"].default(),
                                 config=True)
