"""The `pocketmind daemon run|start|stop|status|install` commands."""

from __future__ import annotations

import logging
import os
import time

from pocketmind.daemon import Daemon
from pocketmind.daemon.service import DaemonRunning, install_service, running_daemon_pid, spawn, status_report, terminate
from pocketmind.keys import KEY_ENV, PROMPTED

from .output import OneLineRecords, plain, print_json


def log_to_stderr(debug: bool = False) -> None:
    """`daemon run` logs to the terminal (or, when started in the background, to the log file)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler.addFilter(OneLineRecords())
    logger = logging.getLogger("pocketmind")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False


def daemon_options(args) -> list[str]:
    """The run options of `daemon start`/`install`, passed on to `daemon run`."""
    return ["--quiet", str(args.quiet), "--rescan", str(args.rescan), "--poll", str(args.poll)]


def _key_for_daemon(engine) -> dict[str, str]:
    """A key typed at the prompt goes to the background daemon in its environment (readable by this
    user only); keys from the environment or the keyring it finds itself."""
    if engine.key is not None and engine.key.origin == PROMPTED:
        return {KEY_ENV: engine.key.value}
    return {}


def cmd_daemon(engine, args, out, err) -> int:
    home = args.home or os.environ.get("POCKETMIND_HOME")
    # Options given on the command line override config.toml for this run (not saved), checked
    # against the same ranges; the others come from config.toml.
    for key, option in (("daemon.quiet_seconds", "quiet"), ("daemon.rescan_minutes", "rescan"), ("daemon.poll_seconds", "poll")):
        if getattr(args, option, None) is not None:
            engine.settings.set(key, getattr(args, option))
    settings = engine.settings.daemon
    args.quiet, args.rescan, args.poll = settings.quiet_seconds, settings.rescan_minutes, settings.poll_seconds
    if args.action == "run":
        log_to_stderr(args.debug)
        daemon = Daemon(engine, quiet_seconds=args.quiet, rescan_seconds=args.rescan * 60, poll_seconds=args.poll, handle_signals=True)
        try:
            daemon.run()
        except DaemonRunning as exc:
            err.print(f"[red]error:[/red] {plain(exc)}", highlight=False)
            return 1
        return 0
    if args.action == "start":
        pid = running_daemon_pid(engine.paths.state_dir)
        if pid is not None:
            out.print(f"the daemon is already running (pid {pid})")
            return 0
        pid = spawn(home, engine.paths.log_dir, engine.paths.state_dir, daemon_options(args), env=_key_for_daemon(engine))
        out.print(f"daemon started (pid {pid}); log: {plain(engine.paths.log_dir / 'daemon.log')}")
        return 0
    if args.action == "stop":
        pid = terminate(engine.paths.state_dir)
        out.print(f"daemon (pid {pid}) stopped" if pid else "the daemon is not running")
        return 0
    if args.action == "install":
        path, enable = install_service(home, daemon_options(args))
        out.print(f"wrote {plain(path)}\nenable it with:\n  {plain(enable)}", highlight=False, soft_wrap=True)
        return 0
    report = status_report(engine)
    if args.json:
        print_json(report)
        return 0
    if report["running"]:
        out.print(f"daemon running (pid {report['pid']}): {plain(report['activity'])}; {report['queue']} path(s) waiting")
    else:
        out.print("daemon not running (start it with `pocketmind daemon start`)")
    out.print(f"{report['documents']} documents, {report['chunks']} chunks")
    for name, info in report["last_indexed"].items():
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info["at"])) if info["at"] else "never"
        out.print(f"  {plain(name)}: {info['documents']} documents, last indexed {when}")
    for e in report["recent_errors"][:10]:
        out.print(f"[yellow]error[/yellow] {plain(e['source'])}/{plain(e['path'])}: {plain(e['error'])}")
    for e in report["daemon_errors"][:5]:
        out.print(f"[yellow]daemon error[/yellow] {plain(e['source'])}: {plain(e['error'])}")
    return 0
