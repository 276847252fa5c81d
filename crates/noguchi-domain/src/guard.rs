//! The patient-information guard: screens the free text of a need for patient information so
//! that a need which looks like it contains some is held for review instead of published.

crate::code_list! {
    /// What the guard found.
    FindingKind {
        NameWithHonorific = "name_with_honorific",
        PersonalAge = "personal_age",
        BirthDate = "birth_date",
        RecordNumber = "record_number",
        Phone = "phone",
        Address = "address",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The text that was flagged, for the reviewer.
    pub excerpt: String,
}

/// Words before an honorific that name a role, not a person (患者様, ご家族様 …).
const ROLE_WORDS: &[&str] = &[
    "患者",
    "利用者",
    "家族",
    "ご家族",
    "介助者",
    "介護者",
    "医師",
    "看護師",
    "先生",
    "お客",
    "皆",
    "皆さん",
    "職員",
    "入所者",
    "入院患者",
    "高齢者",
    "子供",
    "子ども",
    "お子",
    "ご本人",
    "本人",
    "技師",
    "スタッフ",
    "術者",
    "方々",
    "ユーザー",
    "患",
    "お母",
    "お父",
    "奥",
    "娘",
    "息子",
];

fn is_name_char(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3005 | 0x30A1..=0x30FA | 0x30FC)
}

fn digits_before(chars: &[char], end: usize) -> usize {
    chars[..end]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// Screens text for patient information: names with honorifics, a person's age, birth dates,
/// patient or record numbers, phone numbers and street addresses. Tuned to let ordinary clinical
/// prose through (患者様, 70代以上, 1本あたり30分 pass).
pub fn screen(texts: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    for text in texts {
        let folded = crate::text::fold_width(text);
        let chars: Vec<char> = folded.chars().collect();
        let excerpt = |a: usize, b: usize| {
            chars[a.min(chars.len())..b.min(chars.len())]
                .iter()
                .collect::<String>()
        };
        let mut i = 0;
        while i < chars.len() {
            let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
            // 山田太郎様, 田中さん: a 2–6 character name before an honorific.
            for h in ["様", "さま", "さん", "氏", "殿", "くん", "ちゃん"] {
                if rest.starts_with(h) {
                    let len = chars[..i]
                        .iter()
                        .rev()
                        .take_while(|c| is_name_char(**c))
                        .count();
                    let name: String = chars[i - len..i].iter().collect();
                    let role = ROLE_WORDS.iter().any(|r| name.ends_with(r));
                    if (2..=6).contains(&len) && !role {
                        out.push(Finding {
                            kind: FindingKind::NameWithHonorific,
                            excerpt: excerpt(i - len, i + h.chars().count()),
                        });
                    }
                }
            }
            // 72歳 of a person; 70歳以上, 6歳以下, 80歳代 describe groups and pass.
            if chars[i] == '歳' || rest.starts_with("才") {
                let n = digits_before(&chars, i);
                let after: String = chars[i + 1..chars.len().min(i + 3)].iter().collect();
                let group = [
                    "以上", "以下", "未満", "代", "から", "〜", "~", "前後", "超", "児",
                ]
                .iter()
                .any(|g| after.starts_with(g));
                let before = if i > n { chars[i - n - 1] } else { ' ' };
                if n > 0 && !group && !matches!(before, '〜' | '~' | '-' | '～') {
                    out.push(Finding {
                        kind: FindingKind::PersonalAge,
                        excerpt: excerpt(i - n, i + 1),
                    });
                }
            }
            i += 1;
        }
        let lower = folded.to_lowercase();
        if ["生年月日", "年生まれ", "月生まれ", "日生まれ"]
            .iter()
            .any(|k| folded.contains(k))
        {
            out.push(Finding {
                kind: FindingKind::BirthDate,
                excerpt: "生年月日".into(),
            });
        }
        for key in [
            "患者id",
            "患者番号",
            "カルテ番号",
            "診察券番号",
            "id",
            "no.",
        ] {
            let mut from = 0;
            while let Some(pos) = lower[from..].find(key) {
                let at = from + pos + key.len();
                let tail: String = lower[at..]
                    .chars()
                    .skip_while(|c| matches!(c, ' ' | ':' | '：' | '#'))
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if tail.len() >= 4 {
                    out.push(Finding {
                        kind: FindingKind::RecordNumber,
                        excerpt: format!("{}{}", &folded.get(from + pos..at).unwrap_or(key), tail),
                    });
                }
                from = at;
            }
        }
        // Phone numbers: 0X-XXXX-XXXX shapes or ten or more digits in a row starting with 0.
        let mut run = String::new();
        for c in folded.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() || (c == '-' && !run.is_empty()) {
                run.push(c);
            } else {
                let digits = run.chars().filter(char::is_ascii_digit).count();
                let groups = run.split('-').filter(|g| !g.is_empty()).count();
                if run.starts_with('0')
                    && (10..=11).contains(&digits)
                    && (groups == 3 || groups == 1)
                {
                    out.push(Finding {
                        kind: FindingKind::Phone,
                        excerpt: run.clone(),
                    });
                } else if groups == 3 && digits >= 3 && !run.starts_with('0') {
                    // 1-2-3 after a place name: a street address (番地).
                    out.push(Finding {
                        kind: FindingKind::Address,
                        excerpt: run.clone(),
                    });
                }
                run.clear();
            }
        }
        if ["丁目", "番地"].iter().any(|k| folded.contains(k)) {
            out.push(Finding {
                kind: FindingKind::Address,
                excerpt: "丁目/番地".into(),
            });
        }
    }
    out
}
