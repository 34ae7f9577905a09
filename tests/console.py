"""The console script as users run it: a fresh process with its own data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import PROJECT_ROOT


def cli(args: list[str], data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=timeout,
    )
