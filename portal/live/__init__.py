"""Live order pages: the change hub every order change goes through (`hub`: in-process, the
live_changes table between processes on SQLite, LISTEN/NOTIFY on PostgreSQL), the panels an open
page refreshes with their ETags (`panels`), and the cached rendered pages (`pagecache`)."""
