//! The audit log: who changed what, when, from what to what (the secretariat reads it).

use crate::records::{AuditEntry, AuditFilter, Page};
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::access;

pub use noguchi_storage::BrokenLink;

impl App {
    /// Checks the audit log's hash chain (the machine's operator): how many records hold and
    /// the head's hash, or the first broken record.
    pub async fn verify_audit(&self) -> Result<std::result::Result<(i64, String), BrokenLink>> {
        Ok(self.store.verify_audit_chain().await?)
    }

    /// Changes, newest first.
    pub async fn audit_log(
        &self,
        sight: &Sight,
        filter: &AuditFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<Page<AuditEntry>> {
        let grant = access::view_audit(signed_in(sight)?)?;
        Ok(self
            .store
            .audit_log(&grant, sight, filter, cursor, limit)
            .await?)
    }
}
