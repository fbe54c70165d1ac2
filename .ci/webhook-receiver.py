#!/usr/bin/env python3
"""A webhook receiver for roomcal's tests, on loopback: it records every POST and checks
each signature with the Standard Webhooks reference library (PyPI `standardwebhooks`).

    webhook-receiver.py [--port N]      prints "listening on PORT" once it serves

POST /<any path>      a delivery: recorded, then answered as the current mode says
POST /_mode           {"status": 200, "delay_ms": 0, "hang": false}: how to answer next
GET  /_received?secret=whsec_…[&secret=…]
                      every delivery so far: id, timestamp, path, the parsed body, and
                      "verified" (a signature in the header matches one of the secrets,
                      computed by the library) and "fresh" (the library's own verify(),
                      which also checks the timestamp is within five minutes)
GET  /_stats          {"max_in_flight_per_id": n, "max_in_flight": n, "total": n}
"""
import argparse
import json
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from standardwebhooks.webhooks import Webhook

LOCK = threading.Lock()
RECEIVED = []
MODE = {"status": 200, "delay_ms": 0, "hang": False}
IN_FLIGHT = {}
STATS = {"max_in_flight_per_id": 0, "max_in_flight": 0, "total": 0, "now": 0}


def verified(record, secrets):
    """Whether one of the header's signatures is the library's for one of the secrets."""
    given = record["signature"].split(" ")
    stamp = datetime.fromtimestamp(int(record["timestamp"]), tz=timezone.utc)
    for secret in secrets:
        expected = Webhook(secret).sign(record["id"], stamp, record["body"])
        if expected in given:
            return True
    return False


def fresh(record, secrets):
    headers = {
        "webhook-id": record["id"],
        "webhook-timestamp": record["timestamp"],
        "webhook-signature": record["signature"],
    }
    for secret in secrets:
        try:
            Webhook(secret).verify(record["body"], headers)
            return True
        except Exception:  # the library raises WebhookVerificationError
            pass
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_received":
            secrets = parse_qs(url.query).get("secret", [])
            with LOCK:
                records = list(RECEIVED)
            out = []
            for r in records:
                out.append({
                    "id": r["id"],
                    "timestamp": r["timestamp"],
                    "path": r["path"],
                    "body": json.loads(r["body"]) if r["body"] else None,
                    "verified": verified(r, secrets),
                    "fresh": fresh(r, secrets),
                    "signatures": len(r["signature"].split(" ")),
                })
            self.answer(200, out)
        elif url.path == "/_stats":
            with LOCK:
                self.answer(200, dict(STATS))
        else:
            self.answer(404, {"error": "no such page"})

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        if self.path == "/_mode":
            with LOCK:
                MODE.update(json.loads(body))
            self.answer(200, MODE)
            return
        record = {
            "id": self.headers.get("webhook-id", ""),
            "timestamp": self.headers.get("webhook-timestamp", "0"),
            "signature": self.headers.get("webhook-signature", ""),
            "path": self.path,
            "body": body,
        }
        with LOCK:
            mode = dict(MODE)
            IN_FLIGHT[record["id"]] = IN_FLIGHT.get(record["id"], 0) + 1
            STATS["now"] += 1
            STATS["total"] += 1
            STATS["max_in_flight_per_id"] = max(STATS["max_in_flight_per_id"], IN_FLIGHT[record["id"]])
            STATS["max_in_flight"] = max(STATS["max_in_flight"], STATS["now"])
        try:
            if mode["hang"]:
                time.sleep(3600)
            time.sleep(mode["delay_ms"] / 1000)
            with LOCK:
                RECEIVED.append(record)
            self.answer(mode["status"], {"received": record["id"]})
        finally:
            with LOCK:
                IN_FLIGHT[record["id"]] -= 1
                STATS["now"] -= 1


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
