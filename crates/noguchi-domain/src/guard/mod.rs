//! The patient-information guard: screens the free text of a need for patient information so
//! that a need which looks like it contains some is held for review instead of published.
//!
//! It is pattern-based on purpose: every finding names a rule (its kind) and shows the text it
//! matched (its excerpt), so a reviewer can see why a need was held and release it in one look.
//! The text is width-folded (NFKC) first, so full-width digits, half-width katakana and ㍼ read
//! like their ordinary forms, and every excerpt is a substring of the folded text.
//!
//! Decisions the rules encode:
//! - A name is a run of kanji/katakana before an honorific (様, さん, ちゃん …), unless the run ends
//!   with a word for a role, a relative or an organisation (患者様, 看護師さん, メーカーさん,
//!   病院さん) or is a polite common noun (お子さん, ご本人様). Kana given names after a kanji
//!   surname (山田はなさん) count too.
//! - Initials with an honorific are names: a single capital (Ｋさん, Aさん) or dotted initials
//!   (Y.T.さん). We cannot tell a pseudonym from a real initial, and in a need either one marks a
//!   narrative about one patient. Undotted letter groups are abbreviations (PTさん, MSWさん).
//! - An exact age (72歳, 七十二歳, 72y/o, 生後3か月) is a person's, unless it bounds a group or a
//!   range (65歳以上, 2歳から6歳まで, 3歳児健診, 平均年齢86歳). An age band (80代) is a group;
//!   it becomes one person's age when it is attached to a sex word (80代女性, 70代前半の男性) in a
//!   sentence with no aggregate marker (多い, 場合, 傾向, 割合 …): "80代女性。夜間に…" is held,
//!   "80代の女性利用者が多い" and "80代女性の場合" pass.
//! - A date is a birth date only when it carries 生/生まれ or a label (生年月日：, DOB:); a date
//!   is an event date when it is followed by a clinical event of one person (入院, 転倒, 手術 …).
//! - Numbers count only with a shape or a label that makes them personal: phone shapes, record
//!   labels (患者ID, 受付番号 …), 〒, 号室, 丁目/番地 or a place name before a block number. Bare
//!   ranges, dates and standards (3-4-5, 2026-11-26, IEC 60601-1-2) pass.

use scan::Scan;

crate::code_list! {
    /// What the guard found; the code is stored with the finding and labelled by the interfaces.
    FindingKind {
        NameWithHonorific = "name_with_honorific",
        PersonalAge = "personal_age",
        BirthDate = "birth_date",
        RecordNumber = "record_number",
        Phone = "phone",
        Address = "address",
        Email = "email",
        PostalCode = "postal_code",
        // A patient room number (305号室): with the hospital it points at one bed.
        RoomNumber = "room_number",
        // A name after a form label (氏名：会津 太郎).
        LabelledName = "labelled_name",
        // A date tied to one patient's clinical event (11月3日に入院).
        EventDate = "event_date",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The text that was flagged, for the reviewer: a substring of the width-folded text.
    pub excerpt: String,
}

/// Screens text for patient information. Each distinct (kind, excerpt) is reported once, in the
/// order found. Tuned to let ordinary clinical prose through (患者様, 70代以上, 1日2〜3回,
/// ISO 13485, 2026-11-26 pass); see the module documentation for the rules.
pub fn screen(texts: &[&str]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for text in texts {
        let folded = crate::text::fold_width(text);
        let chars: Vec<char> = folded.chars().collect();
        for (kind, r) in Scan::run(&chars) {
            let f = Finding {
                kind,
                excerpt: chars[r].iter().collect(),
            };
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

mod chars;
mod rules;
mod scan;
mod words;

#[cfg(test)]
mod corpus;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn kinds(t: &str) -> BTreeSet<&'static str> {
        screen(&[t]).into_iter().map(|f| f.kind.code()).collect()
    }

    fn excerpts(t: &str) -> Vec<String> {
        screen(&[t]).into_iter().map(|f| f.excerpt).collect()
    }

    #[test]
    fn the_ordinary_corpus_passes() {
        let held: Vec<String> = corpus::ORDINARY
            .iter()
            .filter_map(|t| {
                let f = screen(&[t]);
                (!f.is_empty()).then(|| format!("{t}\n    {f:?}"))
            })
            .collect();
        assert!(held.is_empty(), "held:\n{}", held.join("\n"));
        assert!(corpus::ORDINARY.len() >= 60);
    }

    #[test]
    fn the_patient_information_corpus_is_held_with_the_right_kinds() {
        let wrong: Vec<String> = corpus::PHI
            .iter()
            .filter_map(|(t, expected)| {
                let want: BTreeSet<&str> = expected.iter().map(|k| k.code()).collect();
                (kinds(t) != want)
                    .then(|| format!("{t}\n    want {want:?}\n    got  {:?}", screen(&[t])))
            })
            .collect();
        assert!(wrong.is_empty(), "wrong:\n{}", wrong.join("\n"));
        assert!(corpus::PHI.len() >= 40);
    }

    #[test]
    fn excerpts_show_what_was_matched() {
        assert_eq!(
            excerpts("患者 山田太郎様（72歳、患者ID 0012345）"),
            ["山田太郎様", "72歳", "患者ID 0012345"]
        );
        assert_eq!(
            excerpts("病棟看護師山田花子さんが担当"),
            ["病棟看護師山田花子さん"]
        );
        assert_eq!(
            excerpts("連絡先：０９０－１２３４－５６７８"),
            ["連絡先:090-1234-5678"]
        );
        assert_eq!(
            excerpts("〒965-8601 会津若松市追手町1-1"),
            ["〒965-8601", "会津若松市追手町1-1"]
        );
    }

    #[test]
    fn an_age_band_is_one_person_only_when_described_as_one() {
        assert_eq!(
            kinds("80代女性。夜間に点滴を自己抜去した。"),
            ["personal_age"].into()
        );
        assert_eq!(
            kinds("70代前半の男性が入浴中に倒れた。"),
            ["personal_age"].into()
        );
        for group in [
            "80代の女性患者が多い。",
            "80代女性の場合、骨がもろい。",
            "80代以上の女性では受診率が低い。",
            "70〜80代の男性が入院した。",
            "80代女性3名が同時に入院した。",
            "80代の女性でも開けられる容器。",
            "70代以上の利用者。",
        ] {
            assert!(kinds(group).is_empty(), "{group}");
        }
    }

    #[test]
    fn initials_are_names_and_abbreviations_are_not() {
        for name in ["Ｋさんの血圧", "Y.T.さん", "Y・T様", "A氏の点滴"] {
            assert_eq!(kinds(name), ["name_with_honorific"].into(), "{name}");
        }
        for role in [
            "PTさんとOTさん",
            "MSWさん",
            "GEさんのCT",
            "3Mさんのテープ",
            "ME室さん",
        ] {
            assert!(kinds(role).is_empty(), "{role}");
        }
    }

    #[test]
    fn dates_ranges_and_standards_are_not_addresses() {
        // The old rule took any three hyphenated groups for a street address.
        for t in [
            "2026-11-26 に実施",
            "手順3-4-5",
            "IEC 60601-1-2",
            "JIS T 0601-1",
            "3-4日",
            "1日2〜3回",
        ] {
            assert!(kinds(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn findings_are_distinct_across_texts() {
        let f = screen(&["田中さん", "田中さんの褥瘡", "佐藤さん"]);
        let names: Vec<&str> = f.iter().map(|f| f.excerpt.as_str()).collect();
        assert_eq!(names, ["田中さん", "佐藤さん"]);
    }

    /// Fragments that hit the rules' edges when shuffled together.
    fn fragments() -> impl Strategy<Value = String> {
        let mut parts: Vec<&str> = "\
            山田 さん 様 ちゃん ちゃんと お 患者 Y. T ・ 0 9 12 - ー ( \
            ) +81 / . : ： 年 月 日 生 生まれ 歳 代 女性 の 〜 から ID \
            No 号室 丁目 番地 番 号 市 町 〒 @ example.jp 生後 か月 \
            年齢 氏名 住所 は に 入院 、 。 ｶﾞ １ ㍼ S 生年月日"
            .split_whitespace()
            .collect();
        parts.push(" ");
        prop::collection::vec(prop::sample::select(parts), 0..40).prop_map(|v| v.concat())
    }

    fn excerpts_are_substrings(texts: &[&str]) -> Result<(), TestCaseError> {
        let folded: Vec<String> = texts.iter().map(|t| crate::text::fold_width(t)).collect();
        for f in screen(texts) {
            prop_assert!(!f.excerpt.is_empty());
            prop_assert!(
                folded.iter().any(|t| t.contains(&f.excerpt)),
                "{:?} not in {:?}",
                f,
                folded
            );
        }
        Ok(())
    }

    proptest! {
        // The guard never panics, and every excerpt is a non-empty substring of the width-folded
        // text it came from, so the reviewer can find it.
        #[test]
        fn excerpts_are_substrings_of_the_folded_text(a in any::<String>(), b in "\\PC{0,60}") {
            excerpts_are_substrings(&[&a, &b])?;
        }

        #[test]
        fn excerpts_are_substrings_near_the_rules(a in fragments(), b in fragments()) {
            excerpts_are_substrings(&[&a, &b])?;
        }

        // The guard reads the folded text only: screening it again gives the same findings
        // (NFKC is idempotent), and no finding is reported twice.
        #[test]
        fn the_guard_sees_only_the_folded_text(a in fragments()) {
            let once = screen(&[&a]);
            prop_assert_eq!(&screen(&[&crate::text::fold_width(&a)]), &once);
            let distinct: BTreeSet<(&str, &str)> =
                once.iter().map(|f| (f.kind.code(), f.excerpt.as_str())).collect();
            prop_assert_eq!(distinct.len(), once.len());
        }
    }
}
