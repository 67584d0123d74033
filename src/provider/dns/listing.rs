//! What the list resources of this folder share (`terraform query`, Terraform 1.14+): listing
//! one platform collection that may be gone by the time it is read (the records of a domain,
//! the hostnames of an app).

use crate::api::Pages;
use crate::provider::common::{api_error, call};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::resource::{Ctx, ListSink, Listed};

/// How listing one collection ended.
#[derive(Debug, PartialEq)]
pub(super) enum Sent {
    /// Every item was sent (or skipped by the filter).
    All,
    /// The sink refused: Terraform has what it asked for.
    Stopped,
    /// The collection does not exist (a 404 for its first page, or a later one).
    Gone,
}

/// Sends every item of a paged collection that `listed` turns into a result, a page at a time,
/// so that a list Terraform stops early reads no further pages. `what` names the collection in
/// error messages ("the records of example.com").
pub(super) async fn send_each<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    mut pages: Pages<'_, T>,
    what: &str,
    mut listed: impl FnMut(T) -> Result<Option<Listed>, Diagnostics>,
) -> Result<Sent, Diagnostics> {
    loop {
        // No page is read once Terraform's limit is reached.
        if !sink.wants_more() {
            return Ok(Sent::Stopped);
        }
        let page = match call(ctx, pages.next()).await {
            Ok(Some(page)) => page,
            Ok(None) => return Ok(Sent::All),
            Err(e) if e.is_not_found() => return Ok(Sent::Gone),
            Err(e) => return Err(api_error(&format!("list {what}"), &e)),
        };
        for item in page {
            if let Some(item) = listed(item)? {
                if !sink.send(item).await {
                    return Ok(Sent::Stopped);
                }
            }
        }
    }
}
