#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (rasa 3.6 needs 3.8–3.10; we pin 3.10),
# or say in one line what to install. $PYTHON, if set, is tried first.
ok() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for c in "${PYTHON:-}" python3.10 $(ls -d "$root"/versions/3.10*/bin/python3.10 2>/dev/null | sort -V -r) /usr/local/bin/python3.10 /usr/bin/python3.10; do
  if ok "$c"; then command -v "$c" 2>/dev/null || echo "$c"; exit 0; fi
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10' or your system's python3.10 package) or set PYTHON=/path/to/python3.10" >&2
exit 1
