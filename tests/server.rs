//! `mmhs serve` in one binary (docs/server.md): SMTP submission, the webmail's HTTP API and
//! pages, TLS, DKIM, the release queue and gate, the store, limits and slow clients — each
//! test starts its own server on 127.0.0.1 with ephemeral ports.
//!
//! Test names are `<file>::<test>`: `cargo test --test server <file>::` runs one file.
#![cfg(not(target_arch = "wasm32"))]

mod support;

#[path = "server_dkim.rs"]
mod server_dkim;
#[path = "server_dos.rs"]
mod server_dos;
#[path = "server_gate.rs"]
mod server_gate;
#[path = "server_labels.rs"]
mod server_labels;
#[path = "server_limits.rs"]
mod server_limits;
#[path = "server_queue.rs"]
mod server_queue;
#[path = "server_release.rs"]
mod server_release;
#[path = "server_smtp.rs"]
mod server_smtp;
#[path = "server_store.rs"]
mod server_store;
#[path = "server_tls.rs"]
mod server_tls;
#[path = "server_web.rs"]
mod server_web;
#[path = "server_web_security.rs"]
mod server_web_security;
