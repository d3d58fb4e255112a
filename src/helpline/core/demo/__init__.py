"""Demo data: a realistic Russian/English service desk with three months of history."""
