"""A database reached through a symbolic link (`hearings.db -> /data/hearings.db`, a common way to
keep data on another disk): what replaces the database replaces the file the link names, and the
link stays a link."""

from __future__ import annotations

import shutil

import pytest

from tests.store.conftest import Site


@pytest.fixture
def linked(site: Site) -> Site:
    """The site's database moved to another folder, and a link in its place."""
    elsewhere = site.folder / "disk"
    elsewhere.mkdir()
    shutil.move(site.database, elsewhere / "hearings.db")
    site.database.symlink_to(elsewhere / "hearings.db")
    return site


def _meetings(site: Site) -> str:
    exported = site.cli("export", "hearings")
    assert exported.returncode == 0, exported.stderr
    return exported.stdout


def test_a_rebuild_replaces_the_linked_file_and_keeps_the_link(linked: Site) -> None:
    target = linked.database.resolve()
    before = _meetings(linked)

    rebuilt = linked.cli("rebuild")

    assert rebuilt.returncode == 0, rebuilt.stderr
    assert linked.database.is_symlink() and linked.database.resolve() == target
    assert _meetings(linked) == before
    # The file set aside is the target's, beside it; nothing new sits beside the link.
    assert list(target.parent.glob("hearings.db.replaced-*"))
    assert not list(linked.database.parent.glob("hearings.db.replaced-*"))


def test_a_restore_replaces_the_linked_file_and_keeps_the_link(linked: Site) -> None:
    target = linked.database.resolve()
    before = _meetings(linked)
    created = linked.cli("backup", "create")
    assert created.returncode == 0, created.stderr
    (backup,) = linked.backups.glob("*.db")

    restored = linked.cli("backup", "restore", str(backup))

    assert restored.returncode == 0, restored.stderr
    assert linked.database.is_symlink() and linked.database.resolve() == target
    assert _meetings(linked) == before
