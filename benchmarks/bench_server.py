"""How fast is `edgecall serve` once warm? Latency, transcription time and throughput, measured over HTTP.

Starts a real server process (the packaged model, a fresh demo profile, warm-up on), then:
  * text latency: each request's time from POST /v1/run to the first task event (`planned`) and to the answer
    (`done`), p50/p90 over the requests, sent one at a time;
  * transcription: POST /v1/audio/transcriptions of a ~5 s utterance spoken by espeak-ng (target <= 1.0 s);
  * throughput: 4 concurrent clients sending requests back to back; requests/s = answered / wall time.

    python benchmarks/bench_server.py            # 12 text requests, 5 transcriptions, 4 clients x 3 requests
    python benchmarks/bench_server.py --smoke    # CI size: 3, 2, 4 x 1
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REQUESTS = [  # written for this benchmark; none is from data/dev.jsonl
    "Text Maria that I'm running late",
    "Send Lutfi a message saying I will call him after lunch",
    "What is Sid's phone number?",
    "Make a note named Book ideas about a lighthouse keeper",
    "Find the file with the quarterly budget",
    "How do I walk from the office to the museum?",
]
UTTERANCE = "Please email Sid and Lutfi the final budget, and tell them the meeting moved to Friday."  # ~5 s
NOW = "2024-06-03T09:00:00"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def start(tmp: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp / "serve.log", "wb")
    env = {**os.environ, "EDGECALL_CONFIG": str(tmp / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "edgecall.cli", "serve", "--demo", "--data-dir", str(tmp / "demo"),
                             "--port", str(port), "--max-queue", "64"], stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {(tmp / 'serve.log').read_text()}")
        if "is serving" in (tmp / "serve.log").read_text(errors="replace"):
            return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def one_run(url: str, request: str) -> tuple[float | None, float, bool]:
    """(seconds to the first task event, seconds to the answer, ok)."""
    t0 = time.perf_counter()
    first = None
    with httpx.Client(timeout=900) as c, c.stream("POST", f"{url}/v1/run", json={"request": request, "now": NOW}) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: "):
                continue
            ev = json.loads(line[6:])
            if ev["event"] == "planned" and first is None:
                first = time.perf_counter() - t0
            if ev["event"] in ("done", "error"):
                return first, time.perf_counter() - t0, ev["event"] == "done"
    return first, time.perf_counter() - t0, False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=12)
    ap.add_argument("--transcriptions", type=int, default=5)
    ap.add_argument("--per-client", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="CI size")
    args = ap.parse_args(argv)
    n_text, n_audio, per_client = (3, 2, 1) if args.smoke else (args.requests, args.transcriptions, args.per_client)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        wav = tmp / "utterance.wav"
        subprocess.run(["espeak-ng", "-s", "175", "-w", str(wav), UTTERANCE], check=True, capture_output=True)
        t_boot = time.perf_counter()
        proc, url = start(tmp)
        boot = time.perf_counter() - t_boot
        try:
            warm = httpx.get(f"{url}/v1/health").json()["model"]["warm_seconds"]
            firsts, answers = [], []
            for i in range(n_text):
                first, answer, _ok = one_run(url, REQUESTS[i % len(REQUESTS)])
                if first is not None:
                    firsts.append(first)
                answers.append(answer)
            audio_s, trans = 0.0, []
            for _ in range(n_audio + 1):  # the first call loads Whisper: reported apart
                t0 = time.perf_counter()
                r = httpx.post(f"{url}/v1/audio/transcriptions", files={"file": ("u.wav", wav.read_bytes(), "audio/wav")},
                               data={"response_format": "verbose_json"}, timeout=300)
                r.raise_for_status()
                trans.append(time.perf_counter() - t0)
                audio_s = r.json()["duration"]
            load_and_first, trans = trans[0], trans[1:]
            done = []
            lock = threading.Lock()

            def client(k: int) -> None:
                for j in range(per_client):
                    _, _, ok = one_run(url, REQUESTS[(k + j) % len(REQUESTS)])
                    with lock:
                        done.append(ok)

            t0 = time.perf_counter()
            threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    report = {
        "server_start_s": round(boot, 2),
        "warm_up_s": round(warm, 2) if warm else None,
        "text_requests": n_text,
        "first_task_p50_s": round(statistics.median(firsts), 2) if firsts else None,
        "first_task_p90_s": round(pct(firsts, 0.9), 2) if firsts else None,
        "answer_p50_s": round(statistics.median(answers), 2),
        "answer_p90_s": round(pct(answers, 0.9), 2),
        "utterance_s": round(audio_s, 2),
        "transcription_first_call_s": round(load_and_first, 2),
        "transcription_p50_s": round(statistics.median(trans), 3),
        "transcription_max_s": round(max(trans), 3),
        "concurrent_clients": 4,
        "concurrent_requests": len(done),
        "answered_ok": sum(done),
        "requests_per_s": round(len(done) / wall, 3),
    }
    print(f"server start (load + warm-up)      {report['server_start_s']:.2f} s")
    print(f"text, request -> first task event  p50 {report['first_task_p50_s']} s   p90 {report['first_task_p90_s']} s"
          f"   ({len(firsts)}/{n_text} requests planned a task)")
    print(f"text, request -> answer            p50 {report['answer_p50_s']} s   p90 {report['answer_p90_s']} s")
    print(f"transcription of a {report['utterance_s']:.1f} s utterance  p50 {report['transcription_p50_s']} s   "
          f"max {report['transcription_max_s']} s   (first call, loading Whisper: {report['transcription_first_call_s']} s;"
          f" target <= 1.0 s)")
    print(f"4 concurrent clients               {report['requests_per_s']} requests/s ({len(done)} answered in {wall:.1f} s, {sum(done)} ok)")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
