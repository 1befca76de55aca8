#!/usr/bin/env python3
"""Run the code blocks of a Markdown document (docs/development.md, "Documentation tests").

    run_doc_blocks.py DOC.md --source-dir S --civitas BIN [--pythonpath P] [--lib-dir L
        --include-dir I…] [--jar J] [--java JAVA --javac JAVAC] [--cc CC] [--keep]

Every fenced block must carry a tag. `console`, `python`, `c` and `java` blocks run, in
document order, in one fresh temporary directory per document that holds a copy of
examples/data/; the other known tags (`text`, `json`, `cmake`, …) are not run; an untagged
block, `sh`/`bash` or an unknown tag fails. An HTML comment right before a block
(`<!-- doctest: … -->`) sets it up; see docs/development.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

RUN_TAGS = {"console", "python", "c", "java"}
QUIET_TAGS = {"text", "json", "jsonl", "cmake", "sql", "ini", "xml", "csv", "cpp", "toml", "diff"}
TIMEOUT = 120

MARKET = "91350100M000100Y43"
TAX = "11350100MB00000012"


@dataclass
class Block:
    line: int                 # 1-based line of the opening fence
    tag: str
    text: str
    directives: dict = field(default_factory=dict)
    hidden: str = ""          # code of the setup comment, run before the block


FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
DIRECTIVE = re.compile(r"^\s*<!--\s*doctest:(.*?)(-->)?\s*$")


def parse(path: str) -> list[Block]:
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks: list[Block] = []
    pending: tuple[dict, str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.match(line)
        if m:
            head, closed = m.group(1), m.group(2)
            body = []
            i += 1
            while not closed:
                if i >= len(lines):
                    raise SystemExit(f"{path}:{i}: unterminated <!-- doctest: comment")
                if lines[i].rstrip().endswith("-->"):
                    rest = lines[i].rstrip()[:-3]
                    if rest.strip():
                        body.append(rest)
                    closed = True
                else:
                    body.append(lines[i])
                i += 1
            pending = (parse_directives(head, path, i), "\n".join(body))
            continue
        m = FENCE.match(line)
        if m:
            indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not re.match(r"^ *" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[i]):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            if i >= len(lines):
                raise SystemExit(f"{path}:{start}: unterminated code block")
            i += 1
            tag = info.split()[0] if info else ""
            b = Block(start, tag, "\n".join(body) + "\n")
            if pending:
                b.directives, b.hidden = pending
                pending = None
            blocks.append(b)
            continue
        if pending and line.strip():
            raise SystemExit(f"{path}:{i + 1}: a <!-- doctest: --> comment must come right before a code block")
        i += 1
    return blocks


def parse_directives(head: str, path: str, line: int) -> dict:
    """`setup departments; nocompare; skip REASON; xfail REASON`."""
    d: dict = {}
    for part in head.split(";"):
        part = part.strip()
        if not part:
            continue
        word, _, arg = part.partition(" ")
        arg = arg.strip()
        if word == "setup":
            d["setup"] = [a for a in re.split(r"[ ,]+", arg) if a]
        elif word in ("skip", "xfail"):
            if not arg:
                raise SystemExit(f"{path}:{line}: `{word}` needs a reason")
            d[word] = arg
        elif word in ("nocompare",):
            d[word] = True
        elif word == "needs":
            if arg not in ("java", "python"):
                raise SystemExit(f"{path}:{line}: `needs` takes java or python")
            d["needs"] = arg
        elif word == "tty":
            d["tty"] = arg
        else:
            raise SystemExit(f"{path}:{line}: unknown doctest directive {word!r}")
    return d


class Runner:
    def __init__(self, args, work: str):
        self.a = args
        self.work = work
        self.state = os.path.join(work, ".doctest-env")
        self.env = dict(os.environ)
        bindir = os.path.dirname(os.path.abspath(args.civitas))
        self.env["PATH"] = bindir + os.pathsep + self.env.get("PATH", "")
        self.env.pop("CIVITAS_WORKSPACE", None)
        self.env.pop("CIVITAS_KEY", None)
        self.env["LC_ALL"] = "C.UTF-8"
        if args.pythonpath:
            self.env["PYTHONPATH"] = args.pythonpath
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"
        # for setup code: where the sources and the jar are
        self.env["DOCTEST_SOURCE_DIR"] = os.path.abspath(args.source_dir)
        self.env["DOCTEST_JAR"] = os.path.abspath(args.jar) if args.jar else ""
        self.fixtures_done: set[str] = set()
        self.py = None
        self.java_batch: set[int] | None = None
        self.blocks: list[Block] = []
        self.doc = os.path.relpath(args.doc, args.source_dir)
        with open(self.state, "w") as f:
            f.write("")

    # ---- fixtures ------------------------------------------------------------------------
    def fixture(self, name: str) -> None:
        if name in self.fixtures_done:
            return
        civ = os.path.abspath(self.a.civitas)
        sh = None
        if name in ("market", "tax"):
            # One department: the market-regulation bureau (mr.db) or the tax bureau (tax.db),
            # its raw key in mr.key/tax.key (hex in mr.hex/tax.hex), its public keys exported
            # to mr.pub.json/tax.pub.json.
            p, dept, label = ("mr", MARKET, "市场监督管理局") if name == "market" else ("tax", TAX, "税务局")
            sh = f"""
set -e
civ={shlex.quote(civ)}
head -c 32 /dev/urandom > {p}.key; od -An -tx1 {p}.key | tr -d ' \\n' > {p}.hex
"$civ" init -w {p}.db --key-file {p}.key --department {dept} --name {label} >/dev/null
"$civ" keys export-public -w {p}.db --key-file {p}.key -o {p}.pub.json
"""
        elif name == "departments":
            # market and tax, each with the other's public keys imported.
            self.fixture("market")
            self.fixture("tax")
            sh = f"""
set -e
civ={shlex.quote(civ)}
"$civ" keys import-public -w mr.db --key-file mr.key tax.pub.json >/dev/null
"$civ" keys import-public -w tax.db --key-file tax.key mr.pub.json >/dev/null
"""
        else:
            raise SystemExit(f"unknown doctest fixture {name!r} (known: market, tax, departments, package)")
        r = subprocess.run(["bash", "-c", sh], cwd=self.work, env=self.env,
                           capture_output=True, text=True, timeout=TIMEOUT)
        if r.returncode != 0:
            raise SystemExit(f"fixture {name} failed:\n{r.stdout}{r.stderr}")
        self.fixtures_done.add(name)

    # ---- console ---------------------------------------------------------------------------
    def console(self, b: Block) -> list[str]:
        """Runs `$ ` commands one by one in bash; the environment (exports, cwd) carries over to
        the next command and block. Returns the failures."""
        cmds = parse_console(b.text)
        if b.hidden.strip():
            hidden = "\n".join(l[2:] if l.startswith("$ ") else l for l in b.hidden.split("\n"))
            cmds = [(hidden, None, True)] + cmds
        if not cmds:
            return ["a console block without any `$ ` command"]
        failures = []
        for cmd, expected, hidden in cmds:
            script = (f"set -a\n. {shlex.quote(self.state)}\ncd \"${{__DOCTEST_PWD:-{self.work}}}\"\nset +a\n"
                      f"{cmd}\n__doctest_rc=$?\n__DOCTEST_PWD=$PWD\n"
                      f"export -p | grep -v -E '^declare -x (BASH|SHLVL|OLDPWD|_=|PWD=)' > {shlex.quote(self.state)}\n"
                      f"echo \"export __DOCTEST_PWD=$(printf %q \"$PWD\")\" >> {shlex.quote(self.state)}\n"
                      "exit $__doctest_rc\n")
            try:
                r = subprocess.run(["bash", "-c", script], cwd=self.work, env=self.env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                failures.append(f"$ {cmd}\n  timed out after {TIMEOUT} s")
                break
            out = r.stdout.decode("utf-8", "replace").rstrip("\n")
            got = out.split("\n") if out else []
            if r.returncode != 0:
                got.append(f"[exit {r.returncode}]")
            if hidden:
                if r.returncode != 0:
                    failures.append("the setup of the block failed:\n" + indent(got))
                    break
                continue
            if expected is None or b.directives.get("nocompare"):
                if r.returncode != 0:
                    failures.append(f"$ {cmd}\n  exited {r.returncode} (show `[exit {r.returncode}]` "
                                    f"as its last output line if that is expected):\n" + indent(got))
                continue
            if not match_lines(expected, got):
                failures.append(f"$ {cmd}\n  expected:\n{indent(expected)}\n  got:\n{indent(got)}")
        return failures

    # ---- python ----------------------------------------------------------------------------
    def python(self, b: Block, n: int) -> list[str]:
        """The python blocks of a document run in one interpreter, one after the other, in
        one namespace (as a reader types them into one session); the setup code first."""
        if not self.a.pythonpath:
            return ["SKIP: the Python binding is not built (CIVITAS_PYTHON=OFF)"]
        if self.py is None:
            self.py = subprocess.Popen([self.a.python, "-c", PY_SESSION], cwd=self.work, env=self.env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        msg = json.dumps({"hidden": b.hidden, "code": b.text, "name": f"{self.doc}:{b.line}",
                          "env": read_state(self.state)}).encode()
        try:
            self.py.stdin.write(str(len(msg)).encode() + b"\n" + msg)
            self.py.stdin.flush()
            line = self.py.stdout.readline()
        except BrokenPipeError:
            line = b""
        if not line:
            self.py = None
            return ["the Python session died"]
        reply = json.loads(self.py.stdout.read(int(line)))
        return [f"python block failed:\n{indent(reply['error'].rstrip().split(chr(10)))}"] if reply["error"] else []

    def close(self) -> None:
        if self.py is not None:
            self.py.stdin.close()
            self.py.wait(timeout=30)

    # ---- c --------------------------------------------------------------------------------
    def c(self, b: Block, n: int) -> list[str]:
        if not self.a.lib_dir:
            return ["SKIP: no C library given"]
        src = wrap_c(b.text, b.hidden)
        stem = os.path.join(self.work, f".doctest_block{n}")
        with open(stem + ".c", "w", encoding="utf-8") as f:
            f.write(src)
        cmd = [self.a.cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-o", stem, stem + ".c"]
        for inc in self.a.include_dir:
            cmd += ["-I", inc]
        cmd += ["-L", self.a.lib_dir, "-lcivitas", "-Wl,-rpath," + self.a.lib_dir]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=self.work)
        if r.returncode != 0:
            return [f"does not compile:\n{number(src)}\n{r.stderr}"]
        return self.run_program([stem], "c")

    # ---- java -----------------------------------------------------------------------------
    def java(self, b: Block, n: int) -> list[str]:
        if not self.a.jar:
            return ["SKIP: the Java binding is not built (CIVITAS_JAVA=OFF)"]
        if self.java_batch is None:
            self.java_batch = self.compile_java_batch()
        name = f"DocBlock{n}"
        d = os.path.join(self.work, ".java")
        if n not in self.java_batch:   # the batch did not compile: this block alone
            d = os.path.join(self.work, f".java{n}")
            src = self.write_java(d, b, n)
            r = subprocess.run([self.a.javac, "-encoding", "UTF-8", "-cp", self.a.jar, "-d", d,
                                os.path.join(d, name + ".java")], capture_output=True, text=True, cwd=self.work)
            if r.returncode != 0:
                return [f"does not compile:\n{number(src)}\n{r.stdout}{r.stderr}"]
        return self.run_program([self.a.java, "-cp", self.a.jar + os.pathsep + d, name], "java",
                                b.directives.get("tty"))

    def write_java(self, d: str, b: Block, n: int) -> str:
        os.makedirs(d, exist_ok=True)
        src = wrap_java(b.text, b.hidden, f"DocBlock{n}")
        with open(os.path.join(d, f"DocBlock{n}.java"), "w", encoding="utf-8") as f:
            f.write(src)
        return src

    def compile_java_batch(self) -> set[int]:
        """All java blocks of the page in one javac run (javac starts slowly); the numbers of
        the blocks compiled, or none when one of them does not compile."""
        d = os.path.join(self.work, ".java")
        todo = [(n, b) for n, b in enumerate(self.blocks, 1) if b.tag == "java" and "skip" not in b.directives]
        files = []
        for n, b in todo:
            self.write_java(d, b, n)
            files.append(os.path.join(d, f"DocBlock{n}.java"))
        r = subprocess.run([self.a.javac, "-encoding", "UTF-8", "-cp", self.a.jar, "-d", d] + files,
                           capture_output=True, text=True, cwd=self.work)
        return {n for n, _ in todo} if r.returncode == 0 else set()

    def run_program(self, cmd: list[str], what: str, tty: str | None = None) -> list[str]:
        """Runs a compiled block; with `tty TEXT`, on a terminal (script(1)) that types TEXT."""
        env = dict(self.env)
        env.update(read_state(self.state))
        stdin = None
        if tty is not None:
            cmd = ["script", "-qec", shlex.join(cmd), "/dev/null"]
            stdin = (tty + "\n").encode()
        try:
            r = subprocess.run(cmd, cwd=self.work, env=env, input=stdin,
                               stdin=None if stdin is not None else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return [f"{what} block timed out after {TIMEOUT} s"]
        if r.returncode != 0:
            return [f"{what} block exited {r.returncode}:\n" + indent(r.stdout.decode("utf-8", "replace").split("\n"))]
        return []


def read_state(path: str) -> dict:
    """The exported variables of the console blocks, for python/c/java blocks."""
    env = {}
    r = subprocess.run(["bash", "-c", f"set -a; . {shlex.quote(path)}; env -0"], capture_output=True)
    for item in r.stdout.split(b"\0"):
        k, sep, v = item.decode("utf-8", "replace").partition("=")
        if sep and k.startswith("CIVITAS_"):
            env[k] = v
    return env


def parse_console(text: str) -> list[tuple[str, list[str] | None, bool]]:
    """[(command, expected output lines or None, hidden)]. `$ ` starts a command, a trailing
    backslash continues it; the lines up to the next `$ ` are its expected output."""
    cmds: list[tuple[str, list[str] | None, bool]] = []
    lines = text.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            cmd = line[2:]
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd + "\n" + lines[i]
            out = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                out.append(lines[i])
                i += 1
            cmds.append((cmd, out if out else None, False))
        else:
            raise ValueError(f"console block: a line before the first `$ ` prompt: {line!r}")
    return cmds


def match_lines(expected: list[str], got: list[str]) -> bool:
    """`...` alone on a line matches any number of lines; `...` inside a line matches any text."""
    def line_ok(e: str, g: str) -> bool:
        if "..." not in e:
            return e.rstrip() == g.rstrip()
        parts = [re.escape(p) for p in e.rstrip().split("...")]
        return re.fullmatch(".*".join(parts), g.rstrip()) is not None

    memo: dict = {}

    def m(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[i, j]
        if i == len(expected):
            res = j == len(got)
        elif expected[i].strip() == "...":
            res = m(i + 1, j) or (j < len(got) and m(i, j + 1))
        else:
            res = j < len(got) and line_ok(expected[i], got[j]) and m(i + 1, j + 1)
        memo[i, j] = res
        return res
    return m(0, 0)


PY_SESSION = r"""
import ast, contextlib, io, json, os, sys, tokenize, traceback

def checked(src, name):
    # A statement that is an expression followed by a comment that is a whole Python literal
    # (`r.valid  # True`, `ids.check_char(...)  # '3'`) asserts that value.
    tree = ast.parse(src, name)
    comments = {}
    for t in tokenize.generate_tokens(io.StringIO(src).readline):
        if t.type == tokenize.COMMENT:
            comments[t.start[0]] = t.string[1:].strip()
    def visit(body):
        for i, node in enumerate(body):
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(node, field, None), list):
                    visit(getattr(node, field))
            if not isinstance(node, ast.Expr) or node.end_lineno not in comments:
                continue
            text = comments[node.end_lineno]
            try:
                ast.literal_eval(text)
            except Exception:
                continue
            if node.lineno != node.end_lineno and any(l in comments for l in range(node.lineno, node.end_lineno)):
                continue
            call = ast.Call(ast.Name("__doctest_expect", ast.Load()),
                            [node.value, ast.parse(text, mode="eval").body, ast.Constant(node.lineno)], [])
            body[i] = ast.copy_location(ast.Expr(call), node)
    visit(tree.body)
    return compile(ast.fix_missing_locations(tree), name, "exec")

def __doctest_expect(value, expected, line):
    if value != expected:
        raise AssertionError(f"line {line} of the block: the comment says {expected!r}, the value is {value!r}")

ns = {"__name__": "__main__", "__doctest_expect": __doctest_expect}
while True:
    n = sys.stdin.buffer.readline()
    if not n:
        break
    req = json.loads(sys.stdin.buffer.read(int(n)))
    os.environ.update(req["env"])
    out = io.StringIO()
    err = ""
    try:
        with contextlib.redirect_stdout(out):
            if req["hidden"]:
                exec(compile(req["hidden"], req["name"] + " (setup)", "exec"), ns)
            exec(checked(req["code"], req["name"]), ns)
    except BaseException:
        err = out.getvalue() + traceback.format_exc()
    msg = json.dumps({"error": err}).encode()
    sys.stdout.buffer.write(str(len(msg)).encode() + b"\n" + msg)
    sys.stdout.buffer.flush()
"""

C_PRELUDE = "#include <civitas/civitas.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"


def wrap_c(text: str, hidden: str) -> str:
    """A block with a main() is compiled as it is; otherwise its #include lines go to the top
    and the rest, after the setup code, into `int main(void) { … return 0; }`, with
    civitas.h, stdio.h, stdlib.h and string.h included."""
    if re.search(r"\bmain\s*\(", text):
        return C_PRELUDE + hidden + "\n" + text
    inc = [l for l in text.split("\n") if l.lstrip().startswith("#include")]
    rest = [l for l in text.split("\n") if not l.lstrip().startswith("#include")]
    body = "\n".join("  " + l for l in (hidden + "\n" + "\n".join(rest)).split("\n"))
    return C_PRELUDE + "\n".join(inc) + "\n\nint main(void) {\n" + body + "\n  return 0;\n}\n"


JAVA_EXPECT = re.compile(r'^(\s*)([A-Za-z_][^;]*);\s*//\s*(true|false|null|-?\d+|"(?:[^"\\]|\\.)*")\s*$')


def java_expectations(text: str, cls: str) -> str:
    """`expr;  // LITERAL` (true, false, null, a number or a string literal) on a line of its
    own asserts that value (compared as String.valueOf)."""
    out = []
    prev = ";"
    for n, l in enumerate(text.split("\n"), 1):
        m = JAVA_EXPECT.match(l)
        if m and (prev.rstrip().endswith((";", "{", "}")) or not prev.strip() or prev.strip().startswith("//")) \
                and not re.match(r"\s*(return|throw|[\w<>\[\], ]+\s+\w+\s*=)\b", m.group(2)):
            l = f"{m.group(1)}{cls}.expect({m.group(2)}, {m.group(3)}, {n});"
        out.append(l)
        prev = l.split("//")[0] if "//" in l else l
    return "\n".join(out)


JAVA_EXPECT_CLASS = """
final class {name}Expect {{
  static void expect(Object value, Object expected, int line) {{
    if (!String.valueOf(value).equals(String.valueOf(expected)))
      throw new AssertionError("line " + line + " of the block: the comment says " + expected + ", the value is " + value);
  }}
}}
"""


def wrap_java(text: str, hidden: str, name: str) -> str:
    """A block without a class is wrapped: imports (its own and those of the setup code) go
    to the top, with `org.civitas.*`, `java.nio.file.*` and `java.util.*`; the setup code and
    the block become the body of `public static void main(String[] args) throws Exception`."""
    code = hidden + "\n" + java_expectations(text, name + "Expect")
    imports = ["import org.civitas.*;", "import java.nio.file.*;", "import java.util.*;",
               "import java.nio.charset.StandardCharsets;"]
    body = []
    for l in code.split("\n"):
        (imports if l.startswith("import ") else body).append(l)
    if re.search(r"^\s*(public\s+)?(final\s+)?class\s", text, re.M):
        m = re.search(r"class\s+(\w+)", text)
        return ("\n".join(imports) + "\n" + "\n".join(body).replace(f"class {m.group(1)}", f"class {name}")
                + JAVA_EXPECT_CLASS.format(name=name))
    return ("\n".join(dict.fromkeys(imports)) + f"\n\npublic class {name} {{\n"
            "  public static void main(String[] args) throws Exception {\n" + "\n".join(body) + "\n  }\n}\n"
            + JAVA_EXPECT_CLASS.format(name=name))


def indent(lines: list[str]) -> str:
    return "\n".join("    " + l for l in lines)


def number(src: str) -> str:
    return "\n".join(f"{i + 1:4} {l}" for i, l in enumerate(src.split("\n")))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("doc")
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--civitas", required=True)
    ap.add_argument("--pythonpath", default="")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--lib-dir", default="")
    ap.add_argument("--include-dir", action="append", default=[])
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--jar", default="")
    ap.add_argument("--java", default="java")
    ap.add_argument("--javac", default="javac")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()

    doc = os.path.relpath(a.doc, a.source_dir)
    blocks = parse(a.doc)
    failed = 0
    ran = 0
    skipped = 0
    work = tempfile.mkdtemp(prefix="civitas-doctest-")
    try:
        shutil.copytree(os.path.join(a.source_dir, "examples", "data"), work, dirs_exist_ok=True)
        r = Runner(a, work)
        r.blocks = blocks
        for n, b in enumerate(blocks, 1):
            where = f"{doc}:{b.line} ({b.tag or 'untagged'})"
            if not b.tag:
                print(f"FAIL {where}: every code block needs a tag (`text` for a synopsis, "
                      f"`console` for commands with `$ ` prompts, or the language)")
                failed += 1
                continue
            if b.tag in ("sh", "bash", "shell"):
                print(f"FAIL {where}: tag `{b.tag}`: use `console` (with `$ ` prompts; it runs) "
                      f"or `text` (a synopsis; not run)")
                failed += 1
                continue
            if b.tag in QUIET_TAGS:
                if b.directives:
                    print(f"FAIL {where}: a doctest comment before a `{b.tag}` block, which is not run")
                    failed += 1
                continue
            if b.tag not in RUN_TAGS:
                print(f"FAIL {where}: unknown tag `{b.tag}` (run: {', '.join(sorted(RUN_TAGS))}; "
                      f"not run: {', '.join(sorted(QUIET_TAGS))})")
                failed += 1
                continue
            if "skip" in b.directives:
                print(f"skip {where}: {b.directives['skip']}")
                skipped += 1
                continue
            need = b.directives.get("needs")
            if need and not (a.jar if need == "java" else a.pythonpath):
                print(f"skip {where}: needs the {need} binding, which this build does not have")
                skipped += 1
                continue
            try:
                for fx in b.directives.get("setup", []):
                    r.fixture(fx)
                if b.tag == "console":
                    problems = r.console(b)
                else:
                    problems = getattr(r, b.tag)(b, n)
            except (ValueError, SystemExit) as e:
                problems = [str(e)]
            if problems and problems[0].startswith("SKIP: "):
                print(f"skip {where}: {problems[0][6:]}")
                skipped += 1
                continue
            ran += 1
            if "xfail" in b.directives:
                if problems:
                    print(f"xfail {where}: {b.directives['xfail']}")
                else:
                    print(f"FAIL {where}: marked xfail ({b.directives['xfail']}) but passes: remove the mark")
                    failed += 1
                continue
            if problems:
                failed += 1
                print(f"FAIL {where}:")
                for p in problems:
                    print("  " + p.replace("\n", "\n  "))
            else:
                print(f"ok   {where}")
    finally:
        try:
            r.close()
        except Exception:
            pass
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{doc}: {len(blocks)} blocks, {ran} run, {skipped} skipped, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
