"""The package's setting: the install notes in the README, dist/ ignored, no
Mesa error line without XDG_RUNTIME_DIR, fit's defaults in its docstring."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import glove_wgpu
import pytest

ROOT = Path(__file__).resolve().parents[2]


def rust_version(cargo_toml):
    return re.search(r'^rust-version = "([0-9.]+)"', cargo_toml.read_text(), re.M).group(1)


def test_readmes_give_the_rust_version_and_build_time():
    """`pip install ./python` printed nothing for 5 minutes, and the README gave
    neither the time nor the minimum Rust version."""
    want = max(rust_version(ROOT / "Cargo.toml"), rust_version(ROOT / "python" / "Cargo.toml"),
               key=lambda v: tuple(map(int, v.split("."))))
    for readme in [ROOT / "README.md", ROOT / "python" / "README.md"]:
        text = readme.read_text()
        assert f"Rust {want}" in text, f"{readme} does not name Rust {want}"
        assert re.search(r"about \d+ minutes", text), f"{readme} does not give the build time"
        assert "pip install -v ./python" in text, readme
        assert "manylinux2014" in text, readme


def test_dist_is_ignored():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ["dist/glove_wgpu-0.1.0-cp39-abi3-manylinux2014_x86_64.whl",
                 "python/dist/x.whl", "python/target/wheel-venv/bin/python"]:
        out = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert out.returncode == 0, f"{path} is not ignored"


def test_no_mesa_error_line_without_xdg_runtime_dir():
    """Mesa's Vulkan device-select layer and the GL probe asked libwayland,
    which printed "error: XDG_RUNTIME_DIR is invalid or not set" to stderr even
    when the search then ran on the CPU."""
    code = (
        "import numpy as np, glove_wgpu\n"
        "for b in ['auto', 'cpu']:\n"
        "    glove_wgpu.Vectors(['a', 'b'], np.eye(2), backend=b).nearest(np.ones(2))\n"
        "try:\n"
        "    glove_wgpu.Vectors(['a'], np.ones((1, 2)), backend='gpu').nearest(np.ones(2))\n"
        "except glove_wgpu.GpuError:\n"
        "    pass\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "ok\n", out.stderr
    assert "XDG_RUNTIME_DIR" not in out.stderr and "error" not in out.stderr.lower(), out.stderr


def test_fit_docstring_states_every_default():
    """It pointed to "the command line's defaults", which pip does not install."""
    doc = glove_wgpu.fit.__doc__
    assert "command line's defaults" not in doc
    for name, value in glove_wgpu.FIT_DEFAULTS.items():
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        assert f"{name}={shown}" in doc, f"{name}={shown} is not in fit's docstring"
