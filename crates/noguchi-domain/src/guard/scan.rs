//! The scan. Each rule adds spans; characters a rule has taken are not reused by a later rule,
//! so 患者ID 0012345 is a record number and not also a phone number, and 生年月日：S10.1.2 is a
//! birth date and not also an event date.

use super::FindingKind;
use super::chars::*;
use super::rules::*;
use super::words::*;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// The scan. Each rule adds spans; characters a rule has taken are not reused by a later rule,
// so 患者ID 0012345 is a record number and not also a phone number, and 生年月日：S10.1.2 is a
// birth date and not also an event date.

pub(super) struct Scan<'a> {
    c: &'a [char],
    hits: Vec<(FindingKind, Range<usize>)>,
    taken: Vec<bool>,
}

impl<'a> Scan<'a> {
    pub(super) fn run(c: &'a [char]) -> Vec<(FindingKind, Range<usize>)> {
        let mut s = Scan {
            c,
            hits: Vec::new(),
            taken: vec![false; c.len()],
        };
        s.emails();
        s.postal_codes();
        s.record_numbers();
        s.birth_dates();
        s.phones();
        s.event_dates();
        s.rooms();
        s.addresses();
        s.ages();
        s.names();
        s.labelled_names();
        s.finish()
    }

    fn hit(&mut self, kind: FindingKind, r: Range<usize>) {
        let r = r.start.min(self.c.len())..r.end.min(self.c.len());
        if r.is_empty() {
            return;
        }
        self.taken[r.clone()].fill(true);
        self.hits.push((kind, r));
    }

    fn free(&self, r: Range<usize>) -> bool {
        self.taken.get(r).is_some_and(|t| !t.contains(&true))
    }

    /// Sorted by position; a span inside another span of the same kind is dropped (住所：… and
    /// the 追手町1-1 inside it).
    fn finish(mut self) -> Vec<(FindingKind, Range<usize>)> {
        self.hits
            .sort_by_key(|(_, r)| (r.start, usize::MAX - r.end));
        let mut out: Vec<(FindingKind, Range<usize>)> = Vec::new();
        for (k, r) in self.hits {
            if !out
                .iter()
                .any(|(k2, r2)| *k2 == k && r2.start <= r.start && r.end <= r2.end)
            {
                out.push((k, r));
            }
        }
        out
    }

    fn emails(&mut self) {
        let c = self.c;
        let local = |x: char| x.is_ascii_alphanumeric() || "._%+-".contains(x);
        let domain = |x: char| x.is_ascii_alphanumeric() || ".-".contains(x);
        for i in 0..c.len() {
            if c[i] != '@' {
                continue;
            }
            let a = i - count_back(c, i, local);
            let mut b = i + 1 + count_from(c, i + 1, domain);
            while b > i + 1 && c[b - 1] == '.' {
                b -= 1;
            }
            let host = text(c, i + 1..b);
            let tld = host.rsplit('.').next().unwrap_or("");
            if a < i
                && host.contains('.')
                && tld.len() >= 2
                && tld.chars().all(|x| x.is_ascii_alphabetic())
            {
                self.hit(FindingKind::Email, a..b);
            }
        }
    }

    /// 〒965-8601, 郵便番号 9658601, and a bare 965-8601 right before a prefecture or city.
    fn postal_codes(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            let label = if c[i] == '〒' {
                Some(i + 1)
            } else if is_at(c, i, "郵便番号") {
                Some(i + 4)
            } else {
                None
            };
            if let Some(j) = label {
                if let Some(e) = postal_at(c, skip(c, j, " :は", 2), true) {
                    self.hit(FindingKind::PostalCode, i..e);
                }
            } else if !before(c, i).is_ascii_alphanumeric()
                && !is_dash(before(c, i))
                && let Some(e) = postal_at(c, i, false)
                && place_follows(c, skip(c, e, " ", 1))
            {
                self.hit(FindingKind::PostalCode, i..e);
            }
        }
    }

    /// 患者ID 0012345, 受付番号 2031, 入院番号 A-204518, and a bare ID:123456 or No.12345 (at
    /// least four digits) unless a lot, model or document word comes before it.
    fn record_numbers(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            let (label, n, min) = match word_at(c, i, RECORD_LABELS) {
                Some((label, n)) => (label, n, 3),
                None if is_at(c, i, "id") => ("id", 2, 4),
                None if is_at(c, i, "no") => ("no", 2, 4),
                None => continue,
            };
            if !stands_alone(c, i, label) {
                continue;
            }
            if min == 4 && any_word(NOT_PERSONAL_NUMBER, |w| window_before(c, i, 10).contains(w)) {
                continue;
            }
            if let Some(v) = record_value(c, i + n, min)
                && self.free(v.clone())
            {
                self.hit(FindingKind::RecordNumber, i..v.end);
            }
        }
    }

    fn birth_dates(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            // 生年月日：1950/3/4, DOB: 1948-07-21. The label alone (生年月日を名乗る) is ordinary.
            if let Some((label, n)) = word_at(c, i, BIRTH_LABELS) {
                if stands_alone(c, i, label)
                    && let Some(d) = date_at(c, skip(c, i + n, " :は(", 3))
                {
                    self.hit(FindingKind::BirthDate, i..d.end);
                }
                continue;
            }
            // S25.3.4生, 昭和25年生まれ, 3月4日生まれ: a date followed by 生 or 生まれ.
            let Some(d) = date_at(c, i) else { continue };
            let j = skip(c, d.end, " ", 1);
            let Some((m, n)) = word_at(c, j, BIRTH_MARKERS) else {
                continue;
            };
            let e = j + n;
            // 生 joined to a kanji is another word (2020年生存率); 生まれ以降 is a cohort.
            let other_word = m == "生" && is_kanji(at(c, e));
            if !other_word && !has_word_at(c, e, COHORT_AFTER) && self.free(i..e) {
                self.hit(FindingKind::BirthDate, i..e);
            }
        }
    }

    fn phones(&mut self) {
        let c = self.c;
        // After a label a local number counts too (TEL 12-3456), and the label is shown.
        for i in 0..c.len() {
            let Some((label, n)) = word_at(c, i, PHONE_LABELS) else {
                continue;
            };
            if !stands_alone(c, i, label) {
                continue;
            }
            let j = skip(c, i + n, " :.は", 3);
            if let Some(e) = phone_at(c, j).or_else(|| local_phone_at(c, j))
                && self.free(j..e)
            {
                self.hit(FindingKind::Phone, i..e);
            }
        }
        for i in 0..c.len() {
            let prev = before(c, i);
            if prev.is_ascii_digit() || matches!(prev, '.' | '+') || is_dash(prev) {
                continue;
            }
            if let Some(e) = phone_at(c, i)
                && self.free(i..e)
            {
                self.hit(FindingKind::Phone, i..e);
            }
        }
    }

    /// 11月3日に入院, 2026年11月3日に転倒: a day-exact date followed by one person's event.
    fn event_dates(&mut self) {
        let c = self.c;
        let gap =
            |x: char| x.is_ascii_digit() || " 、,に頃ごろの夜朝昼夕未明深早午前後時分".contains(x);
        for i in 0..c.len() {
            let Some(d) = date_at(c, i) else { continue };
            let day_exact = d.month && d.day;
            if !day_exact || !self.free(i..d.end) {
                continue;
            }
            // Ranges and recurring dates describe periods, not one person's day.
            if has_word_at(c, d.end, PERIOD_AFTER)
                || matches!(before(c, i), '〜' | '~' | '-')
                || ends_at(c, i, "から")
                || any_word(RECURRING, |w| window_before(c, i, 6).contains(w))
            {
                continue;
            }
            let g = count_from(c, d.end, gap).min(8);
            let event = (d.end..=d.end + g).find_map(|j| word_at(c, j, EVENTS).map(|(_, n)| j + n));
            if let Some(e) = event
                && (e >= c.len() || EVENT_VERB_AFTER.contains(c[e]))
            {
                self.hit(FindingKind::EventDate, i..d.end);
            }
        }
    }

    /// 305号室, 3番ベッド: a patient's room, unless it is a facility room or a range of rooms.
    fn rooms(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            let Some((_, w)) = word_at(c, i, ROOM_WORDS) else {
                continue;
            };
            let n = count_back(c, i, |x| x.is_ascii_digit());
            if n == 0 || n > 4 {
                continue;
            }
            let (s, e) = (i - n, i + w);
            // 101〜110号室, 301・302号室: a range or a list of rooms.
            let range = matches!(before(c, s), '〜' | '~' | '-')
                || (matches!(before(c, s), '、' | '・') && before(c, s - 1).is_ascii_digit())
                || ends_at(c, s, "から")
                || has_word_at(c, e, RANGE_AFTER);
            let facility = any_word(FACILITY_ROOMS, |f| window_before(c, s, 6).contains(f));
            if !range && !facility && self.free(s..e) {
                self.hit(FindingKind::RoomNumber, s..e);
            }
        }
    }

    fn addresses(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            // 住所：…, 住所は会津若松市…: the value up to the clause end or the first kana word.
            if let Some((_, n)) = word_at(c, i, ADDRESS_LABELS) {
                let j = i + n;
                let colon = matches!(at(c, skip(c, j, " ", 1)), ':' | '】');
                let k = skip(c, j, " :】は", 3);
                let in_value = |x: char| {
                    let clause_end = matches!(x, '。' | '、' | ',' | '\n' | ')' | '(');
                    let kana_word = is_hiragana(x) && !"のがケヶ".contains(x);
                    !clause_end && !kana_word
                };
                let value = count_from(c, k, in_value).min(30);
                if value > 0 && (colon || place_follows(c, k)) {
                    self.hit(FindingKind::Address, i..k + value);
                }
                continue;
            }
            // 1丁目, 三丁目, 5番地, 3番4号: block words after a number.
            let numeral_before = count_back(c, i, is_numeral);
            let block = numeral_before > 0
                && (is_at(c, i, "丁目")
                    || is_at(c, i, "番地")
                    || (c[i] == '番' && {
                        let m = count_from(c, i + 1, is_numeral);
                        m > 0 && at(c, i + 1 + m) == '号'
                    }));
            if block {
                let e = block_end(c, i);
                if self.free(i - numeral_before..e) {
                    let s = place_start(c, i - numeral_before);
                    self.hit(FindingKind::Address, s..e);
                }
                continue;
            }
            // 会津若松市追手町1-1: a place name with a municipality marker, then N-N or N-N-N.
            if MUNICIPALITY.contains(c[i])
                && is_name_char(before(c, i))
                && !NOT_PLACE_AFTER_MARKER.contains(at(c, i + 1))
            {
                let town = count_from(c, i + 1, |x| is_name_char(x) || "のケヶが".contains(x));
                let j = i + 1 + town;
                if town <= 8
                    && let Some(e) = block_number_at(c, j)
                    && self.free(j..e)
                {
                    let s = place_start(c, i);
                    self.hit(FindingKind::Address, s..e);
                }
            }
        }
    }

    fn ages(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            // 72歳, 七十二歳, 85才, 72y/o, 72 y.o.
            let num_end = if before(c, i) == ' ' { i - 1 } else { i };
            let unit = if c[i] == '歳' || c[i] == '才' {
                Some(1)
            } else if before(c, num_end).is_ascii_digit() {
                word_at(c, i, AGE_UNITS)
                    .filter(|(u, n)| stands_alone(c, i, u) || *n > 2)
                    .map(|(_, n)| n)
            } else {
                None
            };
            if let Some(u) = unit {
                let n = count_back(c, num_end, is_numeral);
                let s = num_end - n;
                let one_kind = c[s..num_end].iter().all(char::is_ascii_digit)
                    || c[s..num_end].iter().all(|x| KANJI_NUMERALS.contains(*x));
                if n > 0 && one_kind && !age_is_group(c, s, i + u) && self.free(s..i + u) {
                    self.hit(FindingKind::PersonalAge, s..i + u);
                }
                continue;
            }
            // 生後3か月 of one infant; 生後28日未満 is a bound.
            if is_at(c, i, "生後") {
                let j = i + 2;
                let n = count_from(c, j, is_numeral);
                if n > 0
                    && let Some((_, u)) = word_at(c, j + n, INFANT_UNITS)
                {
                    let e = j + n + u + usize::from(at(c, j + n + u) == '目');
                    if !has_word_at(c, e, INFANT_GROUP_AFTER) {
                        self.hit(FindingKind::PersonalAge, i..e);
                    }
                }
                continue;
            }
            // 年齢：91.
            if is_at(c, i, "年齢") {
                let j = skip(c, i + 2, " ", 1);
                if at(c, j) == ':' {
                    let k = skip(c, j + 1, " ", 1);
                    let n = digits_from(c, k);
                    if (1..=3).contains(&n) {
                        self.hit(FindingKind::PersonalAge, i..k + n);
                    }
                }
                continue;
            }
            if c[i] == '代'
                && let Some(r) = age_band_of_one(c, i)
            {
                self.hit(FindingKind::PersonalAge, r);
            }
        }
    }

    fn names(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            let Some((h, hn)) = word_at(c, i, HONORIFICS) else {
                continue;
            };
            let after = i + hn;
            if !honorific_in_context(c, h, after) {
                continue;
            }
            // One space may stand between a name and its honorific (高橋 美咲 様).
            let end = if before(c, i) == ' ' { i - 1 } else { i };
            let start = initials_before(c, end)
                .or_else(|| kanji_or_katakana_name(c, end, h, after))
                .or_else(|| kana_given_name(c, end));
            if let Some(s) = start {
                self.hit(FindingKind::NameWithHonorific, s..after);
            }
        }
    }

    /// 氏名：会津 太郎, 【患者名】ヤマダタロウ: a name in a form field copied into the need.
    fn labelled_names(&mut self) {
        let c = self.c;
        for i in 0..c.len() {
            let Some((_, n)) = word_at(c, i, NAME_LABELS) else {
                continue;
            };
            let j = skip(c, i + n, " ", 1);
            if !matches!(at(c, j), ':' | '】' | ']') {
                continue;
            }
            let k = skip(c, j + 1, " ", 1);
            let mut e = k + count_from(c, k, is_name_char);
            if at(c, e) == ' ' && is_name_char(at(c, e + 1)) {
                e += 1 + count_from(c, e + 1, is_name_char);
            }
            if e >= k + 2 && self.free(k..e) {
                self.hit(FindingKind::LabelledName, i..e);
            }
        }
    }
}
