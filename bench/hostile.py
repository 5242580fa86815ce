"""Time the hostile inputs of issue 14 through `aisec check` (one process per input, with a time
and memory limit), to compare the scanner before and after: python bench/hostile.py [--timeout S]."""
import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import hostile  # noqa: E402


def inputs(folder: Path):
    yield "if-chain 16 (2^16 branches)", folder / "chain.json", hostile.dumps(hostile.if_chain(16))
    yield f"YAML alias bomb ({len(hostile.alias_bomb(30))} bytes)", folder / "bomb.yaml", hostile.alias_bomb(30)
    yield "nesting 3000 deep", folder / "deep.json", hostile.deep_nesting(3000)
    yield "backtracking wildcard action", folder / "regex.json", hostile.dumps(
        {"Resources": hostile.role(hostile.allow(hostile.backtracking_action()))})
    statements = [{"Effect": "Allow", "Action": "bedrock:*", "Resource": "*", "Sid": f"S{i}"} for i in range(3000)]
    yield "3000 messages on one finding", folder / "merge.json", hostile.dumps(
        {"Resources": hostile.role({"Statement": statements})})


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, text in inputs(Path(tmp)):
            path.write_text(text)
            start = time.perf_counter()
            try:
                done = subprocess.run([sys.executable, "-m", "aisec_rules.cli", "check", str(path), "--phase", "advanced"],
                                      capture_output=True, text=True, timeout=args.timeout, preexec_fn=limit_memory)
                outcome = f"exit {done.returncode}: " + (done.stderr.strip().splitlines() or done.stdout.strip().splitlines()
                                                         or [""])[-1][:110]
            except subprocess.TimeoutExpired:
                outcome = f"killed after {args.timeout:.0f} s"
            print(f"{name:32} {time.perf_counter() - start:7.2f} s  {outcome}")


if __name__ == "__main__":
    main()
