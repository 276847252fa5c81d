//! Retrieval evaluation on a localgovFAQ-shaped collection, without the rest of the application.
//!
//!     cargo run --release -p noguchi-search --example eval -- DIR
//!
//! DIR holds corpus.json, queries.json and qrels.json; prints recall, nDCG and MRR at 10, query
//! latency percentiles and indexing time.

use noguchi_search::eval::evaluate;
use std::collections::HashMap;
use std::path::Path;

fn read(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: eval DIR (with corpus.json, queries.json, qrels.json)");
    let dir = Path::new(&dir);
    let corpus: HashMap<String, String> =
        serde_json::from_str(&read(dir, "corpus.json")).expect("corpus.json");
    let queries: HashMap<String, String> =
        serde_json::from_str(&read(dir, "queries.json")).expect("queries.json");
    let qrels: HashMap<String, HashMap<String, i64>> =
        serde_json::from_str(&read(dir, "qrels.json")).expect("qrels.json");
    let r = evaluate(&corpus, &queries, &qrels, 10).expect("evaluation");
    println!(
        "recall@10 {:.3}  nDCG@10 {:.3}  MRR@10 {:.3}  p50 {:.2} ms  p99 {:.2} ms  index {:.2} s",
        r.recall, r.ndcg, r.mrr, r.p50_ms, r.p99_ms, r.index_s
    );
}
