# Import a record with its project ID, domain and record ID (the comwit_domain_records data
# source lists the IDs). Records managed by Automatic DNS hostnames cannot be imported.
terraform import comwit_domain_record.www prj_0123456789abcdef/example.com/rec_0123456789abcdef
