"""The summary at the top of a feedback page, without nbgrader's CLI: what it shows, what it escapes, where it links.
The round trips (tests/test_nbgrader_roundtrip.py, tests/test_nbgrader_zh.py) check it on real feedback pages."""
import nbformat
import pytest
from nbconvert.filters.strings import clean_html

from grader.grading import engine
from grader.reports import feedback_summary, results
from grader.adapters.nbgrader.autograde import GradeWithKit, grade_outputs
from grader.adapters.nbgrader.feedback import FEEDBACK_TEMPLATE, FeedbackSummary, SUMMARY_FLAG, collapse_toc
from grader import text
from feedback_pages import read_summary

HOSTILE = "<script>alert(1)</script> & \"$x$\" </div><a href='#x'>"


def _grade_cell(key, points, record=None, cell_id=None):
    cell = nbformat.v4.new_code_cell(f"check_part({key!r})")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": key, "points": points, "solution": False,
                                 "locked": True, "schema_version": 3}
    cell.outputs = grade_outputs("messages", 0.0, record=record)
    cell["id"] = cell_id or f"grade-{key}"
    return cell


def _answer_cell(key, points):
    cell = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": key, "points": points, "solution": True,
                                 "locked": False, "schema_version": 3}
    return cell


def _failure(message, cause="", function="backprop.hidden_delta", public=False):
    return {"function": function, "check": "values", "number": 2, "public": public, "message": message,
            "cause": cause}


def _page(nb, grades, total, assignment="a3_backprop", late=0.0):
    """What the page shows of the summary, after nbconvert's clean_html filter, as a reader sees it."""
    rows = feedback_summary.rows(nb, grades, assignment)
    return read_summary(clean_html(feedback_summary.render(rows, total[0], total[1], late)))


def test_student_text_is_escaped_and_reads_back_unchanged():
    nb = nbformat.v4.new_notebook(cells=[_grade_cell("hidden_delta", 2, feedback_summary.record(
        _failure(HOSTILE, cause=HOSTILE)))])
    made = feedback_summary.render(feedback_summary.rows(nb, {"hidden_delta": (0.0, 2.0, "")}, "a3_backprop"), 0, 2)
    for markup in ("<script", "<a href='#x'>", "</div><a"):
        assert markup not in made and markup not in clean_html(made)
    row = read_summary(clean_html(made))["rows"][0]
    assert row["failure"] == results.case_line("backprop.hidden_delta", "values", 2, False, HOSTILE)
    assert row["cause"] == f"Likely cause: {HOSTILE}"
    assert row["links"] == [] and row["href"] == "#cell-id=grade-hidden_delta"


def test_a_part_that_lost_points_shows_its_first_failure_cause_and_what_to_fix_first():
    nb = nbformat.v4.new_notebook(cells=[
        _grade_cell("hidden_delta", 2, feedback_summary.record(_failure("values differ", "the derivative"))),
        _answer_cell("random_init", 1),
        _grade_cell("xor", 3, feedback_summary.record(_failure("max error is 0.5", function="training.train"),
                                                      ["backprop.hidden_delta"]), cell_id="renamed-by-a-student")])
    grades = {"hidden_delta": (0.0, 2.0, ""), "random_init": (1.0, 1.0, "by_hand"), "xor": (1.5, 3.0, "")}
    summary = _page(nb, grades, (2.0, 6.0), late=0.5)
    hidden, answer, xor = summary["rows"]
    assert summary["verdict"].startswith("2 of 2 parts lost points")
    assert (hidden["title"], hidden["score"], hidden["points"]) == ("A hidden layer's delta", 0.0, 2.0)
    assert hidden["cause"] == "Likely cause: the derivative" and hidden["upstream"] == ""
    assert (answer["status"], answer["note"], answer["href"]) == ("nnkit-written", "graded by hand", "#random_init")
    assert answer["title"] == "Written question: Why the initial weights are random"
    assert xor["href"] == "#cell-id=renamed-by-a-student" and xor["cause"] == ""
    assert xor["upstream"] == "Fix backprop.hidden_delta() first: this part runs your whole network."
    assert xor["links"] == ["#cell-id=grade-hidden_delta"], "the function leads to the part that checks it"
    assert summary["late"] == 0.5 and summary["total"] == (2.0, 6.0)


def test_full_marks_get_one_line_and_the_table():
    nb = nbformat.v4.new_notebook(cells=[_grade_cell("output_delta", 2), _answer_cell("random_init", 1)])
    summary = _page(nb, {"output_delta": (2.0, 2.0, ""), "random_init": (0.0, 1.0, "waiting")}, (2.0, 3.0))
    assert summary["verdict"] == "Every part passed."
    assert [(row["status"], row["note"]) for row in summary["rows"]] == [
        ("nnkit-passed", "passed"), ("nnkit-written", "waiting for a grader")]


def test_a_cell_the_grader_could_not_fill_shows_its_message():
    nb = nbformat.v4.new_notebook(cells=[_grade_cell("sigmoid", 2)])
    resources = {"nbgrader": {"assignment": "no_such_assignment", "student": "s", "notebook": "n"},
                 "metadata": {"path": "."}}
    nb, _ = GradeWithKit().preprocess(nb, resources)
    row = _page(nb, {"sigmoid": (0.0, 2.0, "")}, (0.0, 2.0), "no_such_assignment")["rows"][0]
    assert row["title"] == "sigmoid" and "could not run" in row["failure"] and row["cause"] == ""


def test_a_lost_part_without_a_record_points_to_its_cell():
    cell = _grade_cell("output_delta", 2)
    cell.outputs = []  # a notebook graded without the kit
    row = _page(nbformat.v4.new_notebook(cells=[cell]), {"output_delta": (0.0, 2.0, "")}, (0.0, 2.0))["rows"][0]
    assert row["failure"] == "See the part's cell." and feedback_summary.read_record(cell) == {}


def test_the_summary_is_chinese_in_a_chinese_course():
    nb = nbformat.v4.new_notebook(cells=[_grade_cell("hidden_delta", 2, feedback_summary.record(
        _failure("值不对", "漏掉了导数", public=True)))])
    with text.language("zh"):
        summary = _page(nb, {"hidden_delta": (0.0, 2.0, "")}, (0.0, 2.0))
    row = summary["rows"][0]
    assert summary["verdict"].startswith("1 个部分中有 1 个丢了分") and "隐藏层" in row["title"]
    assert row["failure"] == "✗ backprop.hidden_delta (values) #2（公开预览）：值不对"
    assert row["cause"] == "可能的原因：漏掉了导数"


def _case(index, passed, message="", misconception="", public=False):
    return engine.CaseResult("p", "m.f", "values", index, public, passed, message, misconception)


def test_first_failure_takes_the_first_failed_case_and_its_cause_off():
    trick = "raised ValueError: x. Likely cause: y"  # student text that looks like a diagnosis
    cases = [_case(0, True, "passed"), _case(1, False, f"{trick}. Likely cause: the real one", "key"),
             _case(2, False, "later")]
    first = results.first_failure(engine.PartResult("p", "P", 1.0, 0.0, cases))
    assert first == {"function": "m.f", "check": "values", "number": 2, "public": False, "message": trick,
                     "cause": "the real one"}
    assert results.first_failure(engine.PartResult("p", "P", 1.0, 1.0, cases[:1])) is None
    undiagnosed = results.first_failure(engine.PartResult("p", "P", 1.0, 0.0, [_case(0, False, trick)]))
    assert (undiagnosed["message"], undiagnosed["cause"]) == (trick, "")
    long = results.first_failure(engine.PartResult("p", "P", 1.0, 0.0, [_case(0, False, "m" * 10_000)]))
    assert len(long["message"]) < results.MAX_SUMMARY_CHARS + 60


def test_the_results_document_carries_each_parts_first_failure(submission):
    from grader.grading import engine as grading
    folder = submission("a1_neuron_gd", stub=True)
    document = results.to_results(grading.grade("a1_neuron_gd", folder))
    for test in document["tests"]:
        failure = test["extra_data"]["first_failure"]
        assert failure["message"] and failure["message"] in test["output"], test["name"]
        assert test["output"].splitlines()[1] == results.case_line(
            failure["function"], failure["check"], failure["number"], failure["public"], failure["message"])


@pytest.mark.parametrize("cell_id, fragment", [("grade-xor", "#cell-id=grade-xor"),
                                                ('a"b<c', "#cell-id=a%22b%3Cc"), ("", "#xor")])
def test_anchor_is_nbconverts_cell_id_else_nbgraders_name(cell_id, fragment):
    cell = _grade_cell("xor", 3)
    cell["id"] = cell_id
    assert feedback_summary.anchor(cell) == fragment


def test_the_toc_folds_under_the_summary_and_an_unknown_template_stays():
    template = FEEDBACK_TEMPLATE.read_text(encoding="utf-8")
    folded = collapse_toc(template, "Every <cell>")
    assert '<div id="toc">{% if resources.nnkit_summary %}<details><summary>Every &lt;cell&gt;</summary>' in folded
    assert folded.count("</details>") == 1 and folded.index("</details>") > folded.index("</ol>")
    assert collapse_toc("<html>{{ super() }}</html>", "x") == "<html>{{ super() }}</html>"


def test_a_page_outside_generate_feedback_gets_no_summary():
    nb = nbformat.v4.new_notebook(cells=[_grade_cell("xor", 3)])
    same, resources = FeedbackSummary().preprocess(nb, {})
    assert len(same.cells) == 1 and SUMMARY_FLAG not in resources
