# One HTTP request for tests/http/run.sh, printed as the status, the headers the handler
# sets (content-type, x-weld-test, x-test-echo; in that order) and the body:
#   python3 client.py PORT METHOD PATH [BODY] [NAME:VALUE...]
import http.client, sys
port, method, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 and sys.argv[4] else None
headers = dict(h.split(':', 1) for h in sys.argv[5:])
# a server that never answers fails the check instead of stopping the run
c = http.client.HTTPConnection('127.0.0.1', port, timeout=300)
c.request(method, path, body=body, headers=headers)
r = c.getresponse()
print(r.status)
for name in ('content-type', 'x-weld-test', 'x-test-echo'):
    if r.getheader(name) is not None:
        print(f'{name}: {r.getheader(name)}')
print()
sys.stdout.write(r.read().decode('utf-8', 'replace'))
