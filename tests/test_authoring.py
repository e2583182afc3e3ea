"""What a trainer writes modules with: the schema their editor reads, the guide, and `workshop new`."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from workshop.content import BUILT_IN_FOLDER, load_module
from workshop.module_checks import MODULE_FIELDS, POLL_FIELDS, SECTION_FIELDS, SOURCE_FIELDS
from workshop.scaffold import SCHEMA_PATH, schema_hint, starter_text

ROOT = Path(__file__).parent.parent
TESTS = Path(__file__).parent
GUIDE = ROOT / "docs" / "authoring.md"
MODULE_FILES = [*sorted(BUILT_IN_FOLDER.glob("*.yaml")), TESTS / "modules" / "tiny.yaml"]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def _levels(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schema's objects by the name module_checks gives their fields."""
    return {
        "module": schema,
        "source": schema["properties"]["source"],
        "section": schema["$defs"]["section"],
        "poll": schema["$defs"]["poll"],
    }


CHECKS = {"module": MODULE_FIELDS, "source": SOURCE_FIELDS, "section": SECTION_FIELDS, "poll": POLL_FIELDS}


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every sub-schema with properties, wherever it sits."""
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


@pytest.mark.parametrize("level", list(CHECKS))
def test_the_schema_and_validate_know_the_same_fields(schema: dict[str, Any], level: str) -> None:
    part = _levels(schema)[level]
    fields = CHECKS[level]
    assert set(part["properties"]) == set(fields)
    assert set(part["required"]) == {name for name, required in fields.items() if required}
    assert part["additionalProperties"] is False


def test_every_field_has_a_description_a_trainer_reads(schema: dict[str, Any]) -> None:
    assert "workshop validate" in schema["description"]
    for level, part in _levels(schema).items():
        for name, field in part["properties"].items():
            description = field.get("description", "")
            assert description and "\n" not in description, f"{level} field '{name}' has no description"


def test_every_schema_field_is_in_the_trainers_guide(schema: dict[str, Any]) -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    names = {name for part in _objects(schema) for name in part["properties"]}
    missing = sorted(name for name in names if f"`{name}`" not in guide)
    assert not missing, f"docs/authoring.md does not describe: {', '.join(missing)}"
    for word in ("single", "multiple", "scale", "text", "live", "after-close", "never"):
        assert f"`{word}`" in guide, word


def test_the_guide_names_the_commands_and_the_editor_hint() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for command in ("list", "validate", "new", "guide", "slides", "serve --modules DIR", "import-article"):
        assert f"`workshop {command}" in guide, command
    assert "WORKSHOP_MODULES" in guide and "# yaml-language-server: $schema=" in guide
    assert "file:line:column: what is wrong — what to do" in guide
    assert "## Languages" in guide


def test_the_guides_yaml_examples_are_yaml() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, flags=re.DOTALL)
    assert len(blocks) >= 8
    for block in blocks:
        yaml.safe_load(block)


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.stem)
def test_the_schema_accepts_the_modules_the_kit_ships(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    errors = [error.message for error in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.update(colour="blue"), "'colour' was unexpected"),
        (lambda m: m["polls"][0].update(kind="singel"), "'singel' is not one of"),
        (lambda m: m["polls"][0].update(reveal="later"), "'later' is not one of"),
        (lambda m: m["sections"][0].update(id="Start"), "does not match"),
        (lambda m: m["sections"][0].pop("notes"), "'notes' is a required property"),
        (lambda m: m["polls"][0].update(options=["Only one"]), "is too short"),
        (lambda m: m["polls"][2].update(options=["a", "b"]), "False schema"),
        (lambda m: m["polls"][3].update(reveal="live"), "'live' is not one of"),
        (lambda m: m.update(source="An article"), "is not of type 'object'"),
        (lambda m: m.update(duration="half an hour"), "is not of type 'integer'"),
    ],
    ids=[
        "unknown field",
        "bad kind",
        "bad reveal",
        "bad id",
        "missing notes",
        "one option",
        "options on a scale",
        "live text",
        "source as text",
        "duration as text",
    ],
)
def test_the_schema_rejects_what_validate_rejects(
    validator: jsonschema.Draft202012Validator, change: Any, expected: str
) -> None:
    module = copy.deepcopy(yaml.safe_load((TESTS / "modules" / "tiny.yaml").read_text()))
    change(module)
    messages = [error.message for error in validator.iter_errors(module)]
    assert any(expected in message for message in messages), messages


def workshop(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "WORKSHOP_MODULES"}
    return subprocess.run(
        [sys.executable, "-m", "workshop.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**environment, **(env or {})},
    )


def test_the_starting_file_validates_and_has_every_field(
    tmp_path: Path, validator: jsonschema.Draft202012Validator, schema: dict[str, Any]
) -> None:
    result = workshop("new", "my-module", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "modules" / "my-module.yaml"
    text = path.read_text()
    assert text == starter_text("my-module")
    assert text.splitlines()[0] == schema_hint()
    module = load_module(path)  # validates
    assert module.id == "my-module" and module.short_path and module.short_duration
    assert {poll.kind for poll in module.polls} == {"single", "multiple", "scale", "text"}
    assert any(poll.before for poll in module.polls)
    data = yaml.safe_load(text)
    assert list(validator.iter_errors(data)) == []
    levels = _levels(schema)
    assert set(data) == set(levels["module"]["properties"])
    assert set(data["source"]) == set(levels["source"]["properties"])
    assert set().union(*data["sections"]) == set(levels["section"]["properties"])
    assert set().union(*data["polls"]) == set(levels["poll"]["properties"])
    assert f"Wrote {Path('modules') / 'my-module.yaml'}" in result.stdout
    assert "workshop validate" in result.stdout and "workshop serve --modules modules" in result.stdout
    listed = workshop("list", "--modules", "modules", cwd=tmp_path)
    assert re.search(r"my-module\s+modules\s+30 min, 5 polls", listed.stdout), listed.stdout


@pytest.mark.parametrize("module_id", ["2024", "null", "yes"])
def test_an_id_yaml_would_misread_is_quoted(tmp_path: Path, module_id: str) -> None:
    result = workshop("new", module_id, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert load_module(tmp_path / "modules" / f"{module_id}.yaml").id == module_id


def test_a_copy_validates_under_its_new_id_and_is_listed_from_its_folder(tmp_path: Path) -> None:
    original = load_module(BUILT_IN_FOLDER / "pursuer-avoider.yaml")
    result = workshop("new", "my-copy", "--from", "pursuer-avoider", "--modules", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "mine" / "my-copy.yaml"
    copied = load_module(path)
    assert copied.id == "my-copy"
    assert copied.title == f"Copy of {original.title}"
    assert copied.to_dict() == {**original.to_dict(), "id": "my-copy", "title": copied.title}
    text = path.read_text()
    assert original.content_hash in text.split("\nid:")[0]
    assert "pursuer-avoider" in text.split("\nid:")[0]
    listed = workshop("list", "--modules", "mine", cwd=tmp_path)
    expected = rf"my-copy\s+mine\s+{original.duration} min, {len(original.polls)} polls"
    assert re.search(expected, listed.stdout), listed.stdout
    assert workshop("validate", str(path), cwd=tmp_path).stdout.strip() == f"{path}: ok"


def test_a_copy_of_a_file_keeps_its_comments_and_a_block_title(tmp_path: Path) -> None:
    source = tmp_path / "theirs.yaml"
    tiny = (TESTS / "modules" / "tiny.yaml").read_text()
    source.write_text(tiny.replace("title: A tiny test module\n", "title: >\n  A tiny\n  test module\n\n"))
    env = {"WORKSHOP_MODULES": os.pathsep.join([str(tmp_path / "first"), str(tmp_path / "second")])}
    result = workshop("new", "ours", "--from", str(source), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    copied = load_module(tmp_path / "first" / "ours.yaml")
    assert copied.title == "Copy of A tiny test module"
    assert "# A small module for tests" in (tmp_path / "first" / "ours.yaml").read_text()
    assert copied.to_dict()["polls"] == load_module(source).to_dict()["polls"]


def test_new_never_overwrites_and_refuses_a_bad_id(tmp_path: Path) -> None:
    assert workshop("new", "mine", cwd=tmp_path).returncode == 0
    before = (tmp_path / "modules" / "mine.yaml").read_text()
    again = workshop("new", "mine", "--from", "leaving-and-loss", cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists — choose another id" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr
    assert (tmp_path / "modules" / "mine.yaml").read_text() == before
    bad = workshop("new", "My Module", cwd=tmp_path)
    assert bad.returncode == 1
    assert "cannot be a module id" in bad.stderr and "my-module" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "modules" / "My Module.yaml").exists()
    unknown = workshop("new", "other", "--from", "no-such-module", cwd=tmp_path)
    assert unknown.returncode == 1 and "no module called 'no-such-module'" in unknown.stderr
    assert not (tmp_path / "modules" / "other.yaml").exists()
