"""`pip install ./bindings/python` on a fresh virtualenv builds an abi3 wheel and imports
(slow: a release build of the extension; `make test-slow`)."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_pip_install_builds_an_abi3_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(PACKAGE)],
        capture_output=True, text=True, timeout=3600,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = wheels.glob("edupulse-*.whl")
    assert "-abi3-" in wheel.name  # one wheel for every CPython >= 3.9
    env = tmp_path / "fresh"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=1800)
    out = subprocess.run(
        [str(py), "-c", "import edupulse; print(edupulse.__version__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    import edupulse

    assert out.stdout.strip() == edupulse.__version__
