from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize("command", [
    [], ["check"], ["build"], ["doctor"], ["catalog"], ["catalog", "extract"],
    ["catalog", "update"], ["catalog", "stats"], ["review"], ["due"],
])
def test_every_command_explains_itself(cli: Cli, command: list[str]) -> None:
    code, out, _err = cli(*command, "--help")
    assert code == 0
    assert "Usage: sheets" in out
    assert len(out.splitlines()) > 5


def test_console_script_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "handouts", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0 and "check" in result.stdout


def test_doctor_reports_each_language(cli: Cli) -> None:
    code, out, _err = cli("doctor")
    assert "font for es" in out and "HarfBuzz subsetting" in out
    assert code in (0, 1)


def test_check_never_imports_weasyprint(project: object) -> None:
    # The check must stay instant: WeasyPrint (about a second to import) is for rendering only.
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from handouts.cli import app\n"
        f"result = CliRunner().invoke(app, ['check', '--root', {str(project)!r}, "
        "'--today', '2026-03-01'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'weasyprint' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
