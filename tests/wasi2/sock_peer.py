#!/usr/bin/env python3
"""The other end of tests/wasi2/sockets.sh's connections, on 127.0.0.1.

  sock_peer.py tcp-echo PORTFILE      accept clients one after another; send back what each
                                      sends as it arrives, until it closes
  sock_peer.py udp-echo PORTFILE      send every datagram back to where it came from
  sock_peer.py tcp-client PORT TEXT   connect (retrying while nothing listens), send TEXT,
                                      shut down sending, print the reply

The servers bind an ephemeral port and write it to PORTFILE (then serve until killed).
"""
import socket
import sys
import time


def announce(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    import os
    os.replace(path + ".tmp", path)


def tcp_echo(path):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    announce(path, s.getsockname()[1])
    while True:
        c, _ = s.accept()
        while True:
            try:
                chunk = c.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            c.sendall(chunk)
        c.close()


def udp_echo(path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    announce(path, s.getsockname()[1])
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)


def tcp_client(port, text):
    for _ in range(600):
        try:
            c = socket.create_connection(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            time.sleep(0.05)
    else:
        print("client: nothing listens")
        return 1
    c.sendall(text.encode())
    c.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    print(f"client got: {data.decode()}")
    return 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "tcp-echo":
        tcp_echo(sys.argv[2])
    elif mode == "udp-echo":
        udp_echo(sys.argv[2])
    elif mode == "tcp-client":
        sys.exit(tcp_client(int(sys.argv[2]), sys.argv[3]))
    else:
        sys.exit(f"unknown mode {mode}")
