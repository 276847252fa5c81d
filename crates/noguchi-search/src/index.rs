//! The tantivy index: one document per searchable record, with who may see it.

use crate::analyzer::{BigramTokenizer, Japanese, MorphTokenizer, Tok, bigrams};
use crate::{Result, SearchError};
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

const MORPH: &str = "ja_morph";
const BIGRAM: &str = "ja_bigram";

/// A record as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub id: String,
    /// need, seed, organisation (or `doc` for evaluation collections)
    pub kind: String,
    /// Tokens of who may see the record (`public`, `members`, `org:ID`, `secretariat:ID` …);
    /// a query matches only documents sharing a token with the caller.
    pub audience: Vec<String>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub title: String,
    /// A fragment of the body around the best matches.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    /// All matching documents the caller may see (not only those returned).
    pub total: usize,
    pub items: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    audience: Field,
    title: Field,
    title_bi: Field,
    body: Field,
    body_bi: Field,
}

pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
    analyzer: Japanese,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        audience: b.add_text_field("audience", STRING),
        title: b.add_text_field("title", text(MORPH, true)),
        title_bi: b.add_text_field("title_bi", text(BIGRAM, false)),
        body: b.add_text_field("body", text(MORPH, true)),
        body_bi: b.add_text_field("body_bi", text(BIGRAM, false)),
    };
    (b.build(), f)
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir`; if its schema is not this version's, it is
    /// created anew (the caller then reindexes: the index is derived data).
    pub fn open_in_dir(dir: &Path, analyzer: Japanese) -> Result<(Self, bool)> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        let (schema, _) = schema();
        let existing = Index::open_in_dir(dir)
            .ok()
            .filter(|i| i.schema() == schema);
        let fresh = existing.is_none();
        let index = match existing {
            Some(i) => i,
            None => {
                for entry in std::fs::read_dir(dir)
                    .map_err(|e| SearchError::Directory(e.to_string()))?
                    .flatten()
                {
                    let _ = std::fs::remove_file(entry.path());
                }
                Index::create_in_dir(dir, schema)?
            }
        };
        Ok((Self::with_index(index, analyzer)?, fresh))
    }

    pub fn in_ram(analyzer: Japanese) -> Result<Self> {
        let (schema, _) = schema();
        Self::with_index(Index::create_in_ram(schema), analyzer)
    }

    fn with_index(index: Index, analyzer: Japanese) -> Result<Self> {
        index
            .tokenizers()
            .register(MORPH, MorphTokenizer(analyzer.clone()));
        index.tokenizers().register(BIGRAM, BigramTokenizer);
        let (_, f) = schema();
        let writer = index.writer(50_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            f,
            analyzer,
        })
    }

    /// Adds or replaces documents (by id) and makes them searchable before returning.
    pub fn upsert(&self, docs: &[Doc]) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for d in docs {
            w.delete_term(Term::from_field_text(self.f.id, &d.id));
            let mut doc = TantivyDocument::default();
            doc.add_text(self.f.id, &d.id);
            doc.add_text(self.f.kind, &d.kind);
            for a in &d.audience {
                doc.add_text(self.f.audience, a);
            }
            doc.add_text(self.f.title, &d.title);
            doc.add_text(self.f.title_bi, &d.title);
            doc.add_text(self.f.body, &d.body);
            doc.add_text(self.f.body_bi, &d.body);
            w.add_document(doc)?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    pub fn delete(&self, ids: &[String]) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            w.delete_term(Term::from_field_text(self.f.id, id));
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.delete_all_documents()?;
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// The ranking query of a text: morphemes and bigrams, title weighted above body.
    fn text_query(&self, q: &str) -> Option<Box<dyn Query>> {
        // Weights tuned on localgovFAQ (see BENCHMARKS.md): morphemes carry the ranking, the
        // title counts half again, bigrams only tip the balance (会津 → 会津若松, unknown words).
        let w = [1.0, 0.5, 0.08, 0.0];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field: Field, text: &str, boost: f32| {
            let term = TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(term), boost)),
            ));
        };
        let mut seen = std::collections::HashSet::new();
        let words = self.analyzer.query_morphemes(q);
        for t in &words {
            if seen.insert(("m", t.text.clone())) {
                add(self.f.body, &t.text, w[0]);
                add(self.f.title, &t.text, w[1]);
            }
        }
        // Bigrams made only of particles, endings and filler (をし, たい, すか) match nearly
        // every text too: only those overlapping a query word count (all, if the analyser
        // found no word).
        let overlaps =
            |t: &Tok| words.is_empty() || words.iter().any(|w| w.from < t.to && t.from < w.to);
        for t in bigrams(q).into_iter().filter(overlaps) {
            if seen.insert(("b", t.text.clone())) {
                add(self.f.body_bi, &t.text, w[2]);
                if w[3] > 0.0 {
                    add(self.f.title_bi, &t.text, w[3]);
                }
            }
        }
        if clauses.is_empty() {
            None
        } else {
            Some(Box::new(BooleanQuery::new(clauses)))
        }
    }

    /// A filter: documents carrying one of `values` in `field`. It scores nothing, or a
    /// document seen through a rare token (`org:ID`) would outrank one seen through a common
    /// one (`members`) with the same text.
    fn any_of(&self, field: Field, values: &[String]) -> Box<dyn Query> {
        let any = Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, v),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect(),
        ));
        Box::new(ConstScoreQuery::new(any, 0.0))
    }

    /// Searches the documents of `kinds` (all when empty) that `audience` may see.
    pub fn search(
        &self,
        q: &str,
        kinds: &[String],
        audience: &[String],
        limit: usize,
    ) -> Result<Hits> {
        let Some(text) = self.text_query(q) else {
            return Ok(Hits {
                total: 0,
                items: Vec::new(),
            });
        };
        if audience.is_empty() {
            return Ok(Hits {
                total: 0,
                items: Vec::new(),
            });
        }
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text.box_clone()),
            (Occur::Must, self.any_of(self.f.audience, audience)),
        ];
        if !kinds.is_empty() {
            parts.push((Occur::Must, self.any_of(self.f.kind, kinds)));
        }
        let query = BooleanQuery::new(parts);
        let searcher = self.reader.searcher();
        let (top, total) = searcher.search(
            &query,
            &(TopDocs::with_limit(limit.max(1)).order_by_score(), Count),
        )?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text, self.f.body)?;
        snippets.set_max_num_chars(120);
        let mut items = Vec::new();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |f: Field| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let snippet = snippets.snippet_from_doc(&doc);
            items.push(Hit {
                id: text_of(self.f.id),
                kind: text_of(self.f.kind),
                title: text_of(self.f.title),
                snippet: snippet.fragment().to_owned(),
                highlights: snippet
                    .highlighted()
                    .iter()
                    .map(|r| (r.start, r.end))
                    .collect(),
                score,
            });
        }
        Ok(Hits { total, items })
    }

    /// Ids and scores of the best `limit` documents, without snippets or counts (evaluation,
    /// matching).
    pub fn rank(
        &self,
        q: &str,
        kinds: &[String],
        audience: &[String],
        limit: usize,
    ) -> Result<Vec<(String, f32)>> {
        let Some(text) = self.text_query(q) else {
            return Ok(Vec::new());
        };
        if audience.is_empty() {
            return Ok(Vec::new());
        }
        let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text),
            (Occur::Must, self.any_of(self.f.audience, audience)),
        ];
        if !kinds.is_empty() {
            parts.push((Occur::Must, self.any_of(self.f.kind, kinds)));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &BooleanQuery::new(parts),
            &TopDocs::with_limit(limit.max(1)).order_by_score(),
        )?;
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok((
                    doc.get_first(self.f.id)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    score,
                ))
            })
            .collect()
    }

    /// The content words of a text as the index sees them (for explaining matches).
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .analyzer
            .morphemes(text)
            .into_iter()
            .map(|t| t.text)
            .filter(|t| t.chars().count() > 1)
            .collect();
        out.dedup();
        out
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, audience: &[&str], title: &str, body: &str) -> Doc {
        Doc {
            id: id.into(),
            kind: "need".into(),
            audience: audience.iter().map(|s| s.to_string()).collect(),
            title: title.into(),
            body: body.into(),
        }
    }

    #[test]
    fn finds_japanese_text_and_hides_what_the_audience_may_not_see() {
        let idx = SearchIndex::in_ram(Japanese::new().unwrap()).unwrap();
        idx.upsert(&[
            doc(
                "1",
                &["members"],
                "内視鏡洗浄の負担",
                "内視鏡の用手洗浄に時間がかかる。",
            ),
            doc(
                "2",
                &["org:a"],
                "内視鏡の秘密",
                "内視鏡の洗浄工程で詰まる。",
            ),
            doc(
                "3",
                &["members"],
                "会津若松の工場",
                "会津若松市内の工場見学。",
            ),
        ])
        .unwrap();
        let members = vec!["members".to_string()];
        let hits = idx.search("内視鏡 洗浄", &[], &members, 10).unwrap();
        assert_eq!((hits.total, hits.items[0].id.as_str()), (1, "1"));
        assert!(!hits.items[0].highlights.is_empty());
        let both = idx
            .search("内視鏡 洗浄", &[], &["members".into(), "org:a".into()], 10)
            .unwrap();
        assert_eq!(both.total, 2);
        let aizu = idx.search("会津", &[], &members, 10).unwrap();
        assert_eq!(aizu.items[0].id, "3", "会津 finds 会津若松");
        idx.upsert(&[doc("1", &["org:a"], "内視鏡洗浄の負担", "内視鏡の用手洗浄")])
            .unwrap();
        assert_eq!(
            idx.search("内視鏡", &[], &members, 10).unwrap().total,
            0,
            "a replaced document takes its new audience"
        );
        assert_eq!(idx.search("内視鏡", &[], &[], 10).unwrap().total, 0);
    }

    #[test]
    fn who_may_see_a_document_does_not_change_its_score() {
        let idx = SearchIndex::in_ram(Japanese::new().unwrap()).unwrap();
        let mut docs = vec![doc("a", &["org:a"], "内視鏡", "内視鏡の洗浄。")];
        for i in 0..5 {
            docs.push(doc(
                &format!("m{i}"),
                &["members"],
                "内視鏡",
                "内視鏡の洗浄。",
            ));
        }
        docs.push(doc("k", &["members"], "手術室", "手術室の照明。"));
        idx.upsert(&docs).unwrap();
        let caller = ["members".to_string(), "org:a".to_string()];
        let ranked = idx.rank("内視鏡 洗浄", &[], &caller, 10).unwrap();
        assert_eq!(ranked.len(), 6);
        assert!(
            ranked.iter().all(|(_, s)| *s == ranked[0].1),
            "the same text scores the same, whichever audience token lets the caller see it: {ranked:?}"
        );
        let hits = idx
            .search("内視鏡 洗浄", &["need".into()], &caller, 10)
            .unwrap();
        assert!(hits.items.iter().all(|h| h.score == hits.items[0].score));
    }

    #[test]
    fn question_filler_matches_nothing_by_itself() {
        let idx = SearchIndex::in_ram(Japanese::new().unwrap()).unwrap();
        idx.upsert(&[
            doc(
                "1",
                &["members"],
                "説明会",
                "日程を知りたい。知りたいことがある。",
            ),
            doc("2", &["members"], "洗浄", "内視鏡の洗浄手順。"),
        ])
        .unwrap();
        let hits = idx
            .search("洗浄の手順を知りたい", &[], &["members".into()], 10)
            .unwrap();
        assert_eq!(
            (hits.total, hits.items[0].id.as_str()),
            (1, "2"),
            "知りたい alone does not make 1 a hit"
        );
    }
}
