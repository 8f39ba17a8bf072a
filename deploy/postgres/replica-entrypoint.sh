#!/bin/bash
# The read replica: a hot standby cloned from the primary on first start (pg_basebackup -R writes
# standby.signal and primary_conninfo), then streaming. Read-only: the dashboards read here
# (DATABASE_REPLICA_URL, zoufang/core/dbrouter.py); writes are refused by PostgreSQL itself.
set -euo pipefail
PGDATA=${PGDATA:-/var/lib/postgresql/data}
mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until gosu postgres pg_basebackup --host="$PRIMARY_HOST" --username=replicator --pgdata="$PGDATA" \
        --wal-method=stream --slot=replica1 --write-recovery-conf --checkpoint=fast; do
    echo "replica: waiting for the primary"; rm -rf "${PGDATA:?}"/*; sleep 3
  done
fi
# hot_standby_feedback: a long dashboard query is not cancelled by the primary's vacuum (at some bloat);
# max_standby_streaming_delay bounds how far replay may wait behind such a query.
exec gosu postgres postgres -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=30s
