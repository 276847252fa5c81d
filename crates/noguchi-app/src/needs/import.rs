//! Importing needs from a sheet (XLSX, or CSV in UTF-8 or Shift_JIS): every row is checked and
//! screened by the guard, flagged rows are stored held, and nothing is written unless every row
//! is valid (all rows or none). A dry run reports what an import would do.

use crate::records::Intake;
use crate::sheets::rows::{CheckedNeed, check_needs};
use crate::{App, Result, Sight, signed_in};
use noguchi_domain::access;

/// What an import found in a sheet, and what it wrote.
pub struct NeedImport {
    pub dry_run: bool,
    /// Every row, checked and screened.
    pub rows: Vec<CheckedNeed>,
    /// Needs written (0 on a dry run, or when any row is invalid).
    pub imported: usize,
}

impl NeedImport {
    pub fn invalid(&self) -> usize {
        self.rows.iter().filter(|r| r.data.is_err()).count()
    }

    pub fn valid(&self) -> usize {
        self.rows.len() - self.invalid()
    }

    /// Valid rows the guard flags (they are stored held).
    pub fn held(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.data.as_ref().is_ok_and(|(_, f)| !f.is_empty()))
            .count()
    }

    /// An import that was asked for and refused because of invalid rows.
    pub fn refused(&self) -> bool {
        !self.dry_run && self.invalid() > 0
    }
}

impl App {
    /// Checks (and, unless a dry run or any row is invalid, stores) the needs of a sheet. The
    /// secretariat files a hospital's sheet (rows may name the submitting organisation); a
    /// hospital files only its own. An unreadable file is invalid input (`file`).
    pub async fn import_needs(
        &self,
        sight: &Sight,
        programme_id: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<NeedImport> {
        let grant = access::submit_need(signed_in(sight)?, programme_id)?;
        self.store.programme(programme_id).await?;
        let rows = check_needs(self, bytes, |o| grant.covers(Some(o))).await?;
        let mut out = NeedImport {
            dry_run,
            rows,
            imported: 0,
        };
        if dry_run || out.invalid() > 0 {
            return Ok(out);
        }
        let rows = out
            .rows
            .iter()
            .filter_map(|r| {
                let (data, findings) = r.data.clone().ok()?;
                let intake = Intake {
                    on_behalf_of: r.organisation.as_ref().map(|o| o.id.clone()),
                    ..Intake::default()
                };
                Some((data, findings, intake))
            })
            .collect();
        out.imported = self
            .store
            .import_needs(&grant, programme_id, rows)
            .await?
            .len();
        Ok(out)
    }
}
