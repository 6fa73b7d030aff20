#!/usr/bin/env bash
# Build an optimised CPython for the lab: profile-guided (PGO) and link-time optimised (LTO).
#
# The interpreters pyenv keeps on these machines are built without either optimisation. On the
# optimised build a base replication ran ~13% faster, the app's 30 runs ~15% and the test suite
# ~40% (docs/speed.md: most of the model's time is inside numpy and numba, which gain little). These machines reach Debian's archive
# and PyPI, not python.org, so the source is the upstream tarball Debian's archive serves,
# checked against the SHA-256 that Debian's source index gives for it.
#
#   bash scripts/build_python.sh          # build once (17-20 minutes on two cores), print its path
#   bash scripts/build_python.sh --where  # print where it goes (built or not)
#
# The interpreter goes to $ISF_PYTHON_HOME (default: .python/cpython-<version>-pgo in the
# project, beside .venv); scripts/find_python.sh prefers it when it is there, and
# `bash scripts/setup.sh fast` builds it and the project's .venv on it. Needs gcc, make and the
# headers pyenv needs (libssl, libffi, zlib, bz2, lzma, sqlite3, readline). ISF_PYTHON_SOURCE
# names another copy of the same tarball (a mirror or a file:// path); its SHA-256 must match.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=3.13.5
sha256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
url="${ISF_PYTHON_SOURCE:-http://deb.debian.org/debian/pool/main/p/python3.13/python3.13_${version}.orig.tar.xz}"
home="${ISF_PYTHON_HOME:-$here/.python/cpython-${version}-pgo}"
if [ "${1:-}" = "--where" ]; then
  echo "$home/bin/python3"
  exit 0
fi

if [ -x "$home/bin/python3" ] && "$home/bin/python3" -c 'import ssl, sqlite3, lzma, bz2, ctypes' 2>/dev/null; then
  echo "$home/bin/python3"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "build_python: downloading CPython $version source ($url)" >&2
curl --fail --silent --show-error --location --retry 3 -o "$work/python.tar.xz" "$url"
echo "$sha256  $work/python.tar.xz" | sha256sum --check --quiet - || {
  echo "build_python: the download does not match its SHA-256; nothing was installed" >&2
  exit 1
}
tar -xf "$work/python.tar.xz" -C "$work"
cd "$work/Python-$version"
echo "build_python: configuring (PGO + LTO) into $home" >&2
./configure --prefix="$home" --enable-optimizations --with-lto --with-ensurepip=install \
  >"$work/configure.log" 2>&1 || { tail -20 "$work/configure.log" >&2; exit 1; }
echo "build_python: building; the profile run takes most of the time (progress: $work/make.log)" >&2
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }
make install >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; exit 1; }
"$home/bin/python3" -c 'import ssl, sqlite3, lzma, bz2, ctypes' || {
  echo "build_python: the interpreter lacks a standard module (a -dev package missing?)" >&2
  exit 1
}
echo "$home/bin/python3"
