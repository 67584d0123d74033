# Import an alias by project, database and alias name.
terraform import comwit_database_alias.before_orders my-project-id/db-0123abcd/before-orders
