# Terraform 1.12 and later: import a record by its identity (the comwit_domain_records data
# source and the comwit_domain_record list resource show record IDs). `project_id` may be
# left out to use the provider's default project. Records managed by Automatic DNS hostnames
# cannot be imported.
import {
  to = comwit_domain_record.www
  identity = {
    project_id = "prj_0123456789abcdef"
    domain     = "example.com"
    record_id  = "rec_0123456789abcdef"
  }
}

resource "comwit_domain_record" "www" {
  project_id = "prj_0123456789abcdef"
  domain     = "example.com"
  name       = "www"
  type       = "CNAME"
  values     = ["target.example.net"]
}
