//! Times the network's pure steps at the size of the benchmark in BENCHMARKS.md: 5,000
//! organisations, 440 events with 23 organisations checked in at each (about 64,000 ties).
//!
//!     cargo run --release -p noguchi-domain --example network

use noguchi_domain::fiscal::FiscalYear;
use noguchi_domain::network::{
    EventOrganisations, Sector, brokers, event_contacts, metrics, network_ties, ties,
};
use std::time::Instant;

fn main() {
    let orgs: Vec<String> = (0..5000)
        .map(|i| format!("0190f0f0-0000-7000-8000-{i:012}"))
        .collect();
    let t = Instant::now();
    let contacts: Vec<_> = (0..440)
        .flat_map(|e| {
            let present: Vec<String> = (0..23)
                .map(|k| orgs[(e * 23 + k * 7) % 5000].clone())
                .collect();
            event_contacts(FiscalYear(2025), &present)
        })
        .collect();
    let c = t.elapsed();
    let t = Instant::now();
    let all = ties(&contacts, FiscalYear(2025));
    let ti = t.elapsed();
    // The path the application takes: ties straight from each event's organisations.
    let events: Vec<EventOrganisations> = (0..440)
        .map(|e| EventOrganisations {
            fiscal_year: FiscalYear(2025),
            organisations: (0..23)
                .map(|k| orgs[(e * 23 + k * 7) % 5000].clone())
                .collect(),
        })
        .collect();
    let t = Instant::now();
    let fast = network_ties(&events, &[], FiscalYear(2025));
    let nt = t.elapsed();
    assert_eq!(fast, all);
    let t = Instant::now();
    let m = metrics(&all, FiscalYear(2025), |o| {
        if o.ends_with('0') {
            Sector::Academia
        } else {
            Sector::Industry
        }
    });
    let me = t.elapsed();
    let t = Instant::now();
    let b = brokers(&all, 10);
    let br = t.elapsed();
    println!(
        "contacts {} in {:.1} ms",
        contacts.len(),
        c.as_secs_f64() * 1e3
    );
    println!("ties {} in {:.1} ms", all.len(), ti.as_secs_f64() * 1e3);
    println!(
        "network_ties (from the events) {} in {:.1} ms",
        fast.len(),
        nt.as_secs_f64() * 1e3
    );
    println!(
        "metrics ({} cross-sector) in {:.1} ms",
        m.cross_sector_ties,
        me.as_secs_f64() * 1e3
    );
    println!(
        "brokers (top {}) in {:.1} ms",
        b.len(),
        br.as_secs_f64() * 1e3
    );
}
