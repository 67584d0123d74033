# Import a storage with its project ID and its storage ID (or its name).
terraform import comwit_storage.assets prj_0123456789abcdef/stg_0123456789abcdef0123456789abcdef
