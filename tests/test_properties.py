"""Property-based tests: whatever text arrives, the loader, the check and the translation QA
answer with located problems, never a traceback; the renderer never emits foreign markup."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.check import check_content
from handouts.loader import load_project
from handouts.qa import compare
from handouts.render import isolate

YAMLISH = st.text(alphabet=st.sampled_from(list("abc:-_ \n\t'\"[]{}&*!|>#%@`,.0123456789\u202e")),
                  max_size=300)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(body=YAMLISH | st.text(max_size=300))
def test_loader_and_check_never_raise(body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sheets").mkdir()
        (root / "sheets/sources.yaml").write_text("sources: []\n")
        (root / "sheets/US.yaml").write_text("scope: US\nname: United States\nclaims: []\n")
        (root / "sheets/CO.yaml").write_text(body, encoding="utf-8")
        project = load_project(root)
        problems = check_content(project, dt.date(2026, 3, 1))
        for problem in problems:
            assert problem.path and problem.line >= 1 and problem.rule


@SETTINGS
@given(english=st.text(max_size=200), translation=st.text(max_size=200),
       lang=st.sampled_from(["es", "ar", "zh_Hans", "my"]))
def test_translation_qa_never_raises(english: str, translation: str, lang: str) -> None:
    for severity, rule, message in compare(english, translation, lang):
        assert severity in ("error", "warning") and rule.startswith("translation-") and message


@SETTINGS
@given(text=st.text(max_size=300), rtl=st.booleans())
def test_isolate_emits_no_markup_but_its_own(text: str, rtl: bool) -> None:
    out = str(isolate(text, rtl))
    stripped = re.sub(r'<bdi dir="ltr">|</bdi>', "", out)
    assert "<" not in stripped and ">" not in stripped
