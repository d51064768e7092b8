#!/usr/bin/env python3
"""Sanity checks for the calibration data in this folder (standard library only).

Run from anywhere:  python3 data/check.py
Exit status 0 if every check passes, 1 otherwise.
"""
import csv
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    "eurostat_egov.csv": ["indicator", "definition", "geography", "year", "value",
                          "unit", "source", "verified", "note"],
    "admin_social_media.csv": ["indicator", "definition", "geography", "population_of_bodies",
                               "year", "value", "unit", "source", "verified", "note"],
    "other_figures.csv": ["category", "indicator", "definition", "geography", "population",
                          "year", "value", "unit", "source", "verified", "note"],
}
# Columns that may be empty; all others must be filled.
OPTIONAL = {"note"}
VERIFIED = {"D", "S", "T", "U"}
YEAR_MIN, YEAR_MAX = 1990, 2026

# Allowed value range per unit (inclusive).
INF = float("inf")
RANGES = {
    "percent_of_individuals_16_74": (0, 100),
    "percent_of_individuals": (0, 100),
    "percent_of_non_submitters": (0, 100),
    "percent_of_bodies": (0, 100),
    "percent_of_enterprises": (0, 100),
    "percent_of_incidents": (0, 100),
    "percent_of_projects": (0, 100),
    "percent_of_contacts": (0, 100),
    "percent_of_visits": (0, 100),
    "percent_of_calls": (0, 100),
    "percent_of_callers": (0, 100),
    "percent_of_users": (0, 100),
    "percent_of_respondents": (0, 100),
    "percent_of_services": (0, 100),
    "percent": (0, 100),
    "percent_overrun": (0, INF),
    "count_of_bodies": (0, INF),
    "count_of_accounts": (0, INF),
    "count_of_incidents": (0, INF),
    "million_per_year": (0, INF),
    "GBP_per_contact": (0, 1000),
    "GBP_per_transaction": (0, 1000),
    "GBP_billion_per_year": (0, 1000),
    "USD_per_call": (0, 1000),
    "seconds": (0, 86400),
    "ratio_times": (1, 1000),
    "score_0_10": (0, 10),
    "correlation_r": (-1, 1),
}


def main():
    errors = []
    total = 0
    for name, cols in FILES.items():
        path = os.path.join(HERE, name)
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != cols:
                errors.append(f"{name}: header {reader.fieldnames} != expected {cols}")
                continue
            defs = defaultdict(set)
            keys = set()
            n = 0
            for i, row in enumerate(reader, start=2):  # line 1 is the header
                n += 1
                where = f"{name}:{i}"
                if None in row or any(v is None for v in row.values()):
                    errors.append(f"{where}: wrong number of fields")
                    continue
                for c in cols:
                    if c not in OPTIONAL and not row[c].strip():
                        errors.append(f"{where}: empty field '{c}'")
                try:
                    year = int(row["year"])
                    if not YEAR_MIN <= year <= YEAR_MAX:
                        errors.append(f"{where}: implausible year {year}")
                except ValueError:
                    errors.append(f"{where}: year '{row['year']}' is not an integer")
                    year = None
                try:
                    value = float(row["value"])
                except ValueError:
                    errors.append(f"{where}: value '{row['value']}' is not a number")
                    value = None
                unit = row["unit"]
                if unit not in RANGES:
                    errors.append(f"{where}: unknown unit '{unit}'")
                elif value is not None:
                    lo, hi = RANGES[unit]
                    if not lo <= value <= hi:
                        errors.append(f"{where}: value {value} outside [{lo}, {hi}] for {unit}")
                if row["verified"] not in VERIFIED:
                    errors.append(f"{where}: verified '{row['verified']}' not in {sorted(VERIFIED)}")
                if row["verified"] == "T" and name != "eurostat_egov.csv":
                    errors.append(f"{where}: 'T' (third-party database read) only expected for Eurostat rows")
                defs[row["indicator"]].add(row["definition"])
                pop = row.get("population_of_bodies", row.get("population", ""))
                key = (row["indicator"], row["geography"], pop, row["year"])
                if key in keys:
                    errors.append(f"{where}: duplicate row for {key}")
                keys.add(key)
                # Eurostat definition break: old and revised modules must stay apart.
                if name == "eurostat_egov.csv" and year is not None:
                    d = row["definition"]
                    if d not in ("old_module", "revised_module"):
                        errors.append(f"{where}: definition '{d}' must be old_module or revised_module")
                    if d == "old_module" and year > 2021:
                        errors.append(f"{where}: old_module row dated {year} (after the break)")
                    if d == "revised_module" and year < 2022:
                        errors.append(f"{where}: revised_module row dated {year} (before the break)")
                    if row["indicator"].endswith("_old") != (d == "old_module"):
                        errors.append(f"{where}: indicator name and definition disagree ('_old' suffix iff old_module)")
            for ind, ds in defs.items():
                if len(ds) > 1:
                    errors.append(f"{name}: indicator '{ind}' mixes definitions {sorted(ds)}")
            print(f"{name}: {n} rows, {len(defs)} indicators")
            total += n
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print(f"OK: {total} rows, all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
