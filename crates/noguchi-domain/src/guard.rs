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

use std::ops::Range;

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

// ---------------------------------------------------------------------------------------------
// Word lists, whitespace-separated. Where several entries match at one place, the longest wins.

const HONORIFICS: &str = "ちゃん さま さん くん 様 氏 殿 君";

/// Words before an honorific that name a role, not a person (患者様, 看護師長さん, 主任さん).
/// A run of kanji/katakana that ends with one of these, or with a word of the lists below, is
/// not a name.
const ROLE_WORDS: &str = "\
    患者 患児 先生 学生 実習生 研修生 院生 同級生 留学生 本人 他人 知人 友人 \
    住人 職人 管理人 後見人 代理人 保証人 成人 老人 病人 婦人 夫人 新人 法人 \
    個人 外国人 運転手 助手 相手 選手 若手 仲間 同僚 上司 部下 先輩 後輩 同期 \
    近所 隣 皆 各位 一同 方々 先方 双方 奥方 専門家 大家 農家 男児 女児 乳児 \
    幼児 小児 新生児 赤子 主任 主査 主事 参事 顧問 理事 代表 幹事 当直 日勤 \
    夜勤 早番 遅番 看護 介護 介助 付添 補助 事務 受付 医事 清掃 警備 委託 派遣 \
    お客";

/// Relatives (ご家族様, 息子さん, 旦那さん).
const RELATIVES: &str = "\
    家族 主人 旦那 家内 奥 祖母 祖父 叔母 叔父 伯母 伯父 母 父 娘 息子 孫 嫁 婿 \
    姉 兄 妹 弟 妻 親 双子 子供 子ども";

/// Places, departments and services people address with さん/様 (病院さん, 包括さん, 訪看さん,
/// デイさん, 特養さん) and companies (メーカーさん, テルモさん). The makers listed are ones whose
/// names are no person's; a kanji maker name that is also a surname (島津) is held.
const ORGANISATIONS: &str = "\
    事業所 診療所 研究所 保健所 役所 事務所 営業所 出張所 各所 療養所 支所 製作所 \
    看護部 薬剤部 事務部 栄養部 検査部 放射線部 手術部 材料部 医事部 総務部 施設部 \
    営業部 開発部 技術部 診療部 本部 部門 外科 内科 小児科 眼科 歯科 皮膚科 耳鼻科 \
    咽喉科 精神科 産科 婦人科 泌尿器科 放射線科 麻酔科 検査科 栄養科 薬剤科 診療科 \
    医科 救急科 大学 学校 機関 組合 連合 行政 窓口 取引先 委託先 訪問先 納入先 \
    外注先 製造元 販売元 発売元 供給元 消防 警察 役場 自治体 市町村 地域 現場 訪看 \
    包括 訪問 入浴 通所 特養 老健 サ高住 有料 多機能 福祉用具 配食 給食 外来 救急 \
    中材 連携 技術 開発 放射線 検査 薬剤 栄養 総務 経理 用度 購買 臨工 工学 材料 \
    滅菌 花屋 八百屋 床屋 薬屋 本屋 問屋 宅配 電子 電機 電気 商事 化学 製薬 精工 \
    技研 光電 日立 東芝 \
    ナース ヘルパー ケアマネ ケアマネジャー ケアマネージャー ドクター クラーク \
    ワーカー セラピスト リハ リハビリ ママ パパ ベビー メーカー メーカ ベンダー \
    ベンダ ディーラー ユーザー ユーザ スタッフ ボランティア ドライバー ゲスト \
    メンバー オーナー マネージャー マネジャー リーダー サポーター コーディネーター \
    エンジニア デザイナー ベテラン チーム センター ステーション クリニック ホーム \
    ショップ ストア グループ サービス パート バイト ファミリー エイド アシスタント \
    トレーナー カウンセラー インストラクター ホスピタル ラボ カンパニー メディカル \
    ファーマ シスター クライアント ユニット フロア ドナー レシピエント クラブ \
    サークル ベンチャー ファーム デイ ショート ステイ ケア ホスピス キッズ シニア \
    レンタル リース カスタマー サ責 インターン レジデント フェロー サプライヤー \
    ディストリビューター メンテ 営業マン システム ジャパン ヘルスケア \
    オリンパス テルモ ニプロ シスメックス キヤノン フイルム パラマウント フランスベッド メドトロニック \
    ストライカー バクスター アルケア フィリップス シーメンス";

/// Last characters that no Japanese name ends with but many role and organisation words do
/// (利用者, 技士, 薬剤師, 職員, 主治医, 師長, 病院, 薬局, 病棟, 企業, 介護職 …).
const ROLE_SUFFIXES: &str =
    "者士師員医長族社院局課室棟会店館庁省署団園荘苑寮校業設係班隊当諸婦職器研";

/// Characters that form an ordinary word with a following 様 (仕様, 同様, 多様, 模様, 有様,
/// 神様 …) or 氏 (同氏, 両氏, 摂氏), so the 様/氏 after them is no honorific.
const SAMA_WORD_HEADS: &str = "仕同多模異有態両各別神仏某";
const SHI_WORD_HEADS: &str = "同両摂華某";
/// Surnames that end like 多様 and are names after all (本多様).
const NAMES_ENDING_IN_TA: &str = "本多 喜多 宇多 波多 羽多";

/// Kanji after a single-kanji honorific that still belong to the name (山田様宅, 山田様方).
const AFTER_HONORIFIC_KANJI: &str = "宅方邸宛";

/// Single-kanji surnames common enough to flag (林さん); other single kanji before さん are too
/// often ordinary words (赤ちゃん, 奥さん).
const SINGLE_KANJI_SURNAMES: &str = "林森原関辻堀岡谷東西南北菅泉岸宮沖星堤楠";

/// Kanji words directly before ちゃんと (毎回ちゃんと): the adverb, not a name + ちゃん.
const BEFORE_CHANTO: &str = "\
    毎回 毎日 毎朝 毎晩 全員 全部 結局 一度 今度 今回 次回 本来 普段 最初 最後 \
    事前 当日 前日 夜間 日中 自分 各自 本当 一応 全然 結構 意外 案外";

/// Kana words before さん that are not given names (たくさん, おじいさん, みなさん), also after a
/// particle (病棟のみなさん, 量がたくさん).
const NOT_KANA_NAMES: &str = "\
    たく じい ばあ おじ おば にい ねえ かあ とう ども たち みな あか おじい おばあ \
    おにい おねえ おかあ おとう";

/// Words after an age that make it the bound of a group or a range (65歳以上, 3歳児, 2歳から).
const AGE_GROUP_AFTER: &str = "\
    以上 以下 未満 代 から より 〜 ~ - – 前後 超 を超 を過ぎ 児 頃 ごろ くらい ぐらい \
    程度 まで 到達 定年 で定年 以降 以前 時点 刻み 健診 検診 相当 用 向け 対象 区切 階級 \
    体操 の壁";
/// Words right before an age that make it the end of a range (6〜12歳, 2歳から6歳).
const AGE_RANGE_BEFORE: &str = "〜 ~ - – から より";
/// Words shortly before an age that make it a statistic (平均年齢86歳).
const AGE_STATISTIC_BEFORE: &str = "平均 中央値 最高 最低";

/// Words after 生後Nか月 that make it a bound (生後28日未満).
const INFANT_GROUP_AFTER: &str = "\
    未満 以内 以降 以上 以下 まで から 頃 ごろ 前後 程度 〜 ~ の間 以前 時点 健診";

/// Sex words that turn an age band into one person (80代女性, 70代前半の男性).
const SEX_WORDS: &str = "男性 女性 男児 女児 男子 女子 男の子 女の子 男 女";
/// Words after "80代女性" that make it a type of person, not one patient (80代女性でも使える;
/// 20代女性看護師 is staff).
const AFTER_SEX_GENERIC: &str = "\
    でも にも には 向け 用 のような の場合 看護師 職員 スタッフ 医師 介護士 ヘルパー \
    薬剤師 セラピスト 技師 研修医 学生 の看護師 の職員 のスタッフ";
/// Words that make a sentence about a group, so an age band in it stays a group (80代女性が多い,
/// 80代女性の場合).
const AGGREGATE_MARKERS: &str = "\
    多い 多く 多数 大半 少な 増え 増加 減少 減っ 割合 人数 層 たち 達 方々 全般 全体 \
    中心 など 等 傾向 場合 主に 比較的 全員 世代 いずれ 名中 例中 人中 率 統計 平均 \
    一般 向け 対象";

/// Labels whose value is a personal record number.
const RECORD_LABELS: &str = "\
    介護保険被保険者番号 障害者手帳番号 被保険者証番号 被保険者番号 受給者証番号 \
    介護保険番号 保険証番号 保険者番号 受給者番号 診察券番号 入所者番号 利用者番号 \
    マイナンバー 患者コード カルテ番号 手帳番号 個人番号 患者番号 受付番号 入院番号 \
    外来番号 受診番号 検体番号 記号番号 診察券No 利用者ID カルテNo カルテID 患者No \
    患者ID 検体ID MRN";
/// Words before a bare ID/No. that make it a product, lot or document number (Lot No.23456).
const NOT_PERSONAL_NUMBER: &str = "\
    lot ref cat model serial s/n ロット 型番 型式 型 品番 品 製品 製造 シリアル カタログ \
    認証 承認 届出 許可 管理 機器 装置 部品 伝票 注文 発注 請求 文書 資料 様式 規格 \
    会議 機種 端末 デバイス 図面";

/// Labels of a birth date; `_` stands for a space (Date of Birth, see [`is_at`]).
const BIRTH_LABELS: &str =
    "生年月日 誕生日 出生日 date_of_birth birth_date birthday d.o.b. d.o.b dob";
const BIRTH_MARKERS: &str = "生まれ 産まれ 出生 誕生 生";
/// After 生まれ, words that make it a cohort (2000年生まれ以降).
const COHORT_AFTER: &str = "以降 以前 以後 の世代 世代 〜 ~ から まで";

/// Clinical events of one person that make a date before them identifying (11月3日に入院).
const EVENTS: &str = "\
    救急搬送 自己抜去 亡くな 入院 退院 入所 退所 転院 入棟 転棟 手術 死亡 逝去 \
    急変 転倒 転落 搬送 発症 受傷 出産 分娩 来院 受診 挿管 抜管 誤嚥 心停止 入室";
/// What may follow an event word when it is one person's event (入院した, 手術を受けた,
/// 搬送され, 亡くなった); anything else makes it a noun (手術室, 入院患者数, 入院予約).
const EVENT_VERB_AFTER: &str = "しさ後時中、。をにがはっでと";
/// Before a date, words that make it a recurring date (毎年4月1日に入所).
const RECURRING: &str = "毎年 毎月 毎週 例年";
/// After a date, words that make it a period (4月1日から, 3月31日時点).
const PERIOD_AFTER: &str = "〜 ~ から まで - 時点";

const PHONE_LABELS: &str = "携帯電話 電話番号 ファックス 連絡先 ファクス 電話 携帯 tel fax";

const ROOM_WORDS: &str = "号室 号ベッド 番ベッド 号床";
/// Rooms that are not patients' (手術3号室, 診察2号室).
const FACILITY_ROOMS: &str = "\
    手術 オペ 診察 処置 検査 会議 面談 相談 透析 内視鏡 カテ 分娩 陣痛 浴 リハ 診療 \
    外来 講義 研修";
const RANGE_AFTER: &str = "〜 ~ から まで -";

const ADDRESS_LABELS: &str = "自宅住所 現住所 居住地 住所 居所";
/// Municipality markers: a place name ending in one, then a block number, is an address.
const MUNICIPALITY: &str = "市区町村郡";
/// Characters after a municipality marker that make an ordinary word (市販, 市内, 区分, 町内).
const NOT_PLACE_AFTER_MARKER: &str = "内外販場民立役長議営政域分切別間画会村区町";
const BLOCK_WORDS: &str = "丁目 番地 番 号 の";

const NAME_LABELS: &str = "利用者氏名 患者氏名 本人氏名 フルネーム 利用者名 患者名 氏名 姓名 名前";

const INFANT_UNITS: &str = "か月 ヶ月 カ月 ケ月 ヵ月 箇月 週 日";
const AGE_UNITS: &str = "y/o y.o. yo";

const KANJI_NUMERALS: &str = "一二三四五六七八九十百";

// ---------------------------------------------------------------------------------------------
// Character classes and matching on a slice of chars (indices are char positions).

fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' | '々' | '〆')
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}' | 'ゝ' | 'ゞ')
}

fn is_name_char(c: char) -> bool {
    is_kanji(c) || is_katakana(c)
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || KANJI_NUMERALS.contains(c)
}

/// Dashes people type between digit groups, including the long-vowel mark (090ー1234ー5678).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー')
}

fn at(c: &[char], i: usize) -> char {
    c.get(i).copied().unwrap_or('\0')
}

fn before(c: &[char], i: usize) -> char {
    if i == 0 { '\0' } else { at(c, i - 1) }
}

fn len(s: &str) -> usize {
    s.chars().count()
}

/// Whether `s` occurs at `i`; ASCII letters compare case-insensitively (ID, id, Tel, TEL) and
/// `_` in `s` stands for a space (date_of_birth).
fn is_at(c: &[char], i: usize, s: &str) -> bool {
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
fn ends_at(c: &[char], end: usize, s: &str) -> bool {
    let n = len(s);
    end >= n && is_at(c, end - n, s)
}

fn any_word(list: &str, f: impl Fn(&str) -> bool) -> bool {
    list.split_whitespace().any(f)
}

/// The longest word of `list` at `i`, with its length in chars.
fn word_at<'a>(c: &[char], i: usize, list: &'a str) -> Option<(&'a str, usize)> {
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
fn has_word_at(c: &[char], i: usize, list: &str) -> bool {
    word_at(c, i, list).is_some()
}

/// An ASCII label (ID, No, tel, dob) must be a word of its own, not part of VOID or Hotel.
fn stands_alone(c: &[char], i: usize, label: &str) -> bool {
    !label.is_ascii()
        || (!before(c, i).is_ascii_alphabetic() && !at(c, i + len(label)).is_ascii_alphabetic())
}

fn count_from(c: &[char], i: usize, f: impl Fn(char) -> bool) -> usize {
    c.get(i..)
        .map_or(0, |s| s.iter().take_while(|x| f(**x)).count())
}

fn count_back(c: &[char], end: usize, f: impl Fn(char) -> bool) -> usize {
    c[..end.min(c.len())]
        .iter()
        .rev()
        .take_while(|x| f(**x))
        .count()
}

fn digits_from(c: &[char], i: usize) -> usize {
    count_from(c, i, |x| x.is_ascii_digit())
}

/// The value of the `n` ASCII digits at `i` (callers have counted them).
fn number(c: &[char], i: usize, n: usize) -> u32 {
    c[i..i + n].iter().fold(0u32, |v, d| {
        v.saturating_mul(10)
            .saturating_add(d.to_digit(10).unwrap_or(0))
    })
}

fn text(c: &[char], r: Range<usize>) -> String {
    c[r].iter().collect()
}

/// Up to `n` chars before `i` within the same clause, lower-cased.
fn window_before(c: &[char], i: usize, n: usize) -> String {
    let i = i.min(c.len());
    let w = &c[i.saturating_sub(n)..i];
    let cut = w
        .iter()
        .rposition(|x| matches!(x, '。' | '、' | ',' | '\n' | '!' | '?'))
        .map_or(0, |p| p + 1);
    w[cut..].iter().collect::<String>().to_lowercase()
}

/// The sentence around `i` (between 。!? and line breaks; NFKC has made ！？ ASCII).
fn sentence(c: &[char], i: usize) -> String {
    let i = i.min(c.len());
    let end_of = |x: &char| matches!(x, '。' | '\n' | '!' | '?');
    let a = c[..i].iter().rposition(end_of).map_or(0, |p| p + 1);
    let b = c[i..].iter().position(end_of).map_or(c.len(), |p| i + p);
    text(c, a..b)
}

/// Skips up to `max` characters from `set` (separators between a label and its value).
fn skip(c: &[char], mut i: usize, set: &str, max: usize) -> usize {
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
struct Date {
    end: usize,
    /// The year is unambiguous: an era (昭和25年, S25.) or four digits.
    year: bool,
    month: bool,
    day: bool,
}

/// Reads a date at `i`: 昭和25年3月4日, S25.3.4, 令和元年, 1950/3/4, 1950年, 1948-07-21,
/// 3月4日, 11/3. A year alone counts only with 年 (昭和25年, 1950年); a month alone is no date.
fn date_at(c: &[char], i: usize) -> Option<Date> {
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

// ---------------------------------------------------------------------------------------------
// The scan. Each rule adds spans; characters a rule has taken are not reused by a later rule,
// so 患者ID 0012345 is a record number and not also a phone number, and 生年月日：S10.1.2 is a
// birth date and not also an event date.

struct Scan<'a> {
    c: &'a [char],
    hits: Vec<(FindingKind, Range<usize>)>,
    taken: Vec<bool>,
}

impl<'a> Scan<'a> {
    fn run(c: &'a [char]) -> Vec<(FindingKind, Range<usize>)> {
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

// ---------------------------------------------------------------------------------------------
// Rule helpers.

/// Whether a run of kanji/katakana before an honorific is a role, relative or organisation.
fn is_role(run: &str) -> bool {
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
fn honorific_in_context(c: &[char], h: &str, after: usize) -> bool {
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
fn kanji_or_katakana_name(c: &[char], end: usize, h: &str, after: usize) -> Option<usize> {
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
fn initials_before(c: &[char], end: usize) -> Option<usize> {
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
fn kana_given_name(c: &[char], end: usize) -> Option<usize> {
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
fn age_is_group(c: &[char], start: usize, end: usize) -> bool {
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
fn age_band_of_one(c: &[char], i: usize) -> Option<Range<usize>> {
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
fn postal_at(c: &[char], i: usize, labelled: bool) -> Option<usize> {
    if digits_from(c, i) == 3 && is_dash(at(c, i + 3)) && digits_from(c, i + 4) == 4 {
        return Some(i + 8);
    }
    (labelled && digits_from(c, i) == 7).then_some(i + 7)
}

/// A place name follows: a run of kanji with a prefecture or municipality marker (福島県会津若松市).
fn place_follows(c: &[char], i: usize) -> bool {
    let n = count_from(c, i, is_kanji).min(12);
    n >= 2
        && c[i..i + n]
            .iter()
            .any(|x| "都道府県市区町村郡".contains(*x))
}

/// Where the place name before `i` starts (会津若松市 before 追手町), at most ten characters back.
fn place_start(c: &[char], i: usize) -> usize {
    i - count_back(c, i, |x| is_name_char(x) || "の〇○ケヶ".contains(x)).min(10)
}

/// The end of a block address from `i` (丁目2-3, 番地の2, 番4号).
fn block_end(c: &[char], i: usize) -> usize {
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
fn block_number_at(c: &[char], i: usize) -> Option<usize> {
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
fn record_value(c: &[char], i: usize, min: usize) -> Option<Range<usize>> {
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
fn phone_at(c: &[char], i: usize) -> Option<usize> {
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
fn local_phone_at(c: &[char], i: usize) -> Option<usize> {
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

#[cfg(test)]
#[path = "guard_corpus.rs"]
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
