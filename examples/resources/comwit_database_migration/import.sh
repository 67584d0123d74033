# Import an applied migration by project, database and migration name. Its SQL comes from the
# database's record (for migrations of at most 48 KiB): keep the same `sql` in the configuration.
terraform import comwit_database_migration.users my-project-id/db-0123abcd/0001_users
