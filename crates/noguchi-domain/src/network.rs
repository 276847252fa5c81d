//! The human network (seed 5(2)②: 人的ネットワークの形成・深化), derived from what happened rather
//! than typed in: two organisations are tied when their people met at an event, talked in a
//! proposal, signed an NDA … Each contact is dated; a tie keeps its kinds, the fiscal year it
//! began and the strongest step it reached.

use crate::fiscal::FiscalYear;
use crate::organisation::OrganisationKind;
use std::collections::{BTreeMap, BTreeSet};

crate::code_list! {
    /// Where a tie comes from.
    TieKind {
        /// People of both checked in at the same event.
        Event = "event",
        /// A match proposal between the two reached the meeting.
        Proposal = "proposal",
        /// An NDA between the two.
        Nda = "nda",
        /// One shares the other's attraction or expansion deal (talks on the firm's move).
        Deal = "deal",
        /// One supports the other's entry case (joint work on the firm's way into the field).
        Support = "support",
        /// Both are members of one project to market (joint work on a device).
        Project = "project",
    }
}

impl TieKind {
    /// How far a tie of this kind has gone: met (1) → talked (2) → NDA (3) → joint work (4).
    pub fn strength(self) -> u8 {
        match self {
            TieKind::Event => 1,
            TieKind::Proposal | TieKind::Deal => 2,
            TieKind::Nda => 3,
            TieKind::Support | TieKind::Project => 4,
        }
    }
}

crate::code_list! {
    /// The sector of an organisation, for ties across sectors (産学官金医).
    Sector {
        Industry = "industry",
        Academia = "academia",
        Government = "government",
        Medical = "medical",
        Other = "other",
    }
}

pub fn sector_of(kind: OrganisationKind) -> Sector {
    use OrganisationKind as K;
    match kind {
        K::Company => Sector::Industry,
        K::University => Sector::Academia,
        K::Hospital => Sector::Medical,
        K::Municipality
        | K::PrefecturalAgency
        | K::ChamberOfCommerce
        | K::TechnicalCentre
        | K::Foundation
        | K::IndustryCouncil => Sector::Government,
        K::Other => Sector::Other,
    }
}

/// One dated contact between two organisations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub kind: TieKind,
    pub a: String,
    pub b: String,
    pub fiscal_year: FiscalYear,
}

/// A tie between two organisations (`a` < `b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    pub a: String,
    pub b: String,
    pub kinds: BTreeSet<TieKind>,
    pub first_fiscal_year: FiscalYear,
    /// The strongest step reached (see [`TieKind::strength`]).
    pub strength: u8,
    /// Contacts behind the tie.
    pub contacts: usize,
}

impl PartialOrd for TieKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for TieKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

/// The contacts of one event: every pair of distinct organisations among those checked in.
pub fn event_contacts(fiscal_year: FiscalYear, organisations: &[String]) -> Vec<Contact> {
    let set: BTreeSet<&String> = organisations.iter().collect();
    let orgs: Vec<&String> = set.into_iter().collect();
    let mut out = Vec::new();
    for (i, a) in orgs.iter().enumerate() {
        for b in &orgs[i + 1..] {
            out.push(Contact {
                kind: TieKind::Event,
                a: (*a).clone(),
                b: (*b).clone(),
                fiscal_year,
            });
        }
    }
    out
}

/// The ties up to the end of `until`, from contacts of any year (later ones are ignored), in
/// the order of their two organisations' ids.
pub fn ties(contacts: &[Contact], until: FiscalYear) -> Vec<Tie> {
    use std::collections::HashMap;
    // Organisations are numbered once, so that a pair is two integers rather than two strings
    // cloned per contact (a seminar of 23 firms is 253 contacts).
    let mut number: HashMap<&str, u32> = HashMap::new();
    let mut by_pair: HashMap<(u32, u32), Tie> = HashMap::new();
    for c in contacts
        .iter()
        .filter(|c| c.fiscal_year <= until && c.a != c.b)
    {
        let (a, b) = if c.a < c.b {
            (&c.a, &c.b)
        } else {
            (&c.b, &c.a)
        };
        let next = number.len() as u32;
        let na = *number.entry(a.as_str()).or_insert(next);
        let next = number.len() as u32;
        let nb = *number.entry(b.as_str()).or_insert(next);
        let tie = by_pair.entry((na, nb)).or_insert_with(|| Tie {
            a: a.clone(),
            b: b.clone(),
            kinds: BTreeSet::new(),
            first_fiscal_year: c.fiscal_year,
            strength: 0,
            contacts: 0,
        });
        tie.kinds.insert(c.kind);
        tie.first_fiscal_year = tie.first_fiscal_year.min(c.fiscal_year);
        tie.strength = tie.strength.max(c.kind.strength());
        tie.contacts += 1;
    }
    let mut out: Vec<Tie> = by_pair.into_values().collect();
    out.sort_unstable_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    out
}

/// The organisations whose people checked in at one event, with the event's fiscal year.
#[derive(Debug, Clone)]
pub struct EventOrganisations {
    pub fiscal_year: FiscalYear,
    pub organisations: Vec<String>,
}

/// The ties up to the end of `until` from the events' check-ins and other contacts, in the
/// order of their two organisations' ids: the same as [`ties`] over every event's contacts and
/// `contacts`, without making a contact per pair. Organisations are numbered in id order, so a
/// pair is one integer and the sorted pairs are the ties in order (a seminar of 23 firms is
/// 253 pairs; a year of them, a hundred thousand).
pub fn network_ties(
    events: &[EventOrganisations],
    contacts: &[Contact],
    until: FiscalYear,
) -> Vec<Tie> {
    use std::collections::HashMap;
    let events: Vec<&EventOrganisations> =
        events.iter().filter(|e| e.fiscal_year <= until).collect();
    let contacts: Vec<&Contact> = contacts
        .iter()
        .filter(|c| c.fiscal_year <= until && c.a != c.b)
        .collect();
    let mut names: Vec<&str> = events
        .iter()
        .flat_map(|e| e.organisations.iter().map(String::as_str))
        .chain(contacts.iter().flat_map(|c| [c.a.as_str(), c.b.as_str()]))
        .collect();
    names.sort_unstable();
    names.dedup();
    let number: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i as u32))
        .collect();
    // (pair, kind, fiscal year) for every contact, then sorted: equal pairs become neighbours.
    let mut pairs: Vec<(u64, TieKind, FiscalYear)> = Vec::new();
    let key = |a: u32, b: u32| (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
    let mut present: Vec<u32> = Vec::new();
    for e in &events {
        present.clear();
        present.extend(e.organisations.iter().map(|o| number[o.as_str()]));
        present.sort_unstable();
        present.dedup();
        for (i, a) in present.iter().enumerate() {
            for b in &present[i + 1..] {
                pairs.push((key(*a, *b), TieKind::Event, e.fiscal_year));
            }
        }
    }
    for c in &contacts {
        pairs.push((
            key(number[c.a.as_str()], number[c.b.as_str()]),
            c.kind,
            c.fiscal_year,
        ));
    }
    pairs.sort_unstable_by_key(|p| p.0);
    let mut out: Vec<Tie> = Vec::new();
    let mut last = None;
    for (k, kind, fy) in pairs {
        if last != Some(k) {
            last = Some(k);
            out.push(Tie {
                a: names[(k >> 32) as usize].to_owned(),
                b: names[(k & 0xffff_ffff) as usize].to_owned(),
                kinds: BTreeSet::new(),
                first_fiscal_year: fy,
                strength: 0,
                contacts: 0,
            });
        }
        let tie = out.last_mut().expect("pushed above");
        tie.kinds.insert(kind);
        tie.first_fiscal_year = tie.first_fiscal_year.min(fy);
        tie.strength = tie.strength.max(kind.strength());
        tie.contacts += 1;
    }
    out
}

/// The figures of the network in one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkMetrics {
    pub ties: usize,
    /// Ties that began in the fiscal year.
    pub new_ties: usize,
    /// Ties between organisations of different sectors.
    pub cross_sector_ties: usize,
    /// Organisations with at least one tie.
    pub organisations: usize,
}

pub fn metrics(
    ties: &[Tie],
    fiscal_year: FiscalYear,
    sector: impl Fn(&str) -> Sector,
) -> NetworkMetrics {
    let mut orgs = std::collections::HashSet::new();
    for t in ties {
        orgs.insert(t.a.as_str());
        orgs.insert(t.b.as_str());
    }
    NetworkMetrics {
        ties: ties.len(),
        new_ties: ties
            .iter()
            .filter(|t| t.first_fiscal_year == fiscal_year)
            .count(),
        cross_sector_ties: ties.iter().filter(|t| sector(&t.a) != sector(&t.b)).count(),
        organisations: orgs.len(),
    }
}

/// Betweenness centrality (Brandes): how often an organisation lies on the shortest paths
/// between two others, i.e. how much it brokers. Exact up to `max_sources` organisations; on a
/// larger graph the paths from `max_sources` evenly spread organisations are counted and scaled,
/// a standard estimate whose order of the top brokers is stable.
pub fn betweenness(ties: &[Tie], max_sources: usize) -> BTreeMap<String, f64> {
    use std::collections::HashMap;
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::with_capacity(ties.len());
    for t in ties {
        let a = *index.entry(t.a.as_str()).or_insert_with(|| {
            names.push(t.a.as_str());
            names.len() - 1
        });
        let b = *index.entry(t.b.as_str()).or_insert_with(|| {
            names.push(t.b.as_str());
            names.len() - 1
        });
        edges.push((a, b));
    }
    let n = names.len();
    // The graph as one flat list of neighbours per organisation (compressed rows).
    let mut degree = vec![0usize; n + 1];
    for &(a, b) in &edges {
        degree[a + 1] += 1;
        degree[b + 1] += 1;
    }
    for v in 0..n {
        degree[v + 1] += degree[v];
    }
    let start = degree;
    let mut fill = start.clone();
    let mut adjacent = vec![0u32; start[n]];
    for &(a, b) in &edges {
        adjacent[fill[a]] = b as u32;
        fill[a] += 1;
        adjacent[fill[b]] = a as u32;
        fill[b] += 1;
    }
    let neighbours = |v: usize| &adjacent[start[v]..start[v + 1]];
    let mut score = vec![0.0f64; n];
    let sources: Vec<usize> = if n <= max_sources.max(1) {
        (0..n).collect()
    } else {
        (0..max_sources).map(|i| i * n / max_sources).collect()
    };
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for &s in &sources {
        for &v in &order {
            sigma[v] = 0.0;
            dist[v] = u32::MAX;
            delta[v] = 0.0;
        }
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s);
        // Breadth first; `order` is the queue and, read backwards, the order of accumulation.
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            for &w in neighbours(v) {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dist[v] + 1;
                    order.push(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        // A predecessor of w is a neighbour one step nearer the source: found again rather
        // than kept in lists.
        for &w in order.iter().rev() {
            for &v in neighbours(w) {
                let v = v as usize;
                if dist[v] != u32::MAX && dist[v] + 1 == dist[w] {
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                }
            }
            if w != s {
                score[w] += delta[w];
            }
        }
    }
    // Undirected: each pair was counted from both ends; a sample is scaled to the whole.
    let scale = n as f64 / sources.len().max(1) as f64 / 2.0;
    names
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id.to_owned(), score[i] * scale))
        .collect()
}

/// The organisations that broker most, highest first (those with a score above zero).
pub fn brokers(ties: &[Tie], top: usize) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = betweenness(ties, 64)
        .into_iter()
        .filter(|(_, s)| *s > 0.0)
        .collect();
    all.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    all.truncate(top);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: TieKind, a: &str, b: &str, fy: i32) -> Contact {
        Contact {
            kind,
            a: a.into(),
            b: b.into(),
            fiscal_year: FiscalYear(fy),
        }
    }

    /// The fast path gives exactly the ties of the contacts it stands for.
    #[test]
    fn network_ties_equal_the_ties_of_every_contact() {
        let orgs: Vec<String> = (0..40).map(|i| format!("org-{i:02}")).collect();
        let mut seed = 7u64;
        let mut next = |m: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % m
        };
        let events: Vec<EventOrganisations> = (0..30)
            .map(|_| EventOrganisations {
                fiscal_year: FiscalYear(2023 + next(4) as i32),
                organisations: (0..1 + next(8)).map(|_| orgs[next(40)].clone()).collect(),
            })
            .collect();
        let private: Vec<Contact> = (0..25)
            .map(|_| {
                c(
                    [TieKind::Proposal, TieKind::Nda, TieKind::Support][next(3)],
                    &orgs[next(40)],
                    &orgs[next(40)],
                    2023 + next(4) as i32,
                )
            })
            .collect();
        for until in [2023, 2024, 2026] {
            let mut all: Vec<Contact> = events
                .iter()
                .flat_map(|e| event_contacts(e.fiscal_year, &e.organisations))
                .collect();
            all.extend(private.iter().cloned());
            assert_eq!(
                network_ties(&events, &private, FiscalYear(until)),
                ties(&all, FiscalYear(until)),
                "until {until}"
            );
        }
    }

    #[test]
    fn an_event_ties_every_pair_once() {
        let cs = event_contacts(
            FiscalYear(2025),
            &["b".into(), "a".into(), "c".into(), "a".into()],
        );
        let pairs: Vec<_> = cs.iter().map(|c| (c.a.as_str(), c.b.as_str())).collect();
        assert_eq!(pairs, [("a", "b"), ("a", "c"), ("b", "c")]);
    }

    #[test]
    fn ties_grow_in_strength_and_keep_their_first_year() {
        let cs = [
            c(TieKind::Event, "x", "y", 2024),
            c(TieKind::Nda, "y", "x", 2025),
            c(TieKind::Event, "x", "z", 2026),
        ];
        let t = ties(&cs, FiscalYear(2025));
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].a.as_str(), t[0].b.as_str()), ("x", "y"));
        assert_eq!(t[0].first_fiscal_year, FiscalYear(2024));
        assert_eq!(t[0].strength, 3);
        assert_eq!(t[0].contacts, 2);
        let m = metrics(&t, FiscalYear(2025), |o| {
            if o == "x" {
                Sector::Industry
            } else {
                Sector::Medical
            }
        });
        assert_eq!(
            m,
            NetworkMetrics {
                ties: 1,
                new_ties: 0,
                cross_sector_ties: 1,
                organisations: 2
            }
        );
        assert_eq!(ties(&cs, FiscalYear(2026)).len(), 2);
    }

    #[test]
    fn the_broker_is_the_one_between() {
        // a - b - c, and b - d: b lies on every path between the others.
        let t = |a: &str, b: &str| Tie {
            a: a.into(),
            b: b.into(),
            kinds: BTreeSet::from([TieKind::Event]),
            first_fiscal_year: FiscalYear(2025),
            strength: 1,
            contacts: 1,
        };
        let ties = [t("a", "b"), t("b", "c"), t("b", "d")];
        let b = betweenness(&ties, 64);
        // Pairs (a,c), (a,d), (c,d) all pass through b.
        assert_eq!(b["b"], 3.0);
        assert_eq!(b["a"], 0.0);
        assert_eq!(brokers(&ties, 5), [("b".to_owned(), 3.0)]);
        // Sampling two of four sources still finds b first.
        let sampled = betweenness(&ties, 2);
        assert!(sampled["b"] > sampled["a"] && sampled["b"] > sampled["c"]);
    }
}

/// Why a firm should meet an organisation it is not yet tied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntroReason {
    /// Both are tied to these organisations: a contact two steps away who can introduce them.
    SharedContacts(Vec<String>),
    /// It has capabilities the firm lacks (a partner for what the firm cannot make alone).
    Complementary(Vec<String>),
    /// It submitted a need the firm could serve (`need id`, title).
    Need(String, String),
}

/// An organisation the firm should meet, with its reasons, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introduction {
    pub organisation_id: String,
    pub reasons: Vec<IntroReason>,
    pub score: u32,
}

/// An organisation as the introductions weigh it.
#[derive(Debug, Clone)]
pub struct Prospect {
    pub id: String,
    pub capabilities: Vec<String>,
}

/// The organisations `firm` is not tied to (in `ties`, as the caller may see them) that it
/// should meet: the owners of needs it could serve (`needs`: owner, need id, title) weigh most,
/// then each contact two steps away, then capabilities it lacks. Only organisations with a
/// reason appear; at most `limit`.
pub fn introductions(
    firm: &str,
    firm_capabilities: &[String],
    ties: &[Tie],
    prospects: &[Prospect],
    needs: &[(String, String, String)],
    limit: usize,
) -> Vec<Introduction> {
    let mut neighbours: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for t in ties {
        neighbours.entry(&t.a).or_default().insert(&t.b);
        neighbours.entry(&t.b).or_default().insert(&t.a);
    }
    let direct = neighbours.get(firm).cloned().unwrap_or_default();
    let own: BTreeSet<String> = firm_capabilities
        .iter()
        .map(|c| crate::text::search_key(c))
        .collect();
    let mut out: BTreeMap<String, Introduction> = BTreeMap::new();
    let mut add = |id: &str, reason: IntroReason, score: u32| {
        if id == firm || direct.contains(id) {
            return;
        }
        let i = out.entry(id.to_owned()).or_insert_with(|| Introduction {
            organisation_id: id.to_owned(),
            reasons: Vec::new(),
            score: 0,
        });
        i.reasons.push(reason);
        i.score += score;
    };
    // Needs first: they say what the other side is looking for.
    for (owner, need_id, title) in needs {
        add(owner, IntroReason::Need(need_id.clone(), title.clone()), 6);
    }
    // Contacts two steps away, each named once.
    let mut via: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in &direct {
        for n in neighbours.get(d).into_iter().flatten() {
            via.entry(n).or_default().insert(d);
        }
    }
    for (id, v) in via {
        let n = v.len().min(3) as u32;
        add(
            id,
            IntroReason::SharedContacts(v.into_iter().map(str::to_owned).collect()),
            2 * n,
        );
    }
    // Capabilities the firm lacks, when it has named its own (else everything would qualify).
    if !own.is_empty() {
        for p in prospects {
            let lacks: Vec<String> = p
                .capabilities
                .iter()
                .filter(|c| !own.contains(&crate::text::search_key(c)))
                .cloned()
                .collect();
            if !lacks.is_empty() {
                add(&p.id, IntroReason::Complementary(lacks), 1);
            }
        }
    }
    let mut list: Vec<Introduction> = out.into_values().collect();
    list.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.organisation_id.cmp(&b.organisation_id))
    });
    list.truncate(limit);
    list
}

#[cfg(test)]
mod introduction_tests {
    use super::*;

    fn tie(a: &str, b: &str) -> Tie {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        Tie {
            a: a.into(),
            b: b.into(),
            kinds: [TieKind::Event].into(),
            first_fiscal_year: FiscalYear(2026),
            strength: 1,
            contacts: 1,
        }
    }

    fn prospect(id: &str, caps: &[&str]) -> Prospect {
        Prospect {
            id: id.into(),
            capabilities: caps.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn a_firm_meets_whom_it_is_not_tied_to_for_a_reason() {
        // firm — hospital — univ; firm — tech — univ; firm — other.
        let ties = [
            tie("firm", "hospital"),
            tie("hospital", "univ"),
            tie("firm", "tech"),
            tie("tech", "univ"),
            tie("tech", "maker"),
        ];
        let prospects = [
            prospect("coater", &["表面処理", "切削加工"]),
            prospect("twin", &["切削加工"]),
            prospect("hospital", &["臨床評価"]),
        ];
        let needs = [
            (
                "clinic".to_owned(),
                "n1".to_owned(),
                "歩行器の軽量化".to_owned(),
            ),
            (
                "hospital".to_owned(),
                "n2".to_owned(),
                "既に知っている".to_owned(),
            ),
        ];
        let caps = ["切削加工".to_owned()];
        let got = introductions("firm", &caps, &ties, &prospects, &needs, 10);
        let ids: Vec<&str> = got.iter().map(|i| i.organisation_id.as_str()).collect();
        // A need first; then univ through two contacts; maker through one; the coater for
        // what the firm lacks. Tied organisations and a firm of the same skills are not named.
        assert_eq!(ids, ["clinic", "univ", "maker", "coater"]);
        assert_eq!(
            got[1].reasons,
            [IntroReason::SharedContacts(vec![
                "hospital".into(),
                "tech".into()
            ])]
        );
        assert_eq!(
            got[3].reasons,
            [IntroReason::Complementary(vec!["表面処理".into()])]
        );
        assert_eq!(
            introductions("firm", &caps, &ties, &prospects, &needs, 2).len(),
            2
        );
        // A firm that named no capability gets no "complementary" reason for everyone.
        let none = introductions("firm", &[], &ties, &prospects, &[], 10);
        assert!(
            none.iter()
                .all(|i| !matches!(i.reasons[0], IntroReason::Complementary(_)))
        );
    }
}
