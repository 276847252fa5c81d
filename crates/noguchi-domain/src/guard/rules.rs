//! The helpers of the rules: names, ages, addresses, record numbers, phones.

use super::chars::*;
use super::words::*;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// Rule helpers.

/// Whether a run of kanji/katakana before an honorific is a role, relative or organisation.
pub(super) fn is_role(run: &str) -> bool {
    [ROLE_WORDS, RELATIVES, ORGANISATIONS]
        .iter()
        .any(|list| any_word(list, |w| run.ends_with(w)))
        || run
            .chars()
            .last()
            .is_some_and(|x| ROLE_SUFFIXES.contains(x))
}

/// Whether the honorific `h` ending at `after` is used as one: not 様子/様式/氏名 (a kanji joined
/// to a single-kanji honorific makes a word), not さまざま/さまよう/さんぽ, not くんれん.
pub(super) fn honorific_in_context(c: &[char], h: &str, after: usize) -> bool {
    let next = at(c, after);
    match h {
        "様" | "氏" | "殿" | "君" => {
            let joined = is_kanji(next) && !AFTER_HONORIFIC_KANJI.contains(next);
            let adjective = h == "様" && next == 'な';
            !joined && !adjective
        }
        "さま" => !is_at(c, after, "ざま") && next != 'よ',
        "さん" | "ちゃん" => next != 'ぽ',
        "くん" => !matches!(next, 'れ' | 'せ'),
        _ => true,
    }
}

/// 山田さん, ヤマダさん, 花子ちゃん, 病棟看護師山田花子さん: the run of kanji/katakana before the
/// honorific, unless it is a role (患者様), a polite common noun (お子さん, ご本人様), a word
/// with 様/氏 (仕様, 同様, 同氏), the adverb ちゃんと, or a single kanji that is no common
/// surname (赤ちゃん). Returns where the name starts.
pub(super) fn kanji_or_katakana_name(
    c: &[char],
    end: usize,
    h: &str,
    after: usize,
) -> Option<usize> {
    let n = count_back(c, end, is_name_char);
    if n == 0 {
        return None;
    }
    let s = end - n;
    let run = text(c, s..end);
    let last = c[end - 1];
    let polite_noun =
        (matches!(before(c, s), 'お' | 'ご') && !ends_at(c, s, "なお")) || run.starts_with('御');
    let word = match h {
        "様" => {
            SAMA_WORD_HEADS.contains(last) && !any_word(NAMES_ENDING_IN_TA, |x| run.ends_with(x))
        }
        "氏" => SHI_WORD_HEADS.contains(last),
        "ちゃん" => at(c, after) == 'と' && any_word(BEFORE_CHANTO, |w| run.ends_with(w)),
        _ => false,
    };
    let lone_kanji = n == 1 && !SINGLE_KANJI_SURNAMES.contains(last);
    if is_role(&run) || polite_noun || word || lone_kanji {
        return None;
    }
    // A long run carries the words before the name (病棟看護師山田花子): the reviewer sees it whole,
    // up to ten characters.
    Some(s.max(end.saturating_sub(10)))
}

/// Ｋさん, A氏, Y.T.さん, Y・T様: one capital, or single capitals joined by dots. Letter groups
/// (PTさん, MSWさん, GEさん) are abbreviations of roles and companies and pass.
pub(super) fn initials_before(c: &[char], end: usize) -> Option<usize> {
    let mut j = end;
    if before(c, j) == '.' {
        j -= 1;
    }
    let mut letters = 0;
    loop {
        if count_back(c, j, |x| x.is_ascii_alphabetic()) != 1 || !c[j - 1].is_ascii_uppercase() {
            return None;
        }
        j -= 1;
        letters += 1;
        let dot = matches!(before(c, j), '.' | '・');
        if letters < 3 && dot && before(c, j - 1).is_ascii_uppercase() {
            j -= 1;
        } else if letters < 3
            && before(c, j) == ' '
            && j >= 2
            && before(c, j - 1) == '.'
            && before(c, j - 2).is_ascii_uppercase()
        {
            j -= 2;
        } else {
            break;
        }
    }
    // 3Mさん, ABC.Dさん: part of a longer token.
    let prev = before(c, j);
    (!prev.is_ascii_alphanumeric() && prev != '.').then_some(j)
}

/// 山田はなさん: a kana given name (two or three hiragana) right after a kanji surname.
pub(super) fn kana_given_name(c: &[char], end: usize) -> Option<usize> {
    let h = count_back(c, end, is_hiragana);
    if !(2..=3).contains(&h) {
        return None;
    }
    let hs = end - h;
    let k = count_back(c, hs, is_kanji);
    if !(1..=4).contains(&k) {
        return None;
    }
    let s = hs - k;
    let kana = text(c, hs..end);
    let tail = text(c, hs + 1..end);
    let not_name = matches!(c[hs], 'お' | 'ご')
        || any_word(NOT_KANA_NAMES, |w| w == kana || w == tail)
        || is_role(&text(c, s..end))
        || matches!(before(c, s), 'お' | 'ご');
    (!not_name).then_some(s)
}

/// An age that bounds a group (65歳以上, 3歳児, 1歳6か月児健診), ends a range (2歳から6歳,
/// 6〜12歳) or is a statistic (平均年齢86歳).
pub(super) fn age_is_group(c: &[char], start: usize, end: usize) -> bool {
    let j = end + usize::from(at(c, end) == '半');
    let ahead = text(c, end..c.len().min(end + 8));
    let near = window_before(c, start, 6);
    has_word_at(c, j, AGE_GROUP_AFTER)
        || ["健診", "検診", "か月児"].iter().any(|w| ahead.contains(w))
        || any_word(AGE_RANGE_BEFORE, |w| near.ends_with(w))
        || any_word(AGE_STATISTIC_BEFORE, |w| near.contains(w))
}

/// 80代女性, 70代前半の男性, 90歳代の女性 at the 代 in `i`: an age band attached to a sex word in
/// a sentence about one person. A band bounding a group (70代以上), in a range (70〜80代), with a
/// count (80代女性3名), a generic use (80代女性でも, 20代女性看護師) or an aggregate word in the
/// sentence (多い, 場合, 傾向 …) stays a group.
pub(super) fn age_band_of_one(c: &[char], i: usize) -> Option<Range<usize>> {
    let band_end = if before(c, i) == '歳' { i - 1 } else { i };
    let n = count_back(c, band_end, is_numeral);
    if n == 0 {
        return None;
    }
    let s = band_end - n;
    if matches!(before(c, s), '〜' | '~' | '-' | '–' | '、' | '・') || ends_at(c, s, "から")
    {
        return None;
    }
    let mut j = i + 1;
    if let Some((_, q)) = word_at(c, j, "前半 後半 半ば") {
        j += q;
    }
    if at(c, j) == 'の' {
        j += 1;
    }
    let (_, sex) = word_at(c, j, SEX_WORDS)?;
    let e = j + sex;
    let k = digits_from(c, e);
    let counted = k > 0 && number(c, e, k.min(6)) >= 2 && matches!(at(c, e + k), '名' | '人');
    let sentence = sentence(c, i);
    let aggregate = has_word_at(c, e, AFTER_SEX_GENERIC)
        || any_word(AGGREGATE_MARKERS, |m| sentence.contains(m));
    (!counted && !aggregate).then_some(s..e)
}

/// 965-8601 (or 9658601 after 〒 or 郵便番号) not joined to more digits.
pub(super) fn postal_at(c: &[char], i: usize, labelled: bool) -> Option<usize> {
    if digits_from(c, i) == 3 && is_dash(at(c, i + 3)) && digits_from(c, i + 4) == 4 {
        return Some(i + 8);
    }
    (labelled && digits_from(c, i) == 7).then_some(i + 7)
}

/// A place name follows: a run of kanji with a prefecture or municipality marker (福島県会津若松市).
pub(super) fn place_follows(c: &[char], i: usize) -> bool {
    let n = count_from(c, i, is_kanji).min(12);
    n >= 2
        && c[i..i + n]
            .iter()
            .any(|x| "都道府県市区町村郡".contains(*x))
}

/// Where the place name before `i` starts (会津若松市 before 追手町), at most ten characters back.
pub(super) fn place_start(c: &[char], i: usize) -> usize {
    i - count_back(c, i, |x| is_name_char(x) || "の〇○ケヶ".contains(x)).min(10)
}

/// The end of a block address from `i` (丁目2-3, 番地の2, 番4号).
pub(super) fn block_end(c: &[char], i: usize) -> usize {
    let mut e = i;
    loop {
        match word_at(c, e, BLOCK_WORDS) {
            Some((w, _)) if w == "の" && !is_numeral(at(c, e + 1)) => break,
            Some((_, n)) => e += n,
            None if is_numeral(at(c, e)) || (is_dash(at(c, e)) && is_numeral(at(c, e + 1))) => {
                e += 1
            }
            None => break,
        }
    }
    e
}

/// N-N or N-N-N (1–4 digits each, the first not 0) that ends the clause or is followed by a
/// particle or a building name; followed by a unit it is a range (3-4日, 5-10分).
pub(super) fn block_number_at(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let mut groups = 0;
    loop {
        let n = digits_from(c, j);
        if n == 0 || n > 4 || (groups == 0 && at(c, j) == '0') {
            return None;
        }
        j += n;
        groups += 1;
        if groups < 3 && is_dash(at(c, j)) && at(c, j + 1).is_ascii_digit() {
            j += 1;
        } else {
            break;
        }
    }
    let next = at(c, j);
    let ends = next == '\0'
        || next.is_whitespace()
        || "、。,.()にのでははがを在番号".contains(next)
        || is_katakana(next);
    (groups >= 2 && ends && !at(c, j + 1).is_ascii_digit()).then_some(j)
}

/// A value after a record label: up to three separators, up to three letters, then digits
/// (groups joined by - or a space) with at least `min` digits. Returns the value's span.
pub(super) fn record_value(c: &[char], i: usize, min: usize) -> Option<Range<usize>> {
    let k = skip(c, i, " :#.=-は【】[]", 3);
    let letters = count_from(c, k, |x| x.is_ascii_alphabetic());
    if letters > 3 {
        return None;
    }
    let mut j = k + letters;
    if letters > 0 && is_dash(at(c, j)) {
        j += 1;
    }
    let mut digits = 0;
    let mut e = j;
    loop {
        let n = digits_from(c, j);
        if n == 0 {
            break;
        }
        digits += n;
        j += n;
        e = j;
        if matches!(at(c, j), '-' | ' ') && at(c, j + 1).is_ascii_digit() {
            j += 1;
        } else {
            break;
        }
    }
    (digits >= min).then_some(k..e)
}

/// A Japanese phone number at `i`: 0X… with 10–11 digits in one to four groups (090-1234-5678,
/// 0242-12-3456, (0242)12-3456, 0242(12)3456, 09012345678, 080 1234 5678), or +81 and the
/// number without its 0.
pub(super) fn phone_at(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let mut digits = 0;
    let international = is_at(c, j, "+81");
    if international {
        j += 3;
        digits = 1;
        if is_dash(at(c, j)) || at(c, j) == ' ' {
            j += 1;
        }
    }
    let mut groups = 0;
    loop {
        if at(c, j) == '(' {
            j += 1;
        }
        let n = digits_from(c, j);
        if n == 0 || (groups > 0 && n > 4) {
            return None;
        }
        // A national number starts with 0 and a non-zero digit (00… is no phone number).
        if groups == 0 && !international && !(at(c, j) == '0' && at(c, j + 1) != '0') {
            return None;
        }
        digits += n;
        j += n;
        groups += 1;
        let sep = at(c, j);
        let more = groups < 4 && n <= 5;
        if more && (is_dash(sep) || sep == ' ' || sep == ')') && at(c, j + 1).is_ascii_digit() {
            j += 1;
        } else if more && sep == ')' && at(c, j + 1) == ' ' && at(c, j + 2).is_ascii_digit() {
            j += 2;
        } else if more && sep == '(' && at(c, j + 1).is_ascii_digit() {
            // 0242(12)3456: the next round of the loop steps over the parenthesis.
        } else {
            if sep == ')' && c[i..j].contains(&'(') {
                j += 1;
            }
            break;
        }
    }
    let decimal = at(c, j) == '.' && at(c, j + 1).is_ascii_digit();
    ((10..=11).contains(&digits) && !decimal && !at(c, j).is_ascii_digit()).then_some(j)
}

/// A local number after a phone label (TEL 12-3456): 6–11 digits in two to four groups.
pub(super) fn local_phone_at(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let mut digits = 0;
    let mut groups = 0;
    loop {
        let n = digits_from(c, j);
        if n == 0 || n > 5 {
            return None;
        }
        digits += n;
        j += n;
        groups += 1;
        let sep = at(c, j);
        if groups < 4 && (is_dash(sep) || matches!(sep, '(' | ')')) && at(c, j + 1).is_ascii_digit()
        {
            j += 1;
        } else {
            break;
        }
    }
    ((6..=11).contains(&digits) && groups >= 2).then_some(j)
}
