#!/usr/bin/env python3
"""Latency of HTTP requests, one connection each (bench/hybrid.sh, bench/efficiency/interact.py).

  httplat.py PORT N [--post BODY] [--path P] [--header NAME:VALUE] [--expect SUFFIX]

Sends N requests to 127.0.0.1:PORT (a GET of P, or a POST of BODY with `\\n` read as a
newline), each on its own connection, reads each answer to the end and checks that it ends
with SUFFIX (a wrong answer stops with exit 1); prints the median and mean in
microseconds. Run it inside a network namespace (nsenter --net) to call from there.
"""
import socket
import statistics
import sys
import time


def request(path="/", body=None, headers=()):
    head = [f"{'POST' if body is not None else 'GET'} {path} HTTP/1.0", "Host: 127.0.0.1", "Connection: close"]
    head += list(headers)
    if body is not None:
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")


def time_requests(port, n, req, expect=b""):
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(req)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        lat.append((time.perf_counter() - t) * 1e6)
        if not data.startswith(b"HTTP/1.") or b" 200 " not in data.split(b"\r\n", 1)[0] or not data.endswith(expect):
            sys.exit(f"httplat: port {port}: unexpected answer {data[:300]!r}")
    return statistics.median(lat), statistics.mean(lat)


def main(argv):
    port, n = int(argv[0]), int(argv[1])
    body, path, headers, expect = None, "/", [], b""
    i = 2
    while i < len(argv):
        k, v = argv[i], argv[i + 1].replace("\\n", "\n")
        if k == "--post":
            body = v.encode()
        elif k == "--path":
            path = v
        elif k == "--header":
            headers.append(v)
        elif k == "--expect":
            expect = v.encode()
        else:
            sys.exit(f"httplat: unknown option {k}")
        i += 2
    med, mean = time_requests(port, n, request(path, body, headers), expect)
    print(f"{med:.0f} {mean:.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
