# Import a database with its project ID and database ID. An imported database is protected
# (deletion_protection = true) unless the configuration says otherwise.
terraform import comwit_database.orders my-project-id/db-0123abcd
