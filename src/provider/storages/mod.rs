//! Storage buckets: the `comwit_storage` resource (with an identity), data source and list
//! resource, on the official CLI's `/v1/projects/{p}/storages` routes.

mod storage;
mod storage_data_source;
mod storage_list;

use std::sync::Arc;

use super::Shared;
use crate::tfplugin::resource::{DataSource, ListResource, Resource};
use crate::tfplugin::schema::validators::{self, Matches};

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(storage::StorageResource::new(shared.clone()))]
}

pub fn data_sources(shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(storage_data_source::StorageDataSource::new(
        shared.clone(),
    ))]
}

/// The list resources (`terraform query`, Terraform 1.14+) of the same types.
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![Arc::new(storage_list::StorageList::new(shared.clone()))]
}

/// Whether `name` can name a bucket. The platform's storages are R2 buckets (`provider: r2`)
/// and a storage's name becomes its bucket; the Comwit material states no rule of its own, so
/// these are R2's: 3 to 63 characters, lowercase letters, digits and hyphens, beginning and
/// ending with a letter or digit.
pub fn is_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The plan-time check of a storage's `name`.
pub fn bucket_name_validator() -> Matches {
    validators::matches(
        "be a bucket name: 3 to 63 characters of lowercase letters, digits and hyphens, \
         beginning and ending with a letter or digit (the name becomes the storage's R2 bucket)",
        is_bucket_name,
    )
}

#[cfg(test)]
mod tests {
    use super::is_bucket_name;

    #[test]
    fn bucket_names_follow_r2s_rules() {
        for ok in ["abc", "my-assets-01", "0a9", &"a".repeat(63)] {
            assert!(is_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            &"a".repeat(64),
            "My-Assets",
            "-assets",
            "assets-",
            "my_assets",
            "my.assets",
            "a b c",
            "",
        ] {
            assert!(!is_bucket_name(bad), "{bad}");
        }
    }
}
