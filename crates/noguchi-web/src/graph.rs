//! Layout of the network picture: organisations on a circle, grouped by sector, ties as lines
//! whose width is their strength. Computed here and drawn by `network.html`'s SVG; no SVG is
//! built as text in Rust. A large network shows its most connected organisations only, and says
//! how many it shows.

use noguchi_app::events::NetworkView;
use noguchi_domain::network::Sector;
use std::collections::BTreeMap;

pub struct Node {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub label: String,
    /// Where the label goes: to the right of the node on the right half, else to the left.
    pub anchor: &'static str,
    pub lx: f64,
    pub sector: &'static str,
}

pub struct Edge {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub width: f64,
    pub kind: String,
}

pub struct Graph {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub shown: usize,
    pub total: usize,
}

fn sector_order(s: Sector) -> u8 {
    match s {
        Sector::Medical => 0,
        Sector::Academia => 1,
        Sector::Industry => 2,
        Sector::Government => 3,
        Sector::Other => 4,
    }
}

pub fn layout(view: &NetworkView, max_nodes: usize) -> Graph {
    let (width, height) = (760.0, 640.0);
    let (cx, cy, radius) = (width / 2.0, height / 2.0, 230.0);
    let mut degree: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &view.ties {
        *degree.entry(t.a.as_str()).or_default() += 1;
        *degree.entry(t.b.as_str()).or_default() += 1;
    }
    let total = degree.len();
    let mut chosen: Vec<(&str, usize)> = degree.iter().map(|(k, v)| (*k, *v)).collect();
    chosen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    chosen.truncate(max_nodes);
    let sector = |id: &str| view.sectors.get(id).copied().unwrap_or(Sector::Other);
    let name = |id: &str| view.names.get(id).cloned().unwrap_or_default();
    chosen.sort_by(|a, b| {
        sector_order(sector(a.0))
            .cmp(&sector_order(sector(b.0)))
            .then_with(|| name(a.0).cmp(&name(b.0)))
    });
    let n = chosen.len().max(1) as f64;
    let mut at: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let nodes = chosen
        .iter()
        .enumerate()
        .map(|(i, (id, deg))| {
            let angle = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
            let (x, y) = (cx + radius * angle.cos(), cy + radius * angle.sin());
            at.insert(id, (x, y));
            let right = angle.cos() >= 0.0;
            let r = 4.0 + (*deg).min(12) as f64 * 0.6;
            let label: String = name(id).chars().take(14).collect();
            Node {
                x,
                y,
                r,
                label,
                anchor: if right { "start" } else { "end" },
                lx: if right { x + r + 3.0 } else { x - r - 3.0 },
                sector: sector(id).code(),
            }
        })
        .collect();
    let edges = view
        .ties
        .iter()
        .filter_map(|t| {
            let (x1, y1) = *at.get(t.a.as_str())?;
            let (x2, y2) = *at.get(t.b.as_str())?;
            let strongest = t
                .kinds
                .iter()
                .max_by_key(|k| k.strength())
                .map_or("event", |k| k.code());
            Some(Edge {
                x1,
                y1,
                x2,
                y2,
                width: 0.6 + f64::from(t.strength) * 0.7,
                kind: strongest.to_owned(),
            })
        })
        .collect();
    Graph {
        width,
        height,
        nodes,
        edges,
        shown: chosen.len(),
        total,
    }
}
