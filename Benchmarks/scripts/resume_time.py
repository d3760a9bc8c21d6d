#!/usr/bin/env python3
"""Time to resume after kill -9.

Runs JOB (a job.json with a checkpoints section and a control endpoint, which every checkpointed job
has), SIGKILLs it after KILL_AFTER seconds, starts it again and prints, measured from the restart:
  - when the "resuming from checkpoint N" notice appeared (checkpoint found, verified, read);
  - when the first operator had processed records again (polled on GET /job every 2 ms).

    python3 Benchmarks/scripts/resume_time.py [--bin .build/release/streamrun] JOB KILL_AFTER

It deletes the job's checkpoints directory and the first sink's output before it starts.
"""
import argparse, json, os, re, shutil, signal, subprocess, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.path.abspath(".build/release/streamrun"))
ap.add_argument("job")
ap.add_argument("kill_after", type=float)
a = ap.parse_args()
job_path = os.path.abspath(a.job)
os.chdir(os.path.dirname(job_path))
job = json.load(open(job_path))
shutil.rmtree(job["checkpoints"]["dir"], True)
shutil.rmtree(job["sinks"][0]["path"], True)

first = subprocess.Popen([a.bin, job_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(a.kill_after)
first.send_signal(signal.SIGKILL)
first.wait()
listing = subprocess.run([a.bin, "checkpoints", "ls", job["checkpoints"]["dir"]], capture_output=True, text=True).stdout

t0 = time.monotonic()
p = subprocess.Popen([a.bin, job_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
url, notice = None, None
while url is None:
    line = p.stderr.readline()
    if not line:
        break
    if "resuming from" in line:
        notice = (time.monotonic() - t0, line.strip())
    m = re.search(r"control endpoint: (http://\S+)", line)
    if m:
        url = m.group(1)
op = (job.get("operators") or job["sinks"])[0]["id"]
flowing = None
while flowing is None and url and p.poll() is None:
    try:
        status = json.load(urllib.request.urlopen(url + "/job", timeout=1))
        if any(o["id"] == op and o["recordsIn"] > 0 for o in status["operators"]):
            flowing = time.monotonic() - t0
    except Exception:
        pass
    time.sleep(0.002)
p.stderr.read()
p.wait()
rows = listing.strip().splitlines()
print("newest checkpoint before the restart:", rows[-1] if len(rows) > 1 else "none")
print("resume notice after %.3f s: %s" % notice if notice else "no resume notice")
print("processing again after %.3f s" % flowing if flowing else "never saw records")
