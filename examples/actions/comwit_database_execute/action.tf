# Run SQL on a database and see each statement's result:
#   terraform apply -invoke=action.comwit_database_execute.report
# An action runs every time it is invoked: for SQL that must run once, use
# comwit_database_migration.
action "comwit_database_execute" "report" {
  config {
    database_id = comwit_database.app.database_id
    sql         = "SELECT count(*) AS users FROM users; SELECT count(*) AS orders FROM orders"
  }
}

# Or a file of SQL text (a script or a dump, not a SQLite database file).
action "comwit_database_execute" "backfill" {
  config {
    database_id = comwit_database.app.database_id
    file        = "${path.module}/backfill.sql"
  }
}
