//! The Japanese analysers, usable both inside tantivy (as tokenizers) and on their own.

use crate::{Result, SearchError};
use lindera_core::mode::{Mode, Penalty};
use lindera_dictionary::{DictionaryConfig, DictionaryKind};
use lindera_tokenizer::tokenizer::{Tokenizer as Lindera, TokenizerConfig};
use std::sync::Arc;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// A token with its byte range in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Folds a token for indexing and querying: katakana to hiragana, Latin to lower case, and a
/// trailing long-vowel mark dropped (コンピューター and コンピュータ are one word).
pub fn fold(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    while out.chars().count() > 1 && out.ends_with(['ー', '-', '〜']) {
        out.pop();
    }
    out
}

/// NFKC per character, with a map from each byte of the normalised text back to the byte of
/// the original it came from (snippets highlight the stored, original text).
fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        for n in std::iter::once(c).nfkc() {
            let start = out.len();
            out.push(n);
            map.extend(std::iter::repeat_n(i, out.len() - start));
        }
    }
    map.push(text.len());
    (out, map)
}

fn is_cjk_or_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x3005 | 0x3006)
}

/// Character bigrams of runs of kanji and kana (a single character alone), and whole words of
/// Latin letters and digits.
pub fn bigrams(text: &str) -> Vec<Tok> {
    let (norm, map) = normalise(text);
    let chars: Vec<(usize, char)> = norm.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk_or_kana(c) {
            let mut j = i;
            while j < chars.len() && is_cjk_or_kana(chars[j].1) {
                j += 1;
            }
            let end_of = |k: usize| chars.get(k).map_or(norm.len(), |x| x.0);
            if j - i == 1 {
                out.push(Tok {
                    text: fold(&norm[start..end_of(i + 1)]),
                    from: map[start],
                    to: map[end_of(i + 1)],
                });
            }
            for (k, &(a, _)) in chars.iter().enumerate().take(j.saturating_sub(1)).skip(i) {
                let b = end_of(k + 2);
                let t: String = norm[a..b].chars().map(|c| fold(&c.to_string())).collect();
                out.push(Tok {
                    text: t,
                    from: map[a],
                    to: map[b],
                });
            }
            i = j;
        } else if c.is_alphanumeric() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_alphanumeric() && !is_cjk_or_kana(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(norm.len(), |x| x.0);
            out.push(Tok {
                text: fold(&norm[start..end]),
                from: map[start],
                to: map[end],
            });
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The morphological analyser (lindera with the IPADIC dictionary compiled into the binary).
#[derive(Clone)]
pub struct Japanese {
    lindera: Arc<Lindera>,
}

impl Japanese {
    pub fn new() -> Result<Self> {
        let config = TokenizerConfig {
            dictionary: DictionaryConfig {
                kind: Some(DictionaryKind::IPADIC),
                path: None,
            },
            user_dictionary: None,
            // Search mode (as kuromoji's, with its penalties): kanji compounds of more than two
            // characters that IPADIC lists whole (関西国際空港) are split into their words, so a
            // query for one part finds the compound and a query for the compound finds texts
            // that write its parts apart. localgovFAQ recall@10 0.635 → 0.649.
            mode: Mode::Decompose(Penalty::default()),
        };
        let lindera =
            Lindera::from_config(config).map_err(|e| SearchError::Analyzer(e.to_string()))?;
        Ok(Self {
            lindera: Arc::new(lindera),
        })
    }

    /// Content words of `text`: nouns, verbs and adjectives in their base form, and so on;
    /// particles, auxiliary verbs, symbols and dependent nouns (こと, もの) are left out.
    pub fn morphemes(&self, text: &str) -> Vec<Tok> {
        let (norm, map) = normalise(text);
        let Ok(mut tokens) = self.lindera.tokenize(&norm) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for t in tokens.iter_mut() {
            if t.text.trim().is_empty() {
                continue;
            }
            let (from, to) = (map[t.byte_start], map[t.byte_end]);
            let surface = t.text.to_owned();
            let details = t.get_details().unwrap_or_default();
            let pos = details.first().copied().unwrap_or("");
            let sub = details.get(1).copied().unwrap_or("");
            if matches!(pos, "助詞" | "助動詞" | "記号" | "フィラー") || sub == "非自立"
            {
                continue;
            }
            let base = details
                .get(6)
                .copied()
                .filter(|b| *b != "*" && matches!(pos, "動詞" | "形容詞"));
            let word = fold(base.unwrap_or(&surface));
            if word.chars().all(|c| !c.is_alphanumeric()) {
                continue;
            }
            out.push(Tok {
                text: word,
                from,
                to,
            });
        }
        out
    }
}

/// Generic verbs, adjectives and question words of how a question is put (…を教えてください,
/// …できますか, どうすればよいか, 何が要るか), as content words in their folded base form. In a
/// query they say nothing of its subject and match nearly every text.
const QUERY_FILLER: &[&str] = &[
    "する",
    "ある",
    "いる",
    "なる",
    "できる",
    "出来る",
    "思う",
    "おもう",
    "いう",
    "言う",
    "知る",
    "しる",
    "教える",
    "おしえる",
    "分かる",
    "わかる",
    "判る",
    "行う",
    "おこなう",
    "くる",
    "来る",
    "下さる",
    "くださる",
    "頂く",
    "いただく",
    "願う",
    "おる",
    "伺う",
    "尋ねる",
    "聞く",
    "きく",
    "欲しい",
    "ほしい",
    "いい",
    "よい",
    "良い",
    "ない",
    "何",
    "なに",
    "なん",
    "どこ",
    "いつ",
    "誰",
    "だれ",
    "どう",
    "どの",
    "どれ",
    "どちら",
    "どんな",
    "なぜ",
    "どうして",
    "どのよう",
];

impl Japanese {
    /// The content words of a query less its question filler (all of them if nothing else is
    /// left, so a query of filler alone still finds something).
    pub(crate) fn query_morphemes(&self, text: &str) -> Vec<Tok> {
        let words = self.morphemes(text);
        let content: Vec<Tok> = words
            .iter()
            .filter(|t| !QUERY_FILLER.contains(&t.text.as_str()))
            .cloned()
            .collect();
        if content.is_empty() { words } else { content }
    }
}

/// A tantivy token stream over a list of tokens made beforehand.
pub struct Tokens {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokens {
    fn new(toks: Vec<Tok>) -> Self {
        let tokens = toks
            .into_iter()
            .enumerate()
            .map(|(i, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position: i,
                text: t.text,
                position_length: 1,
            })
            .collect();
        Self { tokens, index: 0 }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.index += 1;
        self.index <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// The morpheme analyser as a tantivy tokenizer.
#[derive(Clone)]
pub struct MorphTokenizer(pub Japanese);

impl Tokenizer for MorphTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(self.0.morphemes(text))
    }
}

/// The bigram analyser as a tantivy tokenizer.
#[derive(Clone)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(bigrams(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_kana_case_and_long_vowels() {
        assert_eq!(fold("コンピューター"), "こんぴゅーた");
        assert_eq!(fold("コンピュータ"), "こんぴゅーた");
        assert_eq!(fold("ISO"), "iso");
    }

    #[test]
    fn bigrams_cover_runs_and_map_offsets_to_the_original() {
        let text = "会津若松 ＩＳＯ13485";
        let toks = bigrams(text);
        let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["会津", "津若", "若松", "iso13485"]);
        assert_eq!(&text[toks[3].from..toks[3].to], "ＩＳＯ13485");
        assert!(
            bigrams("会津").iter().any(|t| t.text == "会津"),
            "会津 finds 会津若松 through the shared bigram"
        );
    }

    #[test]
    fn morphemes_keep_content_words_in_base_form() {
        let ja = Japanese::new().unwrap();
        let text = "内視鏡の洗浄工程が手作業で、1本あたり30分かかっている。";
        let toks = ja.morphemes(text);
        let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert!(
            words.contains(&"洗浄") && words.contains(&"工程") && words.contains(&"作業"),
            "{words:?}"
        );
        assert!(words.contains(&"かかる"), "verbs in base form: {words:?}");
        assert!(
            !words.contains(&"の") && !words.contains(&"が") && !words.contains(&"、"),
            "{words:?}"
        );
        let t = toks.iter().find(|t| t.text == "洗浄").unwrap();
        assert_eq!(&text[t.from..t.to], "洗浄");
        let half = ja.morphemes("ｶﾃｰﾃﾙの固定");
        assert_eq!(half[0].text, "かてーてる");
    }

    #[test]
    fn queries_lose_their_question_filler_but_never_everything() {
        let ja = Japanese::new().unwrap();
        let words = |q: &str| -> Vec<String> {
            ja.query_morphemes(q).into_iter().map(|t| t.text).collect()
        };
        assert_eq!(
            words("内視鏡の洗浄の手順を教えてください"),
            ["内", "視", "鏡", "洗浄", "手順"]
        );
        assert_eq!(words("どうすればいいですか"), ["どう", "する"]);
    }

    #[test]
    fn long_kanji_compounds_are_split_into_their_words() {
        let ja = Japanese::new().unwrap();
        let words: Vec<String> = ja
            .morphemes("関西国際空港に着く")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["関西", "国際", "空港", "着く"]);
    }
}
