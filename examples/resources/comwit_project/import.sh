# Import a project by its ID.
terraform import comwit_project.shop prj_0123456789abcdef
