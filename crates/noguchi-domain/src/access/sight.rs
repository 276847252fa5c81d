//! Reads are capabilities: what one caller may see, handed out by the policy.
//!
//! A [`Sight`] is made only here, from a verified principal (or for an anonymous visitor, or for
//! the system itself). Storage reads of confidential records take a `&Sight` and filter with it,
//! so a list, a count, an export or a search written tomorrow cannot forget the filter: without a
//! sight there is no read.

use super::{NeedScope, Principal, ProposalScope};

/// What one caller may read.
#[derive(Debug, Clone)]
pub struct Sight {
    who: Who,
    /// The audience tokens of the caller, as the search index and the need reads filter on.
    audience: Vec<String>,
}

#[derive(Debug, Clone)]
enum Who {
    Anonymous,
    Member(Box<Principal>),
    /// The machine's operator and the background workers (index rebuild, command line): every
    /// record. Never made from an HTTP request.
    System,
}

/// Which records of one programme a list may contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordFilter {
    /// Every record (the programme's secretariat).
    All,
    /// Records that name this organisation (shared with it, its own, or supported by it).
    Organisation(String),
    /// None at all (an anonymous visitor).
    Nothing,
}

/// The sight of a caller: `None` is an anonymous visitor. `all_programmes` lists every
/// programme's id; an administrator acts as the secretariat of each.
pub fn sight(p: Option<&Principal>, all_programmes: &[String]) -> Sight {
    Sight {
        audience: super::audience_of(p, all_programmes),
        who: match p {
            Some(p) => Who::Member(Box::new(p.clone())),
            None => Who::Anonymous,
        },
    }
}

/// The sight of the system itself (index rebuilds, the command line): sees every record.
/// The web crate never hands it to a request.
pub fn system_sight() -> Sight {
    Sight {
        who: Who::System,
        audience: Vec::new(),
    }
}

impl Sight {
    pub fn principal(&self) -> Option<&Principal> {
        match &self.who {
            Who::Member(p) => Some(p),
            _ => None,
        }
    }

    /// Signed in (or the system): the directory, seeds and the programme's figures are open to
    /// every member, never to an anonymous visitor.
    pub fn is_member(&self) -> bool {
        !matches!(self.who, Who::Anonymous)
    }

    pub fn is_system(&self) -> bool {
        matches!(self.who, Who::System)
    }

    /// The caller's organisation, when signed in.
    pub fn organisation(&self) -> Option<&str> {
        self.principal().map(|p| p.organisation_id.as_str())
    }

    /// The audience tokens to search with.
    pub fn audience(&self) -> &[String] {
        &self.audience
    }

    pub fn is_secretariat_of(&self, programme_id: &str) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => p.is_secretariat_of(programme_id),
            Who::Anonymous => false,
        }
    }

    /// The programmes whose records the caller reads as their secretariat; None for every
    /// programme (an administrator, the system).
    pub fn secretariat_programmes(&self) -> Option<Vec<String>> {
        match &self.who {
            Who::System => None,
            Who::Member(p) if p.admin => None,
            Who::Member(p) => Some(
                p.programmes
                    .iter()
                    .filter(|r| r.roles.contains(&super::Role::Secretariat))
                    .map(|r| r.programme_id.clone())
                    .collect(),
            ),
            Who::Anonymous => Some(Vec::new()),
        }
    }

    /// A clinical need, by its disclosure, hold and NDAs (the same tokens the index carries).
    pub fn need(&self, n: &NeedScope<'_>) -> bool {
        self.is_system() || super::may_see_need(&self.audience, n)
    }

    /// A confidential deal: the secretariat and the organisations it is shared with.
    pub fn deal(&self, programme_id: &str, shared_with: &[String]) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_deal(p, programme_id, shared_with),
            Who::Anonymous => false,
        }
    }

    /// Which deals of a programme a list may contain.
    pub fn deals_in(&self, programme_id: &str) -> RecordFilter {
        self.members_filter(programme_id)
    }

    /// An entry case: the secretariat, the firm and its supporters.
    pub fn entry_case(&self, programme_id: &str, firm_id: &str, supporters: &[String]) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_entry_case(p, programme_id, firm_id, supporters),
            Who::Anonymous => false,
        }
    }

    /// A project: its member organisations, the secretariat and the project-management role.
    pub fn project(&self, programme_id: &str, members: &[String]) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_project(p, programme_id, members),
            Who::Anonymous => false,
        }
    }

    /// Which entry cases of a programme a list may contain.
    pub fn entry_cases_in(&self, programme_id: &str) -> RecordFilter {
        self.members_filter(programme_id)
    }

    fn members_filter(&self, programme_id: &str) -> RecordFilter {
        match &self.who {
            Who::System => RecordFilter::All,
            Who::Member(p) if p.is_secretariat_of(programme_id) => RecordFilter::All,
            Who::Member(p) => RecordFilter::Organisation(p.organisation_id.clone()),
            Who::Anonymous => RecordFilter::Nothing,
        }
    }

    /// Pending and rejected outcomes (the secretariat's working data); others read verified ones.
    pub fn unverified_outcomes(&self, programme_id: &str) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_unverified(p, programme_id),
            Who::Anonymous => false,
        }
    }

    /// A match proposal: its sides (secretariat, proposer, candidate, the need's owner).
    pub fn proposal(&self, s: &ProposalScope<'_>) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_proposal(p, s),
            Who::Anonymous => false,
        }
    }

    /// A survey campaign: the secretariat, the needs-survey role and the campaign's organisation.
    pub fn campaign(&self, programme_id: &str, organisation_id: &str) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => {
                super::manage_campaigns(p, programme_id).is_ok()
                    || p.organisation_id == organisation_id
            }
            Who::Anonymous => false,
        }
    }

    /// An event: a public one anyone (its page is where guests register), another every
    /// signed-in user.
    pub fn event(&self, _programme_id: &str, public: bool) -> bool {
        public || self.is_member()
    }

    /// The registrations of a programme's events (names, e-mail addresses, attendance): the
    /// secretariat and the events role.
    pub fn registrations(&self, programme_id: &str) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::manage_events(p, programme_id).is_ok(),
            Who::Anonymous => false,
        }
    }

    /// A tie that exists through a confidential record between two organisations (an NDA): the
    /// programme's secretariat and the two organisations.
    pub fn private_tie(&self, programme_id: &str, a: &str, b: &str) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => {
                p.is_secretariat_of(programme_id)
                    || p.organisation_id == a
                    || p.organisation_id == b
            }
            Who::Anonymous => false,
        }
    }

    /// A person's contact details (personal data).
    pub fn contact(&self, person_organisation: Option<&str>) -> bool {
        match &self.who {
            Who::System => true,
            Who::Member(p) => super::may_see_contact(p, person_organisation),
            Who::Anonymous => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{ProgrammeRoles, Role};
    use crate::needs::Disclosure;

    fn member(org: &str, roles: &[Role]) -> Principal {
        Principal {
            user_id: "u".into(),
            name: "n".into(),
            email: "e@example.jp".into(),
            organisation_id: org.into(),
            organisation_name: org.into(),
            admin: false,
            programmes: vec![ProgrammeRoles {
                programme_id: "p".into(),
                roles: roles.to_vec(),
                secretariat_second_factor: false,
            }],
            must_change_password: false,
            second_factor: false,
        }
    }

    #[test]
    fn a_sight_sees_what_the_policy_allows_and_nothing_more() {
        let progs = ["p".to_owned(), "q".to_owned()];
        let city = sight(Some(&member("city", &[Role::Secretariat])), &progs);
        let firm = sight(Some(&member("firm", &[])), &progs);
        let visitor = sight(None, &progs);
        assert_eq!(city.deals_in("p"), RecordFilter::All);
        assert_eq!(
            city.deals_in("q"),
            RecordFilter::Organisation("city".into()),
            "secretariat of one programme only"
        );
        assert_eq!(
            firm.deals_in("p"),
            RecordFilter::Organisation("firm".into())
        );
        assert_eq!(visitor.deals_in("p"), RecordFilter::Nothing);
        assert!(firm.deal("p", &["firm".into()]));
        assert!(!firm.deal("p", &["other".into()]));
        assert!(!visitor.deal("p", &["firm".into()]));
        assert!(city.unverified_outcomes("p") && !city.unverified_outcomes("q"));
        assert!(!firm.unverified_outcomes("p"));
        let nda = NeedScope {
            programme_id: "p",
            submitter_org: "hospital",
            disclosure: Disclosure::Nda,
            held: false,
            nda_orgs: &["firm".into()],
        };
        assert!(firm.need(&nda) && city.need(&nda));
        assert!(!sight(Some(&member("other", &[])), &progs).need(&nda));
        assert!(!visitor.need(&nda));
        assert!(system_sight().need(&nda) && system_sight().deal("q", &[]));
    }
}
