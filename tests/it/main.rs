//! Integration tests: one binary, real databases (SQLite always, PostgreSQL when
//! `YIJIAN_TEST_POSTGRES_URL` is set), the real application.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod browser;
mod cli;
mod consultations;
mod database;
mod drafts;
mod hardening;
mod intake;
mod layers;
mod mail;
mod permissions;
mod public_site;
mod publish_guards;
mod report;
mod revisions;
mod sessions;
mod setup;
mod solicitations;
mod support;
mod triage;
mod units;
mod web_basics;
