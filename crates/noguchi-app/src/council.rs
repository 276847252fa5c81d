//! The liaison council: the secretariat schedules meetings, sets their agenda (public or
//! withheld), records decisions with the actions they give to member organisations, tracks the
//! actions and publishes the minutes. The programme's members read everything of it; anyone,
//! without an account, reads a published meeting with its withheld items reduced to a reason.

use crate::{App, Error, Result, Sight, signed_in};
use noguchi_domain::access;
use noguchi_domain::council::{
    ActionStatus, AgendaData, AgendaInput, MinutesItem, overdue, visible_to_public,
};
use noguchi_domain::event::parse_instant;
use noguchi_domain::validation::{optional_text, required_text};
use noguchi_domain::{Invalid, Problem};
use noguchi_storage::{Action, AgendaItem, CouncilDecision, Meeting, NewAction};

/// A meeting as the reader may see it.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: Meeting,
    /// The reader belongs to the programme (and reads withheld items in full).
    pub member: bool,
}

/// An action with its overdue flag on today's date.
#[derive(Debug, Clone)]
pub struct ActionView {
    pub action: Action,
    pub overdue: bool,
}

/// An action of a decision as submitted.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub owner_organisation_id: Option<String>,
    pub text: Option<String>,
    pub due: Option<String>,
}

/// Whether the caller belongs to the programme (or administers the installation).
fn member_of(sight: &Sight, programme_id: &str) -> bool {
    sight
        .principal()
        .is_some_and(|p| p.admin || p.programmes.iter().any(|r| r.programme_id == programme_id))
}

/// What a reader outside the programme reads of a published meeting: withheld items as their
/// reason only, without their decisions or actions.
fn public_view(mut m: Meeting) -> Meeting {
    let withheld: Vec<String> = m
        .agenda
        .iter()
        .filter(|a| a.data.withheld.is_some())
        .map(|a| a.id.clone())
        .collect();
    m.agenda = m
        .agenda
        .into_iter()
        .map(|a| {
            let item = visible_to_public(MinutesItem::<()> {
                title: a.data.title,
                withheld: a.data.withheld,
                decisions: Vec::new(),
            });
            AgendaItem {
                id: a.id,
                data: AgendaData {
                    title: item.title,
                    withheld: item.withheld,
                    presenter: a.data.presenter.filter(|_| item.withheld.is_none()),
                },
            }
        })
        .collect();
    m.decisions.retain(|d| {
        d.agenda_item_id
            .as_ref()
            .is_none_or(|i| !withheld.contains(i))
    });
    m
}

fn meeting_fields(
    title: Option<&str>,
    held_at: Option<&str>,
    venue: Option<&str>,
) -> std::result::Result<(String, String, Option<String>), Invalid> {
    let mut errs = Invalid::default();
    let title = errs.take("title", required_text(title, 300));
    let held_at = errs.take(
        "held_at",
        match held_at.map(str::trim) {
            None | Some("") => Err(Problem::Required),
            Some(h) => parse_instant(h).map(|_| h.to_owned()),
        },
    );
    let venue = errs.take("venue", optional_text(venue, 300)).flatten();
    if !errs.is_empty() {
        return Err(errs.scoped("meeting"));
    }
    Ok((title.expect("checked"), held_at.expect("checked"), venue))
}

impl App {
    pub async fn create_meeting(
        &self,
        sight: &Sight,
        programme_id: &str,
        title: Option<&str>,
        held_at: Option<&str>,
        venue: Option<&str>,
    ) -> Result<Meeting> {
        let grant = access::run_council(signed_in(sight)?, programme_id)?;
        self.store.programme(programme_id).await?;
        let (title, held_at, venue) = meeting_fields(title, held_at, venue)?;
        Ok(self
            .store
            .create_meeting(&grant, programme_id, &title, &held_at, venue.as_deref())
            .await?)
    }

    /// The meeting to change: seen as a member first (else "not found"), then the right to run
    /// the council.
    async fn meeting_to_run(
        &self,
        sight: &Sight,
        id: &str,
    ) -> Result<(Meeting, access::Granted<access::permission::RunCouncil>)> {
        let m = self.store.meeting(id).await?;
        if !member_of(sight, &m.programme_id) {
            return Err(Error::NotFound);
        }
        let grant = access::run_council(signed_in(sight)?, &m.programme_id)?;
        Ok((m, grant))
    }

    pub async fn update_meeting(
        &self,
        sight: &Sight,
        id: &str,
        title: Option<&str>,
        held_at: Option<&str>,
        venue: Option<&str>,
    ) -> Result<Meeting> {
        let (_, grant) = self.meeting_to_run(sight, id).await?;
        let (title, held_at, venue) = meeting_fields(title, held_at, venue)?;
        Ok(self
            .store
            .update_meeting(&grant, id, &title, &held_at, venue.as_deref())
            .await?)
    }

    /// A meeting: in full for the programme's members; published, to anyone, with its withheld
    /// items reduced to a reason; otherwise "not found".
    pub async fn meeting(&self, sight: &Sight, id: &str) -> Result<MeetingView> {
        let m = self.store.meeting(id).await?;
        if member_of(sight, &m.programme_id) {
            return Ok(MeetingView {
                meeting: m,
                member: true,
            });
        }
        if m.published_at.is_none() {
            return Err(Error::NotFound);
        }
        Ok(MeetingView {
            meeting: public_view(m),
            member: false,
        })
    }

    /// The programme's meetings: all for its members, the published ones (as the public reads
    /// them) for anyone else.
    pub async fn meetings(&self, sight: &Sight, programme_id: &str) -> Result<Vec<MeetingView>> {
        self.store.programme(programme_id).await?;
        let member = member_of(sight, programme_id);
        Ok(self
            .store
            .meetings(programme_id)
            .await?
            .into_iter()
            .filter(|m| member || m.published_at.is_some())
            .map(|m| MeetingView {
                meeting: if member { m } else { public_view(m) },
                member,
            })
            .collect())
    }

    pub async fn add_agenda_item(
        &self,
        sight: &Sight,
        meeting_id: &str,
        input: &AgendaInput,
    ) -> Result<AgendaItem> {
        let (_, grant) = self.meeting_to_run(sight, meeting_id).await?;
        let data = AgendaData::parse(input)?;
        Ok(self.store.add_agenda_item(&grant, meeting_id, data).await?)
    }

    pub async fn add_decision(
        &self,
        sight: &Sight,
        meeting_id: &str,
        text: Option<&str>,
        agenda_item_id: Option<&str>,
        actions: &[ActionInput],
    ) -> Result<CouncilDecision> {
        let (_, grant) = self.meeting_to_run(sight, meeting_id).await?;
        let mut errs = Invalid::default();
        let text = errs.take("text", required_text(text, 2000));
        if actions.len() > 50 {
            errs.push("actions", Problem::OutOfRange { min: 0, max: 50 });
        }
        let mut parsed = Vec::new();
        for (i, a) in actions.iter().take(50).enumerate() {
            let owner = errs.take(
                &format!("actions[{i}].owner_organisation_id"),
                required_text(a.owner_organisation_id.as_deref(), 100),
            );
            let t = errs.take(
                &format!("actions[{i}].text"),
                required_text(a.text.as_deref(), 1000),
            );
            let due = errs.take(
                &format!("actions[{i}].due"),
                match a.due.as_deref().map(str::trim) {
                    None | Some("") => Err(Problem::Required),
                    Some(d) => noguchi_domain::dates::parse_date(d),
                },
            );
            if let (Some(owner), Some(text), Some(due)) = (owner, t, due) {
                parsed.push(NewAction {
                    owner_organisation_id: owner,
                    text,
                    due,
                });
            }
        }
        let item = agenda_item_id.map(str::trim).filter(|i| !i.is_empty());
        let (Some(text), true) = (text, errs.is_empty()) else {
            return Err(Error::Invalid(errs.scoped("decision")));
        };
        Ok(self
            .store
            .add_decision(&grant, meeting_id, item, &text, &parsed)
            .await?)
    }

    /// The programme's actions with their overdue flag, for its members; `status` narrows them.
    pub async fn council_actions(
        &self,
        sight: &Sight,
        programme_id: &str,
        status: Option<&str>,
    ) -> Result<Vec<ActionView>> {
        signed_in(sight)?;
        self.store.programme(programme_id).await?;
        if !member_of(sight, programme_id) {
            return Err(Error::NotFound);
        }
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(ActionStatus::parse(s).map_err(|p| Error::field("status", p))?),
        };
        let today = self.today();
        Ok(self
            .store
            .council_actions(programme_id, status)
            .await?
            .into_iter()
            .map(|a| ActionView {
                overdue: overdue(a.status, a.due, today),
                action: a,
            })
            .collect())
    }

    pub async fn set_action_status(
        &self,
        sight: &Sight,
        id: &str,
        status: Option<&str>,
        note: Option<&str>,
    ) -> Result<ActionView> {
        let a = self.store.council_action(id).await?;
        let (_, grant) = self.meeting_to_run(sight, &a.meeting_id).await?;
        let to = match status.map(str::trim) {
            None | Some("") => Err(Problem::Required),
            Some(s) => ActionStatus::parse(s),
        }
        .map_err(|p| Error::field("status", p))?;
        if let Some(n) = note
            && n.chars().count() > 2000
        {
            return Err(Error::field("note", Problem::TooLong { max: 2000 }));
        }
        let a = self.store.set_action_status(&grant, id, to, note).await?;
        Ok(ActionView {
            overdue: overdue(a.status, a.due, self.today()),
            action: a,
        })
    }

    /// The open actions the caller's organisation owns, in every programme it belongs to.
    pub async fn own_council_actions(&self, sight: &Sight) -> Result<Vec<ActionView>> {
        let p = signed_in(sight)?;
        let today = self.today();
        let mut out = Vec::new();
        for r in &p.programmes {
            for a in self
                .store
                .council_actions(&r.programme_id, Some(ActionStatus::Open))
                .await?
            {
                if a.owner_organisation_id == p.organisation_id {
                    out.push(ActionView {
                        overdue: overdue(a.status, a.due, today),
                        action: a,
                    });
                }
            }
        }
        out.sort_by_key(|v| v.action.due);
        Ok(out)
    }

    pub async fn publish_meeting(&self, sight: &Sight, id: &str) -> Result<Meeting> {
        let (_, grant) = self.meeting_to_run(sight, id).await?;
        Ok(self.store.publish_meeting(&grant, id).await?)
    }
}
