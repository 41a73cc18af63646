"""Parse the first K meetings of the cached 5,000-meeting database as a rebuild's parsing worker
does, and ship them (pickle and unpickle): a fixed amount of work to count instructions over, which
the machine's load does not change, as its time does. Counted by the difference of two runs:

    valgrind --tool=callgrind --callgrind-out-file=200.out python -m bench.parse_instructions 200
    valgrind --tool=callgrind --callgrind-out-file=1200.out python -m bench.parse_instructions 1200

then (the `summary:` line of 1200.out − that of 200.out) / 1,000 = instructions per meeting. The
database must exist first (`python -m bench --only rebuild --sizes 5000` makes it): building it
under valgrind would take hours."""

from __future__ import annotations

import pickle
import sys

from bench.databases import import_moment
from bench.harness import OUT

DATABASE = OUT / "db" / "congress-5000.db"


def main(count: int) -> None:
    from hearings.store.archive_latest import latest_packed_versions
    from hearings.store.opening import open_database
    from hearings.store.search_documents import stored_index_names
    from hearings.sync.rebuild_derive import parse_meeting_chunk

    if not DATABASE.exists():
        sys.exit(f"{DATABASE} does not exist: `python -m bench --only rebuild` makes it.")
    engine = open_database(f"sqlite:///{DATABASE}")
    with engine.connect() as connection:
        versions = list(latest_packed_versions(connection, "meeting"))[:count]
        names = stored_index_names(connection)
    engine.dispose()
    parsed = parse_meeting_chunk(versions, import_moment().replace(tzinfo=None), names)
    pickle.loads(pickle.dumps(parsed))


if __name__ == "__main__":
    main(int(sys.argv[1]))
