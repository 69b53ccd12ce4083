"""The `pocketmind doctor [--repair]` command, and how a check is printed (also by `status`)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from pocketmind.paths import resolve_paths

from .output import plain, print_json


def print_checkup(out: Console, checkup: dict[str, Any], name: str) -> None:
    """One line when all is well, else each problem with its fix."""
    if checkup["ok"]:
        skipped = checkup.get("skipped")
        unchecked = f"; not reached in time: {plain(', '.join(skipped))} (`pocketmind doctor` checks all)" if skipped else ""
        out.print(f"{name}: ok ({checkup['seconds'] * 1000:.0f} ms{unchecked})", highlight=False)
        return
    out.print(f"[red]{name}: {len(checkup['problems'])} problem(s) in {plain(checkup['database'])}[/red]", highlight=False)
    for problem in checkup["problems"]:
        out.print(f"  [bold]{plain(problem['area'])}[/bold]: {plain(problem['detail'])}", highlight=False)
    for fix in dict.fromkeys(p["fix"] for p in checkup["problems"]):
        out.print(f"  fix: {plain(fix)}", highlight=False)


def cmd_doctor(args, out: Console, err: Console) -> int:
    from pocketmind.doctor import check

    paths = resolve_paths(args.home)
    key = _key(paths.database)
    checkup = check(paths.database, full=True, key=key)
    if not args.repair or checkup.ok:
        if args.json:
            print_json({"check": checkup.to_json()})
        else:
            print_checkup(out, checkup.to_json(), "full check")
        return 0 if checkup.ok else 1
    if not args.json:
        print_checkup(out, checkup.to_json(), "full check")
    report = _repair(paths, args, err, key)
    after = check(paths.database, full=True, key=key)
    if args.json:
        print_json({"check": checkup.to_json(), "repair": report.to_json(), "after": after.to_json()})
        return 0 if after.ok else 1
    _print_repair(out, report)
    print_checkup(out, after.to_json(), "after repair")
    return 0 if after.ok else 1


def _key(database) -> str | None:
    """The key of an encrypted database (environment, keyring or prompt); None for a plain one."""
    from pocketmind import keys
    from pocketmind.store.encryption import is_encrypted

    from .encryption import passphrase_prompt

    if not database.exists() or not is_encrypted(database):
        return None
    found = keys.find(database, passphrase_prompt())
    return found.value if found else None


def _repair(paths, args, err: Console, key: str | None):
    from pocketmind import settings as settings_mod
    from pocketmind.doctor import repair
    from pocketmind.engine import Engine, make_embedder
    from pocketmind.plugins import Plugins

    settings = settings_mod.load(paths.config_file)

    def embedder():
        return make_embedder(Plugins(paths=settings.plugins.paths), settings, paths)

    with err.status("repairing the database"):
        return repair(paths, embedder, lambda: Engine(home=args.home, settings=settings, key=key), key)


def _print_repair(out: Console, report) -> None:
    if report.started_empty:
        out.print(f"the database could not be opened: it was moved to {plain(report.set_aside)} and a new, empty one "
                  f"will be made. Add your sources again (`pocketmind add ...`) and run `pocketmind index`.", highlight=False)
        return
    copied = ", ".join(f"{n} {table}" for table, n in report.copied.items() if table in ("documents", "chunks"))
    out.print(f"repaired in {report.seconds:.1f} s: kept {copied}; {report.vectors_kept} vectors kept, "
              f"{report.embedded} chunks embedded again", highlight=False)
    if report.documents_dropped or report.reindexed:
        restored = sum(s["added"] for s in report.reindexed)
        out.print(f"documents were lost with the damaged pages ({report.documents_dropped} incomplete ones dropped); re-indexed "
                  f"{', '.join(plain(s['source']) for s in report.reindexed) or 'no sources'}: {restored} documents written again",
                  highlight=False)
    out.print(f"the damaged file is kept at {plain(report.set_aside)}; delete it once you are satisfied", highlight=False)
