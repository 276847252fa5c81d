//! Japanese text folding: the one place that decides when two spellings are "the same" for
//! search and how names sort in 五十音 order.

use crate::validation::Problem;
use unicode_normalization::UnicodeNormalization;

/// NFKC: full-width ASCII becomes ASCII, half-width katakana becomes full-width (with its
/// voicing mark joined), compatibility characters such as ㈱ are expanded.
pub fn fold_width(s: &str) -> String {
    s.nfkc().collect()
}

/// The search key of a text: width folded, katakana turned into hiragana, Latin lower-cased,
/// whitespace removed. Searching compares keys, so ｹﾝｻ, ケンサ and けんさ all find each other.
pub fn search_key(s: &str) -> String {
    fold_width(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(katakana_to_hiragana)
        .flat_map(char::to_lowercase)
        .collect()
}

fn katakana_to_hiragana(c: char) -> char {
    match c {
        // ァ..ヶ map onto ぁ..ゖ; ヽヾ onto ゝゞ.
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}'..='\u{30FE}' => {
            char::from_u32(c as u32 - 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

/// A sort key that orders readings in 五十音 order: the reading without voicing marks and with
/// small kana made large decides first (so が sorts with か, っ with つ), the exact reading breaks
/// ties. Compared bytewise (both databases compare BLOBs with memcmp).
pub fn gojuon_sort_key(reading: &str) -> Vec<u8> {
    let exact = search_key(reading);
    let primary: String = exact
        .nfd()
        .filter(|c| !is_voicing_mark(*c))
        .map(large_kana)
        .collect();
    let mut key = primary.into_bytes();
    key.push(0);
    key.extend_from_slice(exact.as_bytes());
    key
}

fn is_voicing_mark(c: char) -> bool {
    matches!(c, '\u{3099}' | '\u{309A}')
}

fn large_kana(c: char) -> char {
    match c {
        'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'っ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' => {
            char::from_u32(c as u32 + 1).unwrap_or(c)
        }
        'ゕ' => 'か',
        'ゖ' => 'け',
        _ => c,
    }
}

/// A reading (フリガナ): kana, the long-vowel mark, middle dots, spaces, and the Latin letters
/// and digits that appear in company names. Stored as entered (width-folded).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Kana(String);

impl Kana {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let folded = fold_width(input.trim());
        if folded.is_empty() {
            return Err(Problem::Required);
        }
        let ok = folded.chars().all(|c| {
            matches!(c,
                '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' // hiragana
                | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}' // katakana, ー
                | '・' | '･' | ' ' | '　' | '&' | '＆' | '.' | '-' | '(' | ')')
                || c.is_ascii_alphanumeric()
        });
        if ok {
            Ok(Self(folded))
        } else {
            Err(Problem::NotKana)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_folds_width_and_kana() {
        assert_eq!(search_key("ｹﾝｻ"), "けんさ");
        assert_eq!(search_key("ケンサ"), "けんさ");
        assert_eq!(search_key("ＡＢＣ　株式会社"), "abc株式会社");
        assert_eq!(search_key("ｶﾞｽ"), "がす");
        assert_eq!(search_key("ヴァイオリン"), "ゔぁいおりん");
    }

    #[test]
    fn gojuon_order() {
        let mut names = vec![
            "サトウ",
            "アイヅ",
            "ガクシャ",
            "カキ",
            "ｱｲﾂﾞ",
            "キッサ",
            "キツネ",
        ];
        names.sort_by_key(|n| gojuon_sort_key(n));
        assert_eq!(
            names,
            [
                "アイヅ",
                "ｱｲﾂﾞ",
                "カキ",
                "ガクシャ",
                "キッサ",
                "キツネ",
                "サトウ"
            ]
        );
    }

    #[test]
    fn kana_accepts_readings_and_refuses_kanji() {
        assert_eq!(
            Kana::parse("ｹﾝｻｺｳｷﾞｮｳ0").unwrap().as_str(),
            "ケンサコウギョウ0"
        );
        assert!(Kana::parse("あいづわかまつし").is_ok());
        assert!(Kana::parse("エヌ・ティー・ティー").is_ok());
        assert_eq!(Kana::parse("会津"), Err(Problem::NotKana));
        assert_eq!(Kana::parse("  "), Err(Problem::Required));
    }
}
