"""pip install ./python: the ringrun package (pure Python: libringrun is
found at import, see ringrun/_lib.py)."""
from setuptools import setup

setup(
    name="ringrun",
    version="0.1.0",
    description="asyncio subprocesses, SSH commands, file copies and fan-out on libringrun (io_uring)",
    packages=["ringrun"],
    python_requires=">=3.10",  # contextlib.aclosing
    license="see LICENSE of the ringrun source tree",
)
