"""``nbgrader generate_assignment``: a warning, in one line, for each earlier assignment whose answers a release gives
away; and the stub a released written-answer cell holds."""
from traitlets import Unicode

from ... import catalogues, text
from .preprocessor import KitPreprocessor

MESSAGES = text.table("nbgrader_release", {
    "reveals": "{assignment} ships the finished {modules} of {origin}, so releasing it reveals {origin}'s answers: "
               "{when}. Release it after {origin} is due.",
    "due_unset": "the gradebook has no due date for it",
    "due_ahead": "it is due only on {due} UTC",
})


def revealed_answers(assignment, db_url, now=None):
    """One line for each earlier assignment whose finished modules ``assignment`` ships while that assignment is
    not yet due (no due date in the gradebook, or one still ahead); an empty list when releasing reveals nothing."""
    from datetime import datetime, timezone

    from nbgrader.api import Gradebook, MissingEntry
    try:
        spec = catalogues.load(assignment)
    except catalogues.UnknownAssignment:
        return []
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)  # nbgrader keeps due dates as naive UTC
    lines = []
    for origin in sorted(set(spec.provided.values()) - {spec.name}):
        modules = ", ".join(f"{m}.py" for m, o in sorted(spec.provided.items()) if o == origin)
        with Gradebook(db_url) as gradebook:
            try:
                due = gradebook.find_assignment(origin).duedate
            except MissingEntry:
                due = None
        if due is None or due > now:
            when = MESSAGES["due_unset"] if due is None else MESSAGES["due_ahead"].format(due=due)
            lines.append(MESSAGES["reveals"].format(assignment=assignment, origin=origin, modules=modules, when=when))
    return lines


class WarnRevealedAnswers(KitPreprocessor):
    """``generate_assignment``: say in one line which earlier assignment's answers a release gives away."""

    lang = Unicode("", help="The language of the warning ('en', 'zh'); '' for $NNKIT_LANG, else "
                            "English.").tag(config=True)

    def preprocess(self, nb, resources):
        with text.language(self.lang or text.current()):
            lines = revealed_answers(resources["nbgrader"]["assignment"], resources["nbgrader"]["db_url"])
        for line in lines:
            self.log.warning(line)
        return nb, resources


def generate_preprocessors():
    """nbgrader 0.9.6's default ``GenerateAssignment.preprocessors``, after a check of what the release reveals."""
    from nbgrader.converters.generate_assignment import GenerateAssignment
    return [WarnRevealedAnswers] + list(GenerateAssignment.class_traits()["preprocessors"].default())


def answer_stub():
    """What a released written-answer cell holds until the student writes there (nbgrader's
    ``ClearSolutions.text_stub``), in the current language: the text the notebook's prompt tells the student to
    replace."""
    from ...authoring import notebooks
    return text.lookup("notebooks", "answer_stub", notebooks.ANSWER_STUB)
