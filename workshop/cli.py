"""The `workshop` command: serve a workshop, list, validate and start modules, write guides and slides.

Every error a user can cause ends in one line that says what to do (exit status 1), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit, urlunsplit

from workshop.errors import ModuleError, WorkshopError
from workshop.retention import RETENTION_DAYS

if TYPE_CHECKING:
    from workshop.content import Module
    from workshop.support import Contact


def _module_folders(args: argparse.Namespace) -> list[Path]:
    folders = [Path(p) for p in (args.modules or [])]
    folders += [Path(p) for p in os.environ.get("WORKSHOP_MODULES", "").split(os.pathsep) if p]
    for folder in folders:
        if not folder.is_dir():
            raise ModuleError(
                f"the modules folder {folder} does not exist — check --modules / WORKSHOP_MODULES"
            )
    return folders


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the participant and facilitator servers; Ctrl-C stops them."""
    from workshop.content import find_module
    from workshop.serve import ServeOptions, serve

    folders = _module_folders(args)
    if args.module:
        find_module(args.module, folders)  # an unknown or invalid module stops us here
    _support(args)  # a support file with a mistake stops us here, with its line
    options = ServeOptions(
        host=args.host,
        participant_port=args.participant_port,
        facilitator_port=args.facilitator_port,
        database_url=args.database or "",
        module_folders=folders,
        public_url=args.public_url or "",
        participant_servers=args.participant_servers,
        support_file=Path(args.support) if args.support else None,
        max_connections=args.max_connections,
        per_address=args.per_address,
        joins_per_address=args.joins_per_address,
        certfile=Path(args.certfile) if args.certfile else None,
        keyfile=Path(args.keyfile) if args.keyfile else None,
    )
    return serve(options)


def cmd_list(args: argparse.Namespace) -> int:
    """List the modules found, where they come from, their length and polls."""
    from workshop.content import BUILT_IN_FOLDER, find_modules, load_module

    for module_id, path in sorted(find_modules(_module_folders(args)).items()):
        where = "built-in" if path.parent == BUILT_IN_FOLDER else str(path.parent)
        try:
            module = load_module(path)
        except ModuleError:
            print(f"{module_id:28} {where}  (invalid: run workshop validate {path})")
            continue
        print(f"{module_id:28} {where}  {module.duration} min, {len(module.polls)} polls")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate module files, and the language files beside them."""
    from workshop.content import find_modules, load_module
    from workshop.language import LANGUAGE_FILE, check_language_file, language_file
    from workshop.module_checks import listed
    from workshop.readiness_checks import validate_file

    folders = _module_folders(args)
    paths = [Path(p) for p in args.paths] or list(find_modules(folders).values())
    failed = False
    for path in paths:
        try:
            found = validate_file(path, draft=args.draft)
        except ModuleError as error:
            failed = True
            print(error)
            continue
        for line in listed(found):
            print(line)
        warnings = sum(problem.warning for problem in found)
        if len(found) > warnings:
            failed = True
            continue
        module = load_module(path)
        if language_file(module.language, [path.parent, *folders]) is None:
            failed = True
            print(
                f"{path}: language '{module.language}' has no strings file — add {module.language}.json "
                "beside your modules (copy workshop/strings/en.json and translate it), or use en or es"
            )
        else:
            print(f"{path}: ok" + (f", with {warnings} warning{'s' * (warnings > 1)}" if warnings else ""))
    # A trainer's language files, wherever their modules are: each one checked against English.
    for folder in dict.fromkeys([*(p.parent for p in paths), *folders]):
        for strings in sorted(folder.glob("*.json")):
            if LANGUAGE_FILE.match(strings.name):
                problems = check_language_file(strings)
                failed = failed or bool(problems)
                print("\n".join(problems) if problems else f"{strings}: ok")
    return 1 if failed else 0


def _chosen_module(args: argparse.Namespace) -> Module:
    """The module named on the command line: an id (built-in or in --modules) or a YAML file."""
    from workshop.content import find_module, load_module

    if args.module.endswith((".yaml", ".yml")) or Path(args.module).is_file():
        return load_module(args.module)
    return find_module(args.module, _module_folders(args))


def _writing_folder(args: argparse.Namespace) -> tuple[Path, list[Path]]:
    """Where a new module goes (the first --modules, else WORKSHOP_MODULES, else ./modules; it need not
    exist yet), and the trainers' folders that do exist."""
    given = [Path(p) for p in (args.modules or [])]
    given += [Path(p) for p in os.environ.get("WORKSHOP_MODULES", "").split(os.pathsep) if p]
    return (given[0] if given else Path("modules")), [f for f in given if f.is_dir()]


def cmd_import_article(args: argparse.Namespace) -> int:
    """Draft a module from an article in the series' plain-text shape, every part marked for review."""
    from workshop.article_import import draft_from_article
    from workshop.content import load_module

    module_id, text = draft_from_article(Path(args.file), args.id)
    folder, _ = _writing_folder(args)
    path = folder / f"{module_id}.yaml"
    if path.exists():
        raise ModuleError(f"{path} already exists — choose another id with --id, or move that file first")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    module = load_module(path)
    print(
        f"Wrote {path}: a DRAFT of {len(module.sections)} sections and {len(module.polls)} polls.\n"
        f"Next: review every part marked REVIEW and rewrite it in your own words, then\n"
        f"  workshop validate --draft {path}   (then without --draft once every REVIEW is done)\n"
        f"  workshop serve --modules {folder}"
    )
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new module file to adapt: a commented starting point, or a copy of a module (--from)."""
    from workshop.content import BUILT_IN_FOLDER, find_module, find_modules, load_module
    from workshop.scaffold import check_id, new_module, next_steps

    check_id(args.id)
    folder, existing = _writing_folder(args)
    source = None
    if args.source and (args.source.endswith((".yaml", ".yml")) or Path(args.source).is_file()):
        source = load_module(args.source)
    elif args.source:
        source = find_module(args.source, existing)
    hidden = find_modules(existing).get(args.id)
    path = new_module(args.id, folder, source)
    print(next_steps(path, folder))
    if hidden and hidden.parent == BUILT_IN_FOLDER:
        print(
            f"Note: a built-in module is also called '{args.id}'; with --modules {folder}, yours replaces it."
        )
    elif hidden:
        print(f"Note: {hidden} has the same id; of the two, the one in the folder given last is used.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a session's results (JSON or CSV), naming the module version it ran."""
    from workshop.exports import as_csv, as_json, session_results
    from workshop.store import Store

    store = Store(args.database or None, create=False)
    try:
        if args.code:
            session_id = store.session_by_code(args.code, include_ended=True).id
        elif args.session:
            session_id = args.session
        else:
            sessions = store.all_sessions()
            if not sessions:
                raise ModuleError("there are no sessions in this database yet — run one with workshop serve")
            for record in sessions:
                state = "ended" if record.ended else "running"
                print(
                    f"{record.join_code}  {record.module.id:24} {record.started_at:%Y-%m-%d %H:%M}  {state}"
                )
            print("Choose one: workshop export --code CODE")
            return 0
        results = session_results(store, session_id)
    finally:
        store.close()
    text = as_csv(results) if args.format == "csv" else as_json(results)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {args.out} ({results['module']['id']} version {results['module']['version']})")
    else:
        sys.stdout.write(text)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Delete ended sessions' raw answers, keeping the results `workshop export` shows."""
    from workshop.retention import purge_ended, purge_session, purged_line
    from workshop.store import Store

    store = Store(args.database or None)  # brings an older database up to date first
    try:
        if args.code:
            record = store.session_by_code(args.code, include_ended=True)
            if purge_session(store, record.id):
                print(
                    f"Purged session {record.join_code}: its answers, texts, participants and requests are "
                    f"deleted; workshop export --code {record.join_code} still shows its results."
                )
            else:
                print(f"Session {record.join_code} was purged before; nothing more to delete.")
        else:
            print(purged_line(purge_ended(store, args.ended_before), args.ended_before))
    finally:
        store.close()
    return 0


def _support(args: argparse.Namespace) -> tuple[Contact, ...]:
    """The support contacts named by --support, WORKSHOP_SUPPORT or a modules folder; none when unset."""
    from workshop.support import load_contacts, support_file

    path = Path(args.support) if args.support else support_file(_module_folders(args))
    return load_contacts(path) if path else ()


def cmd_support(args: argparse.Namespace) -> int:
    """Check a support contacts file, or print a starting one with --example."""
    from workshop.support import EXAMPLE, contacts_markdown

    if args.example:
        print(EXAMPLE, end="")
        return 0
    contacts = _support(args)
    if not contacts:
        print(
            "No support contacts are set. Write a file (workshop support --example > support.yaml), "
            "then pass it with --support FILE or WORKSHOP_SUPPORT, or keep it in your modules folder."
        )
        return 1
    print(contacts_markdown(contacts))
    return 0


def cmd_guide(args: argparse.Namespace) -> int:
    """Write a module's printable facilitator guide (HTML and Markdown)."""
    from workshop.guide import write_guide

    page, text = write_guide(_chosen_module(args), Path(args.out), support=_support(args))
    print(f"Wrote {page} (open it in a browser and print on A4 or Letter) and {text}")
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    """Write a module's take-home sheet for participants (HTML, one or two printed pages)."""
    from workshop.handout import write_handout

    page = write_handout(_chosen_module(args), Path(args.out), support=_support(args))
    print(f"Wrote {page} (open it in a browser and print on A4 or Letter, one for each person)")
    return 0


def cmd_slides(args: argparse.Namespace) -> int:
    """Write a module's reveal.js deck for the room; it opens with no network."""
    from workshop.errors import JoinError
    from workshop.sessions import lan_address, normalise_join_code
    from workshop.slides import write_deck

    join_url = args.join_url or os.environ.get("WORKSHOP_PUBLIC_URL") or f"http://{lan_address()}:8866/"
    # The console shows the session's address with its code (…/?code=ABCDE): pasted as --join-url, the
    # join slide shows that code beside the QR, as --join-code would.
    parts = urlsplit(join_url)
    in_url = parse_qs(parts.query).get("code", [""])[0]
    if in_url and not args.join_code:
        join_url = urlunsplit(parts._replace(query=""))
    try:
        wanted = args.join_code or in_url
        code = normalise_join_code(wanted) if wanted else ""
    except JoinError:
        raise ModuleError(
            f"'{args.join_code or in_url}' is not a join code — copy the 5-character code from the console"
        ) from None
    deck = write_deck(_chosen_module(args), Path(args.out), join_url, support=_support(args), join_code=code)
    shown = f"{join_url}, code {code}" if code else join_url
    print(f"Wrote {deck}: open it in a browser (F full screen, S speaker notes). Join slide: {shown}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshop", description="Run couples-workshop modules.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(func: object, name: str) -> argparse.ArgumentParser:
        doc = (getattr(func, "__doc__", "") or "").strip().splitlines()[0]
        # --help shows each option's default, so nobody has to read the code to learn it.
        sub = commands.add_parser(
            name, help=doc, description=doc, formatter_class=argparse.ArgumentDefaultsHelpFormatter
        )
        sub.add_argument(
            "--modules",
            action="append",
            metavar="DIR",
            help="a folder of your own modules (repeatable)",
        )
        if name in ("serve", "guide", "slides", "handout", "support"):
            sub.add_argument(
                "--support",
                metavar="FILE",
                default=os.environ.get("WORKSHOP_SUPPORT"),
                help="the local support contacts (YAML; `workshop support --example` writes a start)",
            )
        sub.set_defaults(func=func)
        return sub

    serve = command(cmd_serve, "serve")
    serve.add_argument(
        "--host",
        default=os.environ.get("WORKSHOP_HOST", "0.0.0.0"),
        help="address the participant server listens on (default 0.0.0.0: the venue's network)",
    )
    serve.add_argument(
        "--participant-port",
        type=int,
        default=int(os.environ.get("WORKSHOP_PARTICIPANT_PORT", "8866")),
        help="the port phones open (WORKSHOP_PARTICIPANT_PORT)",
    )
    serve.add_argument(
        "--facilitator-port",
        type=int,
        default=int(os.environ.get("WORKSHOP_FACILITATOR_PORT", "8867")),
        help="the port of the console and the projector screen, on this laptop only",
    )
    serve.add_argument(
        "--database",
        default=os.environ.get("WORKSHOP_DATABASE_URL"),
        help="SQLAlchemy URL (default: SQLite file data/workshop.sqlite3)",
    )
    serve.add_argument(
        "--public-url",
        default=os.environ.get("WORKSHOP_PUBLIC_URL"),
        help="participant address as phones see it (default: http://<LAN address>:<port>)",
    )
    serve.add_argument(
        "--participant-servers",
        type=int,
        default=int(os.environ.get("WORKSHOP_PARTICIPANT_SERVERS", "1")),
        metavar="N",
        help="run N participant servers behind nginx (for rooms of several hundred; needs nginx)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=int(os.environ.get("WORKSHOP_MAX_CONNECTIONS", "2000")),
        metavar="N",
        help="phone requests one participant server holds at once before it says the room is full",
    )
    serve.add_argument(
        "--per-address",
        type=int,
        default=int(os.environ.get("WORKSHOP_PER_ADDRESS", "400")),
        metavar="N",
        help="the same, from one network address (phones behind one NAT share one; kept in memory only)",
    )
    serve.add_argument(
        "--joins-per-address",
        type=int,
        default=int(os.environ.get("WORKSHOP_JOINS_PER_ADDRESS", "6")),
        metavar="N",
        help="new phones one network address may join in ten minutes; raise it to the room's size when "
        "phones share an address (the kit on a remote server); kept in memory only",
    )
    serve.add_argument(
        "--certfile",
        default=os.environ.get("WORKSHOP_CERTFILE"),
        metavar="FILE",
        help="serve the participants' page over https with this certificate (PEM; with --keyfile)",
    )
    serve.add_argument(
        "--keyfile",
        default=os.environ.get("WORKSHOP_KEYFILE"),
        metavar="FILE",
        help="the certificate's private key (PEM, without a passphrase)",
    )
    serve.add_argument("--module", help="check that this module is valid before starting")
    support = command(cmd_support, "support")
    support.add_argument("--example", action="store_true", help="print a starting support file")
    command(cmd_list, "list")
    validate = command(cmd_validate, "validate")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="module files (default: all found)")
    validate.add_argument(
        "--draft",
        action="store_true",
        help="a draft still being written: its REVIEW marks are warnings, not errors",
    )
    new = command(cmd_new, "new")
    new.add_argument("id", metavar="ID", help="the new module's id: lowercase letters, digits and hyphens")
    new.add_argument(
        "--from",
        dest="source",
        metavar="MODULE",
        help="copy this module (an id, or the path of a module file) instead of writing a starting file",
    )
    drafting = command(cmd_import_article, "import-article")
    drafting.add_argument("file", metavar="FILE", help="the article, as plain text")
    drafting.add_argument("--id", help="the new module's id (default: from the article's title)")
    export = command(cmd_export, "export")
    export.add_argument("--code", help="the session's join code (without it: list the sessions)")
    export.add_argument("--session", type=int, metavar="N", help="the session's number")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("--out", metavar="FILE", help="write here instead of to the screen")
    export.add_argument(
        "--database",
        default=os.environ.get("WORKSHOP_DATABASE_URL"),
        help="SQLAlchemy URL (default: SQLite file data/workshop.sqlite3)",
    )
    purge = command(cmd_purge, "purge")
    which = purge.add_mutually_exclusive_group()
    which.add_argument("--code", help="purge this ended session now, whenever it ended")
    which.add_argument(
        "--ended-before",
        type=int,
        default=RETENTION_DAYS,
        metavar="DAYS",
        help="purge every session that ended more than DAYS days ago (workshop serve does so at start)",
    )
    purge.add_argument(
        "--database",
        default=os.environ.get("WORKSHOP_DATABASE_URL"),
        help="SQLAlchemy URL (default: SQLite file data/workshop.sqlite3)",
    )
    guide = command(cmd_guide, "guide")
    guide.add_argument("module", metavar="MODULE", help="a module id, or the path of a module file")
    guide.add_argument("--out", default=".", metavar="DIR", help="folder to write into (default: here)")
    handout = command(cmd_handout, "handout")
    handout.add_argument("module", metavar="MODULE", help="a module id, or the path of a module file")
    handout.add_argument("--out", default=".", metavar="DIR", help="folder to write into (default: here)")
    slides = command(cmd_slides, "slides")
    slides.add_argument("module", metavar="MODULE", help="a module id, or the path of a module file")
    slides.add_argument(
        "--out", default="slides", metavar="DIR", help="folder to write into (default: slides)"
    )
    slides.add_argument(
        "--join-url",
        metavar="URL",
        help="the participants' address for the join slide's QR code "
        "(default: WORKSHOP_PUBLIC_URL, else http://<this laptop's LAN address>:8866/)",
    )
    slides.add_argument(
        "--join-code",
        metavar="CODE",
        help="the session's join code, shown large on the join slide and carried by its QR code",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except WorkshopError as error:
        print(f"workshop {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
