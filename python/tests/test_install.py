"""pip installs the package into a fresh virtualenv with no index (no
network), and the installed package finds the library through $RINGRUN_LIB
or says clearly that it cannot."""
import os
import shutil
import subprocess
import sys

from conftest import PYDIR, TREE

SCRIPT = """
import asyncio, ringrun
async def main():
    p = await ringrun.create_subprocess_exec("echo", "7781", stdout=ringrun.PIPE)
    print((await p.communicate())[0].decode().strip(), ringrun.__file__)
asyncio.run(main())
"""


def test_pip_install_into_a_venv_offline(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    # From a copy: a legacy setup.py install writes build/ where it runs.
    src = tmp_path / "python"
    shutil.copytree(PYDIR, src, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                               "__pycache__"))
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-index", str(src)], check=True,
                   cwd=tmp_path, stdout=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RINGRUN_LIB")}
    lib = os.path.join(TREE, "lib", "libringrun.so.0")
    r = subprocess.run([py, "-c", SCRIPT], env=dict(env, RINGRUN_LIB=lib), cwd=tmp_path,
                       capture_output=True, text=True, check=True)
    out, where = r.stdout.split()
    assert out == "7781" and where.startswith(str(venv))
    # Installed, outside the tree, without the variable: one clear line.
    r = subprocess.run([py, "-c", "import ringrun"], env=env, cwd=tmp_path,
                       capture_output=True, text=True)
    if r.returncode != 0:  # unless a make install put the library on the system
        assert "ringrun: libringrun not found (set RINGRUN_LIB" in r.stderr


def test_source_tree_finds_its_library():
    r = subprocess.run([sys.executable, "-c", "from ringrun import _lib; print(_lib.lib._name)"],
                       env={k: v for k, v in os.environ.items() if k != "RINGRUN_LIB"}
                       | {"PYTHONPATH": PYDIR}, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == os.path.join(TREE, "lib", "libringrun.so.0")
