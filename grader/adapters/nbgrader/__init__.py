"""The kit's side of nbgrader 0.9.6, one module per nbgrader step that ``nbgrader_config.py`` plugs it into.

- ``release``: ``generate_assignment``'s warning about answers a release gives away, and a written answer's stub.
- ``cells``, ``failures``, ``autograde``, ``safe_markdown``: ``autograde``'s steps. ``failures.ZeroUntilGraded`` and
  ``cells.NormaliseCells`` come first; ``autograde.GradeWithKit`` replaces nbgrader's ``Execute`` (no kernel runs:
  the kit grades the module files in its sandbox); ``safe_markdown.SanitiseMarkdown`` cleans students' markdown.
- ``collect``: ``zip_collect``'s extractor, which reads only the files a submission needs.
- ``feedback``: ``generate_feedback``'s exporter, a self-contained page with a summary first and a strict CSP.
- ``gradebook``: the gradebook's autograded and hand-graded scores, for the CLI, the LMS export and the demo.
- ``export``: ``nbgrader export``'s grades.csv plugin.
- ``files``: which files make a submission, and the ids nbgrader's collection accepts.
- ``preprocessor``: the base class of the kit's preprocessors.
"""
