# A loopback HTTP server for tests/http/run.sh: GET /data answers a fixed body; started
# with `slow`, it waits 30 s before every answer. Prints its port on the first line.
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if sys.argv[1:] == ['slow']:
            time.sleep(30)
        body = b'hello from upstream\n'
        self.send_response(200)
        self.send_header('content-type', 'text/plain')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
