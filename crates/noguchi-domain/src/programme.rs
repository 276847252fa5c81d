//! Programmes are data, not code: a definition file names the council members and their roles,
//! the strategies, and the KPI indicators with their milestone targets.

use crate::access::Role;
use crate::organisation::OrganisationKind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A programme definition as shipped in `programmes/*.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDefinition {
    /// Stable key, used to recognise the programme on later starts.
    pub slug: String,
    pub name: String,
    pub official_name: Option<String>,
    pub name_en: Option<String>,
    pub region: String,
    #[serde(default)]
    pub region_municipalities: Vec<String>,
    pub baseline_fiscal_year: i32,
    pub source: Option<String>,
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    pub members: Vec<MemberDefinition>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub pipelines: PipelineSettings,
    #[serde(default)]
    pub needs: NeedSettings,
    #[serde(default)]
    pub security: SecuritySettings,
    #[serde(default)]
    pub projects: ProjectSettings,
    /// The text the definition was parsed from (stored with the programme).
    #[serde(skip)]
    pub source_text: String,
}

/// Sign-in rules the programme sets for its members' accounts.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Accounts of the secretariat (who read every confidential deal and need of the
    /// programme) must sign in with a second factor, as administrators always do.
    #[serde(default)]
    pub second_factor_for_secretariat: bool,
}

/// How the programme's pipelines feed its KPI ledger.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// The deal stage at which a deal yields its outcome: `decided` (立地決定) or `operating`.
    #[serde(default = "default_counting_stage")]
    pub deal_counting_stage: String,
}

fn default_counting_stage() -> String {
    "decided".into()
}

impl Default for PipelineSettings {
    fn default() -> Self {
        Self {
            deal_counting_stage: default_counting_stage(),
        }
    }
}

impl PipelineSettings {
    pub fn deal_counting_stage(&self) -> crate::pipeline::DealStage {
        crate::pipeline::DealStage::parse(&self.deal_counting_stage)
            .unwrap_or(crate::pipeline::DealStage::Decided)
    }
}

/// How the programme runs its projects: the criteria of each stage gate (by the gate's stage
/// code) and the grant schemes its projects apply to.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectSettings {
    #[serde(default)]
    pub gate_criteria: BTreeMap<String, Vec<String>>,
    #[serde(default = "crate::grant::default_schemes")]
    pub grant_schemes: Vec<crate::grant::Scheme>,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        Self {
            gate_criteria: BTreeMap::new(),
            grant_schemes: crate::grant::default_schemes(),
        }
    }
}

impl ProjectSettings {
    /// The criteria a gate is reviewed against: the programme's own, else the defaults.
    pub fn criteria(&self, gate: crate::project::ProjectStage) -> Vec<String> {
        match self.gate_criteria.get(gate.code()) {
            Some(c) if !c.is_empty() => c.clone(),
            _ => crate::project::default_gate_criteria(gate)
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
        }
    }

    pub fn scheme(&self, key: &str) -> Option<&crate::grant::Scheme> {
        self.grant_schemes.iter().find(|s| s.key == key)
    }
}

/// How the programme curates clinical needs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NeedSettings {
    /// The named criteria reviewers score needs on (1–5 each).
    #[serde(default = "crate::curation::default_criteria")]
    pub criteria: Vec<crate::curation::Criterion>,
}

impl Default for NeedSettings {
    fn default() -> Self {
        Self {
            criteria: crate::curation::default_criteria(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    pub key: String,
    pub title: String,
    pub title_en: Option<String>,
    #[serde(default)]
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MemberDefinition {
    pub name: String,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub municipality: Option<String>,
    pub roles: Vec<String>,
    /// The organisation's duties as the seed's role table words them.
    #[serde(default)]
    pub duties: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
    /// Outcome kinds that count towards this indicator; empty for a total.
    #[serde(default)]
    pub outcome_kinds: Vec<String>,
    /// For a total: the indicators whose jobs it adds up.
    #[serde(default)]
    pub sum_of: Vec<String>,
    /// Which measures the indicator defines: `firms`, `jobs`.
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub fiscal_year: i32,
    pub note: Option<String>,
    pub targets: BTreeMap<String, Target>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub firms: Option<i64>,
    pub jobs: Option<i64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DefinitionError {
    #[error("programme definition is not valid TOML: {0}")]
    Syntax(String),
    #[error("programme definition: {0}")]
    Rule(String),
}

impl ProgrammeDefinition {
    pub fn parse(toml_text: &str) -> Result<Self, DefinitionError> {
        let mut def: Self =
            toml::from_str(toml_text).map_err(|e| DefinitionError::Syntax(e.to_string()))?;
        def.source_text = toml_text.to_owned();
        def.check()?;
        Ok(def)
    }

    /// Cross-field rules that serde cannot express.
    fn check(&self) -> Result<(), DefinitionError> {
        let rule = |m: String| Err(DefinitionError::Rule(m));
        if self.members.is_empty() {
            return rule("a programme needs member organisations".into());
        }
        for m in &self.members {
            if OrganisationKind::parse(&m.kind).is_err() {
                return rule(format!("member {}: unknown kind {}", m.name, m.kind));
            }
            for r in &m.roles {
                if Role::parse(r).is_err() {
                    return rule(format!("member {}: unknown role {r}", m.name));
                }
            }
        }
        if !matches!(
            self.pipelines.deal_counting_stage.as_str(),
            "decided" | "operating"
        ) {
            return rule("pipelines.deal_counting_stage must be decided or operating".into());
        }
        if !self
            .member_roles()
            .any(|(_, roles)| roles.contains(&Role::Secretariat))
        {
            return rule("no member has the secretariat role".into());
        }
        for (n, c) in self.needs.criteria.iter().enumerate() {
            let valid_key = !c.key.is_empty()
                && c.key
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !valid_key || self.needs.criteria[..n].iter().any(|d| d.key == c.key) {
                return rule(format!(
                    "needs.criteria: key {:?} must be unique, a-z, 0-9 and _",
                    c.key
                ));
            }
        }
        for gate in self.projects.gate_criteria.keys() {
            match crate::project::ProjectStage::parse(gate) {
                Ok(g) if crate::project::GATES.contains(&g) => {}
                _ => {
                    return rule(format!(
                        "projects.gate_criteria: {gate} is not a gate (prototype, evaluation, submission, launched)"
                    ));
                }
            }
        }
        for (n, s) in self.projects.grant_schemes.iter().enumerate() {
            if s.key.is_empty()
                || self.projects.grant_schemes[..n]
                    .iter()
                    .any(|t| t.key == s.key)
            {
                return rule(format!(
                    "projects.grant_schemes: key {:?} must be unique",
                    s.key
                ));
            }
            if s.subsidy_rate.is_some_and(|r| !(1..=100).contains(&r)) {
                return rule(format!(
                    "projects.grant_schemes {}: subsidy_rate is 1–100",
                    s.key
                ));
            }
        }
        for i in &self.indicators {
            if i.measures.iter().any(|m| m != "firms" && m != "jobs") {
                return rule(format!("indicator {}: measures are firms and jobs", i.key));
            }
            for s in &i.sum_of {
                if !self.indicators.iter().any(|j| &j.key == s) {
                    return rule(format!("indicator {}: sums unknown indicator {s}", i.key));
                }
            }
        }
        for m in &self.milestones {
            if m.fiscal_year < self.baseline_fiscal_year {
                return rule(format!("milestone {} precedes the baseline", m.fiscal_year));
            }
            for key in m.targets.keys() {
                if !self.indicators.iter().any(|i| &i.key == key) {
                    return rule(format!(
                        "milestone {}: unknown indicator {key}",
                        m.fiscal_year
                    ));
                }
            }
        }
        Ok(())
    }

    /// Each member with its parsed roles (the definition was checked, so every role parses).
    pub fn member_roles(&self) -> impl Iterator<Item = (&MemberDefinition, Vec<Role>)> {
        self.members.iter().map(|m| {
            let roles = m.roles.iter().filter_map(|r| Role::parse(r).ok()).collect();
            (m, roles)
        })
    }
}

/// The seed's programme, as shipped with Noguchi.
pub const SEED_PROGRAMME: &str = include_str!("../../../programmes/aizuwakamatsu-dr-noguchi.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_programme_matches_the_seed() {
        let def = ProgrammeDefinition::parse(SEED_PROGRAMME).unwrap();
        assert_eq!(def.name, "会津若松Dr.野口プロジェクト");
        assert_eq!(def.baseline_fiscal_year, 2010);
        assert_eq!(def.members.len(), 7);
        assert_eq!(def.strategies.len(), 3);
        let secretariat: Vec<&str> = def
            .member_roles()
            .filter(|(_, r)| r.contains(&Role::Secretariat))
            .map(|(m, _)| m.name.as_str())
            .collect();
        assert_eq!(secretariat, ["会津若松市", "会津若松商工会議所"]);
        let target = |fy: i32, key: &str| {
            def.milestones
                .iter()
                .find(|m| m.fiscal_year == fy)
                .unwrap()
                .targets[key]
        };
        assert_eq!(
            target(2020, "new_sites_expansions"),
            Target {
                firms: Some(8),
                jobs: Some(590)
            }
        );
        assert_eq!(
            target(2025, "new_sites_expansions"),
            Target {
                firms: Some(10),
                jobs: Some(700)
            }
        );
        assert_eq!(
            target(2020, "new_entries"),
            Target {
                firms: Some(5),
                jobs: Some(10)
            }
        );
        assert_eq!(
            target(2025, "new_entries"),
            Target {
                firms: Some(6),
                jobs: Some(25)
            }
        );
        assert_eq!(
            target(2020, "total"),
            Target {
                firms: None,
                jobs: Some(600)
            }
        );
        assert_eq!(
            target(2025, "total"),
            Target {
                firms: None,
                jobs: Some(725)
            }
        );
    }

    #[test]
    fn refuses_unknown_roles_and_indicators() {
        let bad = SEED_PROGRAMME.replacen("\"secretariat\"", "\"emperor\"", 1);
        assert!(matches!(
            ProgrammeDefinition::parse(&bad),
            Err(DefinitionError::Rule(_))
        ));
        let bad = SEED_PROGRAMME.replacen(
            "[milestones.targets.total]",
            "[milestones.targets.grand]",
            1,
        );
        assert!(matches!(
            ProgrammeDefinition::parse(&bad),
            Err(DefinitionError::Rule(_))
        ));
    }
}
