//! Reading characters: kinds of characters, words at a position, numbers, and dates.

use super::words::*;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// Character classes and matching on a slice of chars (indices are char positions).

pub(super) fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' | '々' | '〆')
}

pub(super) fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ')
}

pub(super) fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | 'ゝ' | 'ゞ')
}

pub(super) fn is_name_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c)
}

pub(super) fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || KANJI_NUMERALS.contains(c)
}

/// Dashes people type between digit groups, including the long-vowel mark (090ー1234ー5678).
pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー')
}

pub(super) fn at(c: &[char], i: usize) -> char {
    c.get(i).copied().unwrap_or('\0')
}

pub(super) fn before(c: &[char], i: usize) -> char {
    if i == 0 { '\0' } else { at(c, i - 1) }
}

pub(super) fn len(s: &str) -> usize {
    s.chars().count()
}

/// Whether `s` occurs at `i`; ASCII letters compare case-insensitively (ID, id, Tel, TEL) and
/// `_` in `s` stands for a space (date_of_birth).
pub(super) fn is_at(c: &[char], i: usize, s: &str) -> bool {
    let mut k = i;
    for ch in s.chars() {
        let ch = if ch == '_' { ' ' } else { ch };
        match c.get(k) {
            Some(x) if x.eq_ignore_ascii_case(&ch) => k += 1,
            _ => return false,
        }
    }
    true
}

/// Whether `s` ends exactly at `end`.
pub(super) fn ends_at(c: &[char], end: usize, s: &str) -> bool {
    let n = len(s);
    end >= n && is_at(c, end - n, s)
}

pub(super) fn any_word(list: &str, f: impl Fn(&str) -> bool) -> bool {
    list.split_whitespace().any(f)
}

/// The longest word of `list` at `i`, with its length in chars.
pub(super) fn word_at<'a>(c: &[char], i: usize, list: &'a str) -> Option<(&'a str, usize)> {
    // Most characters start no word of the list: find that out without splitting the list.
    let first = at(c, i);
    let starts_word = |x: char| {
        list.match_indices(x)
            .any(|(p, _)| list[..p].ends_with(|b: char| b.is_whitespace()) || p == 0)
    };
    if first == '\0'
        || !(starts_word(first.to_ascii_lowercase()) || starts_word(first.to_ascii_uppercase()))
    {
        return None;
    }
    list.split_whitespace()
        .filter(|w| is_at(c, i, w))
        .map(|w| (w, len(w)))
        .max_by_key(|(_, n)| *n)
}

/// Whether a word of `list` is at `i`.
pub(super) fn has_word_at(c: &[char], i: usize, list: &str) -> bool {
    word_at(c, i, list).is_some()
}

/// An ASCII label (ID, No, tel, dob) must be a word of its own, not part of VOID or Hotel.
pub(super) fn stands_alone(c: &[char], i: usize, label: &str) -> bool {
    !label.is_ascii()
        || (!before(c, i).is_ascii_alphabetic() && !at(c, i + len(label)).is_ascii_alphabetic())
}

pub(super) fn count_from(c: &[char], i: usize, f: impl Fn(char) -> bool) -> usize {
    c.get(i..)
        .map_or(0, |s| s.iter().take_while(|x| f(**x)).count())
}

pub(super) fn count_back(c: &[char], end: usize, f: impl Fn(char) -> bool) -> usize {
    c[..end.min(c.len())]
        .iter()
        .rev()
        .take_while(|x| f(**x))
        .count()
}

pub(super) fn digits_from(c: &[char], i: usize) -> usize {
    count_from(c, i, |x| x.is_ascii_digit())
}

/// The value of the `n` ASCII digits at `i` (callers have counted them).
pub(super) fn number(c: &[char], i: usize, n: usize) -> u32 {
    c[i..i + n].iter().fold(0u32, |v, d| {
        v.saturating_mul(10)
            .saturating_add(d.to_digit(10).unwrap_or(0))
    })
}

pub(super) fn text(c: &[char], r: Range<usize>) -> String {
    c[r].iter().collect()
}

/// Up to `n` chars before `i` within the same clause, lower-cased.
pub(super) fn window_before(c: &[char], i: usize, n: usize) -> String {
    let i = i.min(c.len());
    let w = &c[i.saturating_sub(n)..i];
    let cut = w
        .iter()
        .rposition(|x| matches!(x, '。' | '、' | ',' | '\n' | '!' | '?'))
        .map_or(0, |p| p + 1);
    w[cut..].iter().collect::<String>().to_lowercase()
}

/// The sentence around `i` (between 。!? and line breaks; NFKC has made ！？ ASCII).
pub(super) fn sentence(c: &[char], i: usize) -> String {
    let i = i.min(c.len());
    let end_of = |x: &char| matches!(x, '。' | '\n' | '!' | '?');
    let a = c[..i].iter().rposition(end_of).map_or(0, |p| p + 1);
    let b = c[i..].iter().position(end_of).map_or(c.len(), |p| i + p);
    text(c, a..b)
}

/// Skips up to `max` characters from `set` (separators between a label and its value).
pub(super) fn skip(c: &[char], mut i: usize, set: &str, max: usize) -> usize {
    let mut n = 0;
    while n < max && i < c.len() && set.contains(c[i]) {
        i += 1;
        n += 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Dates, shared by the birth-date and event-date rules.

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Date {
    pub(super) end: usize,
    /// The year is unambiguous: an era (昭和25年, S25.) or four digits.
    pub(super) year: bool,
    pub(super) month: bool,
    pub(super) day: bool,
}

/// Reads a date at `i`: 昭和25年3月4日, S25.3.4, 令和元年, 1950/3/4, 1950年, 1948-07-21,
/// 3月4日, 11/3. A year alone counts only with 年 (昭和25年, 1950年); a month alone is no date.
pub(super) fn date_at(c: &[char], i: usize) -> Option<Date> {
    let prev = before(c, i);
    if prev.is_ascii_alphanumeric() || matches!(prev, '/' | '.') {
        return None;
    }
    let mut d = Date::default();
    let mut j = i;
    if let Some((_, n)) = word_at(c, i, "明治 大正 昭和 平成 令和") {
        j += n;
    } else if "MTSHR明大昭平令".contains(at(c, i)) && at(c, i + 1).is_ascii_digit() {
        j += 1;
    }
    let sep;
    if j > i {
        // An era year: 1–2 digits or 元, then 年 or a separator.
        if at(c, j) == '元' {
            j += 1;
        } else {
            let n = digits_from(c, j);
            if !(1..=2).contains(&n) {
                return None;
            }
            j += n;
        }
        sep = at(c, j);
        if !matches!(sep, '年' | '.' | '/' | '-') {
            return None;
        }
        j += 1;
        d.year = true;
    } else {
        let n = digits_from(c, j);
        if n == 4 && (1800..=2099).contains(&number(c, j, 4)) {
            j += 4;
            sep = at(c, j);
            if !matches!(sep, '年' | '.' | '/' | '-') {
                return None;
            }
            j += 1;
            d.year = true;
        } else if (1..=2).contains(&n) && matches!(at(c, j + n), '月' | '/') {
            // No year: 3月4日 reads like 年 style, 11/3 like slash style.
            sep = if at(c, j + n) == '月' { '年' } else { '/' };
        } else {
            return None;
        }
    }
    if d.year && sep == '年' {
        d.end = j;
    }
    let month_sep = if sep == '年' { '月' } else { sep };
    let n = digits_from(c, j);
    if (1..=2).contains(&n) && (1..=12).contains(&number(c, j, n)) && at(c, j + n) == month_sep {
        j += n + 1;
        d.month = true;
        d.end = if month_sep == '月' { j } else { j - 1 };
        let n = digits_from(c, j);
        if (1..=2).contains(&n) && (1..=31).contains(&number(c, j, n)) {
            j += n;
            if month_sep == '月' {
                if at(c, j) == '日' {
                    d.day = true;
                    d.end = j + 1;
                }
            } else if !at(c, j).is_ascii_digit() && !matches!(at(c, j), '.' | '/' | '-') {
                d.day = true;
                d.end = j;
            }
        }
    }
    let complete = if d.year {
        d.month || sep == '年'
    } else {
        d.month && d.day
    };
    (complete && d.end > i).then_some(d)
}
