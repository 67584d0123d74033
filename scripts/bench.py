#!/usr/bin/env python3
"""Benchmarks for the provider's protocol layer (run by `make bench`).

Measures, as medians of several runs taken side by side:
  1. start-to-handshake time of the provider binary, launched as Terraform launches it;
  2. its resident memory once idle after the handshake;
  3. wall time and CPU time of `terraform plan` over N applied instances of the test-only
     resource (tests/acc_testprovider.rs), divided by the same for N `terraform_data`
     (Terraform's own cost: the floor);
  4. with --local (comwit-local), real resources: a refresh `terraform plan` of N applied
     `comwit_domain_record` against N `terraform_data` (wall and CPU ratio), the API calls it
     makes per resource, the provider's own share of the CPU, and the plan's wall time against
     a platform with `--latency 50` and with `--rate-limit 20`;
  5. with --local, comwit-local's point-in-time restore of a 10 MB database: the time from
     `POST .../restore` to the operation `succeeded` and the new database listed `cold`
     (with `--database-delay 0`, so what is measured is comwit-local's own work);
  6. with --local, `terraform apply` of a `comwit_database` seeded from a 100 MB SQLite file:
     the apply's wall time (checks, the upload session, the streamed upload, the operation)
     and the provider's peak resident memory while it uploads (target < 64 MB).

Usage: bench.py --provider BIN --test-provider BIN --terraform BIN [--local BIN]
                [--instances 500] [--runs 5]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def client_cert_pem():
    """A P-521 self-signed certificate, like Terraform's client certificate."""
    with tempfile.TemporaryDirectory() as d:
        key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
        subprocess.run(
            ["openssl", "ecparam", "-name", "secp521r1", "-genkey", "-noout", "-out", key],
            check=True, capture_output=True)
        subprocess.run(
            ["openssl", "req", "-new", "-x509", "-key", key, "-out", crt, "-days", "1",
             "-subj", "/CN=localhost"], check=True, capture_output=True)
        with open(crt) as f:
            return f.read()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def handshake_once(binary, pem):
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="6",
               PLUGIN_CLIENT_CERT=pem)
    env.pop("TF_LOG", None)
    started = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    if not line.startswith(b"1|6|unix|"):
        proc.kill()
        raise SystemExit(f"bad handshake from {binary}: {line!r}")
    time.sleep(0.5)
    rss = rss_kib(proc.pid)
    proc.kill()
    proc.wait()
    return elapsed * 1000.0, rss / 1024.0


def run_tf(terraform, workdir, args, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([terraform] + args, cwd=workdir, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 2):
        sys.stderr.write(proc.stdout.decode() + proc.stderr.decode())
        raise SystemExit(f"terraform {' '.join(args)} failed in {workdir}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def setup_workdir(root, name, body, rc_text):
    work = os.path.join(root, name)
    os.makedirs(work)
    with open(os.path.join(work, "main.tf"), "w") as f:
        f.write(body)
    rc = os.path.join(root, name + ".tfrc")
    with open(rc, "w") as f:
        f.write(rc_text)
    return work, rc


class Local:
    """A comwit-local process on a free loopback port over a data directory."""

    def __init__(self, binary, data, flags=()):
        self.data = data
        address = os.path.join(data, "address")
        if os.path.exists(address):
            os.remove(address)
        self.proc = subprocess.Popen(
            [binary, "--data", data, "serve", "--listen", "127.0.0.1:0",
             "--db-listen", "127.0.0.1:0", "--apps-listen", "127.0.0.1:0",
             "--dns-listen", "127.0.0.1:0", "--storage-listen", "127.0.0.1:0",
             "--database-delay", "0", "--domain-delay", "0",
             # The public contract only, as Comwit Cloud serves it.
             "--no-extensions", *flags],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):
            if os.path.exists(address) and os.path.getsize(address) > 0:
                break
            time.sleep(0.01)
        with open(address) as f:
            self.url = "http://" + f.read().strip()
        with open(os.path.join(data, "dev-token")) as f:
            self.token = f.read().strip()

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read() or b"null")

    def requests(self):
        with urllib.request.urlopen(self.url + "/_local/stats") as resp:
            return json.loads(resp.read())["requests"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def real_resources(a, root, floor, floor_env, results):
    """Section 4: comwit_domain_record against a real (local) platform."""
    n = a.instances
    plugdir = os.path.join(root, "comwit-plugins")
    os.makedirs(plugdir)
    os.symlink(os.path.abspath(a.provider), os.path.join(plugdir, "terraform-provider-comwit"))
    # The same provider behind a shell that reports its CPU time (bash's `times`, run in the
    # shell itself: in a pipeline it would report a subshell's): for the provider's share.
    timed_dir = os.path.join(root, "comwit-timed")
    os.makedirs(timed_dir)
    cpu_log = os.path.join(root, "provider-cpu.log")
    wrapper = os.path.join(timed_dir, "terraform-provider-comwit")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/bash\n"{os.path.abspath(a.provider)}" "$@"\nrc=$?\n'
                f'times >> "{cpu_log}"\nexit $rc\n')
    os.chmod(wrapper, 0o755)

    def rc_for(directory):
        path = os.path.join(root, os.path.basename(directory) + ".tfrc")
        with open(path, "w") as f:
            f.write(textwrap.dedent(f"""
                provider_installation {{
                  dev_overrides {{
                    "comwit/comwit" = "{directory}"
                  }}
                  direct {{}}
                }}
            """))
        return path

    data = os.path.join(root, "local-data")
    os.makedirs(data)
    local = Local(a.local, data)
    # Projects are made in the console (no public route): comwit-local's admin command.
    project = subprocess.run([a.local, "--data", data, "project", "create", "bench"],
                             check=True, capture_output=True, text=True).stdout.strip()
    local.call("POST", f"/v1/projects/{project}/domains", {"domain": "bench.example.com", "dns_mode": "route53_delegated"})
    work, _ = setup_workdir(root, "records", textwrap.dedent(f"""
        terraform {{
          required_providers {{
            comwit = {{ source = "comwit/comwit" }}
          }}
        }}
        provider "comwit" {{
          project_id = "{project}"
        }}
        resource "comwit_domain_record" "x" {{
          count  = {n}
          domain = "bench.example.com"
          name   = "n${{count.index}}"
          type   = "A"
          values = ["192.0.2.${{count.index % 250 + 1}}"]
        }}
    """), "")

    def env_for(platform, directory):
        env = dict(floor_env, TF_CLI_CONFIG_FILE=rc_for(directory), COMWIT_API_URL=platform.url,
                   COMWIT_TOKEN=platform.token)
        return env

    plan = ["plan", "-detailed-exitcode", "-no-color", "-input=false"]
    run_tf(a.terraform, work, ["apply", "-auto-approve", "-no-color", "-input=false"],
           env_for(local, plugdir))
    walls, cpus, fwalls, fcpus, calls = [], [], [], [], []
    for _ in range(a.runs):
        wall, cpu = run_tf(a.terraform, floor, plan, floor_env)
        fwalls.append(wall)
        fcpus.append(cpu)
        before = local.requests()
        wall, cpu = run_tf(a.terraform, work, plan, env_for(local, plugdir))
        calls.append(local.requests() - before)
        walls.append(wall)
        cpus.append(cpu)
    shares = []
    for _ in range(max(3, a.runs // 3)):
        if os.path.exists(cpu_log):
            os.remove(cpu_log)
        _, cpu = run_tf(a.terraform, work, plan, env_for(local, timed_dir))
        provider_cpu = 0.0
        with open(cpu_log) as f:
            # `times` prints the shell's own times, then its children's: the provider's.
            for line in f.readlines()[1::2]:
                user, system = line.split()
                provider_cpu += seconds(user) + seconds(system)
        shares.append(provider_cpu / cpu)
    local.stop()
    wo, wf = statistics.median(walls), statistics.median(fwalls)
    co, cf = statistics.median(cpus), statistics.median(fcpus)
    per = statistics.median(calls) / n
    share = statistics.median(shares)
    print(f"refresh plan, {n} comwit_domain_record: {wo:.2f}s wall / {co:.2f}s CPU; "
          f"terraform_data {wf:.2f}s wall / {cf:.2f}s CPU")
    print(f"  wall ratio {wo / wf:.2f}x, CPU ratio {co / cf:.2f}x; "
          f"API calls {statistics.median(calls):.0f} ({per:.3f} per resource); "
          f"provider's own CPU {share * 100:.1f}% of the run")
    results.update({"records_plan_wall_s": wo, "records_plan_cpu_s": co,
                    "records_wall_ratio": wo / wf, "records_cpu_ratio": co / cf,
                    "records_api_calls": statistics.median(calls), "records_calls_per_resource": per,
                    "provider_cpu_share": share})
    for label, flags in (("--latency 50", ["--latency", "50"]),
                         ("--rate-limit 20", ["--rate-limit", "20"])):
        faulty = Local(a.local, data, flags)
        walls = []
        for _ in range(max(3, a.runs // 3)):
            wall, _ = run_tf(a.terraform, work, plan, env_for(faulty, plugdir))
            walls.append(wall)
        faulty.stop()
        print(f"  refresh plan of {n} records with comwit-local {label}: "
              f"median {statistics.median(walls):.2f}s wall")
        results[f"records_plan_wall_s_{flags[0].strip('-').replace('-', '_')}"] = statistics.median(walls)
    local = Local(a.local, data)
    run_tf(a.terraform, work, ["destroy", "-auto-approve", "-no-color", "-input=false"],
           env_for(local, plugdir))
    local.stop()


def restore_bench(a, root, results):
    """Section 5: restore a 10 MB database in comwit-local."""
    data = os.path.join(root, "restore-data")
    os.makedirs(data)
    local = Local(a.local, data, ["--snapshot-interval", "100"])
    project = subprocess.run([a.local, "--data", data, "project", "create", "restore"],
                             check=True, capture_output=True, text=True).stdout.strip()
    db = local.call("POST", f"/v1/projects/{project}/databases", {"name": "big"})["database_id"]
    base = f"/v1/projects/{project}/databases/{db}"
    local.call("POST", f"{base}/query", {"batch": [
        {"sql": "CREATE TABLE t (b BLOB)"},
        {"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 7300) "
                "INSERT INTO t SELECT randomblob(1024) FROM c"}]})
    generation = None
    for _ in range(600):
        points = local.call("GET", f"{base}/restore-points")["restore_points"]
        if len(points) >= 2:
            generation = points[-1]["generation_id"]
            break
        time.sleep(0.05)
    if generation is None:
        print("restore of a 10 MB database: no generation after the write (skipped)")
        local.stop()
        return
    size = os.path.getsize(os.path.join(data, "databases", f"{db}.gen", f"{generation}.db"))
    times = []
    for i in range(max(3, a.runs // 2)):
        started = time.perf_counter()
        answer = local.call("POST", f"{base}/restore",
                            {"restore_to": {"generation": generation}, "name": f"copy-{i}"})
        op, copy = answer["operation"]["operation_id"], answer["database"]["database_id"]
        while local.call("GET", f"{base}/operations/{op}")["operation"]["status"] == "pending":
            time.sleep(0.005)
        while True:
            listed = local.call("GET", f"/v1/projects/{project}/databases")["databases"]
            if any(d["database_id"] == copy and d["status"] == "cold" for d in listed):
                break
            time.sleep(0.005)
        times.append(time.perf_counter() - started)
    local.stop()
    median = statistics.median(times)
    print(f"restore of a {size / 1e6:.1f} MB database in comwit-local: median {median * 1000:.0f} ms "
          f"over {len(times)} runs (POST restore to the copy listed cold)")
    results.update({"restore_10mb_s": median, "restore_source_bytes": size})


def seed_bench(a, root, floor_env, results):
    """Section 6: a database seeded from a 100 MB SQLite file, through Terraform."""
    import sqlite3
    seed = os.path.join(root, "seed-100mb.sqlite")
    conn = sqlite3.connect(seed)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 97000) "
                 "INSERT INTO t SELECT randomblob(1024) FROM c")
    conn.commit()
    conn.close()
    size = os.path.getsize(seed)
    data = os.path.join(root, "seed-data")
    os.makedirs(data)
    local = Local(a.local, data)
    project = subprocess.run([a.local, "--data", data, "project", "create", "seed"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The provider behind a wrapper that logs its peak RSS (KiB) when it exits.
    wrapped = os.path.join(root, "seed-plugins")
    os.makedirs(wrapped)
    rss_log = os.path.join(root, "seed-rss.log")
    wrapper = os.path.join(wrapped, "terraform-provider-comwit")
    with open(wrapper, "w") as f:
        f.write(textwrap.dedent(f"""\
            #!{sys.executable}
            import resource, subprocess, sys
            rc = subprocess.call([{os.path.abspath(a.provider)!r}] + sys.argv[1:])
            with open({rss_log!r}, "a") as log:
                log.write(f"{{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}}\\n")
            sys.exit(rc)
        """))
    os.chmod(wrapper, 0o755)
    rc = os.path.join(root, "seed.tfrc")
    with open(rc, "w") as f:
        f.write(f'provider_installation {{\n  dev_overrides {{\n    "comwit/comwit" = "{wrapped}"\n'
                f'  }}\n  direct {{}}\n}}\n')
    work, _ = setup_workdir(root, "seeded", textwrap.dedent(f"""
        terraform {{
          required_providers {{
            comwit = {{ source = "comwit/comwit" }}
          }}
        }}
        provider "comwit" {{
          project_id = "{project}"
        }}
        resource "comwit_database" "seeded" {{
          name                = "seeded"
          deletion_protection = false
          seed_file           = "{seed}"
        }}
    """), "")
    env = dict(floor_env, TF_CLI_CONFIG_FILE=rc, COMWIT_API_URL=local.url, COMWIT_TOKEN=local.token)
    times, peaks = [], []
    for _ in range(3):
        open(rss_log, "w").close()
        wall, _ = run_tf(a.terraform, work, ["apply", "-auto-approve", "-no-color", "-input=false"], env)
        times.append(wall)
        with open(rss_log) as log:
            peaks.append(max(int(line) for line in log if line.strip()) / 1024.0)
        run_tf(a.terraform, work, ["destroy", "-auto-approve", "-no-color", "-input=false"], env)
    local.stop()
    t, peak = statistics.median(times), statistics.median(peaks)
    print(f"seed of a {size / 1e6:.0f} MB SQLite file through terraform apply: median {t:.2f}s, "
          f"provider peak RSS median {peak:.1f} MiB (target < 64) over {len(times)} runs")
    results.update({"seed_100mb_apply_s": t, "seed_provider_peak_rss_mib": peak,
                    "seed_bytes": size})


def seconds(text):
    """bash `times` output such as `0m0.123s`."""
    minutes, rest = text.rstrip("s").split("m")
    return int(minutes) * 60 + float(rest)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--provider", required=True)
    ap.add_argument("--test-provider", required=True)
    ap.add_argument("--terraform", required=True)
    ap.add_argument("--local", help="comwit-local binary: adds the real-resources section")
    ap.add_argument("--instances", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()

    pem = client_cert_pem()
    handshake_once(a.provider, pem)  # warm the page cache
    starts, rsss = [], []
    for _ in range(max(a.runs * 4, 20)):
        ms, mib = handshake_once(a.provider, pem)
        starts.append(ms)
        rsss.append(mib)
    start_ms, rss_mib = statistics.median(starts), statistics.median(rsss)
    print(f"provider start-to-handshake: median {start_ms:.2f} ms over {len(starts)} runs "
          f"(min {min(starts):.2f}, max {max(starts):.2f})")
    print(f"provider idle RSS:           median {rss_mib:.2f} MiB")

    root = tempfile.mkdtemp(prefix="comwit-bench-")
    plugdir = os.path.join(root, "plugins")
    os.makedirs(plugdir)
    os.symlink(os.path.abspath(a.test_provider), os.path.join(plugdir, "terraform-provider-testing"))
    rc_text = textwrap.dedent(f"""
        provider_installation {{
          dev_overrides {{
            "acctest/testing" = "{plugdir}"
          }}
          direct {{}}
        }}
    """)
    n = a.instances
    ours, rc = setup_workdir(root, "ours", textwrap.dedent(f"""
        terraform {{
          required_providers {{
            testing = {{ source = "acctest/testing" }}
          }}
        }}
        resource "testing_item" "x" {{
          count = {n}
          input = "n${{count.index}}"
        }}
    """), rc_text)
    floor, _ = setup_workdir(root, "floor", textwrap.dedent(f"""
        resource "terraform_data" "x" {{
          count = {n}
          input = "n${{count.index}}"
        }}
    """), rc_text)
    env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
               TESTING_STORE=os.path.join(root, "store.json"))
    env.pop("TF_LOG", None)
    for work in (ours, floor):
        run_tf(a.terraform, work, ["apply", "-auto-approve", "-no-color", "-input=false"], env)

    walls = {"ours": [], "floor": []}
    cpus = {"ours": [], "floor": []}
    plan = ["plan", "-detailed-exitcode", "-no-color", "-input=false"]
    for _ in range(a.runs):
        for name, work in (("floor", floor), ("ours", ours)):
            wall, cpu = run_tf(a.terraform, work, plan, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wo, wf = statistics.median(walls["ours"]), statistics.median(walls["floor"])
    co, cf = statistics.median(cpus["ours"]), statistics.median(cpus["floor"])
    print(f"terraform plan, {n} instances: ours {wo:.2f}s wall / {co:.2f}s CPU; "
          f"terraform_data {wf:.2f}s wall / {cf:.2f}s CPU")
    print(f"wall-time ratio over the floor: {wo / wf:.2f}x (target <= 1.3x); "
          f"CPU ratio: {co / cf:.2f}x")
    result = {
        "start_to_handshake_ms": start_ms, "idle_rss_mib": rss_mib,
        "plan_wall_s": wo, "floor_wall_s": wf, "wall_ratio": wo / wf,
        "plan_cpu_s": co, "floor_cpu_s": cf, "cpu_ratio": co / cf, "instances": n,
    }
    if a.local:
        real_resources(a, root, floor, env, result)
        restore_bench(a, root, result)
        seed_bench(a, root, env, result)
    for work in (ours, floor):
        run_tf(a.terraform, work, ["destroy", "-auto-approve", "-no-color", "-input=false"], env)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)
    ok = wo / wf <= 1.3
    print("PASS" if ok else "FAIL: wall-time ratio above 1.3x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
