//! A paper sign-in sheet, typed into a spreadsheet after the event, recorded as check-ins.
//!
//! Columns (Japanese or English headers): 氏名 (required), ふりがな, メールアドレス, 所属, 法人番号,
//! 出欠 (○ / 出席 / 1 / yes …; without the column every listed person came). Each row is matched
//! to the event's registrations by e-mail, else by name (width and spaces folded) when exactly one
//! registration has it. Someone who came without registering (a walk-in) is registered and
//! checked in, which needs an e-mail and an organisation. A dry run reports every row; the import
//! writes all rows or none.

use crate::records::Registration;
use crate::sheets::read::read_table_bounded;
use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::event::{
    RegistrationData, RegistrationInput, RegistrationSource, match_organisation,
};
use noguchi_domain::text::search_key;
use noguchi_domain::{Invalid, Problem, access};
use noguchi_storage::{NewRegistration, random_token, token_hash};

const COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "氏名", "お名前", "名前"]),
    (
        "name_kana",
        &["name_kana", "kana", "ふりがな", "フリガナ", "よみがな"],
    ),
    (
        "email",
        &[
            "email",
            "e-mail",
            "mail",
            "メールアドレス",
            "メール",
            "電子メール",
        ],
    ),
    (
        "organisation_name",
        &[
            "organisation",
            "organization",
            "organisation_name",
            "所属",
            "会社名",
            "団体名",
            "企業名",
        ],
    ),
    ("corporate_number", &["corporate_number", "法人番号"]),
    (
        "attended",
        &["attended", "出欠", "出席", "出席確認", "受付"],
    ),
];

/// What a row of the sheet comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttendanceAction {
    /// A registration to check in.
    CheckIn { registration_id: String },
    /// Already checked in: nothing to do.
    Already { registration_id: String },
    /// Someone who came without registering: registered and checked in.
    WalkIn,
    /// Marked absent: nothing recorded (a confirmed registration not checked in is a no-show).
    Absent,
}

#[derive(Debug, Clone)]
pub struct AttendanceRow {
    /// The row number in the file (the header is row 1).
    pub row: usize,
    pub name: String,
    pub action: Result<AttendanceAction, Invalid>,
    walk_in: Option<NewRegistration>,
}

#[derive(Debug, Clone)]
pub struct AttendanceImport {
    pub rows: Vec<AttendanceRow>,
    pub dry_run: bool,
    /// Check-ins and walk-ins written (0 on a dry run or when any row is invalid).
    pub recorded: usize,
}

impl AttendanceImport {
    pub fn invalid(&self) -> usize {
        self.rows.iter().filter(|r| r.action.is_err()).count()
    }
}

/// Whether a cell says the person came.
fn came(cell: Option<&str>) -> Option<bool> {
    let c = noguchi_domain::text::fold_width(cell?.trim()).to_lowercase();
    match c.as_str() {
        "" => Some(false),
        "○" | "◯" | "〇" | "o" | "出" | "出席" | "済" | "受付済" | "1" | "yes" | "y" | "true"
        | "✓" | "レ" => Some(true),
        "×" | "x" | "欠" | "欠席" | "0" | "no" | "n" | "false" | "-" | "ー" => Some(false),
        _ => None,
    }
}

impl App {
    /// Reads a sign-in sheet of an event and, unless `dry_run`, records every row: all or none.
    pub async fn import_attendance(
        &self,
        sight: &Sight,
        event_id: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<AttendanceImport> {
        let event = self.store.event(sight, event_id).await?;
        let grant = access::manage_events(signed_in(sight)?, &event.programme_id)?;
        let registrations = self.store.registrations(sight, event_id).await?;
        let table = read_table_bounded(bytes.to_vec()).await?;
        let Some((header, body)) = table.split_first() else {
            return Err(Error::field("file", Problem::Required));
        };
        let index = |field: &str| {
            let names = COLUMNS
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(&[][..], |(_, n)| *n);
            header.iter().position(|h| {
                let h = noguchi_domain::text::fold_width(h.trim()).to_lowercase();
                names.iter().any(|n| h == n.to_lowercase())
            })
        };
        let Some(name_col) = index("name") else {
            return Err(Error::field("name", Problem::Required));
        };
        let attended_col = index("attended");
        let directory = self.store.directory_entries().await?;
        let live: Vec<&Registration> = registrations
            .iter()
            .filter(|r| r.status != noguchi_domain::event::RegistrationStatus::Cancelled)
            .collect();
        let mut rows = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (n, row) in body.iter().enumerate() {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cell = |i: Option<usize>| {
                i.and_then(|i| row.get(i))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
            };
            let name = cell(Some(name_col)).unwrap_or_default();
            let mut errs = Invalid::default();
            let present = match attended_col {
                None => true,
                Some(i) => match came(row.get(i).map(String::as_str)) {
                    Some(p) => p,
                    None => {
                        errs.push(
                            "attended",
                            Problem::UnknownValue {
                                value: row.get(i).cloned().unwrap_or_default(),
                            },
                        );
                        false
                    }
                },
            };
            let email = cell(index("email")).and_then(|e| {
                noguchi_domain::person::Email::parse(&e)
                    .map(|e| e.as_str().to_owned())
                    .map_err(|p| errs.push("email", p))
                    .ok()
            });
            if name.is_empty() {
                errs.push("name", Problem::Required);
            }
            let by_email = email
                .as_ref()
                .and_then(|e| live.iter().find(|r| &r.data.email == e));
            let name_key = search_key(&name);
            let by_name: Vec<&&Registration> = live
                .iter()
                .filter(|r| !name_key.is_empty() && search_key(&r.data.name) == name_key)
                .collect();
            let found = by_email.or(match by_name.as_slice() {
                [one] => Some(*one),
                _ => None,
            });
            let mut walk_in = None;
            let action = if !errs.is_empty() {
                Err(errs)
            } else if !present {
                Ok(AttendanceAction::Absent)
            } else if let Some(r) = found {
                if !seen.insert(r.id.clone()) {
                    Err(Invalid::one("name", Problem::Taken))
                } else if r.checked_in_at.is_some() {
                    Ok(AttendanceAction::Already {
                        registration_id: r.id.clone(),
                    })
                } else {
                    Ok(AttendanceAction::CheckIn {
                        registration_id: r.id.clone(),
                    })
                }
            } else {
                // Not registered: a walk-in, who needs what any registration needs.
                let input = RegistrationInput {
                    name: Some(name.clone()),
                    name_kana: cell(index("name_kana")),
                    email: email.clone(),
                    organisation_name: cell(index("organisation_name")),
                    corporate_number: cell(index("corporate_number")),
                    ..RegistrationInput::default()
                };
                match RegistrationData::parse(&input) {
                    Err(e) => Err(e),
                    Ok(data) if !seen.insert(format!("email:{}", data.email)) => {
                        Err(Invalid::one("email", Problem::Taken))
                    }
                    Ok(data) => {
                        let (organisation_id, organisation_match) = match_organisation(
                            &data.organisation_name,
                            data.corporate_number.as_deref(),
                            &directory,
                        );
                        walk_in = Some(NewRegistration {
                            data,
                            organisation_id,
                            organisation_match,
                            user_id: None,
                            source: RegistrationSource::Staff,
                            manage_token_hash: Some(token_hash(&random_token(16))),
                        });
                        Ok(AttendanceAction::WalkIn)
                    }
                }
            };
            rows.push(AttendanceRow {
                row: n + 2,
                name,
                action,
                walk_in,
            });
        }
        let mut import = AttendanceImport {
            rows,
            dry_run,
            recorded: 0,
        };
        if dry_run || import.invalid() > 0 {
            return Ok(import);
        }
        let check_ins: Vec<String> = import
            .rows
            .iter()
            .filter_map(|r| match &r.action {
                Ok(AttendanceAction::CheckIn { registration_id }) => Some(registration_id.clone()),
                _ => None,
            })
            .collect();
        let walk_ins: Vec<NewRegistration> = import
            .rows
            .iter()
            .filter_map(|r| r.walk_in.clone())
            .collect();
        import.recorded = self
            .store
            .record_attendance(&grant, event_id, &check_ins, walk_ins)
            .await?;
        Ok(import)
    }
}

#[cfg(test)]
mod tests {
    use super::came;

    #[test]
    fn marks_people_write_for_came_and_did_not() {
        for yes in ["○", "◯", "出席", "１", "Yes", "✓"] {
            assert_eq!(came(Some(yes)), Some(true), "{yes}");
        }
        for no in ["", "×", "欠席", "0", "no"] {
            assert_eq!(came(Some(no)), Some(false), "{no}");
        }
        assert_eq!(came(Some("たぶん")), None);
    }
}
