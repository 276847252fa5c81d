//! Events of the programme (seed 5(2)①: セミナー等の開催) and who registered, came, or did not:
//! the rules that decide a seat, a registration's key, the directory match of the organisation a
//! guest typed, and the activity figures the council asks for.
//!
//! Times are instants with an offset (RFC 3339); a time typed without one is Japan time (JST),
//! as every user of the programme means it. Fiscal years are counted in JST.

use crate::event_form::{
    Answer, Question, QuestionInput, Session, SessionInput, parse_answers, parse_chosen,
    parse_questions, parse_sessions,
};
use crate::fiscal::FiscalYear;
use crate::person::Email;
use crate::text::{Kana, search_key};
use crate::validation::{Invalid, Problem, optional_text, required_text};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

crate::code_list! {
    /// What kind of event (the seed's seminars, and the gatherings the network grows from).
    EventKind {
        Seminar = "seminar",
        Exhibition = "exhibition",
        Matching = "matching",
        SiteTour = "site_tour",
        NeedsPitch = "needs_pitch",
    }
}

crate::code_list! {
    /// Where a registration stands. A cancelled one keeps its row (and its history) but no seat.
    RegistrationStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
}

crate::code_list! {
    /// How a registration came to be linked to an organisation of the directory.
    OrganisationMatch {
        /// The 法人番号 the guest gave is a directory entry's.
        CorporateNumber = "corporate_number",
        /// Exactly one directory entry has the same name once width, spaces and the legal form
        /// (株式会社, (株), ㈱ …) are folded away.
        Name = "name",
        /// Staff linked it (or confirmed an uncertain match).
        Staff = "staff",
        /// More than one entry could be meant, or only the reading agrees: staff decide.
        Review = "review",
        /// Nothing in the directory resembles it (a firm new to the programme).
        None = "none",
    }
}

crate::code_list! {
    /// Who entered a registration.
    RegistrationSource {
        /// A guest through the public page or API, without an account.
        Guest = "guest",
        /// A signed-in user for themselves.
        Member = "member",
        /// Staff for someone who registered by phone, fax or in person.
        Staff = "staff",
    }
}

/// Japan time, in which the programme's users write times and count fiscal years.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("+09:00 is a valid offset"),
};

/// Reads an instant: RFC 3339 with an offset, or a local time without one (`2026-12-10T13:30`,
/// `2026-12-10 13:30`, seconds optional, as a browser's datetime-local input sends it), read as
/// JST.
pub fn parse_instant(s: &str) -> Result<OffsetDateTime, Problem> {
    let s = crate::text::fold_width(s.trim());
    if let Ok(t) = OffsetDateTime::parse(&s, &Rfc3339) {
        return Ok(t);
    }
    let local = s.replacen(' ', "T", 1);
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_s = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&local, &fmt)
        .or_else(|_| PrimitiveDateTime::parse(&local, &fmt_s))
        .map(|t| t.assume_offset(JST))
        .map_err(|_| Problem::Date)
}

/// An instant as shown and exchanged: RFC 3339 in JST (`2026-12-10T13:30:00+09:00`).
pub fn format_instant(t: OffsetDateTime) -> String {
    t.to_offset(JST)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The fiscal year an instant falls in, in JST.
pub fn fiscal_year_of(t: OffsetDateTime) -> FiscalYear {
    FiscalYear::of_date(t.to_offset(JST).date())
}

#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    /// Seats; `None` for no limit.
    pub capacity: Option<i64>,
    /// Guests may register without an account.
    pub public: Option<bool>,
    pub registration_opens_at: Option<String>,
    pub registration_closes_at: Option<String>,
    /// The programme strategy the event serves (a key of the programme definition).
    pub strategy: Option<String>,
    /// Custom questions to registrants (none when absent).
    pub questions: Option<Vec<QuestionInput>>,
    /// Optional sessions registrants choose (none when absent).
    pub sessions: Option<Vec<SessionInput>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventData {
    pub title: String,
    pub kind: EventKind,
    pub description: Option<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub venue: Option<String>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub public: bool,
    pub registration_opens_at: Option<OffsetDateTime>,
    pub registration_closes_at: Option<OffsetDateTime>,
    pub strategy: Option<String>,
    pub questions: Vec<Question>,
    pub sessions: Vec<Session>,
}

/// The largest capacity Noguchi takes (a trade fair's hall, not a typo of a few more zeros).
pub const MAX_CAPACITY: i64 = 100_000;

fn optional_instant(v: Option<&str>) -> Result<Option<OffsetDateTime>, Problem> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse_instant(s).map(Some),
    }
}

impl EventData {
    /// `strategies`: the keys of the programme's strategies, which `strategy` must be one of.
    pub fn parse(input: &EventInput, strategies: &[String]) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 200));
        let kind = errs.take(
            "kind",
            match input.kind.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(k) => EventKind::parse(k),
            },
        );
        let description = errs
            .take(
                "description",
                optional_text(input.description.as_deref(), 8000),
            )
            .flatten();
        let starts_at = errs.take(
            "starts_at",
            match input.starts_at.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(s) => parse_instant(s),
            },
        );
        let ends_at = errs.take(
            "ends_at",
            match input.ends_at.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(s) => parse_instant(s),
            },
        );
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e < s
        {
            errs.push("ends_at", Problem::Date);
        }
        let venue = errs
            .take("venue", optional_text(input.venue.as_deref(), 300))
            .flatten();
        let online_url = errs
            .take(
                "online_url",
                optional_text(input.online_url.as_deref(), 500).and_then(|u| match u {
                    Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
                        Err(Problem::UnknownValue { value: u })
                    }
                    u => Ok(u),
                }),
            )
            .flatten();
        let capacity = errs
            .take(
                "capacity",
                match input.capacity {
                    Some(n) if !(1..=MAX_CAPACITY).contains(&n) => Err(Problem::OutOfRange {
                        min: 1,
                        max: MAX_CAPACITY,
                    }),
                    n => Ok(n),
                },
            )
            .flatten();
        let opens = errs
            .take(
                "registration_opens_at",
                optional_instant(input.registration_opens_at.as_deref()),
            )
            .flatten();
        let closes = errs
            .take(
                "registration_closes_at",
                optional_instant(input.registration_closes_at.as_deref()),
            )
            .flatten();
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            errs.push("registration_closes_at", Problem::Date);
        }
        let strategy = errs
            .take(
                "strategy",
                optional_text(input.strategy.as_deref(), 100).and_then(|s| match s {
                    Some(s) if !strategies.contains(&s) => Err(Problem::UnknownValue { value: s }),
                    s => Ok(s),
                }),
            )
            .flatten();
        let questions = match parse_questions(input.questions.as_deref().unwrap_or_default()) {
            Ok(q) => q,
            Err(e) => {
                errs.0.extend(e.0);
                Vec::new()
            }
        };
        let sessions = match parse_sessions(input.sessions.as_deref().unwrap_or_default()) {
            Ok(s) => s,
            Err(e) => {
                errs.0.extend(e.0);
                Vec::new()
            }
        };
        if !errs.is_empty() {
            return Err(errs.scoped("event"));
        }
        Ok(Self {
            questions,
            sessions,
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            description,
            starts_at: starts_at.expect("checked"),
            ends_at: ends_at.expect("checked"),
            venue,
            online_url,
            capacity,
            public: input.public.unwrap_or(false),
            registration_opens_at: opens,
            registration_closes_at: closes,
            strategy,
        })
    }

    pub fn to_input(&self) -> EventInput {
        EventInput {
            title: Some(self.title.clone()),
            kind: Some(self.kind.code().into()),
            description: self.description.clone(),
            starts_at: Some(format_instant(self.starts_at)),
            ends_at: Some(format_instant(self.ends_at)),
            venue: self.venue.clone(),
            online_url: self.online_url.clone(),
            capacity: self.capacity,
            public: Some(self.public),
            registration_opens_at: self.registration_opens_at.map(format_instant),
            registration_closes_at: self.registration_closes_at.map(format_instant),
            strategy: self.strategy.clone(),
            questions: Some(self.questions.iter().map(Question::to_input).collect()),
            sessions: Some(self.sessions.iter().map(Session::to_input).collect()),
        }
    }

    /// Whether registrations are taken at `now`: inside the registration period when one is
    /// set. Without one, registration stays open (past events are recorded with their
    /// participants after the fact).
    pub fn registration_open(&self, now: OffsetDateTime) -> bool {
        self.registration_opens_at.is_none_or(|o| o <= now)
            && self.registration_closes_at.is_none_or(|c| now <= c)
    }

    /// Whether the event has taken place (started) by `now`.
    pub fn held_by(&self, now: OffsetDateTime) -> bool {
        self.starts_at <= now
    }
}

/// The seat a new registration gets: confirmed while confirmed registrations are fewer than the
/// capacity (always, without one), else waitlisted. The caller counts under the event's lock.
pub fn seat(capacity: Option<i64>, confirmed: i64) -> RegistrationStatus {
    match capacity {
        Some(c) if confirmed >= c => RegistrationStatus::Waitlisted,
        _ => RegistrationStatus::Confirmed,
    }
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub name: Option<String>,
    pub name_kana: Option<String>,
    pub email: Option<String>,
    pub organisation_name: Option<String>,
    pub corporate_number: Option<String>,
    /// Answers to the event's questions by key (`q1` …).
    pub answers: std::collections::BTreeMap<String, String>,
    /// Keys of the sessions chosen.
    pub sessions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationData {
    pub name: String,
    pub name_kana: Option<String>,
    /// As typed (width-folded, lower-cased); also the key that makes one person one
    /// registration per event.
    pub email: String,
    pub organisation_name: String,
    pub corporate_number: Option<String>,
    pub answers: Vec<Answer>,
    /// Keys of the sessions chosen.
    pub sessions: Vec<String>,
}

impl RegistrationData {
    /// A registration for `event`: the person, and the answers to its questions and the
    /// sessions chosen among its own.
    pub fn parse_for(input: &RegistrationInput, event: &EventData) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let base = Self::parse(input).map_err(|e| errs.0.extend(e.0)).ok();
        let answers = parse_answers(&event.questions, &input.answers)
            .map_err(|e| {
                errs.0.extend(e.0.into_iter().map(|mut f| {
                    f.scope = Some("registration");
                    f
                }))
            })
            .ok();
        let sessions = parse_chosen(&event.sessions, &input.sessions)
            .map_err(|e| {
                errs.0.extend(e.0.into_iter().map(|mut f| {
                    f.scope = Some("registration");
                    f
                }))
            })
            .ok();
        match (base, answers, sessions) {
            (Some(base), Some(answers), Some(sessions)) if errs.is_empty() => Ok(Self {
                answers,
                sessions,
                ..base
            }),
            _ => Err(errs),
        }
    }

    /// The person alone (a sign-in sheet's row: no questions are asked there).
    pub fn parse(input: &RegistrationInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let name = errs.take("name", required_text(input.name.as_deref(), 100));
        let name_kana = errs
            .take(
                "name_kana",
                match input.name_kana.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(k) if k.chars().count() > 100 => Err(Problem::TooLong { max: 100 }),
                    Some(k) => Kana::parse(k).map(|k| Some(k.as_str().to_owned())),
                },
            )
            .flatten();
        let email = errs.take(
            "email",
            match input.email.as_deref().map(str::trim) {
                None | Some("") => Err(Problem::Required),
                Some(e) => Email::parse(e).map(|e| e.as_str().to_owned()),
            },
        );
        let organisation_name = errs.take(
            "organisation_name",
            required_text(input.organisation_name.as_deref(), 200),
        );
        let corporate_number = errs
            .take(
                "corporate_number",
                match input.corporate_number.as_deref().map(str::trim) {
                    None | Some("") => Ok(None),
                    Some(c) => {
                        crate::CorporateNumber::parse(c).map(|c| Some(c.as_str().to_owned()))
                    }
                },
            )
            .flatten();
        if !errs.is_empty() {
            return Err(errs.scoped("registration"));
        }
        Ok(Self {
            name: name.expect("checked"),
            name_kana,
            email: email.expect("checked"),
            organisation_name: organisation_name.expect("checked"),
            corporate_number,
            answers: Vec::new(),
            sessions: Vec::new(),
        })
    }
}

/// Legal forms that people write, abbreviate or leave out of a name at will; NFKC has already
/// turned ㈱ into (株) and full-width brackets into ASCII ones.
const LEGAL_FORMS: &[&str] = &[
    "株式会社",
    "(株)",
    "有限会社",
    "(有)",
    "合同会社",
    "(同)",
    "合資会社",
    "(資)",
    "合名会社",
    "(名)",
    "一般社団法人",
    "(一社)",
    "一般財団法人",
    "(一財)",
    "公益社団法人",
    "(公社)",
    "公益財団法人",
    "(公財)",
    "医療法人社団",
    "医療法人財団",
    "医療法人",
    "(医)",
    "社会福祉法人",
    "(福)",
    "学校法人",
    "(学)",
    "国立大学法人",
    "独立行政法人",
    "地方独立行政法人",
    "特定非営利活動法人",
    "npo法人",
];

/// The key two spellings of one organisation's name share: width folded, spaces and the legal
/// form removed, katakana as hiragana, Latin lower-cased (株式会社　会津精工, (株)会津精工 and
/// 会津精工 all give 会津精工).
pub fn organisation_name_key(name: &str) -> String {
    let mut key = search_key(name);
    for form in LEGAL_FORMS {
        key = key.replace(form, "");
    }
    key.retain(|c| !matches!(c, '・' | '.' | ',' | '、'));
    key
}

/// A directory entry as the match sees it.
#[derive(Debug, Clone)]
pub struct DirectoryEntry {
    pub id: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub corporate_number: Option<String>,
}

/// Finds the directory entry a registration's organisation is: by 法人番号 first (certain), then
/// by the folded name when exactly one entry has it. Two entries of that name, or agreement of
/// the reading only, are left for staff to review.
pub fn match_organisation(
    organisation_name: &str,
    corporate_number: Option<&str>,
    directory: &[DirectoryEntry],
) -> (Option<String>, OrganisationMatch) {
    if let Some(cn) = corporate_number
        && let Some(e) = directory
            .iter()
            .find(|e| e.corporate_number.as_deref() == Some(cn))
    {
        return (Some(e.id.clone()), OrganisationMatch::CorporateNumber);
    }
    let key = organisation_name_key(organisation_name);
    if key.is_empty() {
        return (None, OrganisationMatch::None);
    }
    let by_name: Vec<&DirectoryEntry> = directory
        .iter()
        .filter(|e| organisation_name_key(&e.name) == key)
        .collect();
    match by_name.as_slice() {
        // A different 法人番号 on the one entry of that name: two firms of one name.
        [one] if corporate_number.is_some() && one.corporate_number.is_some() => {
            (None, OrganisationMatch::Review)
        }
        [one] => (Some(one.id.clone()), OrganisationMatch::Name),
        [] => {
            let by_reading = directory.iter().any(|e| {
                e.name_kana
                    .as_deref()
                    .is_some_and(|k| organisation_name_key(k) == key)
            });
            if by_reading {
                (None, OrganisationMatch::Review)
            } else {
                (None, OrganisationMatch::None)
            }
        }
        _ => (None, OrganisationMatch::Review),
    }
}

/// The directory entries staff may mean by an organisation name a participant typed, for the
/// review of an uncertain match: the same 法人番号, the same folded name or reading, or one
/// folded name inside the other (株式会社会津精工 and 会津精工所); at most `limit`, the closest
/// first.
pub fn match_candidates<'a>(
    organisation_name: &str,
    corporate_number: Option<&str>,
    directory: &'a [DirectoryEntry],
    limit: usize,
) -> Vec<&'a DirectoryEntry> {
    let key = organisation_name_key(organisation_name);
    let mut scored: Vec<(u8, &DirectoryEntry)> = directory
        .iter()
        .filter_map(|e| {
            let name = organisation_name_key(&e.name);
            let reading = e.name_kana.as_deref().map(organisation_name_key);
            let score = if corporate_number.is_some()
                && e.corporate_number.as_deref() == corporate_number
            {
                0
            } else if !key.is_empty() && name == key {
                1
            } else if !key.is_empty() && reading.as_deref() == Some(key.as_str()) {
                2
            } else if key.chars().count() >= 2
                && name.chars().count() >= 2
                && (name.contains(&key) || key.contains(&name))
            {
                3
            } else {
                return None;
            };
            Some((score, e))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored.into_iter().take(limit).map(|(_, e)| e).collect()
}

/// One checked-in participant, as the activity figures read it.
#[derive(Debug, Clone)]
pub struct Attendance {
    pub event_id: String,
    pub event_starts_at: OffsetDateTime,
    pub organisation_id: Option<String>,
    /// The organisation is a company (firms reached count companies only).
    pub company: bool,
}

/// The activity figures of one fiscal year (CONTRACT.md, events).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityFigures {
    /// Events that started in the fiscal year (JST) and not after `now`.
    pub events_held: i64,
    /// Checked-in registrations of those events.
    pub participants: i64,
    /// Distinct companies with a checked-in participant at those events.
    pub firms_reached: i64,
    /// Of those, the companies never checked in at an event before the fiscal year.
    pub first_time_firms: i64,
    /// The companies reached, in id order (for the records behind the number).
    pub firm_ids: Vec<String>,
    /// Of those, the first-time companies, in id order.
    pub first_time_ids: Vec<String>,
    /// The events held, in the order given.
    pub event_ids: Vec<String>,
}

/// Computes the activity figures of `fy` from every event's start and every checked-in
/// participant (of any year: first-time firms look back).
pub fn activity(
    fy: FiscalYear,
    now: OffsetDateTime,
    events: &[(String, OffsetDateTime)],
    attendances: &[Attendance],
) -> ActivityFigures {
    use std::collections::BTreeSet;
    let in_year = |t: OffsetDateTime| fiscal_year_of(t) == fy && t <= now;
    let event_ids: Vec<String> = events
        .iter()
        .filter(|(_, t)| in_year(*t))
        .map(|(id, _)| id.clone())
        .collect();
    let events_held = event_ids.len() as i64;
    let mut participants = 0;
    let mut firms = BTreeSet::new();
    let mut before = BTreeSet::new();
    for a in attendances {
        if in_year(a.event_starts_at) {
            participants += 1;
            if a.company
                && let Some(o) = &a.organisation_id
            {
                firms.insert(o.clone());
            }
        } else if fiscal_year_of(a.event_starts_at) < fy
            && let Some(o) = &a.organisation_id
        {
            before.insert(o.clone());
        }
    }
    ActivityFigures {
        events_held,
        participants,
        firms_reached: firms.len() as i64,
        first_time_firms: firms.difference(&before).count() as i64,
        first_time_ids: firms.difference(&before).cloned().collect(),
        firm_ids: firms.into_iter().collect(),
        event_ids,
    }
}

/// How far the firms reached in a year went (the seed's entry path): of the companies that came
/// to an event, those that consulted the programme, those with an entry case, and those whose
/// entry or commercialisation is a verified outcome. Each later step counts among the firms that
/// came; a step may be recorded without the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Funnel {
    pub attended: i64,
    pub consulted: i64,
    pub entry_case: i64,
    pub commercialised: i64,
}

pub fn funnel(
    attended: &[String],
    consulted: &std::collections::BTreeSet<String>,
    with_case: &std::collections::BTreeSet<String>,
    commercialised: &std::collections::BTreeSet<String>,
) -> Funnel {
    let count = |set: &std::collections::BTreeSet<String>| {
        attended.iter().filter(|f| set.contains(*f)).count() as i64
    };
    Funnel {
        attended: attended.len() as i64,
        consulted: count(consulted),
        entry_case: count(with_case),
        commercialised: count(commercialised),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> OffsetDateTime {
        parse_instant(s).unwrap()
    }

    #[test]
    fn instants_with_or_without_offset() {
        assert_eq!(
            format_instant(t("2026-12-10T13:30:00+09:00")),
            "2026-12-10T13:30:00+09:00"
        );
        assert_eq!(
            format_instant(t("2026-12-10T04:30:00Z")),
            "2026-12-10T13:30:00+09:00"
        );
        // A datetime-local value is Japan time.
        assert_eq!(t("2026-12-10T13:30"), t("2026-12-10T13:30:00+09:00"));
        assert_eq!(t("２０２６-12-10 13:30"), t("2026-12-10T13:30:00+09:00"));
        assert_eq!(parse_instant("12/10 13:30"), Err(Problem::Date));
    }

    #[test]
    fn fiscal_year_is_counted_in_japan_time() {
        // 31 March 23:30 JST is still FY2025, though it is 14:30 UTC of the same day; 1 April
        // 00:30 JST is FY2026 while UTC still says 31 March.
        assert_eq!(fiscal_year_of(t("2026-03-31T23:30:00+09:00")).0, 2025);
        assert_eq!(fiscal_year_of(t("2026-03-31T15:30:00Z")).0, 2026);
    }

    #[test]
    fn an_event_names_each_invalid_field() {
        let e = EventData::parse(
            &EventInput {
                title: Some(" ".into()),
                kind: Some("party".into()),
                starts_at: Some("2026-12-10T13:30:00+09:00".into()),
                ends_at: Some("2026-12-10T12:00:00+09:00".into()),
                capacity: Some(0),
                online_url: Some("javascript:alert(1)".into()),
                strategy: Some("nope".into()),
                ..EventInput::default()
            },
            &["entry".into()],
        )
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "kind",
                "ends_at",
                "online_url",
                "capacity",
                "strategy"
            ]
        );
    }

    #[test]
    fn seats_follow_capacity() {
        assert_eq!(seat(Some(2), 0), RegistrationStatus::Confirmed);
        assert_eq!(seat(Some(2), 1), RegistrationStatus::Confirmed);
        assert_eq!(seat(Some(2), 2), RegistrationStatus::Waitlisted);
        assert_eq!(seat(None, 10_000), RegistrationStatus::Confirmed);
    }

    #[test]
    fn the_email_is_the_key_without_case_and_width() {
        let r = |e: &str| {
            RegistrationData::parse(&RegistrationInput {
                name: Some("会津 一郎".into()),
                email: Some(e.into()),
                organisation_name: Some("会津精工".into()),
                ..RegistrationInput::default()
            })
            .unwrap()
            .email
        };
        assert_eq!(
            r("GUEST0@Example.jp"),
            r("ｇｕｅｓｔ０＠ｅｘａｍｐｌｅ．ｊｐ")
        );
    }

    #[test]
    fn organisation_names_fold_legal_forms_and_width() {
        for n in [
            "株式会社　会津精工",
            "(株)会津精工",
            "㈱会津精工",
            "（株）会津精工",
            "会津精工",
            "会津精工株式会社",
        ] {
            assert_eq!(organisation_name_key(n), "会津精工", "{n}");
        }
        assert_eq!(
            organisation_name_key("ｱｲﾂﾞ ﾃｯｸ"),
            organisation_name_key("アイヅテック")
        );
    }

    fn entry(id: &str, name: &str, kana: Option<&str>, cn: Option<&str>) -> DirectoryEntry {
        DirectoryEntry {
            id: id.into(),
            name: name.into(),
            name_kana: kana.map(Into::into),
            corporate_number: cn.map(Into::into),
        }
    }

    #[test]
    fn the_directory_match_is_certain_or_left_for_review() {
        let dir = [
            entry(
                "a",
                "株式会社会津精工",
                Some("あいづせいこう"),
                Some("7000000001234"),
            ),
            entry("b", "有限会社磐梯技研", None, None),
            entry("c", "喜多方製作所", None, None),
            entry("d", "株式会社喜多方製作所", None, None),
        ];
        // 法人番号 first, whatever the name says.
        assert_eq!(
            match_organisation("会津の会社", Some("7000000001234"), &dir),
            (Some("a".into()), OrganisationMatch::CorporateNumber)
        );
        assert_eq!(
            match_organisation("磐梯技研", None, &dir),
            (Some("b".into()), OrganisationMatch::Name)
        );
        // Two entries fold to one name: staff decide.
        assert_eq!(
            match_organisation("喜多方製作所", None, &dir).1,
            OrganisationMatch::Review
        );
        // Only the reading agrees.
        assert_eq!(
            match_organisation("アイヅセイコウ", None, &dir).1,
            OrganisationMatch::Review
        );
        // A different 法人番号 on an entry of the same name: another firm of that name.
        assert_eq!(
            match_organisation("会津精工", Some("1000000000008"), &dir).1,
            OrganisationMatch::Review
        );
        assert_eq!(
            match_organisation("猪苗代株式会社", None, &dir),
            (None, OrganisationMatch::None)
        );
    }

    #[test]
    fn review_candidates_are_the_entries_staff_may_mean() {
        let dir = [
            entry("a", "株式会社会津精工", Some("あいづせいこう"), None),
            entry("b", "会津精工所", None, None),
            entry("c", "喜多方製作所", None, Some("7000000001234")),
            entry("d", "磐梯技研", None, None),
        ];
        let ids = |v: Vec<&DirectoryEntry>| v.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        // The same folded name first, then one inside the other.
        assert_eq!(
            ids(match_candidates("(株)会津精工", None, &dir, 5)),
            ["a", "b"]
        );
        // The reading, when that is all that agrees.
        assert_eq!(
            ids(match_candidates("アイヅセイコウ", None, &dir, 5)),
            ["a"]
        );
        // The 法人番号 before any name.
        assert_eq!(
            ids(match_candidates("会津精工", Some("7000000001234"), &dir, 5)),
            ["c", "a", "b"]
        );
        assert_eq!(ids(match_candidates("会津精工", None, &dir, 1)), ["a"]);
        assert!(match_candidates("猪苗代", None, &dir, 5).is_empty());
        // One character is too little to suggest anything.
        assert!(match_candidates("会", None, &dir, 5).is_empty());
    }

    #[test]
    fn the_funnel_counts_among_the_firms_that_came() {
        use std::collections::BTreeSet;
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let came = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let f = funnel(
            &came,
            &set(&["a", "b", "z"]),
            &set(&["a", "c"]),
            &set(&["c", "y"]),
        );
        assert_eq!(
            f,
            Funnel {
                attended: 3,
                consulted: 2,
                entry_case: 2,
                commercialised: 1
            }
        );
    }

    #[test]
    fn activity_counts_held_events_participants_and_firms() {
        let now = t("2026-12-01T10:00:00+09:00");
        let starts = [
            ("e0".to_owned(), t("2025-10-10T13:30:00+09:00")),
            ("e1".to_owned(), t("2026-03-31T23:00:00+09:00")),
            ("e2".to_owned(), t("2026-06-01T10:00:00+09:00")),
            ("e3".to_owned(), t("2027-02-01T10:00:00+09:00")), // FY2026 but in the future
        ];
        let a = |e: usize, org: Option<&str>, company: bool| Attendance {
            event_id: starts[e].0.clone(),
            event_starts_at: starts[e].1,
            organisation_id: org.map(Into::into),
            company,
        };
        let att = [
            a(0, Some("x"), true),
            a(0, Some("y"), true),
            a(0, None, true),
            a(1, Some("x"), true),
            a(1, Some("u"), false),
            a(2, Some("x"), true),
            a(2, Some("z"), true),
        ];
        let fy25 = activity(FiscalYear(2025), now, &starts, &att);
        assert_eq!(
            (fy25.events_held, fy25.participants, fy25.firms_reached),
            (2, 5, 2)
        );
        let fy26 = activity(FiscalYear(2026), now, &starts, &att);
        assert_eq!(
            (
                fy26.events_held,
                fy26.participants,
                fy26.firms_reached,
                fy26.first_time_firms
            ),
            (1, 2, 2, 1)
        );
        assert_eq!(fy26.firm_ids, ["x", "z"]);
        assert_eq!(fy26.first_time_ids, ["z"]);
        assert_eq!(fy26.event_ids, ["e2"]);
        assert_eq!(fy25.event_ids, ["e0", "e1"]);
    }
}
