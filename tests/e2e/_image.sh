# shellcheck shell=bash
# Helpers of the image_* scenarios (sourced after lib.sh): a tiny wheel made by hand, a
# wheelhouse, and a PEP 503 simple index served on 127.0.0.1.

# make_wheel NAME VERSION DIR: writes DIR/NAME-VERSION-py3-none-any.whl, a pure-Python wheel
# whose module has __version__ and whose console script NAME-hello prints "hello from NAME V".
make_wheel() {
  "$PY" - "$1" "$2" "$3" <<'PYEOF'
import base64, hashlib, os, sys, zipfile
name, version, out = sys.argv[1:4]
dist = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": f"__version__ = '{version}'\ndef main():\n    print('hello from {name}', __version__)\n",
    f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: sbx-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    f"{dist}/entry_points.txt": f"[console_scripts]\n{name}-hello = {name}:main\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(text.encode())}")
record.append(f"{dist}/RECORD,,")
files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(os.path.join(out, f"{name}-{version}-py3-none-any.whl"), "w") as z:
    for path, text in files.items():
        z.writestr(path, text)
PYEOF
  chmod -R a+rX "$3"
}

# need_host_pip: skips the scenario when the host's python3 has no pip (install.sh adds it).
need_host_pip() {
  /usr/bin/python3 -m pip --version >/dev/null 2>&1 || skip "the host's /usr/bin/python3 has no pip"
}

# layer_count: published layers in the store.
layer_count() {
  local n=0 d
  for d in "$SBX_HOME"/images/layers/*/; do
    [[ -d "$d" ]] && n=$((n + 1))
  done
  echo "$n"
}

# assert_layers_complete: every published layer has its meta.json (no half layer).
assert_layers_complete() {
  local d
  for d in "$SBX_HOME"/images/layers/*/; do
    [[ -d "$d" ]] || continue
    [[ -f "$d/meta.json" ]] || fail "layer $d has no meta.json"
  done
}
