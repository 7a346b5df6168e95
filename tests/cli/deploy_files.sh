#!/bin/bash
# The deployment files in docs/deploy parse, and every scaleml flag they use exists: a manifest or
# batch script that names a flag the binary does not have fails here, not on a user's cluster.
# usage: deploy_files.sh SCALEML
set -u
SCALEML=$1
DOCS=$(dirname "$0")/../../docs/deploy
/usr/bin/python3 - "$SCALEML" "$DOCS" <<'PY'
import re, subprocess, sys, yaml, pathlib
scaleml, docs = sys.argv[1], pathlib.Path(sys.argv[2])
failures = []
def flags_of(sub):
    help_text = subprocess.run([scaleml, sub, "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"(--[a-z][a-z0-9-]*)", help_text))
def check_command(text, where):
    for m in re.finditer(r"scaleml\s+(start|train|tune|launch|stop|status)\b([^\n]*(?:\n\s+--[^\n]*)*)", text):
        sub, rest = m.group(1), m.group(2)
        known = flags_of(sub)
        for flag in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", rest):
            if flag not in known:
                failures.append(f"{where}: scaleml {sub} has no {flag}")
docs_yaml = list(yaml.safe_load_all((docs / "kubernetes.yaml").read_text()))
kinds = sorted(d["kind"] for d in docs_yaml)
if kinds != ["Deployment", "Service", "StatefulSet"]:
    failures.append(f"kubernetes.yaml kinds {kinds}")
for d in docs_yaml:
    if d["kind"] in ("Deployment", "StatefulSet"):
        c = d["spec"]["template"]["spec"]["containers"][0]
        args = " ".join(c.get("args", []))
        check_command(args, f"kubernetes.yaml {d['kind']}")
        if "--token " in args + " " or "--token=" in args:
            failures.append(f"{d['kind']}: a token on the command line")
        if "--token-file" not in args or "--block" not in args:
            failures.append(f"{d['kind']}: needs --token-file and --block")
        vols = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        if vols["token"]["secret"]["secretName"] != "scaleml-token":
            failures.append(f"{d['kind']}: token not from the Secret")
for script in sorted(docs.glob("*.sbatch")):
    text = script.read_text()
    r = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"{script.name}: {r.stderr.strip()}")
    check_command(text, script.name)
    if "#SBATCH --nodes" not in text:
        failures.append(f"{script.name}: no #SBATCH --nodes")
for f in failures:
    print("FAIL:", f)
print("deploy files:", "ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
PY
