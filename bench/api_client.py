"""Creates invitations through the HTTP API from N threads, each on its own keep-alive connection,
and prints the requests per second and the answers' status codes. With "keys" as the last argument,
each request carries its own Idempotency-Key, as a careful script sends them."""
import http.client
import json
import sys
import threading
import time

port, token, count, clients, tag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
keys = sys.argv[6:] == ["keys"]
lock = threading.Lock()
taken = [0]
statuses = {}


def client():
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while True:
        with lock:
            i = taken[0]
            taken[0] += 1
        if i >= count:
            return
        body = json.dumps({"email": f"api-{tag}-{i}@example.org"})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if keys:
            headers["Idempotency-Key"] = f"{tag}-{i}"
        connection.request("POST", "/api/v1/invitations", body, headers)
        answer = connection.getresponse()
        answer.read()
        with lock:
            statuses[answer.status] = statuses.get(answer.status, 0) + 1


start = time.monotonic()
threads = [threading.Thread(target=client) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.monotonic() - start
print(f"{count} requests, {clients} client(s){' with keys' if keys else ''}: {elapsed:.2f} s, {count / elapsed:.0f} requests/s, answers {statuses}")
