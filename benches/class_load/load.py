"""A class under load (issue #32): 40 students read their page and send a
choice every 2 s while the teacher runs 5 rounds of 12 months; prints the
time to open the class, each round, the students' requests (median, p95,
max), the debrief and the export.

Run: agora serve --port 8000 --classes /tmp/classes &
     python3 benches/class_load/load.py http://127.0.0.1:8000/
"""
import json, threading, time, urllib.request, sys, statistics
URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/"
if not URL.endswith("/"):
    URL += "/"
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path.lstrip('/'), data=data, method=method, headers={'Content-Type': 'application/json'})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.loads(r.read())
    return out, time.perf_counter() - t
t0 = time.perf_counter(); made, dt = call('POST', '/api/class', {'administrations': 40, 'rounds': 5, 'months': 12})
print(f"open a class of 40 administrations, {8000} citizens (past to 2026-01): {dt:.3f} s")
code, teacher = made['code'], made['teacher']
students = [call('POST', f'/api/class/{code}/join', {'name': f's{k}'})[0] for k in range(40)]
lat, stop = [], False
def student(s):
    k = s['admin']
    while not stop:
        _, dt = call('GET', f"/api/class/{code}/admin/{k}?student={s['student']}"); lat.append(dt)
        _, dt = call('POST', f"/api/class/{code}/admin/{k}/choose", {'student': s['student'], 'levers': {'dynamics.training': 0.01 * (k % 4)}}); lat.append(dt)
        time.sleep(2)
threads = [threading.Thread(target=student, args=(s,)) for s in students]
for t in threads: t.start()
adv = []
for r in range(5):
    time.sleep(3)
    _, dt = call('POST', f'/api/class/{code}/advance', {'teacher': teacher}); adv.append(dt)
    _, dt2 = call('GET', f'/api/class/{code}/teacher?teacher={teacher}&from=0')
stop = True
for t in threads: t.join()
_, deb = call('POST', f'/api/class/{code}/debrief', {'teacher': teacher})
_, exp = call('POST', f'/api/class/{code}/export', {'teacher': teacher})
lat.sort()
print(f"round of 12 months (advance): median {statistics.median(adv):.3f} s, max {max(adv):.3f} s")
print(f"student requests under load: {len(lat)}, median {1000*statistics.median(lat):.1f} ms, p95 {1000*lat[int(0.95*len(lat))]:.1f} ms, max {1000*lat[-1]:.1f} ms")
print(f"teacher view (all rows): {dt2:.3f} s; debrief (40 counterfactual reruns + 3 futures): {deb:.2f} s; export (agora run + report): {exp:.2f} s")
