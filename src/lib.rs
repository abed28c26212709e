//! yijian (意见): public consultation feedback for government draft documents.
//!
//! Layers, each a folder: `domain` (pure logic) → `db` (diesel) → `app` (use cases) →
//! `web` (actix handlers); `mail` and `export` beside `app`.

pub mod app;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod export;
pub mod i18n;
pub mod mail;
pub mod web;
