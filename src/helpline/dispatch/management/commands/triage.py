"""`helpline triage train|evaluate|status|generate`: the auto-triage model from the command line.

`evaluate --csv FILE --text COL[,COL] --label COL` trains and scores on any labelled CSV;
every report ends with one JSON line (accuracy, macro-F1, the baseline's macro-F1 ...),
so scripts read the last line. Bad input exits with code 2 and a one-line reason.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpline.dispatch.triage.model import SEED, Report, TriageDataError, evaluate, format_report

BAD_INPUT = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


class Command(BaseCommand):
    help = "Train, evaluate and inspect the auto-triage model."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("train", help="Train a new version on the ticket history and activate it.")
        evaluate_parser = sub.add_parser(
            "evaluate",
            help="Train and score on a held-back split of the history, or of a labelled CSV.",
        )
        evaluate_parser.add_argument("--csv", dest="csv_path", help="A labelled CSV file")
        evaluate_parser.add_argument("--text", help="Text column(s), comma-separated")
        evaluate_parser.add_argument("--label", help="The label column")
        evaluate_parser.add_argument("--seed", type=int, default=SEED)
        sub.add_parser("status", help="The stored versions and the accuracy seen in production.")
        generate_parser = sub.add_parser(
            "generate", help="Write a synthetic labelled CSV (Russian and English tickets)."
        )
        generate_parser.add_argument("--rows", type=int, default=2000)
        generate_parser.add_argument("--seed", type=int, default=SEED)
        generate_parser.add_argument("--out", required=True)

    def handle(self, *args, action: str, **options) -> None:
        handler = getattr(self, f"_{action}")
        try:
            handler(**options)
        except TriageDataError as exc:
            raise _fail(str(exc)) from exc

    # --- actions ---------------------------------------------------------------------

    def _train(self, **options) -> None:
        from helpline.dispatch.services import train_model

        row = train_model(trigger="command")
        for name in row.fields:
            self.stdout.write(_history_line(name, row.metrics[name]))
        for name, reason in row.metrics.get("_skipped", {}).items():
            self.stdout.write(f"{name}: not trained ({reason})")
        self.stdout.write(
            f"Triage v{row.version} is active: {row.n_train} tickets trained, "
            f"{row.n_test} held back, {row.train_seconds:.1f}s, {row.size_bytes} bytes."
        )
        self._json(
            {
                "version": row.version,
                **_headline(row.metrics),
                "fields": {n: _summary(row.metrics[n]) for n in row.fields},
            }
        )

    def _evaluate(
        self, csv_path: str | None, text: str | None, label: str | None, seed: int, **options
    ) -> None:
        if csv_path is None:
            if text or label:
                raise _fail("--text and --label go with --csv FILE.")
            return self._evaluate_history(seed)
        if not text or not label:
            raise _fail("--csv needs --text COLUMN[,COLUMN] and --label COLUMN.")
        from helpline.dispatch.triage.csvdata import read_labelled_csv

        columns = [name.strip() for name in text.split(",") if name.strip()]
        if not columns:
            raise _fail("--text names no column.")
        rows = read_labelled_csv(csv_path, columns, label.strip())
        report = evaluate(rows.texts, rows.labels, field_name=label.strip(), seed=seed)
        self.stdout.write(f"File: {csv_path} ({len(rows.texts)} labelled rows)")
        if rows.skipped:
            self.stdout.write(f"Skipped {rows.skipped} row(s) with an empty text or label.")
        self.stdout.write(format_report(report))
        self._json({**report.summary(), "train_seconds": round(report.train_seconds, 3)})

    def _evaluate_history(self, seed: int) -> None:
        from helpline.dispatch.services import fit_history, load_history

        fitted = fit_history(load_history(), seed=seed)
        for report in fitted.reports.values():
            self.stdout.write(format_report(report))
            self.stdout.write("")
        for name, reason in fitted.skipped.items():
            self.stdout.write(f"{name}: not evaluated ({reason})")
        summaries = {name: r.summary() for name, r in fitted.reports.items()}
        self._json({**_headline(summaries), "fields": summaries})

    def _status(self, **options) -> None:
        from helpline.dispatch.selectors import model_versions, production_accuracy

        versions = model_versions()
        if not versions:
            self.stdout.write("No triage model yet: run `helpline triage train`.")
        for row in versions:
            marker = "*" if row.is_active else " "
            figures = ", ".join(
                f"{n} macro-F1 {row.metrics[n]['macro_f1']:.3f}" for n in row.fields
            )
            self.stdout.write(
                f"{marker} v{row.version}  {row.created_at:%Y-%m-%d %H:%M}  {row.trigger:9} "
                f"{row.n_train} tickets  {figures}"
            )
        production = production_accuracy()
        for name, figures in production.items():
            self.stdout.write(
                f"In production, {name}: {figures['correct']}/{figures['predictions']} "
                f"kept by agents ({figures['accuracy']:.1%})"
            )
        self._json(
            {
                "active_version": next((r.version for r in versions if r.is_active), None),
                "production": production,
            }
        )

    def _generate(self, rows: int, seed: int, out: str, **options) -> None:
        from helpline.dispatch.triage.synthetic import generate

        if rows < 1:
            raise _fail("--rows must be at least 1.")
        path = Path(out)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["subject", "body", "category", "team", "priority", "language"])
            for t in generate(rows, seed=seed):
                writer.writerow([t.subject, t.body, t.category, t.team, t.priority, t.language])
        self.stdout.write(f"Wrote {rows} synthetic tickets to {path}.")

    def _json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=False))


def _summary(metrics: dict) -> dict:
    keys = ("accuracy", "macro_f1", "baseline_accuracy", "baseline_macro_f1", "n_train", "n_test")
    return {key: metrics[key] for key in keys if key in metrics}


def _headline(summaries: dict) -> dict:
    """Top-level figures: those of the category model, else of the first field."""
    fields = [name for name in summaries if not name.startswith("_")]
    if not fields:
        return {}
    first = "category" if "category" in fields else fields[0]
    return _summary(summaries[first])


def _history_line(name: str, metrics: dict) -> str:
    return (
        f"{name}: accuracy {metrics['accuracy']:.4f}, macro-F1 {metrics['macro_f1']:.4f} "
        f"(baseline {metrics['baseline_macro_f1']:.4f}) on {metrics['n_test']} held-back tickets"
    )


__all__ = ["Command", "Report"]
