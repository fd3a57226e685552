"""The database (engine, tables, SQLite specifics, the task statements) and the object store
for frames and videos (local folder or S3); nothing here knows about HTTP."""
