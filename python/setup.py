"""pip install --no-build-isolation ./python: builds the extension module with the project's
CMake (target scaleml_python) and installs the package. Offline, with Debian's setuptools and
wheel; the build directory is SCALEML_BUILD_DIR, ../build by default (an existing build is
reused, so an installed package has the same code as build/scaleml)."""

import os
import pathlib
import re
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(scaleml VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(os.environ.get("SCALEML_BUILD_DIR", ROOT / "build"))
        if not (build_dir / "build.ninja").exists():
            subprocess.run(
                ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                 "-DCMAKE_BUILD_TYPE=Release", "-DSCALEML_PYTHON=ON",
                 f"-DPython3_EXECUTABLE={sys.executable}"],
                check=True,
            )
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(
            ["cmake", "--build", str(build_dir), "--target", "scaleml_python", "--parallel", jobs],
            check=True,
        )
        built = build_dir / "python" / "scaleml" / pathlib.Path(self.get_ext_filename(ext.name)).name
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(target))
        # The ddp engine's Gloo library, when the build made it (libtorch-dev installed).
        gloo = built.parent / "libscaleml_gloo.so"
        if gloo.is_file():
            self.copy_file(str(gloo), str(target.parent / gloo.name))


setup(
    name="scaleml",
    version=project_version(),
    description="scikit-learn classifiers over scaleml's C++ algorithms",
    packages=["scaleml"],
    package_dir={"scaleml": "scaleml"},
    ext_modules=[Extension("scaleml._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy", "pandas", "scikit-learn"],
    zip_safe=False,
)
