"""A written answer cannot run script in the instructor's or the student's browser (grader/adapters/nbgrader/safe_markdown.py,
the feedback page's content security policy in grader/adapters/nbgrader/feedback.py).

One course on ``a1_neuron_gd`` (the ``course`` fixture), graded by the real ``nbgrader autograde``: ``mallory``
submits the solution, with payloads in both written answers and in a markdown cell of her own, each of which sets a
``window.pwned_*`` global when it runs, beside harmless markdown (emphasis, a list, code, a table, a formula).
``control`` submits the same notebook, autograded without ``SanitiseMarkdown``. Then ``generate_feedback``. The
pages are opened in Debian's chromium: each student's feedback page, as written and with its content security
policy taken out, and each student's manual grading page in the formgrader, served by a real Jupyter server on
127.0.0.1 (``formgrader`` fixture). The unit tests at the end run no nbgrader command.
"""
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from grader import catalogues, text
from grader.adapters import demo
from grader.adapters.nbgrader import safe_markdown
from grader.adapters.nbgrader.feedback import FEEDBACK_CSP, FEEDBACK_CSP_META, with_csp
from grader.authoring import course as courses, notebooks
from grader.core import paths
from test_feedback_browser import browser  # noqa: F401 (Debian's chromium, through playwright)

pytestmark = pytest.mark.xdist_group("nbgrader")

A1 = "a1_neuron_gd"
TIMEOUT = 900
SERVER_START_SECONDS = 120
PAGE_MS = 60_000
#: Each payload sets window.pwned_<name> when it runs
PAYLOADS = {
    "img": '<img src="x" onerror="window.pwned_img=1">',
    "script": "<script>window.pwned_script=1</script>",
    "details": '<details open ontoggle="window.pwned_details=1"><summary>more</summary>text</details>',
    "svg": '<svg onload="window.pwned_svg=1"></svg>',
    "iframe": '<iframe srcdoc="<script>parent.pwned_iframe=1</script>"></iframe>',
    "link": "[jslink](javascript:window.pwned_link=1)",
}
HARMLESS = ("A **bold** claim, `code`, and $w^T x + b$.\n\n- one line\n- another line\n\n"
            "| input | output |\n|:--|--:|\n| 0 | 1 |\n")
WITHOUT_SANITISER = (
    "\nfrom nbgrader.converters.autograde import Autograde\n"
    "from nbgrader.preprocessors import Execute\n"
    "c.Autograde.autograde_preprocessors = [autograde.GradeWithKit if pp is Execute else pp for pp in "
    "Autograde.class_traits()['autograde_preprocessors'].default()]\n")


def _answer(question):
    return f"My answer to {question}. " + HARMLESS + "\n\n" + "\n\n".join(PAYLOADS.values()) + "\n"


def _nbgrader(course, *args):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=paths.tool_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return proc.stdout + proc.stderr


def _hostile_submission(student, release, folder):
    demo.build_student({"id": student, "base": "solution"}, A1, release, folder)
    path = folder / f"{A1}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = _answer(cell.metadata.nbgrader["grade_id"])
    notebook.cells.append(nbformat.v4.new_markdown_cell("A note of my own.\n\n" + "\n\n".join(PAYLOADS.values())))
    nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = demo.make_course(tmp_path_factory.mktemp("markdown-safety") / "course", A1)
    _nbgrader(course, "generate_assignment", A1)
    release = course / "release" / A1
    for student in ("mallory", "control"):
        _hostile_submission(student, release, course / "submitted" / student / A1)
    logs = {"mallory": _nbgrader(course, "autograde", A1, "--student", "mallory")}
    config = (course / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + WITHOUT_SANITISER, encoding="utf-8")
    try:
        logs["control"] = _nbgrader(course, "autograde", A1, "--student", "control")
    finally:
        (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    _nbgrader(course, "generate_feedback", A1)
    return {"course": course, "logs": logs}


def _executed(page):
    return sorted(key[len("pwned_"):] for key in page.evaluate("Object.keys(window)") if key.startswith("pwned_"))


def _visit(browser, url):  # noqa: F811
    """Open ``url``, click the answer's link where there is one; (payloads that ran, console problems, page text,
    the page's HTML)."""
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.set_default_timeout(PAGE_MS)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(500)  # onerror and ontoggle fire after load
        for link in page.get_by_text("jslink").all():
            link.click()
        page.wait_for_timeout(200)
        return _executed(page), problems, page.inner_text("body"), page.content()
    finally:
        page.close()


def _feedback(course, student, tmp_path, csp=True):
    """The URL of ``student``'s feedback page, or of a copy of it with its content security policy taken out."""
    path = course["course"] / "feedback" / student / A1 / f"{A1}.html"
    if csp:
        return path.resolve().as_uri()
    page = path.read_text(encoding="utf-8")
    assert FEEDBACK_CSP_META in page
    copy_ = tmp_path / f"{student}-no-csp.html"
    copy_.write_text(page.replace(FEEDBACK_CSP_META, ""), encoding="utf-8")
    return copy_.resolve().as_uri()


def _shows_the_harmless_markdown(text, html, math=True):
    """The page shows the answer's markdown as markdown; ``math``: with its formula as TeX (a page without MathJax)."""
    assert "A bold claim, code, and" in text and (not math or "$w^T x + b$." in text)
    assert "<strong>bold</strong>" in html and "<li>one line</li>" in html and "<td style=\"text-align:left\">0" in html


# -- the feedback page ----------------------------------------------------------------------------------------------
def test_the_autograde_log_names_each_cleaned_cell(course):
    log = course["logs"]["mallory"]
    for question in catalogues.load(A1).written:
        assert f"mallory: a markdown cell of {A1} ({question.key}) held markup that could run script" in log
    assert "held markup that could run script" not in course["logs"]["control"]


def test_the_feedback_page_runs_no_payload_and_shows_the_answer(course, browser, tmp_path):  # noqa: F811
    ran, problems, text, html = _visit(browser, _feedback(course, "mallory", tmp_path))
    assert ran == []
    assert problems == [], problems[:5]  # nothing left for the policy to refuse, and the page needs nothing it refuses
    _shows_the_harmless_markdown(text, html)
    assert "My answer to xor_one_neuron." in text and "A note of my own." in text


def test_the_cleaned_notebook_alone_runs_no_payload(course, browser, tmp_path):  # noqa: F811
    ran, _, text, html = _visit(browser, _feedback(course, "mallory", tmp_path, csp=False))
    assert ran == []
    _shows_the_harmless_markdown(text, html)


def test_the_content_security_policy_alone_runs_no_payload(course, browser, tmp_path):  # noqa: F811
    """The control's notebook was not cleaned: its page holds every payload, and the policy refuses them."""
    html = (course["course"] / "feedback" / "control" / A1 / f"{A1}.html").read_text(encoding="utf-8")
    assert PAYLOADS["script"] in html
    ran, problems, _, _ = _visit(browser, _feedback(course, "control", tmp_path))
    assert ran == []
    assert any("Content Security Policy" in problem for problem in problems), problems[:5]


def test_control_without_either_defence_the_payloads_run_on_the_feedback_page(course, browser, tmp_path):  # noqa
    ran, _, _, _ = _visit(browser, _feedback(course, "control", tmp_path, csp=False))
    assert {"img", "script", "details", "svg", "link"} <= set(ran), ran


# -- the formgrader -------------------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """A Jupyter server with nbgrader's formgrader, in the course folder, on 127.0.0.1 with a token: its base URL
    and token. The server is killed, with its whole process group, when the module's tests are done."""
    scratch = tmp_path_factory.mktemp("jupyter")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(paths.tool_env(), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"), HOME=str(scratch),
               JUPYTER_CONFIG_DIR=str(scratch / "config"), JUPYTER_DATA_DIR=str(scratch / "data"))
    log = open(scratch / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.allow_root=True",
         f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={course['course']}"],
        cwd=course["course"], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter server exited with {server.returncode}: "
                            f"{(scratch / 'server.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter server did not answer in {SERVER_START_SECONDS} s")
                time.sleep(0.5)
        yield {"base": base, "token": token, "log": scratch / "server.log"}
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=30)
        log.close()


def _grading_page(course, formgrader, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course['course'] / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(A1, A1, student).id
    return f"{formgrader['base']}/formgrader/submissions/{submission}/?token={formgrader['token']}"


def test_the_formgrader_runs_no_payload_while_the_instructor_grades(course, formgrader, browser):  # noqa: F811
    ran, _, text, html = _visit(browser, _grading_page(course, formgrader, "mallory"))
    assert "My answer to xor_one_neuron." in text and "A note of my own." in text, text[-500:]
    assert ran == []
    _shows_the_harmless_markdown(text, html, math=False)  # the formgrader's MathJax may set the formula


def test_control_without_the_sanitiser_the_payloads_run_in_the_formgrader(course, formgrader, browser):  # noqa
    ran, _, text, _ = _visit(browser, _grading_page(course, formgrader, "control"))
    assert "My answer to xor_one_neuron." in text, text[:500]
    assert {"img", "script", "details", "svg", "link"} <= set(ran), ran


# -- units: no nbgrader command -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_payload_is_cleaned_and_the_rest_of_the_answer_kept(name):
    source, changed = safe_markdown.clean_markdown(HARMLESS + "\n\n" + PAYLOADS[name])
    assert changed
    rendered = safe_markdown.render(source)
    assert not re.search(r"<script|<svg|<iframe|\son\w+\s*=|javascript:", rendered, re.IGNORECASE), rendered
    assert "<strong>bold</strong>" in rendered and "$w^T x + b$" in rendered and "<li>one line</li>" in rendered
    assert safe_markdown.clean_markdown(source) == (source, False), "cleaning it again changes nothing"


@pytest.mark.parametrize("source", [
    HARMLESS,
    "# A heading\n\n1. first\n2. second\n\n> a quote\n\n```python\nZ = A_prev @ W + b\n\nprint(Z < 0)\n```\n",
    "$$\\frac{\\partial L}{\\partial z} = a - y$$ and <b>bold</b>, <sub>2</sub>, <sup>3</sup>, <br> and "
    "[a link](https://example.org)",
    notebooks.ANSWER_STUB,
])
def test_harmless_markdown_is_left_byte_for_byte(source):
    assert safe_markdown.clean_markdown(source) == (source, False)


def test_images_load_only_from_the_cells_own_attachments():
    remote, changed = safe_markdown.clean_markdown("![plot](https://tracker.example/x.png)")
    assert changed and "tracker" not in remote
    attached = {"plot.png": {"image/png": "iVBORw0KGgo="}}
    assert safe_markdown.clean_markdown("![plot](attachment:plot.png)", attached) == \
        ("![plot](attachment:plot.png)", False)


def test_a_cell_nbconvert_cannot_render_becomes_its_own_text():
    source, changed = safe_markdown.clean_markdown("<b>x</b> ![gone](attachment:missing.png)")
    assert changed and "&lt;b&gt;x&lt;/b&gt;" in source and safe_markdown.render(source)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_markdown_cell_the_kit_writes_is_left_as_it_is(lang):
    built = {}
    for name in catalogues.names():
        if lang == "en":
            built[name] = notebooks.build(catalogues.load(name))
        else:
            with text.language(lang):
                built.update({path: content for path, content in courses.build([name]).items()
                              if path.endswith(".ipynb")})
    assert len(built) >= len(catalogues.names())
    for where, content in built.items():
        for cell in nbformat.reads(content, as_version=4).cells:
            if cell.cell_type == "markdown":
                assert safe_markdown.clean_markdown(cell.source, cell.get("attachments")) == (cell.source, False), \
                    (where, cell.source[:200])


def test_the_feedback_page_policy_comes_first_in_its_head():
    page = with_csp("<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\"><style>p{}</style></head>"
                                    "<body><p>x</p></body></html>")
    assert page.index(FEEDBACK_CSP_META) < page.index("<meta charset")
    assert "script-src" not in FEEDBACK_CSP and "default-src 'none'" in FEEDBACK_CSP
    with pytest.raises(ValueError, match="no <head>"):
        with_csp("<p>no head</p>")
