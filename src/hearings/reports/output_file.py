"""A file a command writes whole or not at all: the text goes to `<file>.partial` and replaces the
file only when complete. A path that cannot be a file is refused before anything is written, and
a failed write leaves no `.partial` behind.

Only a regular file can be replaced so. A symbolic link is followed: its target is written whole
and the link stays. A pipe, a device or a descriptor (`/dev/stdout`, `/dev/null`, a FIFO, the
`/dev/fd/63` of `--output >(gzip > x.gz)`) is written to as it is: replacing it would put a
regular file in its place (as root, even over `/dev/null`) and the reader would get nothing."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from hearings.errors import HearingsError, UsageError, quoted

# The output path that means standard output, as in most command-line tools.
STANDARD_OUTPUT = "-"


def means_standard_output(path: Path | None) -> bool:
    """No path, or `-`: the text goes to standard output."""
    return path is None or str(path) == STANDARD_OUTPUT


# The files SQLite and the writer lock keep beside a database, named after it.
DATABASE_COMPANIONS = ("-wal", "-shm", "-journal", ".lock")


def check_output_path(
    path: Path, option: str = "--output", *, database: Path | None = None
) -> None:
    """Refuse, in one sentence (a usage error, exit 2), a path that names a folder, lies in no
    folder, is the `database` (or a file SQLite keeps beside it), which the written file would
    replace, or that the file system refuses by its name: too long, or a symbolic link loop."""
    try:
        _check_output_path(path, option, database)
    except RuntimeError:
        # Path.resolve's word for a symbolic link loop (Python 3.11): it was an internal error.
        raise UsageError(f"{option} {path}: {_LOOP}.") from None
    except OSError as exc:
        # Checked here so that the refusal is the option's (exit 2), like the ones above, not a
        # failed write (exit 1).
        if exc.errno == errno.ENAMETOOLONG:
            raise UsageError(f"{option} {quoted(str(path))}: {_TOO_LONG}.") from None
        if exc.errno == errno.ELOOP:
            raise UsageError(f"{option} {path}: {_LOOP}.") from None
        raise


_TOO_LONG = "its name is too long for the file system; give a shorter one"
_LOOP = "it is a symbolic link that leads back to itself (a loop); point it elsewhere"


def _check_output_path(path: Path, option: str, database: Path | None) -> None:
    if database is not None and _is_database_file(path, database):
        raise UsageError(
            f"{option} {path} is the database itself (or a file SQLite keeps beside it); "
            "give the name of another file."
        )
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give the name of a file to write.")
    if path.is_symlink():
        # A loop raises here, before anything is written; a link to a file not there yet is
        # written as a new file.
        with suppress(FileNotFoundError):
            path.resolve(strict=True)
    parent = path.parent
    if not parent.exists():
        raise UsageError(f"{option} {path}: the folder {parent} does not exist.")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is not a folder.")


def _is_database_file(path: Path, database: Path) -> bool:
    target = path.resolve()
    named = database.resolve()
    if target in {named, *(named.with_name(named.name + c) for c in DATABASE_COMPANIONS)}:
        return True
    # Another name for the same file (a hard link).
    return target.exists() and named.exists() and target.samefile(named)


def _is_a_stream(path: Path) -> bool:
    """Whether `path` is a pipe, device or descriptor rather than a file that can be replaced."""
    if str(path).startswith(("/dev/", "/proc/")):
        return path.exists()  # /dev/stdout is a regular file when the shell redirected it
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # not there yet (or a dangling link): a new file


@contextmanager
def written_whole(path: Path, option: str = "--output") -> Iterator[TextIO]:
    """A handle whose text becomes `path` when the block ends without error, and nothing else
    (for a pipe or device, see above: the text as it is written)."""
    check_output_path(path, option)
    try:
        if _is_a_stream(path):
            with path.open("w", encoding="utf-8", newline="") as stream:
                yield stream
            return
    except OSError as exc:
        raise HearingsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    # A link's target is the file to replace, so the link keeps pointing at it.
    final = Path(os.path.realpath(path)) if path.is_symlink() else path
    temporary = _partial_file(final)
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        temporary.replace(final)
    except OSError as exc:
        raise HearingsError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    finally:
        # Gone already after a successful replace; a failed write must not leave it behind.
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def _partial_file(final: Path) -> Path:
    """`<file>.partial`, beside `final`; for a name within 8 bytes of the file system's limit,
    the name is cut so that the suffix fits: the file itself can have such a name."""
    suffix = ".partial"
    try:
        limit = os.pathconf(final.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255  # the common limit: ext4, XFS, btrfs, APFS, tmpfs
    name = final.name
    while name and len(os.fsencode(name + suffix)) > limit:
        name = name[:-1]
    return final.with_name(name + suffix)
