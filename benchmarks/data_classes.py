"""Error classes of a planner, and how often generated data shows each phrasing class (issue 10).

Two reports, both cheap and model-free:

    python benchmarks/data_classes.py errors REPORT/records.jsonl     # from `edgecall eval --report REPORT`
    python benchmarks/data_classes.py phrasing data/generated/train.jsonl [more.jsonl ...]

``errors`` groups the strict-argument mismatches of the DAG matches by class (wrong day, clock time, meeting
length, file name, directions, recipients, modifiers...) and prints success by plan steps; titles, subjects and
message bodies are free text (scored by F1), so they never count as mismatches. ``phrasing`` counts the requests
of each phrasing class the generator's second pass added (rough regexes over the request text). The generator is
written from these classes, never from the evaluation sentences.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

PARAMS = {
    "create_calendar_event": ["title", "start_date", "end_date", "location", "invitees", "notes", "calendar"],
    "create_reminder": ["name", "due_date", "notes", "list_name", "priority", "all_day"],
    "get_zoom_meeting_link": ["topic", "start_time", "duration", "meeting_invitees"],
    "compose_new_email": ["recipients", "cc", "subject", "context", "attachments"],
    "reply_to_email": ["cc", "context", "attachments"], "forward_email": ["recipients", "cc", "context", "attachments"],
    "maps_show_directions": ["start_location", "end_location", "transport"], "open_note": ["name", "folder"],
    "append_note_content": ["name", "content", "folder"], "create_note": ["name", "content", "folder"],
}
MISMATCH = re.compile(r"step \d+ (\w+) arg (\d+) \(\w+\): expected (.*), got (.*)$")
WEEKDAY = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b", re.IGNORECASE)


def argument_class(tool: str, position: int, expected: str, got: str) -> str:
    """The class of one strict-argument mismatch (``position`` is 1-based, as the records write it)."""
    names = PARAMS.get(tool, [])
    name = names[position - 1] if position <= len(names) else ""
    if name in ("start_date", "end_date", "due_date", "start_time"):
        e, g = expected.strip("'\""), got.strip("'\"")
        return "date: wrong day" if e[:10] != g[:10] else "time: wrong clock time (ranges, am/pm, end)"
    if name == "duration":
        return "time: meeting length"
    if name == "all_day":
        return "time: all-day flag"
    if tool == "open_and_get_file_path":
        return "entity: file name not copied verbatim"
    if tool in ("get_email_address", "get_phone_number"):
        return "entity: contact name not copied"
    if tool == "maps_show_directions":
        return "directions: start / end / transport"
    if tool == "maps_open_location" or name == "location":
        return "entity: place or venue"
    if name in ("recipients", "cc", "invitees", "meeting_invitees"):
        return "recipients: cc vs to, explicit addresses"
    if name in ("priority", "list_name", "calendar", "folder") or tool in ("open_note", "append_note_content"):
        return "modifiers: priority, list, calendar, folder, note name"
    return "references and types: attachment or context reference"


def errors(records: list[dict[str, Any]]) -> None:
    by_class: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if not r["success"]:
            continue
        for m in r["mismatches"]:
            parsed = MISMATCH.match(m)
            if parsed:
                by_class[argument_class(parsed[1], int(parsed[2]), parsed[3], parsed[4])].add(r["id"])
    matches = [r for r in records if r["success"]]
    print(f"DAG matches {len(matches)}/{len(records)}, {sum(not r['args_match'] for r in matches)} with a wrong "
          "strict argument\n\n| argument class | requests |\n|---|---:|")
    for name, ids in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
        print(f"| {name} | {len(ids)} |")
    queries = {r["id"]: r["query"] for r in records}
    wrong_day = by_class.get("date: wrong day", set())
    print(f"\nwrong day where the request names a weekday: {sum(bool(WEEKDAY.search(queries[i])) for i in wrong_day)}"
          f" of {len(wrong_day)}")
    steps: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        key = str(r["n_steps"]) if r["n_steps"] < 6 else "6+"
        steps[key][0] += 1
        steps[key][1] += bool(r["success"])
    print("success by plan steps: " + ", ".join(f"{k}: {v[1]}/{v[0]}" for k, v in sorted(steps.items())))


PHRASING = {
    "time range (from 2 to 4 pm, 10-11)":
        r"\b\d{1,2}(:\d\d)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(-|–| - | to | until )\s*\d{1,2}(:\d\d)?\s*(am|pm|a\.m\.|p\.m\.)?\b",
    "length before the noun (a 30-minute call)":
        r"\ban? (\d+|one|two|three|four|half|fifteen|thirty)[- ]?(minute|min|hour|h)\b(?! (before|ahead|earlier))"
        r"|\bhour-long\b",
    "priority adjective (a high-priority reminder)":
        r"\b(high|low|medium|top)[- ]priority reminder|\b(urgent|important|non-urgent) reminder",
    "transport adjective or verb (bus directions, how do I walk)":
        r"\b(walking|driving|bus|transit|train|subway|metro|tram|car|pedestrian) (directions|route)\b"
        r"|\bhow (do|can) I (walk|drive|take)",
    "snake/kebab/CamelCase file name":
        r"\b\w+[_-][\w-]+\.(pdf|docx|xlsx|pptx|txt|md|csv|key|odt|png|jpg|zip)\b|\b[A-Z][a-z]+[A-Z]\w*\.(pdf|docx|xlsx)",
    "explicit e-mail address": r"[\w.+-]+@[\w-]+\.[\w.]+",
    "holiday name": r"New Year's|Christmas|Halloween|Valentine's|Boxing Day|St\. Patrick's|Fourth of July",
    "before / ahead / earlier (reminders before events)": r"\b(before|ahead|earlier|b4)\b",
    "there / to it (a place named earlier)":
        r"\b(directions|route|way) (there|to it)\b|\ban event there\b|\bthere (on|tomorrow|today|next|at|in)\b",
}


def phrasing(paths: list[Path]) -> None:
    print("| class | " + " | ".join(p.parent.name + "/" + p.name for p in paths) + " |")
    print("|---|" + "---:|" * len(paths))
    data = [[json.loads(line)["query"] for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in paths]
    for name, rx in PHRASING.items():
        pattern = re.compile(rx, re.IGNORECASE)
        cells = []
        for queries in data:
            n = sum(bool(pattern.search(q)) for q in queries)
            cells.append(f"{n} ({100 * n / max(1, len(queries)):.1f}%)")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", choices=("errors", "phrasing"))
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args()
    if args.report == "errors":
        errors([json.loads(line) for f in args.files for line in f.read_text(encoding="utf-8").splitlines()
                if line.strip()])
    else:
        phrasing(args.files)


if __name__ == "__main__":
    main()
