"""`helpline triage evaluate --csv`: the report, the JSON last line, and clear refusals."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpline.dispatch.triage.synthetic import generate


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False):
    import csv

    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


@pytest.fixture
def labelled_csv(tmp_path) -> Path:
    """Semicolons, a BOM, quoted multi-line bodies and Russian text."""
    rows = [["Тема", "Текст", "Категория"]]
    for ticket in generate(400, seed=5):
        rows.append([ticket.subject, f"{ticket.body}\n-- \nотправлено с телефона", ticket.category])
    return write_csv(tmp_path / "tickets.csv", rows, delimiter=";", bom=True)


def test_csv_evaluation_prints_the_report_and_ends_with_a_json_line(labelled_csv):
    # when
    lines = run(
        "evaluate", "--csv", str(labelled_csv), "--text", "Тема,Текст", "--label", "Категория"
    )

    # then
    summary = json.loads(lines[-1])
    assert set(summary) == {
        "accuracy",
        "macro_f1",
        "baseline_accuracy",
        "baseline_macro_f1",
        "n_train",
        "n_test",
        "only_model_right",
        "only_baseline_right",
        "p_worse",
        "train_seconds",
    }
    assert (summary["n_train"], summary["n_test"]) == (320, 80)
    assert summary["macro_f1"] >= summary["baseline_macro_f1"]
    assert summary["macro_f1"] > 0.8
    text = "\n".join(lines)
    assert "Confusion matrix" in text and "precision" in text and "printers" in text


def test_csv_evaluation_is_repeatable(labelled_csv):
    args = ("evaluate", "--csv", str(labelled_csv), "--text", "Тема,Текст", "--label", "Категория")

    first, second = json.loads(run(*args)[-1]), json.loads(run(*args)[-1])

    first.pop("train_seconds"), second.pop("train_seconds")
    assert first == second


def test_generated_csv_evaluates_on_its_known_labels(tmp_path):
    path = tmp_path / "synthetic.csv"
    run("generate", "--rows", "300", "--out", str(path))

    summary = json.loads(
        run("evaluate", "--csv", str(path), "--text", "subject,body", "--label", "team")[-1]
    )

    assert summary["n_train"] + summary["n_test"] == 300


def test_a_class_with_a_single_example_is_trained_on_but_not_scored(tmp_path):
    rows = [["text", "label"]] + [
        [t.text, t.category] for t in generate(200, seed=2) if t.category in ("vpn", "email")
    ]
    rows.append(["Кофемашина сломалась", "kitchen"])
    path = write_csv(tmp_path / "one.csv", rows)

    lines = run("evaluate", "--csv", str(path), "--text", "text", "--label", "label")

    assert any("single example" in line and "kitchen" in line for line in lines)
    assert json.loads(lines[-1])["n_train"] == round((len(rows) - 2) * 0.8) + 1


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda p: ["--csv", str(p / "nope.csv"), "--text", "t", "--label", "l"], "No such file"),
        (lambda p: ["--csv", str(p), "--text", "t", "--label", "l"], "is a folder"),
        (
            lambda p: ["--csv", str(p / "ok.csv"), "--text", "body", "--label", "l"],
            "not found: body",
        ),
        (lambda p: ["--csv", str(p / "ok.csv"), "--text", "text"], "--csv needs --text"),
        (lambda p: ["--text", "text", "--label", "label"], "go with --csv"),
        (
            lambda p: ["--csv", str(p / "one-class.csv"), "--text", "text", "--label", "label"],
            "at least two classes",
        ),
        (
            lambda p: ["--csv", str(p / "tiny.csv"), "--text", "text", "--label", "label"],
            "Too few rows",
        ),
        (
            lambda p: ["--csv", str(p / "empty.csv"), "--text", "text", "--label", "label"],
            "is empty",
        ),
    ],
)
def test_bad_input_exits_with_code_2_and_a_clear_message(tmp_path, make_args, message):
    write_csv(tmp_path / "ok.csv", [["text", "label"], ["a", "x"], ["b", "y"]])
    write_csv(tmp_path / "one-class.csv", [["text", "label"]] + [[f"t{i}", "x"] for i in range(20)])
    write_csv(tmp_path / "tiny.csv", [["text", "label"], ["a", "x"], ["b", "y"], ["c", "x"]])
    (tmp_path / "empty.csv").write_text("")

    with pytest.raises(CommandError, match=message) as raised:
        run("evaluate", *make_args(tmp_path))

    assert raised.value.returncode == 2


def test_command_line_reports_bad_input_without_a_traceback(tmp_path):
    env = {
        **os.environ,
        "HELPLINE_DEV": "true",
        "DJANGO_SETTINGS_MODULE": "helpline.config.settings_test",
    }

    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "helpline.cli",
            "triage",
            "evaluate",
            "--csv",
            str(tmp_path / "x.csv"),
            "--text",
            "t",
            "--label",
            "l",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert "No such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_tab_separated_file_with_a_long_multi_line_first_row_is_read(tmp_path):
    rows = [["subject", "body", "label"], ["Печать", "строка\n" * 5000, "printers"]]
    rows += [[t.subject, t.body, t.category] for t in generate(120, seed=9)]
    path = write_csv(tmp_path / "tabs.tsv", rows, delimiter="\t")

    lines = run("evaluate", "--csv", str(path), "--text", "subject,body", "--label", "label")

    summary = json.loads(lines[-1])
    assert summary["n_train"] + summary["n_test"] == 121
