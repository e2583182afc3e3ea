"""Support contacts: the local helplines a facilitator sets once, on every phone, the end screen and paper.

A workshop on power in couples will sometimes have someone in the room who is not safe at home. The
contacts come from a small YAML file (`workshop serve --support FILE`, or `support.yaml` in a modules
folder); a session keeps a copy from when it started, so phones read them from the store like the rest of
the session. Each phone opens them on its own screen only.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workshop.errors import ModuleError

FIELDS = ("name", "for", "phone", "text", "web", "hours")
EXAMPLE = """\
# Support contacts for the workshop: shown on every phone (behind a discreet "Support" link), on the
# projector's end screen, the last slide and the printed guide. Replace every REPLACE with the services
# where the workshop takes place, and check them before each session (numbers and hours change).
# Fields: name (required), for, phone, text, web (one of these three at least), hours.
support:
  - name: REPLACE with the local domestic abuse helpline
    for: anyone worried about a partner's behaviour, free and confidential
    phone: "REPLACE 0000 000 000"
    web: REPLACE.example.org
    hours: REPLACE (for example, every day, day and night)
  - name: REPLACE with the local crisis or suicide line
    for: anyone struggling to cope or thinking about suicide
    phone: "REPLACE 000 000"
    hours: REPLACE
  - name: Emergency services
    for: immediate danger
    phone: "REPLACE 112 / 911 / 999"
"""


@dataclass(frozen=True)
class Contact:
    """One place to turn to: who they are, what for, how to reach them and when."""

    name: str
    for_: str = ""
    phone: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        data["for"] = data.pop("for_")
        return {key: value for key, value in data.items() if value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contact:
        return cls(**{("for_" if key == "for" else key): str(value) for key, value in data.items()})


def support_file(folders: list[Path] | None = None) -> Path | None:
    """WORKSHOP_SUPPORT, else the first `support.yaml` in the modules folders."""
    named = os.environ.get("WORKSHOP_SUPPORT", "")
    if named:
        return Path(named)
    for folder in folders if folders is not None else _module_folders():
        if (folder / "support.yaml").is_file():
            return folder / "support.yaml"
    return None


def _module_folders() -> list[Path]:
    return [Path(p) for p in os.environ.get("WORKSHOP_MODULES", "").split(os.pathsep) if p]


def load_contacts(path: Path) -> tuple[Contact, ...]:
    """The contacts in a support file; ModuleError with the line and what to do when it is wrong."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        problem = f"cannot read the support contacts ({error.strerror}) — check the path"
        raise ModuleError(problem, path=str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ModuleError(
            "the support contacts are not valid YAML — compare with `workshop support --example`",
            path=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    entries = data.get("support") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ModuleError(
            "a support file holds a list under 'support:' — see `workshop support --example`", path=str(path)
        )
    contacts = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ModuleError(
                f"support contact {number} is not a mapping of name, for, phone…", path=str(path)
            )
        unknown = sorted(set(entry) - set(FIELDS))
        if unknown:
            raise ModuleError(
                f"support contact {number} has unknown field {unknown[0]!r} — use {', '.join(FIELDS)}",
                path=str(path),
            )
        if any("REPLACE" in str(value) for value in entry.values()):
            raise ModuleError(
                f"support contact {number} still says REPLACE — put in the real local service", path=str(path)
            )
        if not str(entry.get("name") or "").strip():
            raise ModuleError(f"support contact {number} has no name — add 'name:'", path=str(path))
        if not any(str(entry.get(key) or "").strip() for key in ("phone", "text", "web")):
            raise ModuleError(
                f"support contact {number} ({entry['name']}) has no way to reach it — add phone, text or web",
                path=str(path),
            )
        contacts.append(Contact.from_dict({k: str(v).strip() for k, v in entry.items() if v is not None}))
    return tuple(contacts)


def contacts_json(contacts: tuple[Contact, ...]) -> str:
    return json.dumps([c.to_dict() for c in contacts], ensure_ascii=False)


def contacts_from_json(text: str | None) -> tuple[Contact, ...]:
    return tuple(Contact.from_dict(item) for item in json.loads(text or "[]"))


def contacts_html(contacts: tuple[Contact, ...], heading: str = "") -> str:
    """The contacts as escaped HTML: a phone number that dials, a web address that opens."""
    esc = html.escape
    parts = [f"<h2>{esc(heading)}</h2>"] if heading else []
    parts.append('<ul class="support-contacts">')
    for contact in contacts:
        lines = [f"<strong>{esc(contact.name)}</strong>"]
        if contact.for_:
            lines.append(esc(contact.for_))
        if contact.phone:
            dial = "".join(c for c in contact.phone if c.isdigit() or c == "+")
            lines.append(f'<a href="tel:{esc(dial)}">{esc(contact.phone)}</a>')
        if contact.text:
            lines.append(esc(contact.text))
        if contact.web:
            link = (
                contact.web if contact.web.startswith(("http://", "https://")) else f"https://{contact.web}"
            )
            lines.append(f'<a href="{esc(link)}" rel="noreferrer">{esc(contact.web)}</a>')
        if contact.hours:
            lines.append(esc(contact.hours))
        parts.append("<li>" + "<br>".join(lines) + "</li>")
    parts.append("</ul>")
    return "".join(parts)


def contacts_markdown(contacts: tuple[Contact, ...]) -> str:
    lines = []
    for contact in contacts:
        details = " · ".join(
            v for v in (contact.for_, contact.phone, contact.text, contact.web, contact.hours) if v
        )
        lines.append(f"- **{contact.name}**: {details}")
    return "\n".join(lines)
