"""Module files made, by accident or on purpose, to hurt: each one refused with one plain line, fast, in
bounded memory, on every path that loads a module (validate, list, serve, guide, slides, handout, new
--from, the console)."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from workshop.console import Console
from workshop.content import load_module
from workshop.errors import ModuleError
from workshop.module_checks import MODULE_SIZE_LIMIT
from workshop.store import Store

TINY = Path(__file__).parent / "modules" / "tiny.yaml"
# The command's whole address space: a file that expanded in memory would end in a MemoryError (and a
# traceback) long before it reached the machine's memory.
MEMORY_LIMIT = 1_000_000_000
ALIAS_BOMB = "\n".join(
    ['lol0: &a0 "lol"']
    + [f"lol{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    + ["id: bomb", "title: *a9"]
)


def workshop(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The `workshop` command in bounded memory; a hang fails the test at the timeout."""

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "workshop.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        preexec_fn=bounded,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command's single line of output, after checking it failed without a traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


HOSTILE = {
    # name: (the file's bytes, what its one line says)
    "alias-bomb": (ALIAS_BOMB.encode(), ":1:7: line 1 has '&a0' (a YAML anchor"),
    "flow-nesting": (b"[" * 3000 + b"]" * 3000, "nests lists or fields more than 20 deep"),
    "block-nesting": (b"- " * 3000 + b"x\n", "nests lists or fields more than 20 deep"),
    "unclosed-nesting": (b"{a: [" * 100_000, "nests lists or fields more than 20 deep"),
    "latin-1": (
        "id: café\ntitle: Café\n".encode("latin-1"),
        ":1:8: line 1 has a byte that is not UTF-8 (0xe9)",
    ),
    "utf-16": ("id: x\ntitle: y\n".encode("utf-16"), "the file is saved as UTF-16, not UTF-8"),
    "nul-byte": (b"id: x\ntitle: a\x00b\n", ":2:9: line 2 holds a NUL byte"),
    "control-character": (b"id: x\ntitle: a\x1bb\n", ":2:9: line 2 holds a control character (U+001B)"),
    "python-tag": (b"id: !!python/object/apply:os.system [echo]\n", "the YAML tag '!!python/object/apply:os"),
    "alias": (b"id: x\ntitle: *name\n", "a value on line 2 starts with '*' ('*name' is a YAML alias"),
    "long-key": (b"a" * 900_000 + b": x\n", "line 1 starts with a field name over 1024 characters long"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_module_file_is_refused_with_one_plain_line(tmp_path: Path, name: str) -> None:
    content, says = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    line = one_line(workshop("validate", str(path)))
    assert line.startswith(str(path)) and " — " in line
    assert says in line


def test_a_file_larger_than_any_module_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:  # 50 MB of valid YAML: parsing it took 6 GB before the limit
        file.write(TINY.read_bytes())
        file.write(b"# a comment line to make the file larger than any module\n" * 900_000)
    line = one_line(workshop("validate", str(path)))
    assert line == (
        f"{path}: the file is {path.stat().st_size / 1e6:.1f} MB, which is larger than any module can be "
        "(at most 1 MB) — check that this is the module file you meant"
    )
    with pytest.raises(ModuleError, match="larger than any module"):
        load_module(path)


def test_a_module_just_under_the_size_limit_still_loads(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8")
    padding = "# room to spare\n" * ((MODULE_SIZE_LIMIT - len(text.encode()) - 100) // 16)
    path = tmp_path / "tiny.yaml"
    path.write_text(text + padding, encoding="utf-8")
    assert load_module(path).id == "tiny"


def test_a_mapping_of_ten_thousand_unknown_fields_lists_fifty_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("".join(f"k{n}: v\n" for n in range(10_000)))
    result = workshop("validate", str(path))
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(lines) == 51
    assert lines[-1] == f"{path}: … and 9955 more problems — fix these first, then check again"


def test_a_value_on_one_huge_line_is_quoted_only_in_part(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text(TINY.read_text().replace("id: tiny", "id: " + "a" * 900_000))
    result = workshop("validate", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "module id 'aaaa" in result.stdout and "…' — use lowercase letters" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) < 300


def test_list_reports_each_bad_file_on_one_line_and_lists_the_rest(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_bytes(TINY.read_bytes())
    for name in ("alias-bomb", "flow-nesting", "latin-1", "utf-16", "nul-byte"):
        (tmp_path / f"{name}.yaml").write_bytes(HOSTILE[name][0])
    result = workshop("list", "--modules", str(tmp_path))
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert any(line.startswith("tiny ") and "30 min, 5 polls" in line for line in lines)
    assert any(line.startswith("pursuer-avoider ") and "built-in" in line for line in lines)
    for name in ("alias-bomb", "flow-nesting", "latin-1", "utf-16", "nul-byte"):
        (listed,) = (line for line in lines if line.startswith(f"{name} "))
        assert f"(invalid: run workshop validate {tmp_path / name}.yaml)" in listed


@pytest.mark.parametrize(
    "command",
    [
        ["guide", "BOMB", "--out", "out"],
        ["handout", "BOMB", "--out", "out"],
        ["slides", "BOMB", "--out", "out"],
        ["new", "mine", "--from", "BOMB", "--modules", "mine"],
        ["serve", "--module", "alias-bomb", "--modules", "."],
        ["guide", "alias-bomb", "--modules", ".", "--out", "out"],
    ],
)
def test_every_command_that_loads_a_module_refuses_the_alias_bomb(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "alias-bomb.yaml").write_text(ALIAS_BOMB)
    args = [str(tmp_path / "alias-bomb.yaml") if arg == "BOMB" else arg for arg in command]
    line = one_line(workshop(*args, cwd=tmp_path))
    assert "alias-bomb.yaml:1:7: line 1 has '&a0' (a YAML anchor, which a module does not use)" in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "mine").exists()


def test_the_console_refuses_the_alias_bomb_with_its_line(tmp_path: Path, sqlite_store: Store) -> None:
    (tmp_path / "alias-bomb.yaml").write_text(ALIAS_BOMB)
    console = Console(sqlite_store, module_folders=[tmp_path], participant_base="http://x:1")
    console.module_choice.value = "alias-bomb"
    console.start_button.click()
    assert console.session is None and sqlite_store.running_sessions() == []
    assert "alias-bomb.yaml:1:7: line 1 has &#x27;&amp;a0&#x27; (a YAML anchor" in console.message.value
