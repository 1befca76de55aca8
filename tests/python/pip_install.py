#!/usr/bin/env python3
"""CTest `python.pip_install`: `pip install` of the package works, offline.

    pip_install.py PYTHON SOURCE_DIR WORK_DIR VERSION

Builds the wheel from SOURCE_DIR with PYTHON's environment (the project venv, which has the
build requirements; pybind11 comes from Debian's CMake package) without build isolation or
an index, installs it into a fresh venv over the same base interpreter, and imports it from
outside the source and build trees. The CMake build directory WORK_DIR/build is kept, so
later runs are incremental. Exit 77 (skipped) when PYTHON lacks scikit-build-core.
"""

import glob
import os
import shutil
import subprocess
import sys

SKIP = 77


def run(*cmd, cwd=None):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=cwd)


def main(python, source, work, version):
    probe = subprocess.run([python, "-c", "import scikit_build_core, sys; print(sys._base_executable)"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"skipped: {python} has no scikit-build-core (scripts/install-deps installs it)")
        return SKIP
    base = probe.stdout.strip()
    dist, venv = os.path.join(work, "dist"), os.path.join(work, "venv")
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
    pip = ["-m", "pip", "--disable-pip-version-check"]
    run(python, *pip, "wheel", "-q", "--no-build-isolation", "--no-deps", "--no-index",
        f"--config-settings=build-dir={os.path.join(work, 'build')}", "-w", dist, source)
    wheels = glob.glob(os.path.join(dist, f"civitas-{version}-*.whl"))
    if len(wheels) != 1:
        print(f"expected one civitas-{version} wheel in {dist}, found {os.listdir(dist)}")
        return 1
    run(base, "-m", "venv", venv)
    vpy = os.path.join(venv, "bin", "python")
    run(vpy, *pip, "install", "-q", "--no-index", wheels[0])
    check = (
        "import civitas, civitas.ids as ids, os; "
        f"assert civitas.__version__ == {version!r}, civitas.__version__; "
        "assert civitas.__file__.startswith(os.environ['VENV']), civitas.__file__; "
        "assert ids.is_valid('uscc', '91350100M000100Y43'); "
        "assert ids.division_table_source().startswith('builtin: '); "
        "print('imported', civitas.__file__)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VENV"] = venv
    subprocess.run([vpy, "-c", check], check=True, cwd=work, env=env)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
