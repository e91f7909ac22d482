"""Refresh the browser's Snowball stemmers in theme/assets/stemmers/ from the npm registry, and
the minified search box script theme/assets/search.min.js made from search.js.

    python -m generator.search.vendor        (run it after editing theme/assets/search.js)

The index is stemmed in Python by `snowballstemmer` and queries in the browser by the same
algorithms: the npm package `snowball-stemmers` (a JavaScript port made from the same generation
of the Snowball algorithms as snowballstemmer 2.x; tests/test_stemming.py compares them word for
word). The package is one 850 KB file of 24 languages; a search box needs one, so this cuts out
each language in stemming.LANGUAGES with the classes they share, minifies it with terser, and
writes one file per language with the package's licence beside them. The pages load the
minified search.js (a third of its size, and every query's first bytes); its first line names the
hash of the search.js it was made from, which a test checks. Needs `npm` (never a build).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from generator.search.stemming import LANGUAGES

PACKAGE = "snowball-stemmers@0.6.0"
TERSER = "terser@5"
ASSETS = Path(__file__).parent.parent / "theme" / "assets"
TARGET = ASSETS / "stemmers"
SEARCH_BOX = ASSETS / "search.js"
SEARCH_BOX_MINIFIED = ASSETS / "search.min.js"
_CLASS = re.compile(r"^    var (\w+)Stemmer = function \(_SnowballStemmer\d*\) \{$", re.M)
_FACTORY = re.compile(r"^    function newStemmer\(", re.M)
_SHARED_START = re.compile(r"^    function _possibleConstructorReturn\(", re.M)
_TYPEOF = re.compile(r"^var _typeof = .*$", re.M)

LICENSE = """snowball-stemmers {version} (https://www.npmjs.com/package/snowball-stemmers), by Oleg Mazko,
a JavaScript port of the Snowball stemmers; the files here are cut out of it and minified by
generator/search/vendor.py. The package is published under the ISC licence:

Copyright (c) Oleg Mazko <o.mazko@mail.ru>

Permission to use, copy, modify, and/or distribute this software for any purpose with or without
fee is hereby granted, provided that the above copyright notice and this permission notice appear
in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE
OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS
SOFTWARE.

The algorithms are the Snowball project's (https://snowballstem.org/), under its BSD licence:

Copyright (c) 2001, Dr Martin Porter
Copyright (c) 2004,2005, Richard Boulton
Copyright (c) 2013, Yoshiki Shibukawa
Copyright (c) 2006,2007,2009,2010,2011,2014-2019, Olly Betts
All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted
provided that the following conditions are met:

  1. Redistributions of source code must retain the above copyright notice, this list of
     conditions and the following disclaimer.
  2. Redistributions in binary form must reproduce the above copyright notice, this list of
     conditions and the following disclaimer in the documentation and/or other materials
     provided with the distribution.
  3. Neither the name of the Snowball project nor the names of its contributors may be used to
     endorse or promote products derived from this software without specific prior written
     permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER
IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT
OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def split_package(source: str) -> tuple[str, dict[str, str]]:
    """The code every stemmer shares (helpers, base classes) and each language's class."""
    starts = [(m.group(1), m.start()) for m in _CLASS.finditer(source)]
    end = _FACTORY.search(source)
    shared_start = _SHARED_START.search(source)
    if not starts or not end or not shared_start:
        raise SystemExit(f"{PACKAGE}: the file's layout changed (fix: update generator/search/vendor.py)")
    typeof = _TYPEOF.search(source)  # babel's helper, defined before the module's wrapper
    shared = (typeof.group(0) if typeof else "") + "\n" + source[shared_start.start() : starts[0][1]]
    classes = {}
    for (name, start), (_, stop) in zip(starts, [*starts[1:], ("", end.start())]):
        classes[name] = source[start:stop]
    return shared, classes


def language_file(shared: str, name: str, code: str) -> str:
    """One language's stemmer as a script: it registers `chatdigestStemmers[name](word)`."""
    register = (
        f"var stemmer = new {name}Stemmer();\n"
        f"(globalThis.chatdigestStemmers = globalThis.chatdigestStemmers || {{}})[{json.dumps(name)}] = "
        "function (word) { stemmer.setCurrent(word); stemmer.stem(); return stemmer.getCurrent(); };\n"
    )
    return "(function () {\n'use strict';\n" + shared + code + register + "})();\n"


def npm(args: list[str], cwd: Path) -> str:
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"npm {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        tarball = npm(["pack", PACKAGE, "--silent"], work).strip().splitlines()[-1]
        with tarfile.open(work / tarball) as archive:
            archive.extractall(work, filter="data")
        package = json.loads((work / "package" / "package.json").read_text(encoding="utf-8"))
        shared, classes = split_package((work / "package" / "snowball-stemmers.js").read_text(encoding="utf-8"))
        npm(["install", "--silent", "--no-save", TERSER], work)
        terser = work / "node_modules" / ".bin" / "terser"
        TARGET.mkdir(parents=True, exist_ok=True)
        for name in sorted(set(LANGUAGES.values())):
            source = work / f"{name}.js"
            source.write_text(language_file(shared, name, classes[name]), encoding="utf-8")
            minified = subprocess.run(
                [str(terser), str(source), "-c", "-m", "--ecma", "2020"], check=True, capture_output=True, text=True
            ).stdout
            preamble = f"/* Snowball {name} stemmer from {PACKAGE} (npm), cut out and minified by generator/search/vendor.py; licence: LICENSE */\n"
            target = TARGET / f"{name}.js"
            target.write_text(preamble + minified.strip() + "\n", encoding="utf-8")
            print(f"{target.relative_to(TARGET.parent.parent.parent.parent)}: {target.stat().st_size} bytes", file=sys.stderr)
        (TARGET / "LICENSE").write_text(LICENSE.format(version=package["version"]), encoding="utf-8")
        minified = subprocess.run(
            [str(terser), str(SEARCH_BOX), "-c", "-m", "--ecma", "2020"], check=True, capture_output=True, text=True
        ).stdout
        SEARCH_BOX_MINIFIED.write_text(search_box_preamble() + minified.strip() + "\n", encoding="utf-8")


def search_box_preamble() -> str:
    """The minified script's first line: which search.js it was made from."""
    digest = hashlib.blake2b(SEARCH_BOX.read_bytes(), digest_size=8).hexdigest()
    return f"/* search.js {digest}, minified by generator/search/vendor.py: edit search.js, then run it */\n"


if __name__ == "__main__":
    main()
