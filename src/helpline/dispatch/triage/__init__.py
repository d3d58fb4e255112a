"""Auto-triage: a text classifier that predicts a ticket's category and team and suggests its priority.

`text` turns Russian and English text into features, `model` trains, predicts and
evaluates (pure: no ORM), `storage` serialises a fitted model, `synthetic` generates
labelled tickets for tests and benchmarks, `csvdata` reads labelled CSV files.
"""
