#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small HTTP/1.1 file server for the fetch-weights tests (Python 3 stdlib only), on 127.0.0.1.

    range_server.py FILE [--mode MODE] [--drop-after K] [--stall-after K] [--trickle-after K] [--truncate-to N]
                         [--corrupt-at OFFSET] [--ignore-range] [--port-file PATH]

Serves FILE at every path. Modes:
  range     honours single "Range: bytes=..." requests with 206 and Content-Range (the default)
  norange   ignores Range: always 200 with the whole file
  drop      like range, but once, after K body bytes in total, closes the connection in the middle of a response
  stall     like range, but once, after K body bytes in total, stops sending until the client hangs up
  trickle   like range, but after K body bytes in total sends one byte every 0.2 s (never idle long enough for a
            stall timeout)
  truncate  serves only the first N bytes, as if the file ended there
  corrupt   serves the file with the 4 bytes at OFFSET replaced by a float32 NaN
--ignore-range answers every request with 200 and the whole file, in any mode (norange is range with it).

GET /__stats answers JSON {"bytes_sent": body bytes handed to the socket, "requests": [...], "dropped": bool,
"stalled": bool, "trickled": bool};
POST /__reset zeroes it. Neither counts. Once listening it prints "PORT n" on stdout (and writes n to --port-file,
atomically), so a test can wait for it without sleeping.
"""
import argparse
import json
import os
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 64 * 1024


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.bytes_sent = 0
        self.requests = []
        self.dropped = False
        self.stalled = False
        self.trickled = False
        self.path = args.file
        with open(args.file, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
        if args.mode == "truncate":
            size = min(size, args.truncate_to)
        self.size = size
        st = os.stat(args.file)
        self.etag = '"%x-%x"' % (st.st_size, st.st_mtime_ns)

    def read(self, offset, length):
        with open(self.path, "rb") as f:
            f.seek(offset)
            data = f.read(length)
        corrupt_at = self.args.corrupt_at
        if self.args.mode == "corrupt" and corrupt_at is not None:
            nan = struct.pack("<f", float("nan"))
            for i in range(4):
                at = corrupt_at + i - offset
                if 0 <= at < len(data):
                    data = data[:at] + nan[i:i + 1] + data[at + 1:]
        return data


def parse_range(header, size):
    """(first, last) inclusive for a single byte range, None when absent or unusable, 'unsatisfiable'."""
    if not header:
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        return None  # several ranges or garbage: answer with the whole file, as servers may
    if m.group(1) == "":
        n = int(m.group(2))
        if n == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) != "" else size - 1
    if first >= size or last < first:
        return "unsatisfiable"
    return (first, min(last, size - 1))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "range-server/1"

    def log_message(self, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def do_POST(self):
        if self.path == "/__reset":
            with self.state.lock:
                self.state.bytes_sent = 0
                self.state.requests = []
            self.send_json({"ok": True})
        else:
            self.send_error(405)

    def send_json(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        if self.path == "/__stats":
            with self.state.lock:
                self.send_json({"bytes_sent": self.state.bytes_sent, "requests": list(self.state.requests),
                                "dropped": self.state.dropped, "stalled": self.state.stalled,
                                "trickled": self.state.trickled,
                                "size": self.state.size})
            return
        self.serve(head=False)

    def serve(self, head):
        state = self.state
        size = state.size
        ignore_range = state.args.mode == "norange" or state.args.ignore_range
        wanted = None if ignore_range else parse_range(self.headers.get("Range"), size)
        if wanted == "unsatisfiable":
            with state.lock:
                state.requests.append({"range": self.headers.get("Range"), "status": 416})
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % size)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if wanted is None:
            first, last, status = 0, size - 1, 200
        else:
            (first, last), status = wanted, 206
        length = last - first + 1 if size else 0
        with state.lock:
            state.requests.append({"range": self.headers.get("Range"), "status": status,
                                   "first": first, "length": length})
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", state.etag)
        if not ignore_range:
            self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
        self.end_headers()
        if head:
            return
        offset, end = first, first + length
        try:
            while offset < end:
                n = min(CHUNK, end - offset)
                drop = stall = trickle = False
                with state.lock:
                    if state.args.mode == "drop" and not state.dropped:
                        allowed = state.args.drop_after - state.bytes_sent
                        if allowed <= n:
                            n, drop = max(0, allowed), True
                            state.dropped = True
                    if state.args.mode == "trickle" and state.bytes_sent >= state.args.trickle_after:
                        n, trickle = 1, True
                        state.trickled = True
                    if state.args.mode == "stall" and not state.stalled:
                        allowed = state.args.stall_after - state.bytes_sent
                        if allowed <= n:
                            n, stall = max(0, allowed), True
                    state.bytes_sent += n
                if n:
                    self.wfile.write(state.read(offset, n))
                    offset += n
                if trickle:
                    self.wfile.flush()
                    time.sleep(0.2)
                if drop:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if stall:
                    self.wfile.flush()
                    with state.lock:
                        state.stalled = True  # reported only once the bytes before the stall are out
                    self.connection.settimeout(120)
                    while self.connection.recv(65536):  # until the client hangs up
                        pass
                    self.close_connection = True
                    return
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    modes = ["range", "norange", "drop", "stall", "trickle", "truncate", "corrupt"]
    parser.add_argument("--mode", choices=modes, default="range")
    parser.add_argument("--drop-after", type=int, default=1 << 20)
    parser.add_argument("--stall-after", type=int, default=1 << 20)
    parser.add_argument("--trickle-after", type=int, default=1 << 20)
    parser.add_argument("--truncate-to", type=int, default=1 << 20)
    parser.add_argument("--corrupt-at", type=int)
    parser.add_argument("--ignore-range", action="store_true")
    parser.add_argument("--port-file")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(args)
    port = server.server_address[1]
    if args.port_file:
        temp = args.port_file + ".tmp"
        with open(temp, "w") as f:
            f.write("%d\n" % port)
        os.replace(temp, args.port_file)
    print("PORT %d" % port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
