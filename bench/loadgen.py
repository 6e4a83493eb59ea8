"""A small closed-loop HTTP load generator: N client threads, each sending one request
after another to 127.0.0.1 (and nowhere else) for a fixed time."""

import http.client
import statistics
import threading
import time

MAX_CLIENTS = 64
MAX_SECONDS = 120


def hammer(port, path, *, clients=8, seconds=10.0, headers=None):
    """Requests per second of successful (HTTP 200) answers, with latency percentiles."""
    clients = max(1, min(int(clients), MAX_CLIENTS))
    seconds = max(1.0, min(float(seconds), MAX_SECONDS))
    headers = dict(headers or {})
    latencies, statuses, errors = [], {}, []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client():
        mine, mine_status, mine_errors = [], {}, []
        start_gate.wait()
        while True:
            began = time.perf_counter()
            if began >= deadline[0]:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                status = response.status
            except OSError as exc:
                mine_errors.append(type(exc).__name__)
                continue
            mine_status[status] = mine_status.get(status, 0) + 1
            if status == 200:
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)
            errors.extend(mine_errors)
            for status, n in mine_status.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join(seconds + 90)
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    return {
        "path": path, "clients": clients, "seconds": round(elapsed, 2), "ok": len(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())}, "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(0.5), 1) if latencies else None, "p95_ms": round(pct(0.95), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }
