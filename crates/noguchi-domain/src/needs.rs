//! Clinical needs and research/technology seeds, their disclosure levels, and the guard that
//! holds a need whose text looks like it contains patient information.

use crate::validation::{Invalid, Problem, optional_text, required_text};

crate::code_list! {
    /// Who may see a need (PRODUCT.md section 4).
    Disclosure {
        Public = "public",
        Members = "members",
        Nda = "nda",
        Internal = "internal",
    }
}

crate::code_list! {
    /// 受付 → 精査 → 公開 → マッチング中 → プロジェクト化 → 終了
    NeedStatus {
        Received = "received",
        Screening = "screening",
        Published = "published",
        Matching = "matching",
        Project = "project",
        Closed = "closed",
    }
}

#[derive(Debug, Clone, Default)]
pub struct NeedInput {
    pub title: Option<String>,
    pub problem: Option<String>,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    pub disclosure: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedData {
    pub title: String,
    /// What is wrong today.
    pub problem: String,
    /// For whom, where (手術室, 病棟, 在宅, 介護施設 …).
    pub population: Option<String>,
    /// The wished outcome, without a solution built in.
    pub outcome: Option<String>,
    pub department: Option<String>,
    pub setting: Option<String>,
    pub category: Option<String>,
    pub frequency: Option<String>,
    pub workaround: Option<String>,
    pub disclosure: Disclosure,
    pub status: NeedStatus,
}

impl NeedData {
    pub fn parse(input: &NeedInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 200));
        let problem = errs.take("problem", required_text(input.problem.as_deref(), 4000));
        let mut text = |field: &str, v: &Option<String>, max: usize| {
            errs.take(field, optional_text(v.as_deref(), max)).flatten()
        };
        let population = text("population", &input.population, 500);
        let outcome = text("outcome", &input.outcome, 2000);
        let department = text("department", &input.department, 100);
        let setting = text("setting", &input.setting, 100);
        let category = text("category", &input.category, 100);
        let frequency = text("frequency", &input.frequency, 100);
        let workaround = text("workaround", &input.workaround, 2000);
        let disclosure = errs.take(
            "disclosure",
            match input.disclosure.as_deref().map(str::trim) {
                None | Some("") => Ok(Disclosure::Members),
                Some(d) => Disclosure::parse(d),
            },
        );
        let status = errs.take(
            "status",
            match input.status.as_deref().map(str::trim) {
                None | Some("") => Ok(NeedStatus::Received),
                Some(s) => NeedStatus::parse(s),
            },
        );
        if !errs.is_empty() {
            return Err(errs.scoped("need"));
        }
        Ok(Self {
            title: title.expect("checked"),
            problem: problem.expect("checked"),
            population,
            outcome,
            department,
            setting,
            category,
            frequency,
            workaround,
            disclosure: disclosure.expect("checked"),
            status: status.expect("checked"),
        })
    }

    /// The free-text fields the guard screens and the search indexes.
    pub fn texts(&self) -> Vec<&str> {
        [
            Some(self.title.as_str()),
            Some(self.problem.as_str()),
            self.population.as_deref(),
            self.outcome.as_deref(),
            self.workaround.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

pub use crate::guard::{Finding, FindingKind, screen};

#[derive(Debug, Clone, Default)]
pub struct SeedInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub holder_organisation_id: Option<String>,
    pub fields: Vec<String>,
    pub trl: Option<i64>,
    pub ip_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedData {
    pub title: String,
    pub description: String,
    pub holder_organisation_id: String,
    pub fields: Vec<String>,
    /// Technology readiness level, 1–9.
    pub trl: Option<i64>,
    pub ip_status: Option<String>,
}

impl SeedData {
    pub fn parse(input: &SeedInput) -> Result<Self, Invalid> {
        let mut errs = Invalid::default();
        let title = errs.take("title", required_text(input.title.as_deref(), 200));
        let description = errs.take(
            "description",
            required_text(input.description.as_deref(), 8000),
        );
        let holder = errs.take(
            "holder_organisation_id",
            input
                .holder_organisation_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(Problem::Required),
        );
        let trl = errs.take(
            "trl",
            match input.trl {
                Some(t) if !(1..=9).contains(&t) => Err(Problem::OutOfRange { min: 1, max: 9 }),
                t => Ok(t),
            },
        );
        let ip_status = errs.take("ip_status", optional_text(input.ip_status.as_deref(), 200));
        if !errs.is_empty() {
            return Err(errs.scoped("seed"));
        }
        let mut fields: Vec<String> = input
            .fields
            .iter()
            .map(|f| crate::text::fold_width(f.trim()))
            .filter(|f| !f.is_empty())
            .collect();
        fields.dedup();
        Ok(Self {
            title: title.expect("checked"),
            description: description.expect("checked"),
            holder_organisation_id: holder.expect("checked"),
            fields,
            trl: trl.expect("checked"),
            ip_status: ip_status.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDINARY: &[&str] = &[
        "手術中に使う鉗子が重く、長時間の手術で術者の手が疲れる。",
        "車いすからベッドへの移乗時に、介助者の腰への負担が大きい。",
        "点滴スタンドが廊下の段差で倒れそうになることがある。",
        "内視鏡の洗浄工程が手作業で、1本あたり30分かかっている。",
        "在宅酸素の残量が患者家族には分かりにくく、夜間に切れる不安がある。",
        "70代以上の利用者が多い介護施設で、ナースコールのボタンが押しにくいという声がある。",
        "採血時に細い血管の位置が分かりにくく、穿刺をやり直すことが多い。",
        "カテーテル挿入時の固定テープが汗ではがれやすい。",
        "病棟の夜勤帯で、体位変換の記録を手書きしており転記ミスが起きる。",
        "リハビリ用の歩行器の高さ調整に工具が必要で時間がかかる。",
        "患者様やご家族様から、説明用の資料が分かりにくいとの声がある。",
        "6歳以下の小児の採血では固定が難しい。80歳以上の方の転倒が多い。",
        "ISO 13485 の認証を持つ企業と、1日3回の測定を自動化したい。",
    ];

    #[test]
    fn ordinary_needs_pass() {
        for t in ORDINARY {
            assert_eq!(screen(&[t]), Vec::new(), "{t}");
        }
    }

    #[test]
    fn patient_information_is_held() {
        let kinds = |t: &str| screen(&[t]).into_iter().map(|f| f.kind).collect::<Vec<_>>();
        let phi = kinds("患者 山田太郎様（72歳、患者ID 0012345）の点滴ルートが夜間に抜ける。");
        assert!(phi.contains(&FindingKind::NameWithHonorific));
        assert!(phi.contains(&FindingKind::PersonalAge));
        assert!(phi.contains(&FindingKind::RecordNumber));
        assert_eq!(
            kinds("田中さんの褥瘡が悪化した"),
            [FindingKind::NameWithHonorific]
        );
        assert_eq!(kinds("連絡先は0242-12-3456です"), [FindingKind::Phone]);
        assert!(kinds("昭和25年3月4日生まれの方").contains(&FindingKind::BirthDate));
        assert!(kinds("会津若松市中町1丁目2-3にお住まい").contains(&FindingKind::Address));
        assert_eq!(kinds("カルテ番号:123456"), [FindingKind::RecordNumber]);
        assert_eq!(kinds("ＩＤ１２３４５"), [FindingKind::RecordNumber]);
    }

    #[test]
    fn needs_and_seeds_are_validated() {
        let err = NeedData::parse(&NeedInput {
            disclosure: Some("secret".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "problem", "disclosure"]);
        let ok = NeedData::parse(&NeedInput {
            title: Some("t".into()),
            problem: Some("p".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (ok.disclosure, ok.status),
            (Disclosure::Members, NeedStatus::Received)
        );
        let err = SeedData::parse(&SeedInput {
            trl: Some(12),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["title", "description", "holder_organisation_id", "trl"]
        );
    }
}
