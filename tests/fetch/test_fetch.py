#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""neural-style fetch-weights against range_server.py on 127.0.0.1, serving a generated timm-like file.

Environment (set by tests/fetch/meson.build): FETCH_PROGRAM (the neural-style CLI), MAKE_TEST_WEIGHTS,
CHECK_FETCHED_WEIGHTS, RANGE_SERVER, PTH_TO_SAFETENSORS.
"""
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
from safetensors_file import read_header  # noqa: E402

PROGRAM = os.environ["FETCH_PROGRAM"]
MAKE_TEST_WEIGHTS = os.environ["MAKE_TEST_WEIGHTS"]
CHECK = os.environ["CHECK_FETCHED_WEIGHTS"]
SERVER = os.environ["RANGE_SERVER"]
TOOL = os.environ["PTH_TO_SAFETENSORS"]

# conv1_1 .. conv5_1 of torchvision's vgg19.features
NEEDED_INDICES = [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28]
NEEDED = ["features.%d.%s" % (i, part) for i in NEEDED_INDICES for part in ("weight", "bias")]
MB = 1 << 20


class Server:
    def __init__(self, path, *options):
        self.process = subprocess.Popen([sys.executable, SERVER, path] + list(options),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # blocks until the server listens
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError("range server did not start: " + line + self.process.stderr.read())
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d/timm/vgg19.tv_in1k/model.safetensors" % self.port

    def stats(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/__stats" % self.port, timeout=10) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()


class Fixture(unittest.TestCase):
    """The generated source file, and the reference result fetched from it and checked with the core loader."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="fetch-weights-test-")
        cls.source = os.path.join(cls.root, "model.safetensors")
        subprocess.run([MAKE_TEST_WEIGHTS, cls.source, "--timm", "--classifier-mb", "64"], check=True)
        cls.size = os.path.getsize(cls.source)
        cls.data_start, header = read_header(cls.source)
        cls.header = header
        cls.needed_bytes = sum(header[k]["data_offsets"][1] - header[k]["data_offsets"][0] for k in NEEDED)
        cls.measured = {}
        # The reference result, checked once with the core loader against the source (check-fetched-weights);
        # every other successful fetch must give the same bytes (the output does not depend on the transfer).
        reference = os.path.join(cls.root, "reference", "vgg19.safetensors")
        result = subprocess.run([PROGRAM, "fetch-weights"] +
                                ["--url", "file://" + cls.source, "--output", reference, "--quiet"],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("fetch from file:// failed: " + result.stderr)
        check = subprocess.run([CHECK, cls.source, reference], capture_output=True, text=True, timeout=60)
        if check.returncode != 0:
            raise RuntimeError("the fetched file does not match the source: " + check.stderr)
        with open(reference, "rb") as f:
            cls.expected_sha256 = hashlib.sha256(f.read()).hexdigest()
        if result.stdout.split() != [cls.expected_sha256, reference]:
            raise RuntimeError("unexpected output: " + result.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)
        for name, value in sorted(cls.measured.items()):
            print("measured %s: %s" % (name, value), file=sys.stderr)

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.root)
        self.output = os.path.join(self.dir, "out", "vgg19.safetensors")

    def server(self, *options, path=None):
        server = Server(path or self.source, *options)
        self.addCleanup(server.stop)
        return server

    def fetch(self, *args, env=None):
        command = [PROGRAM, "fetch-weights"] + list(args)
        full_env = dict(os.environ)
        full_env.pop("XDG_DATA_HOME", None)
        full_env["HOME"] = os.path.join(self.dir, "home")
        full_env.update(env or {})
        return subprocess.run(command, capture_output=True, text=True, timeout=60, env=full_env)

    def assert_ok(self, result, output=None):
        output = output or self.output
        self.assertEqual(result.returncode, 0, result.stderr)
        last = result.stdout.strip().splitlines()[-1]
        digest, path = last.split("  ", 1)
        self.assertEqual(path, output)
        with open(output, "rb") as f:
            self.assertEqual(digest, hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(digest, self.expected_sha256, "the file differs from the one checked with the core loader")
        self.assertEqual(self.leftovers(output), [])

    def assert_fails(self, result, *phrases, output=None):
        output = output or self.output
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertTrue(lines, "no error message")
        message = lines[-1]
        self.assertTrue(message.startswith("neural-style fetch-weights: "), message)
        for phrase in phrases:
            self.assertIn(phrase, message)
        self.assertFalse(os.path.exists(output), "a destination file was left after a failure")

    def leftovers(self, output=None):
        folder = os.path.dirname(output or self.output)
        name = os.path.basename(output or self.output)
        kept = (name, name + ".trust.json")  # the destination and its trust-on-first-use record
        return sorted(f for f in os.listdir(folder) if f not in kept) if os.path.isdir(folder) else []



class FetchWeightsTest(Fixture):
    def test_fetches_only_the_needed_byte_ranges(self):
        server = self.server()
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_ok(result)
        sent = server.stats()["bytes_sent"]
        self.measured["range: bytes served / needed / file"] = "%d / %d / %d" % (sent, self.needed_bytes, self.size)
        self.assertGreaterEqual(sent, self.needed_bytes)
        # the header and at most the rest of the first 64 KiB request besides the needed data
        self.assertLessEqual(sent, self.needed_bytes + self.data_start + 64 * 1024)
        self.assertLess(sent, self.size // 2)
        # plain progress lines when stderr is not a terminal
        self.assertIn("100%", result.stderr)
        _, written = read_header(self.output)
        self.assertEqual(sorted(k for k in written if k != "__metadata__"), sorted(NEEDED))

    def test_interrupted_download_resumes_on_the_next_run(self):
        server = self.server("--mode", "drop", "--drop-after", str(20 * MB))
        first = self.fetch("--url", server.url, "--output", self.output, "--retries", "0")
        self.assert_fails(first, "interrupted", "resume")
        self.assertTrue(server.stats()["dropped"])
        self.assertTrue(os.path.exists(self.output + ".part"))
        second = self.fetch("--url", server.url, "--output", self.output)
        self.assert_ok(second)
        self.assertIn("resuming", second.stderr)
        sent = server.stats()["bytes_sent"]
        self.measured["resume: bytes served over two runs / needed"] = "%d / %d" % (sent, self.needed_bytes)
        # continued, not restarted: the needed bytes once, plus the header a second time
        self.assertLessEqual(sent, self.needed_bytes + 2 * self.data_start + 64 * 1024)

    def test_ctrl_c_keeps_the_partial_download(self):
        server = self.server("--mode", "stall", "--stall-after", str(12 * MB))
        command = [PROGRAM, "fetch-weights"] + ["--url", server.url, "--output", self.output]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not server.stats()["stalled"]:  # the server says when it holds back the rest
                self.assertLess(time.monotonic(), deadline, "the server never reached the stall")
                self.assertIsNone(process.poll(), "the download ended before the stall")
                time.sleep(0.05)
            # Everything the server sent lies in the first needed range (the tensor data from data_start, 49 MB):
            # the client holds it all once its .part has that many bytes; under load it may still be reading.
            sent = server.stats()["bytes_sent"] - self.data_start
            while not os.path.exists(self.output + ".part") or os.path.getsize(self.output + ".part") < sent:
                self.assertLess(time.monotonic(), deadline, "the client never received what the server sent")
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        self.assert_fails(subprocess.CompletedProcess(command, process.returncode, out, err), "cancelled")
        self.assertTrue(os.path.exists(self.output + ".part"))
        second = self.fetch("--url", server.url, "--output", self.output)
        self.assert_ok(second)
        self.assertIn("resuming: 12 MB", second.stderr)  # everything before the stall (12 MiB) was kept
        self.assertLessEqual(server.stats()["bytes_sent"], self.needed_bytes + 2 * self.data_start + 64 * 1024)

    def test_dropped_connection_is_retried_within_a_run(self):
        server = self.server("--mode", "drop", "--drop-after", str(30 * MB))
        self.assert_ok(self.fetch("--url", server.url, "--output", self.output))
        stats = server.stats()
        self.assertTrue(stats["dropped"])
        self.assertLessEqual(stats["bytes_sent"], self.needed_bytes + self.data_start + 64 * 1024)

    def test_server_without_range_support(self):
        server = self.server("--mode", "norange")
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_ok(result)
        stats = server.stats()
        self.assertTrue(all(r["status"] == 200 for r in stats["requests"]), stats["requests"])
        self.measured["norange: bytes served / file"] = "%d / %d" % (stats["bytes_sent"], self.size)
        # the body streams past until the last needed tensor (features.7, before the classifier), then stops
        self.assertLess(stats["bytes_sent"], self.size * 3 // 4)

    def test_truncated_source(self):
        server = self.server("--mode", "truncate", "--truncate-to", str(self.size // 3))
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_fails(result, "not a usable safetensors file", "past the end")
        self.assertEqual(self.leftovers(), [])

    def test_truncated_header(self):
        server = self.server("--mode", "truncate", "--truncate-to", str(self.data_start // 2))
        self.assert_fails(self.fetch("--url", server.url, "--output", self.output), "not a usable safetensors file")
        self.assertEqual(self.leftovers(), [])

    def test_corrupt_values(self):
        begin = self.header["features.5.weight"]["data_offsets"][0]
        server = self.server("--mode", "corrupt", "--corrupt-at", str(self.data_start + begin + 400))
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_fails(result, "features.5.weight", "NaN")
        self.assertEqual(self.leftovers(), [])

    def test_not_a_safetensors_file(self):
        garbage = os.path.join(self.dir, "index.html")
        with open(garbage, "wb") as f:
            f.write(b"<html><body>" + b"x" * 5000 + b"</body></html>\n")
        server = self.server(path=garbage)
        self.assert_fails(self.fetch("--url", server.url, "--output", self.output), "not a usable safetensors file")
        self.assertEqual(self.leftovers(), [])

    def test_wrong_shapes(self):
        other = os.path.join(self.dir, "other.safetensors")
        with open(self.source, "rb") as f:
            data = bytearray(f.read(self.data_start))
        text = data[8:].decode().replace('"shape":[64,3,3,3]', '"shape":[64,3,9,1]')
        self.assertNotEqual(text, data[8:].decode(), "test file layout changed")
        with open(other, "wb") as f:
            f.write(bytes(data[:8]) + text.encode())
            with open(self.source, "rb") as g:
                g.seek(self.data_start)
                shutil.copyfileobj(g, f)
        server = self.server(path=other)
        self.assert_fails(self.fetch("--url", server.url, "--output", self.output), "features.0.weight", "shape")

    def test_https_required_for_remote_urls(self):
        # (more URLs in test_weights_fetch.cpp; each run here costs a process start)
        self.assert_fails(self.fetch("--url", "http://example.com/model.safetensors", "--output", self.output),
                          "https://")
        self.assert_fails(self.fetch("--url", self.source, "--output", self.output), "file://")

    def test_reference_matches_the_source(self):
        # setUpClass fetched over file:// and checked the result with the core loader; check the checker can fail
        other = os.path.join(self.dir, "other.safetensors")
        begin = self.header["features.28.bias"]["data_offsets"][0]
        shutil.copyfile(self.source, other)
        with open(other, "r+b") as f:
            f.seek(self.data_start + begin + 8)
            f.write(struct.pack("<f", 0.125))
        reference = os.path.join(self.root, "reference", "vgg19.safetensors")
        check = subprocess.run([CHECK, other, reference], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)

    def test_file_url_default_destination_and_quiet(self):
        data_home = os.path.join(self.dir, "data")
        default = os.path.join(data_home, "neural-style-transfer", "vgg19.safetensors")
        result = self.fetch("--url", "file://" + self.source, "--quiet", env={"XDG_DATA_HOME": data_home})
        self.assert_ok(result, output=default)
        self.assertEqual(result.stderr, "")
        self.assertEqual(len(result.stdout.strip().splitlines()), 1)

    def test_usage(self):
        self.assertEqual(self.fetch("--bogus").returncode, 2)
        result = self.fetch("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--url", result.stdout)
        self.assertIn("--output", result.stdout)
        self.assertIn("--time-limit", result.stdout)
        for bad in ("0", "x", "-5", "86401"):
            self.assertEqual(self.fetch("--time-limit", bad).returncode, 2, bad)

    # --- the partial download's files, bounds on time and bytes ---------------------------------------------------

    def test_symlink_planted_as_part_is_not_followed(self):
        os.makedirs(os.path.dirname(self.output))
        victim = os.path.join(self.dir, "victim")
        with open(victim, "wb") as f:
            f.write(b"precious")
        for planted in (".part", ".part.json"):
            with self.subTest(planted=planted):
                link = self.output + planted
                os.symlink(victim, link)
                result = self.fetch("--url", "file://" + self.source, "--output", self.output)
                self.assert_fails(result, "refusing " + link, "symbolic link")
                with open(victim, "rb") as f:
                    self.assertEqual(f.read(), b"precious")
                self.assertTrue(os.path.islink(link), "the planted link was replaced or removed")
                os.unlink(link)
        self.assert_ok(self.fetch("--url", "file://" + self.source, "--output", self.output))

    @unittest.skipUnless(os.geteuid() == 0, "needs root to give a file to another user")
    def test_part_of_another_user_is_refused(self):
        os.makedirs(os.path.dirname(self.output))
        with open(self.output + ".part", "wb") as f:
            f.write(b"x" * 100)
        os.chown(self.output + ".part", 65534, 65534)
        result = self.fetch("--url", "file://" + self.source, "--output", self.output)
        self.assert_fails(result, "refusing " + self.output + ".part", "belongs to another user")
        self.assertEqual(os.path.getsize(self.output + ".part"), 100)

    def test_temporaries_of_a_killed_run_are_removed(self):
        # What a kill between mkstemp and rename leaves: the compact file's and the sidecar's temporaries.
        folder = os.path.dirname(self.output)
        os.makedirs(folder)
        stale = [os.path.join(folder, ".vgg19.safetensors.Ab3dE9"), self.output + ".part.json.Zq81xY"]
        unrelated = os.path.join(folder, ".vgg19.safetensors.notours-longer")
        for path in stale + [unrelated]:
            with open(path, "wb") as f:
                f.write(b"half-written")
        result = self.fetch("--url", "file://" + self.source, "--output", self.output)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.leftovers(), [os.path.basename(unrelated)])

    def test_time_limit_stops_a_stalled_server_and_keeps_the_data(self):
        server = self.server("--mode", "stall", "--stall-after", str(2 * MB))
        started = time.monotonic()
        result = self.fetch("--url", server.url, "--output", self.output, "--time-limit", "3")
        self.assert_fails(result, "took longer than 3 s", "kept to resume")
        self.assertLess(time.monotonic() - started, 20)
        self.assertGreater(os.path.getsize(self.output + ".part"), MB)
        self.assert_ok(self.fetch("--url", server.url, "--output", self.output))

    def test_trust_on_first_use(self):
        # A source at a fixed file:// URL, replaced between runs as the file behind a server's URL might be.
        source = os.path.join(self.dir, "model.safetensors")
        shutil.copyfile(self.source, source)
        url = "file://" + source
        self.assert_ok(self.fetch("--url", url, "--output", self.output))
        with open(self.output + ".trust.json") as f:
            record = json.load(f)
        self.assertEqual(record["url"], url)
        self.assertEqual(record["file_sha256"], self.expected_sha256)
        self.assert_ok(self.fetch("--url", url, "--output", self.output))  # the same file again: fine

        # The same tensors behind a header padded differently: the header is not the one recorded.
        with open(self.source, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header, data = f.read(length), f.read()
        with open(source, "wb") as f:
            f.write(struct.pack("<Q", length + 8) + header + b" " * 8 + data)
        result = self.fetch("--url", url, "--output", self.output)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("the header of the source differs from the first download's", result.stderr)
        self.assertIn("unless forced", result.stderr)

        # Other values behind the original header: the file made is not the one recorded; the old one stays.
        subprocess.run([MAKE_TEST_WEIGHTS, source, "--timm", "--classifier-mb", "64", "--seed", "9"], check=True)
        result = self.fetch("--url", url, "--output", self.output)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("the weights file made differs from the first download's", result.stderr)
        with open(self.output, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), self.expected_sha256)
        self.assertEqual(self.leftovers(), [])

        # --force takes it and records it.
        result = self.fetch("--url", url, "--output", self.output, "--force")
        self.assertEqual(result.returncode, 0, result.stderr)
        digest = result.stdout.split()[0]
        self.assertNotEqual(digest, self.expected_sha256)
        with open(self.output + ".trust.json") as f:
            self.assertEqual(json.load(f)["file_sha256"], digest)

    # --- two downloads to one destination, a source that changes between attempts -------------------------------

    def assert_checks(self, source, output):
        """The core loader's check that OUTPUT holds SOURCE's tensors (check-fetched-weights)."""
        check = subprocess.run([CHECK, source, output], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def busy_message(self):
        return "neural-style fetch-weights: another download to %s is in progress" % self.output

    def wait_for_stall(self, server, process):
        deadline = time.monotonic() + 30
        while not server.stats()["stalled"]:  # the server says when it holds back the rest
            self.assertLess(time.monotonic(), deadline, "the server never reached the stall")
            self.assertIsNone(process.poll(), "the download ended before the stall")
            time.sleep(0.05)

    def test_second_fetch_while_one_runs_is_refused(self):
        # The first download holds DEST.part (locked) while its server stalls; a second one to the same destination
        # ends at once with one line, touching neither the first one's files nor the destination.
        server = self.server("--mode", "stall", "--stall-after", str(4 * MB))
        command = [PROGRAM, "fetch-weights", "--url", server.url, "--output", self.output]
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_for_stall(server, first)
            with open(self.output + ".part.json") as f:
                sidecar = f.read()
            second = self.fetch("--url", server.url, "--output", self.output)
            self.assertEqual(second.returncode, 1, second.stderr)
            self.assertEqual(second.stderr.strip().splitlines()[-1], self.busy_message())
            self.assertFalse(os.path.exists(self.output))
            with open(self.output + ".part.json") as f:
                self.assertEqual(f.read(), sidecar, "the second download changed the first one's sidecar")
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
        self.assertEqual(first.returncode, 1)
        # What the first one kept is intact: the next run resumes it and makes the checked file.
        third = self.fetch("--url", server.url, "--output", self.output)
        self.assert_ok(third)
        self.assertIn("resuming", third.stderr)

    def test_two_fetches_started_at_once(self):
        # Started together, again and again: each ends with success or with the one-line refusal, at least one
        # succeeds, and what is left is the checked file and its trust record, nothing else.
        server = self.server()
        command = [PROGRAM, "fetch-weights", "--url", server.url, "--output", self.output]
        outcomes = set()
        for attempt in range(4):
            processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                         for _ in range(2)]
            results = [(p.communicate(timeout=60), p.returncode) for p in processes]
            for (out, err), code in results:
                if code == 0:
                    outcomes.add("ok")
                else:
                    self.assertEqual((code, err.strip().splitlines()[-1]), (1, self.busy_message()), err)
                    outcomes.add("refused")
            self.assertIn(0, [code for _, code in results], "neither download succeeded")
            self.assert_checks(self.source, self.output)
            with open(self.output, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), self.expected_sha256)
            self.assertEqual(self.leftovers(), [], "attempt %d" % attempt)
        self.measured["two fetches at once: outcomes seen"] = ", ".join(sorted(outcomes))

    def interrupted_then_changed(self, *server_options):
        """A first attempt dropped after 20 MB (DEST.part kept), then the source replaced by other values behind
        the same header; returns the source's path and the SHA-256 of the compact file made from the new one."""
        source = os.path.join(self.dir, "model.safetensors")
        shutil.copyfile(self.source, source)
        server = self.server("--mode", "drop", "--drop-after", str(20 * MB), *server_options, path=source)
        self.assert_fails(self.fetch("--url", server.url, "--output", self.output, "--retries", "0"), "interrupted")
        self.assertTrue(os.path.exists(self.output + ".part"))
        subprocess.run([MAKE_TEST_WEIGHTS, source, "--timm", "--classifier-mb", "64", "--seed", "9"], check=True)
        reference = os.path.join(self.dir, "new", "vgg19.safetensors")
        made = self.fetch("--url", "file://" + source, "--output", reference)
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assert_checks(source, reference)
        with open(reference, "rb") as f:
            new_sha256 = hashlib.sha256(f.read()).hexdigest()
        self.assertNotEqual(new_sha256, self.expected_sha256)
        return server, source, new_sha256

    def test_source_changed_between_attempts_with_a_new_etag(self):
        # The server restarted on the new file gives a new ETag: the kept part is not resumed but started afresh.
        old_server, source, new_sha256 = self.interrupted_then_changed()
        old_server.stop()
        server = self.server(path=source)
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("resuming", result.stderr)
        self.assert_checks(source, self.output)
        with open(self.output, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), new_sha256)
        self.assertEqual(self.leftovers(), [])

    def test_source_changed_between_attempts_under_the_same_etag(self):
        # The same server (same ETag, same header) now sends other values: the resumed download re-reads the end of
        # what it kept, notices the difference, and refuses rather than mixing two files; the next run starts afresh.
        server, source, new_sha256 = self.interrupted_then_changed()
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_fails(result, "changed since the partial download")
        self.assertEqual(self.leftovers(), [])
        again = self.fetch("--url", server.url, "--output", self.output)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assert_checks(source, self.output)
        with open(self.output, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), new_sha256)

    def test_trickling_server_is_stopped_by_the_time_limit(self):
        # A server that sends a few bytes now and then never trips a stall timeout; the total time limit ends it.
        server = self.server("--mode", "trickle", "--trickle-after", str(2 * MB))
        started = time.monotonic()
        result = self.fetch("--url", server.url, "--output", self.output, "--time-limit", "3")
        self.assert_fails(result, "took longer than 3 s", "kept to resume")
        self.assertLess(time.monotonic() - started, 20)
        self.assertTrue(server.stats()["trickled"])

    @unittest.skipUnless(os.geteuid() == 0, "needs root to mount a small file system")
    def test_full_disk_keeps_the_previous_weights_file(self):
        # A tmpfs with room for a previous weights file and DEST.part, not for the new file written beside them:
        # exit 1 naming the temporary file and the cause, the previous file as it was, no temporary left.
        reference = os.path.join(self.root, "reference", "vgg19.safetensors")
        size = os.path.getsize(reference)
        mount_point = tempfile.mkdtemp(dir=self.dir)
        message = os.path.join(self.dir, "message")
        script = ('mount -t tmpfs -o size=%dk tmpfs "$1" || exit 77; cp "$2" "$1/vgg19.safetensors"; '
                  '"$3" fetch-weights --quiet --url "$4" --output "$1/vgg19.safetensors" 2>"$5"; echo "exit $?"; '
                  'cmp -s "$2" "$1/vgg19.safetensors" && echo previous-intact; ls -a "$1"'
                  % ((size * 5 // 2) // 1024))
        # The previous file is a copy of the reference: the check is that it is neither replaced nor removed.
        result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                                 mount_point, reference, PROGRAM, "file://" + self.source, message],
                                capture_output=True, text=True, timeout=120)
        if result.returncode == 77 or "exit" not in result.stdout:
            self.skipTest("cannot mount a tmpfs here")
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "exit 1", result.stdout)
        self.assertIn("previous-intact", lines)
        names = sorted(set(lines[2:]) - {".", ".."})
        self.assertEqual(names, ["vgg19.safetensors", "vgg19.safetensors.part", "vgg19.safetensors.part.json"])
        with open(message) as f:
            text = f.read().strip().splitlines()
        self.assertEqual(len(text), 1, text)
        self.assertTrue(text[0].startswith("neural-style fetch-weights: cannot write " + mount_point + "/."), text)
        self.assertTrue(text[0].endswith(": No space left on device"), text)

    def test_byte_cap_refuses_a_full_download_sent_twice(self):
        # A server without Range support that drops the connection: the retry would stream the file from its start
        # again. More than the header and the tensors (with what lies before them) is refused, not received.
        server = self.server("--mode", "drop", "--ignore-range", "--drop-after", str(40 * MB))
        result = self.fetch("--url", server.url, "--output", self.output)
        self.assert_fails(result, "sent more than the header and the tensors")
        self.assertLess(server.stats()["bytes_sent"], 40 * MB + self.size * 3 // 4)


class PthToolTest(Fixture):
    def test_pth_to_safetensors_tool(self):
        python = next((p for p in [sys.executable, "/usr/bin/python3"]
                       if os.path.exists(p) and subprocess.run([p, "-c", "import torch"],
                                                               capture_output=True).returncode == 0), None)
        if python is None:
            self.skipTest("no Python with PyTorch")
        pth, evil = os.path.join(self.dir, "vgg19.pth"), os.path.join(self.dir, "evil.pth")
        marker = os.path.join(self.dir, "pwned")
        # a torchvision-like .pth of the source's tensors, and a pickle that would run code when loaded
        make = r"""
import collections, os, sys, torch
source, pth, evil, marker, tools = sys.argv[1:]
sys.path.insert(0, tools)
from safetensors_file import read_vgg19_features
state = collections.OrderedDict(read_vgg19_features(source))
state["classifier.6.bias"] = torch.zeros(1000)
torch.save(state, pth)
class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + marker,))
torch.save({"features.0.weight": Evil()}, evil)
"""
        subprocess.run([python, "-c", make, self.source, pth, evil, marker, TOOLS], check=True, timeout=120)
        converted = os.path.join(self.dir, "converted.safetensors")
        result = subprocess.run([python, TOOL, pth, converted], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        _, header = read_header(converted)
        self.assertNotIn("classifier.6.bias", header)
        # the compact file made from it is byte for byte the one fetched from the original
        self.assert_ok(self.fetch("--url", "file://" + converted, "--output", self.output, "--quiet"))
        result = subprocess.run([python, TOOL, evil, os.path.join(self.dir, "evil.safetensors")],
                                capture_output=True, text=True, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertFalse(os.path.exists(marker), "the tool ran code from a pickle")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "evil.safetensors")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
