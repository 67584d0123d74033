resource "comwit_database" "app" {
  name = "app"
}

# Each migration runs once, in one transaction with its record in the database's
# `_comwit_migrations` table. Chain them with depends_on; never edit one that was applied:
# add the next one instead.
resource "comwit_database_migration" "users" {
  database_id = comwit_database.app.database_id
  name        = "0001_users"
  sql         = <<-SQL
    CREATE TABLE users (
      id    INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE
    );
    CREATE INDEX users_by_email ON users (email);
  SQL
}

resource "comwit_database_migration" "orders" {
  database_id = comwit_database.app.database_id
  name        = "0002_orders"
  sql         = file("${path.module}/migrations/0002_orders.sql")
  depends_on  = [comwit_database_migration.users]
}
