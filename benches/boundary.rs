//! `cargo bench --bench boundary`: messages per second through two real Postfix instances and
//! their boundary agents (tests/support/postfix.rs, the set-up of docs/domain.md): alice's
//! signed message submitted to army's Postfix, domain-signed and encrypted to navy's DCA by
//! army's agent, decrypted and verified by navy's agent, delivered to bob's Maildir — at
//! 10 KiB and 1 MiB. Time runs from the first submission to the last delivery; `CLIENTS`
//! submitters run at once. Needs root and /usr/sbin/postfix (skipped otherwise, with a
//! message). `MMHS_BENCH_BOUNDARY_N` sets the messages per size (default 40 / 8).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::pki::{Alg, Pki};
use support::postfix::*;

const CLIENTS: usize = 4;

fn message_of_size(pki: &Pki, size: usize, tag: &str) -> Vec<u8> {
    let line = "Proceed to grid 1234; acknowledge by return. ".repeat(2);
    let mut body = String::with_capacity(size + 100);
    while body.len() < size {
        body.push_str(&line);
        body.push_str("\r\n");
    }
    alice_message_with(pki, &format!("bench {tag}"), &body)
}

fn main() {
    if !postfix_usable() {
        return;
    }
    let pki = Pki::new(
        "boundary-bench",
        &[("alice", "alice@army.example", Alg::Ec)],
    );
    pki.domain_agents();
    let d = two_domains(&pki, |navy_mx| navy_mx);
    let (army, navy_mta) = (d.army, &d.navy_mta);
    let maildir = navy_mta.maildir_new("navy.example", "bob");
    let n_env = std::env::var("MMHS_BENCH_BOUNDARY_N")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    println!("boundary: army Postfix + agent (sign, encrypt) → navy Postfix + agent (decrypt, verify) → Maildir, {CLIENTS} submitters");
    println!("| size | messages | seconds | messages/s | MB/s |");
    println!("|---|---|---|---|---|");
    let mut delivered = 0usize;
    // One warm-up message: process start-up and first connections are not measured.
    for (label, size, default_n) in [
        ("warm-up", 1024, 1),
        ("10 KiB", 10 * 1024, 40),
        ("1 MiB", 1024 * 1024, 8),
    ] {
        let n = if label == "warm-up" {
            default_n
        } else {
            n_env.unwrap_or(default_n)
        };
        let msg = message_of_size(&pki, size, label);
        let t0 = Instant::now();
        std::thread::scope(|s| {
            for c in 0..CLIENTS.min(n) {
                let msg = &msg;
                s.spawn(move || {
                    for _ in (c..n).step_by(CLIENTS) {
                        let rep = smtp_send(
                            army.submission,
                            "alice@army.example",
                            "bob@navy.example",
                            msg,
                        );
                        assert!(rep.starts_with("250"), "{rep}");
                    }
                });
            }
        });
        delivered += n;
        wait_for("every delivery", 600, || {
            (files_in(&maildir).len() >= delivered).then_some(())
        });
        let secs = t0.elapsed().as_secs_f64().max(1e-9);
        if label != "warm-up" {
            println!(
                "| {label} | {n} | {secs:.2} | {:.1} | {:.2} |",
                n as f64 / secs,
                (n * msg.len()) as f64 / secs / 1e6
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(d);
    let _ = std::fs::remove_dir_all(&pki.dir);
}
