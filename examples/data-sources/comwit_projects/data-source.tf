# Every project your token's user is a member of.
data "comwit_projects" "all" {}

output "project_ids_by_name" {
  value = { for p in data.comwit_projects.all.projects : p.name => p.id }
}
