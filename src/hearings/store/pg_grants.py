"""The rights other roles hold on a PostgreSQL database's tables and sequences, read before a
restore and given back after it.

A restore drops every table and makes it again (`pg_restore --clean`) without the dump's GRANTs
(`--no-privileges`: they may name roles this server lacks, and one failed GRANT would roll the
whole restore back). Without this, a team's read-only role for `hearings serve` lost SELECT on
every table, and the site answered 503 until someone granted it again by hand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

# Each right on a relation of the current schema held by a role other than its owner (grantee 0
# is PUBLIC). Column rights are not read: the schema never grants them.
_GRANTS = text(
    """
    SELECT c.relname, c.relkind, a.privilege_type, a.is_grantable,
           CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL aclexplode(c.relacl) a
    LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = current_schema() AND c.relacl IS NOT NULL
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee <> c.relowner
      AND (a.grantee = 0 OR r.oid IS NOT NULL)
    ORDER BY c.relname, grantee, a.privilege_type
    """
)


@dataclass(frozen=True)
class Grant:
    relation: str
    sequence: bool
    privilege: str
    grantable: bool
    grantee: str  # quoted as an identifier already, or PUBLIC

    def statement(self, connection: Connection) -> str:
        relation = connection.dialect.identifier_preparer.quote(self.relation)
        kind = "SEQUENCE" if self.sequence else "TABLE"
        option = " WITH GRANT OPTION" if self.grantable else ""
        return f"GRANT {self.privilege} ON {kind} {relation} TO {self.grantee}{option}"


def granted_rights(connection: Connection) -> list[Grant]:
    """What roles other than each relation's owner may do with it now."""
    return [
        Grant(name, kind == "S", privilege, bool(grantable), grantee)
        for name, kind, privilege, grantable, grantee in connection.execute(_GRANTS)
    ]


def give_back(connection: Connection, grants: list[Grant]) -> None:
    """Grant `grants` again, in the caller's transaction, on the relations that still exist."""
    present = set(
        connection.execute(
            text(
                "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
            )
        ).scalars()
    )
    for grant in grants:
        if grant.relation in present:
            # Names from the catalogue, quoted; the privilege is one of PostgreSQL's own words.
            connection.exec_driver_sql(grant.statement(connection))
