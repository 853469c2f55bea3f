#!/usr/bin/env python3
"""Writes a seed corpus for each fuzz target into fuzz/corpus/<target>/.

The seeds come from real public data in ../shared/corpora (runbooks,
catalogs, manifests, plans, SQL rules, NL2Bash) and from lore's own labelled
sets and examples. Without ../shared only lore's own files are used, and this
says so. Each seed is capped at 64 KiB, the length the runs allow.

Usage: fuzz/seeds.py [SHARED_CORPORA]   (default: ../shared/corpora)
"""

import hashlib
import json
import re
import sys
from pathlib import Path

MAX_SEED = 64 * 1024
FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
OUT = FUZZ / "corpus"

# The name each target reads a document under is picked by its first byte;
# these are the indexes into the targets' NAMES lists.
MARKDOWN_NAMES = {"runbook": 0, "postmortem": 1, "mdx": 2, "erb": 3, "rst": 4, "adoc": 5, "readme": 6}
YAML_NAMES = {"catalog": 0, "compose": 1, "rules": 2, "service": 3, "k8s": 4, "team": 5}


class Corpus:
    def __init__(self):
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "replace")
        if not data or len(data) > MAX_SEED:
            return
        directory = OUT / target
        directory.mkdir(parents=True, exist_ok=True)
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1


def files(root, *patterns, limit=None):
    found = sorted({p for pattern in patterns for p in root.rglob(pattern) if p.is_file()})
    return found[:limit] if limit else found


def read(path):
    try:
        return path.read_bytes()[:MAX_SEED]
    except OSError:
        return b""


def jsonl(path):
    for line in path.read_text().splitlines():
        if line.strip():
            yield json.loads(line)


def hook_payloads(command):
    """The same command as each agent's hook sends it."""
    return [
        {"session_id": "s", "cwd": "/repo", "hook_event_name": "PreToolUse", "tool_name": "Bash",
         "tool_input": {"command": command, "description": "run"}},
        {"session_id": "s", "cwd": "/repo", "hook_event_name": "PreToolUse", "tool_name": "shell",
         "tool_input": {"command": ["bash", "-lc", command]}},
        {"hook_event_name": "beforeShellExecution", "conversation_id": "c", "command": command, "cwd": "/repo"},
        {"hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": command}},
        {"sessionId": "s", "cwd": "/repo", "toolName": "bash", "toolArgs": json.dumps({"command": command})},
        {"hook_event_name": "preToolUse", "tool_name": "shell", "tool_input": {"command": command}, "cwd": "/repo"},
    ]


def lore_own(corpus):
    commands = []
    for name in ["gate", "protect", "adversarial"]:
        for path in sorted((REPO / "bench" / name).glob("*.jsonl")):
            commands += [case["command"] for case in jsonl(path) if "command" in case]
    commands += (REPO / "crates/lore-action/tests/commands.txt").read_text().splitlines()
    for command in commands:
        corpus.add("shell", command)
    for command in commands[::8]:
        for payload in hook_payloads(command):
            corpus.add("hook_payload", json.dumps(payload))
        corpus.add("http_body", json.dumps({"input": command, "cwd": "/repo", "env": {"AWS_PROFILE": "prod"}}))
    for path in files(REPO / "crates/lore-hooks/tests/golden", "*.txt"):
        corpus.add("hook_payload", read(path))
    for path in files(REPO, "lore.toml"):
        if "target" not in path.parts:
            corpus.add("config", read(path))
    docs = (REPO / "docs").rglob("*.md")
    for path in docs:
        text = path.read_text()
        for block in re.findall(r"```toml\n(.*?)```", text, re.S):
            corpus.add("config", block)
        for block in re.findall(r"```json\n(.*?)```", text, re.S):
            corpus.add("structured", block)
            corpus.add("http_body", block)
        for block in re.findall(r"```sql\n(.*?)```", text, re.S):
            corpus.add("sql", block)
    for path in files(REPO / "examples", "*.md"):
        corpus.add("markdown", bytes([MARKDOWN_NAMES["runbook"]]) + read(path))
    for path in files(REPO / "examples", "*.yaml", "*.yml"):
        for index in YAML_NAMES.values():
            corpus.add("yaml", bytes([index]) + read(path))
    for body in [
        {"input": "DROP TABLE users;", "kind": "sql"},
        {"input": "{\"tool\":\"kubectl\",\"class\":\"delete\"}", "kind": "structured"},
        {"input": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n", "kind": "manifest"},
        {"input": "{\"format_version\":\"1.2\",\"resource_changes\":[]}", "kind": "terraform-plan"},
        {"kind": "rule", "system": "payments", "statement": "Never flush the cache in production",
         "why": "INC-2025-031", "instead": "expire keys", "decision": "ask", "commands": ["redis-cli * flushall*"],
         "tools": ["redis-cli"]},
        {"kind": "dependency", "system": "checkout", "statement": "checkout calls payments", "why": "traces",
         "depends_on": "payments"},
        {"minutes": 10, "standing": False, "why": "checked the plan", "by": "alice"},
        {"why": "wrong system", "by": "bob"},
        {"limit": 20},
    ]:
        corpus.add("http_body", json.dumps(body))


def shared(corpus, root):
    for command in (root / "nl2bash/all.cm").read_text(errors="replace").splitlines():
        corpus.add("shell", command)
    for path in files(root / "squawk-sql-rules", "*.md"):
        for block in re.findall(r"```sql\n(.*?)```", path.read_text(), re.S):
            corpus.add("sql", block)
            corpus.add("http_body", json.dumps({"input": block, "kind": "sql"}))
    for path in files(root / "tfplans", "*.json"):
        corpus.add("plan", read(path))
    for path in files(root, "*.yaml", "*.yml"):
        data = read(path)
        if b"apiVersion" in data and b"kind:" in data:
            corpus.add("manifest", data)
        name = path.name.lower()
        kind = ("catalog" if "catalog" in name else "compose" if "compose" in name
                else "k8s" if b"apiVersion" in data else "service")
        corpus.add("yaml", bytes([YAML_NAMES[kind]]) + data)
    for path in files(root, "*.md", "*.rst", "*.adoc", "*.mdx", "*.erb"):
        name = str(path).lower()
        kind = ("postmortem" if "postmortem" in name or "incident" in name
                else "rst" if name.endswith(".rst") else "adoc" if name.endswith(".adoc")
                else "erb" if name.endswith(".erb") else "mdx" if name.endswith(".mdx")
                else "readme" if path.name.lower() == "readme.md" else "runbook")
        corpus.add("markdown", bytes([MARKDOWN_NAMES[kind]]) + read(path))


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "corpora"
    corpus = Corpus()
    lore_own(corpus)
    if root.is_dir():
        shared(corpus, root)
    else:
        print(f"seeds: {root} is absent; seeding from lore's own sets and examples only", file=sys.stderr)
    for target, count in sorted(corpus.counts.items()):
        print(f"seeds: {target}: {count}")


if __name__ == "__main__":
    main()
