//! Index and query benchmark on generated Japanese needs and seeds, beside SQLite FTS5 with its
//! trigram tokenizer on the same documents and queries, in the same run.
//!
//!     cargo run --release -p noguchi-search --example bench -- 10000 100000 1000000
//!
//! Prints, per size: index time, index size on disk, query p50/p99 for both engines. Figures are
//! for this machine; see BENCHMARKS.md.

use noguchi_search::{Doc, Japanese, SearchIndex};
use sqlx::{Connection, Executor, Row};
use std::time::Instant;

const SUBJECTS: &[&str] = &[
    "内視鏡",
    "カテーテル",
    "車いす",
    "点滴スタンド",
    "ナースコール",
    "歩行器",
    "採血管",
    "人工呼吸器",
    "褥瘡マット",
    "手術用鉗子",
    "吸引器",
    "輸液ポンプ",
    "血圧計",
    "体温計",
    "ベッド",
    "移乗リフト",
    "注射針",
    "聴診器",
    "心電図モニタ",
    "酸素ボンベ",
];
const PROBLEMS: &[&str] = &[
    "洗浄に時間がかかる",
    "重くて疲れる",
    "固定がはがれやすい",
    "段差で倒れそうになる",
    "ボタンが押しにくい",
    "高さ調整に工具が必要",
    "残量が分かりにくい",
    "記録を手書きしている",
    "夜間に誤作動する",
    "消毒が手作業",
    "持ち運びが難しい",
    "音がうるさい",
    "設定を間違えやすい",
    "清掃しにくい",
    "保管場所が足りない",
];
const PLACES: &[&str] = &[
    "手術室",
    "病棟",
    "在宅",
    "介護施設",
    "外来",
    "救急外来",
    "リハビリ室",
    "透析室",
    "内視鏡室",
    "集中治療室",
];
const TECH: &[&str] = &[
    "精密加工",
    "樹脂成形",
    "金型",
    "表面処理",
    "組込みソフト",
    "画像処理",
    "センサ",
    "無線通信",
    "軽量化",
    "抗菌コーティング",
    "深層学習",
    "振動解析",
];

/// A small deterministic generator, so every run indexes the same documents.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.next() % v.len()]
    }
}

fn documents(n: usize) -> Vec<Doc> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|i| {
            let (s, p, place, t) = (r.pick(SUBJECTS), r.pick(PROBLEMS), r.pick(PLACES), r.pick(TECH));
            let kind = if i % 3 == 0 { "seed" } else { "need" };
            let title = format!("{place}の{s}");
            let body = if kind == "need" {
                format!("{place}で使う{s}が{p}。看護師の負担を減らし、患者の安全を高めたい。第{i}号の要望。")
            } else {
                format!("{t}の技術で{s}の課題を解決する研究シーズ。{place}での実証を計画している。整理番号{i}。")
            };
            Doc { id: format!("d{i}"), kind: kind.into(), audience: vec!["members".into()], title, body }
        })
        .collect()
}

fn queries() -> Vec<String> {
    let mut r = Rng(42);
    (0..300)
        .map(|_| {
            format!(
                "{} {}",
                r.pick(SUBJECTS),
                r.pick(PROBLEMS).split('が').next().unwrap_or("洗浄")
            )
        })
        .collect()
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let qs = queries();
    println!(
        "| documents | engine | index s | index MB | query p50 ms | query p99 ms | queries with hits |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for n in sizes {
        let docs = documents(n);
        let dir = std::env::temp_dir().join(format!("noguchi-bench-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let (index, _) =
            SearchIndex::open_in_dir(&dir, Japanese::new().expect("analyser")).expect("index");
        for chunk in docs.chunks(20_000) {
            index.upsert(chunk).expect("upsert");
        }
        let index_s = t.elapsed().as_secs_f64();
        let size = dir_size(&dir) as f64 / 1e6;
        let audience = vec!["members".to_string()];
        let (mut times, mut with_hits) = (Vec::new(), 0);
        for q in &qs {
            let t = Instant::now();
            let hits = index.rank(q, &[], &audience, 10).expect("query");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            with_hits += usize::from(!hits.is_empty());
        }
        println!(
            "| {n} | Noguchi (lindera + bigram, tantivy) | {index_s:.1} | {size:.1} | {:.2} | {:.2} | {with_hits}/{} |",
            percentile(times.clone(), 0.5),
            percentile(times, 0.99),
            qs.len()
        );
        drop(index);
        let _ = std::fs::remove_dir_all(&dir);

        let file = std::env::temp_dir().join(format!("noguchi-bench-{n}.sqlite3"));
        let _ = std::fs::remove_file(&file);
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", file.display()))
                .await
                .expect("sqlite");
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'trigram')")
            .await
            .expect("fts5 trigram");
        let t = Instant::now();
        let mut tx = conn.begin().await.expect("tx");
        for d in &docs {
            sqlx::query("INSERT INTO docs (title, body) VALUES (?, ?)")
                .bind(&d.title)
                .bind(&d.body)
                .execute(&mut *tx)
                .await
                .expect("insert");
        }
        tx.commit().await.expect("commit");
        let index_s = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let (mut times, mut with_hits) = (Vec::new(), 0);
        for q in &qs {
            // Each word as a phrase, any of them; words under three characters cannot match a
            // trigram index (a known limit of FTS5 trigram for Japanese).
            let m = q
                .split_whitespace()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" OR ");
            let t = Instant::now();
            let rows =
                sqlx::query("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10")
                    .bind(&m)
                    .fetch_all(&mut conn)
                    .await
                    .expect("match");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            with_hits += usize::from(!rows.is_empty());
            let _ = rows.first().map(|r| r.get::<i64, _>(0));
        }
        println!(
            "| {n} | SQLite FTS5 trigram | {index_s:.1} | {size:.1} | {:.2} | {:.2} | {with_hits}/{} |",
            percentile(times.clone(), 0.5),
            percentile(times, 0.99),
            qs.len()
        );
        drop(conn);
        let _ = std::fs::remove_file(&file);
    }
}
