# Import a project by its ID.
terraform import comwit_project.shop my-project-id
