//! Retrieval evaluation on a collection of {doc_id: text}, {query_id: text} and
//! {query_id: {doc_id: grade}} (the localgovFAQ layout): recall, nDCG and MRR at k, query
//! latency percentiles and indexing time.

use crate::{Doc, Japanese, Result, SearchIndex};
use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub recall: f64,
    pub ndcg: f64,
    pub mrr: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub index_s: f64,
}

/// A collection document's title: the question of a "Question: …\nAnswer: …" text.
fn title_of(text: &str) -> &str {
    let t = text.strip_prefix("Question:").unwrap_or(text);
    t.split("\nAnswer:").next().unwrap_or(t).trim()
}

pub fn evaluate(
    corpus: &HashMap<String, String>,
    queries: &HashMap<String, String>,
    qrels: &HashMap<String, HashMap<String, i64>>,
    k: usize,
) -> Result<Report> {
    let start = Instant::now();
    let index = SearchIndex::in_ram(Japanese::new()?)?;
    let everyone = vec!["all".to_string()];
    let docs: Vec<Doc> = corpus
        .iter()
        .map(|(id, text)| Doc {
            id: id.clone(),
            kind: "doc".into(),
            audience: everyone.clone(),
            title: title_of(text).to_owned(),
            body: text.clone(),
        })
        .collect();
    index.upsert(&docs)?;
    let index_s = start.elapsed().as_secs_f64();
    let (mut recall, mut ndcg, mut mrr, mut n) = (0.0, 0.0, 0.0, 0usize);
    let mut times = Vec::new();
    let mut ids: Vec<&String> = queries.keys().collect();
    ids.sort();
    for qid in ids {
        let Some(rel) = qrels.get(qid).filter(|r| r.values().any(|g| *g > 0)) else {
            continue;
        };
        let t = Instant::now();
        let hits = index.rank(&queries[qid], &[], &everyone, k)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let ranked: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
        let relevant = rel.values().filter(|g| **g > 0).count() as f64;
        recall += ranked
            .iter()
            .filter(|d| rel.get(**d).is_some_and(|g| *g > 0))
            .count() as f64
            / relevant;
        let dcg: f64 = ranked
            .iter()
            .enumerate()
            .map(|(i, d)| gain(rel.get(*d).copied().unwrap_or(0)) / ((i + 2) as f64).log2())
            .sum();
        let mut ideal: Vec<i64> = rel.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(k)
            .enumerate()
            .map(|(i, g)| gain(*g) / ((i + 2) as f64).log2())
            .sum();
        ndcg += if idcg > 0.0 { dcg / idcg } else { 0.0 };
        mrr += ranked
            .iter()
            .position(|d| rel.get(*d).is_some_and(|g| *g > 0))
            .map_or(0.0, |p| 1.0 / (p + 1) as f64);
        n += 1;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        if times.is_empty() {
            0.0
        } else {
            times[((times.len() - 1) as f64 * p).round() as usize]
        }
    };
    let n = n.max(1) as f64;
    Ok(Report {
        recall: recall / n,
        ndcg: ndcg / n,
        mrr: mrr / n,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        index_s,
    })
}

fn gain(grade: i64) -> f64 {
    (2f64.powi(grade.max(0) as i32)) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_a_tiny_collection() {
        let corpus: HashMap<String, String> = [
            ("d1", "Question: ごみの出し方を知りたい\nAnswer: 燃やすごみは月曜日と木曜日に出してください。"),
            ("d2", "Question: 住民票の写しはどこで取れますか\nAnswer: 市役所の窓口で交付します。"),
            ("d3", "Question: 粗大ごみの申し込み\nAnswer: 粗大ごみ受付センターへ電話してください。"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let queries: HashMap<String, String> =
            [("q1", "住民票を取りたい"), ("q2", "粗大ごみを捨てたい")]
                .into_iter()
                .map(|(a, b)| (a.into(), b.into()))
                .collect();
        let qrels: HashMap<String, HashMap<String, i64>> =
            [("q1", vec![("d2", 2)]), ("q2", vec![("d3", 2), ("d1", 1)])]
                .into_iter()
                .map(|(q, r)| {
                    (
                        q.into(),
                        r.into_iter().map(|(d, g)| (d.into(), g)).collect(),
                    )
                })
                .collect();
        let r = evaluate(&corpus, &queries, &qrels, 10).unwrap();
        assert_eq!(r.recall, 1.0);
        assert_eq!(r.mrr, 1.0, "the right answer ranks first for both queries");
        assert!(r.ndcg > 0.9 && r.ndcg <= 1.0);
    }
}
