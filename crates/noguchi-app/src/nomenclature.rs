//! The nomenclature of medical devices: an administrator imports PMDA's list (XLSX or CSV, the
//! columns mapped or found by their usual headings, a dry run first, all rows or none); anyone
//! signed in looks names up; a project that names a general name found here takes its class
//! and certification standard from it when they are not given.

use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::access;
use noguchi_domain::nomenclature::{DeviceName, RowError, map_columns, read_rows};
use noguchi_domain::project::ProjectData;
use noguchi_storage::NomenclatureCounts;

/// What an import found (and, unless a dry run, did).
#[derive(Debug, Clone)]
pub struct NomenclatureImport {
    pub dry_run: bool,
    /// Rows read as general names.
    pub valid: usize,
    /// Rows refused, each with its row number and problems.
    pub errors: Vec<RowError>,
    pub counts: NomenclatureCounts,
    /// Written (not a dry run, and no row refused).
    pub applied: bool,
}

impl App {
    /// Checks a sheet of general names and, unless `dry_run` or a row is refused, keeps them.
    /// `columns` maps a field (code, name, class, standard, definition) to a heading.
    pub async fn import_nomenclature(
        &self,
        sight: &Sight,
        bytes: Vec<u8>,
        columns: &[(String, String)],
        dry_run: bool,
    ) -> Result<NomenclatureImport> {
        let grant = access::manage_nomenclature(signed_in(sight)?)?;
        let rows = crate::sheets::read::read_table_bounded(bytes).await?;
        let Some((header, rows)) = rows.split_first() else {
            return Err(Error::field("file", noguchi_domain::Problem::Required));
        };
        let cols =
            map_columns(header, columns).map_err(|e| Error::Invalid(noguchi_domain::Invalid(e)))?;
        let (names, errors) = read_rows(rows, &cols);
        let counts = if errors.is_empty() && !dry_run {
            self.store.import_device_names(&grant, &names).await?
        } else {
            self.store.compare_device_names(&names).await?
        };
        Ok(NomenclatureImport {
            dry_run,
            valid: names.len(),
            applied: errors.is_empty() && !dry_run,
            errors,
            counts,
        })
    }

    /// General names containing `q` (or whose JMDN code starts with it); the total kept.
    pub async fn device_names(
        &self,
        sight: &Sight,
        q: &str,
        limit: i64,
    ) -> Result<(i64, Vec<DeviceName>)> {
        signed_in(sight)?;
        Ok(self
            .store
            .device_names(q.trim(), limit.clamp(1, 100))
            .await?)
    }

    /// The general name a project names, when the nomenclature holds it.
    pub async fn device_name(&self, name: Option<&str>) -> Result<Option<DeviceName>> {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Ok(self.store.device_name(n).await?),
            None => Ok(None),
        }
    }

    /// A project's class and certification standard, filled from the nomenclature when the
    /// project names a general name it holds and leaves them open.
    pub(crate) async fn fill_from_nomenclature(&self, data: &mut ProjectData) -> Result<()> {
        if let Some(n) = self.device_name(data.general_name.as_deref()).await?
            && data.device_class.is_none()
        {
            data.device_class = Some(n.class);
            data.certification_standard = n.certification_standard;
        }
        Ok(())
    }
}
