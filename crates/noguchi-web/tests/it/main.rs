//! The web crate's integration tests: one binary, driving the real router in-process over a
//! real SQLite file or a PostgreSQL schema per test (`NOGUCHI_TEST_POSTGRES_URL`), with a
//! frozen clock. `common` holds the test application and its clients.

mod accounts;
mod api;
#[allow(dead_code)]
mod common;
mod council;
mod curation;
mod events;
mod followups;
mod hardening;
mod kpi;
mod needs;
mod pages;
mod pipelines;
mod policy;
mod project_work;
mod projects;
mod proposals;
mod snapshots;
mod surveys;
mod twins;
